"""End to end: the commands, bad input, groups, and Telegram's refusals."""

from __future__ import annotations

from bot.callbacks import short_ref
from tests.conftest import running_bot
from tests.samples import CLOSED_NOT_DEBATED, OPEN_BELOW_10K, OPEN_WITH_RESPONSE
from tests.test_e2e_buttons import tap
from tests.test_reliability_petitions import quiet

ANN = 1001
GROUP, ADMIN, MEMBER = -100500, 7, 8
TITLE = "Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point"


async def ask(telegram, chat_id: int, text: str, **kwargs) -> str:
    seen = len(telegram.messages_to(chat_id))
    telegram.user_says(chat_id, text, **kwargs)
    return await telegram.next_message(chat_id, after=seen)


async def test_start_help_and_the_command_menu(telegram, petitions, make_config):
    async with running_bot(make_config()):
        welcome = await ask(telegram, ANN, "/start")
        assert welcome.startswith("👋 <b>Accountability Alerts</b> watches UK Parliament petitions")
        assert "/follow https://petition.parliament.uk/petitions/300412" in welcome
        help_text = await ask(telegram, ANN, "/help")
        assert help_text.splitlines() == [
            "<b>What I understand</b>",
            "/follow: Follow a petition by number or link, such as <code>/follow 300412</code>",
            "/unfollow: Stop following something, such as <code>/unfollow 300412</code>",
            "/list: What this chat follows, with current counts",
            "/status: Where a petition or a follow stands, such as <code>/status 300412</code>",
            "/share: A card to forward that follows in one tap, such as <code>/share 300412</code>",
            "/chart: A petition's signatures over time, as a picture, such as "
            "<code>/chart 300412</code>",
            "/statements: Follow what a department says, optionally on some keywords, such as "
            "<code>/statements home-office grooming gangs</code>",
            "/questions: Follow written questions to a department, or one question by its "
            "number, such as <code>/questions home-office grooming gangs</code>",
            "/consultations: Follow a department's consultations: closing dates and outcomes, "
            "such as <code>/consultations home-office</code>",
            "/foi: Follow Freedom of Information requests on WhatDoTheyKnow: an authority's, or "
            "one, such as <code>/foi home office asylum</code>",
            "/debates: Petition debates in the next four weeks; follow them all",
            "/search: Find petitions by words, open ones first, such as "
            "<code>/search climate</code>",
            "/overdue: The government's late list: petitions past the response deadline",
            "/settings: Quiet hours, time zone, daily digest, defaults",
            "/export: This chat's follows and settings as a file",
            "/import: Bring back an exported file (reply to it)",
            "/privacy: What I keep about this chat, and for how long",
            "/stop: Unfollow everything and delete this chat's data",
            "/help: What I can do",
            "",
            "In a private chat, send a petition's link to see it, or a few words to find one. "
            "Several at once work too: <code>/follow 700013 700014</code>.",
        ]
        assert "Example" not in help_text
        assert [c["command"] for c in telegram.commands] == [
            "follow",
            "unfollow",
            "list",
            "status",
            "share",
            "chart",
            "statements",
            "questions",
            "consultations",
            "foi",
            "debates",
            "search",
            "overdue",
            "settings",
            "export",
            "import",
            "privacy",
            "stop",
            "help",
        ]


async def test_deep_link_follows_in_one_tap(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        reply = await ask(telegram, ANN, "/start p_300412")
        assert reply.startswith(f"📜 <b>{TITLE}</b>") and "🔔 Following." in reply
        listing = await ask(telegram, ANN, "/list")
        assert listing == (
            "<b>What this chat follows (1)</b>\n"
            f"1. <b>{TITLE}</b>\n"
            "    1,289 signatures · open · /status 300412 · /unfollow 300412"
            "\nTap one for its card: unfollow, mute, alert settings and sharing are there."
        )
        assert telegram.last_to(ANN).buttons[0] == [
            ("📜 1. Reduce fixed penalty for…", f"c:{short_ref('petition:300412')}")
        ]


async def test_list_status_unfollow_and_aliases(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    petitions.add(627130, OPEN_WITH_RESPONSE)
    async with running_bot(make_config()):
        assert (await ask(telegram, ANN, "/list")).startswith(
            "This chat doesn't follow anything yet."
        )
        await ask(telegram, ANN, "/watch 300412")
        await ask(
            telegram, ANN, "/follow https://petition.parliament.uk/archived/petitions/627130/"
        )
        listing = await ask(telegram, ANN, "/list")
        assert listing.startswith("<b>What this chat follows (2)</b>")
        assert "12,123 signatures · open · /status 627130" in listing
        status = await ask(telegram, ANN, "/status 627130")
        assert "📝 Government response: responded on 6 December 2022 (20 days after the " in status
        asked = await ask(telegram, ANN, "/unwatch 300412")
        assert asked == f"Stop alerts for petition 300412 “{TITLE}”?"
        question = telegram.last_to(ANN)
        await tap(telegram, question, "🔕 Yes, unfollow")
        assert question.text == (
            f"🔕 Stopped following petition 300412 “{TITLE}”. No more alerts about it here."
        )
        again = await ask(telegram, ANN, "/unfollow 300412")
        assert again == "This chat doesn't follow petition 300412. /list shows what it follows."
        assert (await ask(telegram, ANN, "/list")).startswith("<b>What this chat follows (1)</b>")


async def test_status_of_an_unfollowed_petition_fetches_it(telegram, petitions, make_config):
    petitions.add(590282, CLOSED_NOT_DEBATED)
    async with running_bot(make_config()):
        status = await ask(telegram, ANN, "/status 590282")
        assert "Petition 590282 · Closed on 6 January 2022" in status
        assert "🗣 Debate: the Petitions Committee decided not to debate it" in status
        assert "/list" not in status
        assert (await ask(telegram, ANN, "/list")).startswith("This chat doesn't follow")


async def test_bad_input_gets_a_friendly_reply_and_changes_nothing(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    petitions.add(400000, OPEN_BELOW_10K)
    petitions.in_moderation.add(400000)
    async with running_bot(make_config(limits={"follows_per_chat": 1})):
        answers = {
            "/follow grooming gangs": (
                "“grooming gangs” isn't something I can /follow as it is.\n"
                "🏛 Statements from every department on “grooming gangs”: "
                "<code>/statements any grooming gangs</code>\n"
                "🔎 Petitions about it: <code>/search grooming gangs</code>"
            ),
            "/follow home office": (
                "“home office” isn't something I can /follow as it is.\n"
                "🏛 Home Office statements: <code>/statements home-office</code>\n"
                "🔎 Petitions about it: <code>/search home office</code>"
            ),
            "/follow 999999": "There's no public petition number 999999. Check the number?",
            "/follow 400000": "Petition 400000 isn't public yet: it is still gathering sponsors",
            "/follow https://evil.example.com/petitions/300412": (
                "I can only follow petitions on petition.parliament.uk."
            ),
            "/follow https://www.change.org/p/save-our-libraries": (
                "That's a change.org petition. I follow petitions to the UK Parliament"
            ),
            "/follow https://petitions.senedd.wales/petitions/245": (
                "That's a petition to the Senedd (the Welsh Parliament). I follow petitions to "
                "the UK Parliament (petition.parliament.uk) only: the Senedd's own Petitions "
                "Committee considers this one."
            ),
            "/status 0": "Petition numbers start at 1.",
            "/unfollow abc": "“abc” isn't something I can /unfollow as it is.",
            "/frobnicate": "I don't know /frobnicate. /help lists what I can do.",
        }
        for command, expected in answers.items():
            assert (await ask(telegram, ANN, command)).startswith(expected), command
        assert petitions.requests[999999] == 1 and petitions.requests[400000] == 0
        await ask(telegram, ANN, "/follow 300412")
        twice = await ask(telegram, ANN, "/follow 300412")
        assert twice == (
            f"This chat already follows petition 300412 “{TITLE}”. "
            "/status 300412 shows where it stands."
        )
        over_limit = await ask(telegram, ANN, "/follow 627130")
        assert over_limit == (
            "This chat is at its limit of 1 follows. Send /list and unfollow one first."
        )
        listing = await ask(telegram, ANN, "/list")
        assert listing.startswith("<b>What this chat follows (1)</b>\n1. <b>Reduce fixed")


async def test_in_groups_only_admins_change_follows(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    telegram.admins[GROUP] = {ADMIN}
    async with running_bot(make_config()):
        refused = await ask(
            telegram,
            GROUP,
            "/follow@accountability_test_bot 300412",
            user_id=MEMBER,
            chat_type="supergroup",
        )
        assert refused == "Only this group's admins can change what it follows."
        accepted = await ask(
            telegram, GROUP, "/follow 300412", user_id=ADMIN, chat_type="supergroup"
        )
        assert "🔔 Following." in accepted
        status = await ask(
            telegram, GROUP, "/status 300412", user_id=MEMBER, chat_type="supergroup"
        )
        assert status.startswith(f"📜 <b>{TITLE}</b>")
        petitions.update(300412, signature_count=5_002)
        alert = await telegram.next_message(GROUP)
        assert alert.startswith("📈 <b>5,000 signatures</b>")


async def test_migrated_group_and_flood_control(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    telegram.admins[GROUP] = {ADMIN}
    new_id = -1009999
    async with running_bot(make_config()):
        await ask(telegram, GROUP, "/follow 300412", user_id=ADMIN, chat_type="group")
        telegram.migrated[GROUP] = new_id
        telegram.flood_answers = 1  # the first try answers 429; the rate limiter retries
        petitions.update(300412, signature_count=5_002)
        alert = await telegram.next_message(new_id, after=0, timeout=15)
        assert alert.startswith("📈 <b>5,000 signatures</b>")
        telegram.user_says(new_id, "/list", user_id=ADMIN, chat_type="supergroup")
        listing = await telegram.next_message(new_id, after=1)
        assert listing.startswith("<b>What this chat follows (1)</b>")


async def test_paste_a_link_in_a_sentence_then_follow_with_one_tap(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        card = await ask(
            telegram, ANN, "please sign <https://petition.parliament.uk/petitions/300412>!"
        )
        assert card.startswith(f"📜 <b>{TITLE}</b>\nPetition 300412 · Open")
        card = telegram.last_to(ANN)
        assert card.buttons == [
            [("🔔 Follow", "fc:petition:300412"), ("📤 Share", "sh:petition:300412")]
        ]
        seen = len(telegram.messages_to(ANN))
        await tap(telegram, card, "🔔 Follow")
        # The card itself becomes the followed card: no second, near-identical message.
        assert len(telegram.messages_to(ANN)) == seen
        assert card.text.startswith(f"📜 <b>{TITLE}</b>") and "🔔 Following." in card.text
        assert [label for row in card.buttons for label, _ in row] == [
            "✅ Following", "🔕 Unfollow", "📤 Share", "⚙️ Alerts", "🔇 Mute", "📈 Chart"
        ]  # fmt: skip
        await tap(telegram, card, "✅ Following")
        assert telegram.toasts[-1].startswith("✅ This chat follows it")
        by_command = await ask(
            telegram,
            ANN,
            "/unfollow https://petition.parliament.uk/petitions/300412/signatures/new",
        )
        assert by_command.startswith("Stop alerts for petition 300412")


async def test_menus_for_private_chats_groups_and_operators(telegram, petitions, make_config):
    operator = 4444
    async with running_bot(make_config(telegram={"admin_ids": [operator]})):
        assert "stop" in telegram.menus["all_private_chats"]
        assert "stop" not in telegram.menus["all_group_chats"]
        assert "follow" in telegram.menus["all_group_chats"]
        assert telegram.menus[f"chat:{operator}"][-2:] == ["stats", "source"]
        assert "stats" not in telegram.menus["all_private_chats"]
        assert (await ask(telegram, ANN, "/stats")) == "That command is for the bot's operators."
        stats = await ask(telegram, operator, "/stats")
        assert stats.startswith("<b>Accountability Alerts</b>\nchats: 0\nfollows: 0\n")


async def test_an_operator_sees_each_source_and_pauses_and_resumes_one(
    telegram, petitions, make_config
):
    operator = 4444
    petitions.add(1, OPEN_BELOW_10K, signature_count=4_000)
    async with running_bot(make_config(telegram={"admin_ids": [operator]})):
        await ask(telegram, ANN, "/follow 1")
        assert await ask(telegram, ANN, "/source pause petitions") == (
            "That command is for the bot's operators."
        )
        # A cycle has read it whole once the one after it begins.
        await petitions.wait_for_petition_requests(1, petitions.requests[1] + 2)
        stats = await ask(telegram, operator, "/stats")
        sources = stats.split("<b>Sources</b>\n")[1].splitlines()
        assert sources[0].startswith("petitions (every 0.5 s): read ")
        assert "; last cycle 1 targets, 1 read, 0 skipped, 0 alerts queued" in sources[0]
        assert "<b>Sending</b>: 0 waiting; last sent" in stats

        usage = await ask(telegram, operator, "/source explode")
        assert usage.startswith("<b>/source</b> pauses or resumes one source's polls")
        assert usage.endswith(
            "Sources: petitions, overdue, govuk, consultations, wms, questions, foi, debates."
        )
        nowhere = await ask(telegram, operator, "/source pause <nowhere>")
        assert nowhere.startswith("There is no source called “&lt;nowhere&gt;”.")

        paused = await ask(telegram, operator, "/source pause petitions")
        assert paused == (
            "⏸ petitions is paused: no polls until <code>/source resume petitions</code>."
        )
        assert await ask(telegram, operator, "/source pause petitions") == (
            "petitions is paused already."
        )
        read = petitions.requests[1]
        petitions.update(1, signature_count=5_002)
        assert await quiet(telegram, ANN, 2.0) == []  # four intervals, and no poll
        assert petitions.requests[1] <= read + 1  # at most the cycle under way as it paused
        assert "petitions (every 0.5 s): paused since" in await ask(telegram, operator, "/stats")

        resumed = await ask(telegram, operator, "/source resume petitions")
        assert resumed == "▶️ petitions is polled again, from its next turn."
        alert = await telegram.next_message(ANN)
        assert alert.startswith("📈 <b>5,000 signatures</b>")
