"""End to end: managing follows by tapping. Alerts and cards carry Unfollow and Status buttons;
/list is paged with buttons to open, unfollow and mute; a tap only ever acts on its own chat."""

from __future__ import annotations

from bot.callbacks import short_ref
from tests.conftest import running_bot
from tests.e2e import ask
from tests.fakes.telegram import SentMessage, telegram_html_text
from tests.samples import OPEN_BELOW_10K

ANN, BOB, CAROL = 1001, 1002, 1003
TITLE = "Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point"


def labels(message: SentMessage) -> list[str]:
    return [label for row in message.buttons for label, _ in row]


async def tap(telegram, message: SentMessage, label: str, **kwargs) -> None:
    """Tap and wait until Telegram has had its answer."""
    answered = len(telegram.toasts)
    telegram.user_taps(message, label, **kwargs)
    await telegram.wait_until(lambda: len(telegram.toasts) > answered)


async def test_an_alerts_unfollow_button_asks_first_and_status_opens_the_card(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/follow 300412")
        petitions.update(300412, signature_count=5_002)
        await telegram.next_message(ANN)
        alert = telegram.last_to(ANN)
        assert labels(alert) == ["🔕 Unfollow", "📜 Status", "⚙️ Settings"]

        seen = len(telegram.messages_to(ANN))
        await tap(telegram, alert, "📜 Status")
        card = await telegram.next_message(ANN, after=seen)
        assert card.startswith(f"📜 <b>{TITLE}</b>") and "5,002" in card

        await tap(telegram, alert, "🔕 Unfollow")
        assert labels(alert) == ["🔕 Yes, stop these alerts", "Keep them"]
        assert alert.text.startswith("📈 <b>5,000 signatures</b>")  # the alert keeps its text
        await tap(telegram, alert, "Keep them")
        assert labels(alert) == ["🔕 Unfollow", "📜 Status", "⚙️ Settings"]
        await tap(telegram, alert, "🔕 Unfollow")
        await tap(telegram, alert, "🔕 Yes, stop these alerts")
        assert telegram.toasts[-1] == (
            f"Stopped following petition 300412 “{TITLE}”. No more alerts about it here."
        )
        assert labels(alert) == []
        assert (await ask(telegram, ANN, "/list")).startswith("This chat doesn't follow anything")


async def test_the_list_at_the_follow_limit_with_the_longest_titles_pages_mutes_and_unfollows(
    telegram, petitions, govuk, parliament, make_config
):
    longest = "A" * 149 + "Z"  # archived petitions' titles run to 150 characters
    for n in range(1, 41):
        petitions.add(500000 + n, OPEN_BELOW_10K, action=f"{n} {longest}"[:150])
    keywords = "children's homes' safeguarding inspections accountability transparency reform"
    async with running_bot(make_config(limits={"follows_per_chat": 50})):
        for n in range(1, 41):
            await ask(telegram, ANN, f"/follow {500000 + n}")
        for department in ("ministry-of-housing-communities-local-government", "hm-treasury",
                           "department-for-science-innovation-and-technology", "home-office",
                           "department-for-education", "cabinet-office", "ministry-of-justice",
                           "department-for-transport", "ministry-of-defence"):  # fmt: skip
            await ask(telegram, ANN, f"/statements {department} {keywords}")
        await ask(telegram, ANN, "/follow debates")
        over = await ask(telegram, ANN, "/follow 300412")
        assert over == "This chat is at its limit of 50 follows. Send /list and unfollow one first."

        first = await ask(telegram, ANN, "/list")
        assert first.startswith("<b>What this chat follows (50)</b> · page 1 of 7\n1. <b>1 AAA")
        page = telegram.last_to(ANN)
        for number in range(2, 8):
            await tap(telegram, page, "▶")
            assert f"· page {number} of 7" in page.text
            assert telegram_html_text(page.text) is not None  # Telegram took every page
        assert "50. 🗓 <b>All petition debates</b>" in page.text
        assert "41. 🏛 <b>Ministry of Housing, Communities and Local Government statements" in (
            await _page(telegram, page, 6)
        )

        await _page(telegram, page, 1)
        first_label = f"📜 1. 1 {'A' * 27}…"
        assert labels(page)[:2] == [first_label, f"📜 2. 2 {'A' * 27}…"]
        assert all(len(row) <= 3 for row in page.buttons)
        seen = len(telegram.messages_to(ANN))
        await tap(telegram, page, first_label)
        await telegram.next_message(ANN, after=seen)
        card = telegram.last_to(ANN)
        assert labels(card) == [
            "✅ Following", "🔕 Unfollow", "📤 Share", "⚙️ Alerts", "🔇 Mute", "📈 Chart"
        ]  # fmt: skip
        await tap(telegram, card, "🔇 Mute")
        assert telegram.toasts[-1].startswith("🔇 Muted: nothing comes until you unmute it")
        assert "🔔 Unmute" in labels(card)
        listed = await ask(telegram, ANN, "/list")
        assert "\n1. 🔇 <b>1 AAA" in listed
        assert labels(telegram.last_to(ANN))[0] == f"🔇 1. 1 {'A' * 27}…"

        second = await ask(telegram, ANN, "/status 500002")
        assert second.startswith("📜 <b>2 AAA")
        card = telegram.last_to(ANN)
        await tap(telegram, card, "🔕 Unfollow")
        assert labels(card) == ["🔕 Yes, stop these alerts", "Keep them"]
        await tap(telegram, card, "🔕 Yes, stop these alerts")
        assert telegram.toasts[-1].startswith("Stopped following petition 500002")
        assert labels(card) == ["🔔 Follow", "📤 Share"]  # the card offers it again
        page = telegram.last_to(ANN)
        assert (await ask(telegram, ANN, "/list")).startswith("<b>What this chat follows (49)</b>")
        page = telegram.last_to(ANN)
        await tap(telegram, page, "🔕 Unfollow all")
        assert page.text == "Stop following all 49 and get no more alerts here?"
        await tap(telegram, page, "🔕 Yes, unfollow all")
        assert page.text.startswith("🔕 Unfollowed everything.\nThis chat doesn't follow anything")


async def _page(telegram, message: SentMessage, number: int) -> str:
    """Go to page `number` of the list in `message` with ◀ and ▶."""
    while f"· page {number} of" not in message.text:
        current = int(message.text.split("· page ")[1].split(" ")[0])
        await tap(telegram, message, "▶" if current < number else "◀")
    return message.text


async def test_a_muted_follow_is_quiet_until_unmuted(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/follow 300412")
        card = telegram.last_to(ANN)
        await tap(telegram, card, "🔇 Mute")
        seen = len(telegram.messages_to(ANN))
        petitions.update(300412, signature_count=5_002)
        requests = petitions.requests[300412]
        await petitions.wait_for_petition_requests(300412, requests + 3)
        assert len(telegram.messages_to(ANN)) == seen
        await tap(telegram, card, "🔔 Unmute")
        assert telegram.toasts[-1] == "🔔 Unmuted: its alerts come again."
        petitions.update(300412, signature_count=10_050)
        assert (await telegram.next_message(ANN)).startswith("📈 <b>10,000 signatures</b>")


async def test_a_forged_button_never_acts_on_another_chats_follows(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/follow 300412")
        await ask(telegram, BOB, "/help")
        ref = short_ref("petition:300412")
        forged = SentMessage(
            BOB, "anything", telegram.last_to(BOB).message_id,
            [[("a", f"xs:{ref}"), ("b", f"uy:{ref}"), ("c", "xay"), ("d", "stopy"),
              ("e", f"m:{ref}"), ("f", f"uy:{ref}:c")]],
        )  # fmt: skip
        for label in "abcdef":
            await tap(telegram, forged, label)
        assert (await ask(telegram, ANN, "/list")).startswith("<b>What this chat follows (1)</b>")


async def test_stop_asks_then_forgets_the_chat(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/follow 300412")
        picker = await ask(telegram, ANN, "/unfollow")
        assert picker == "Which should this chat stop following?"
        assert labels(telegram.last_to(ANN)) == ["🔕 Reduce fixed penalty for…"]
        question = await ask(telegram, ANN, "/stop")
        assert question.startswith("Stop everything?")
        await tap(telegram, telegram.last_to(ANN), "Keep everything")
        assert (await ask(telegram, ANN, "/list")).startswith("<b>What this chat follows (1)</b>")
        await ask(telegram, ANN, "/stop")
        stop = telegram.last_to(ANN)
        await tap(telegram, stop, "🗑 Yes, delete")
        assert stop.text.startswith("🗑 Done: this chat follows nothing")
        assert (await ask(telegram, ANN, "/list")).startswith("This chat doesn't follow anything")


async def test_share_gives_a_one_tap_link_that_works_in_private_and_in_groups(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    group, admin, member = -100500, 7, 8
    telegram.admins[group] = {admin}
    link = "https://t.me/accountability_test_bot?start=p_300412"
    async with running_bot(make_config()):
        shared = await ask(telegram, ANN, "/share 300412")
        assert shared.startswith(f"📜 <b>{TITLE}</b>")
        group_link = "https://t.me/accountability_test_bot?startgroup=p_300412"
        assert shared.endswith(
            f"📤 Forward this: anyone who opens {link} follows it in one tap. "
            f"To get its alerts in a group: {group_link}"
        )
        assert "Checked" not in shared and "📊" not in shared  # nothing stale once forwarded
        assert telegram.last_to(ANN).urls == {
            "🔔 Follow in the bot": link,
            "👥 Alerts in a group": group_link,
        }
        card = await ask(telegram, ANN, "/status 300412")
        assert card.startswith(f"📜 <b>{TITLE}</b>")
        assert telegram.last_to(ANN).buttons == [
            [("🔔 Follow", "fc:petition:300412"), ("📤 Share", "sh:petition:300412")]
        ]
        seen = len(telegram.messages_to(ANN))
        await tap(telegram, telegram.last_to(ANN), "📤 Share")
        assert "follows it in one tap" in await telegram.next_message(ANN, after=seen)

        opened = await ask(telegram, BOB, "/start p_300412")
        assert "🔔 Following." in opened
        refused = await ask(telegram, group, "/start@accountability_test_bot p_300412",
                            user_id=member, chat_type="supergroup")  # fmt: skip
        assert refused == "Only this group's admins can change what it follows."
        accepted = await ask(telegram, group, "/start@accountability_test_bot p_300412",
                             user_id=admin, chat_type="supergroup")  # fmt: skip
        assert "🔔 Following." in accepted
        welcome = await ask(telegram, BOB, "/start nonsense")
        assert welcome.startswith("👋 <b>Accountability Alerts</b>")


async def test_every_kind_shares_a_deep_link(telegram, govuk, parliament, petitions, make_config):
    async with running_bot(make_config()):
        statements = await ask(telegram, ANN, "/share statements HO grooming gangs")
        link = statements.rsplit("anyone who opens ", 1)[1].split(" ")[0]
        payload = link.split("?start=")[1]
        assert payload.startswith("s_") and len(payload) <= 64
        followed = await ask(telegram, BOB, f"/start {payload}")
        assert followed.startswith("🔔 Following <b>Home Office statements on “grooming gangs”</b>")
        debates = await ask(telegram, BOB, "/start debates")
        assert debates.startswith("🔔 Following <b>all petition debates</b>")
        forged = await ask(telegram, BOB, "/start s_bm90LWEtZGVwYXJ0bWVudDo")  # "not-a-department:"
        assert forged.startswith("👋 <b>Accountability Alerts</b>")
        # The newer kinds: each card's link follows the same thing for whoever opens it.
        for shared, prefix, followed in (
            ("questions home-office asylum", "wq_", "Home Office written questions on “asylum”"),
            ("consultations home-office", "gc_", "Home Office consultations"),
            ("foi home office asylum", "foi_", "FOI requests to Home Office on “asylum”"),
            ("overdue 100000", "late_", "the late list: petitions with 100,000 signatures"),
        ):
            card = await ask(telegram, ANN, f"/share {shared}")
            payload = card.rsplit("anyone who opens ", 1)[1].split(" ")[0].split("?start=")[1]
            assert payload.startswith(prefix) and len(payload) <= 64
            reply = await ask(telegram, CAROL, f"/start {payload}")
            assert reply.startswith(f"🔔 Following <b>{followed}"), reply


async def test_groups_welcome_hold_alerts_while_removed_and_summarise_on_return(
    telegram, petitions, make_config
):
    group, admin = -100500, 7
    telegram.admins[group] = {admin}
    petitions.add(300412, OPEN_BELOW_10K)
    petitions.add(400000, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        telegram.bot_membership(group, "left", "member")
        welcome = await telegram.next_message(group)
        assert welcome.startswith("👋 Thanks for adding me.")
        assert "Only this group's admins can change what it follows" in welcome
        await ask(telegram, group, "/follow 300412", user_id=admin, chat_type="supergroup")
        await ask(telegram, group, "/follow 400000", user_id=admin, chat_type="supergroup")
        await ask(telegram, ANN, "/follow 300412")

        telegram.bot_membership(group, "member", "left")
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        # Nobody else follows 400000: it is no longer polled (one request may be in flight).
        quiet = petitions.requests[400000]
        petitions.update(300412, signature_count=5_002)
        await telegram.next_message(ANN)
        petitions.update(300412, signature_count=10_050)
        await telegram.next_message(ANN)
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        assert petitions.requests[400000] <= quiet + 1

        seen = len(telegram.messages_to(group))
        telegram.bot_membership(group, "left", "member")
        await telegram.wait_until(lambda: len(telegram.messages_to(group)) >= seen + 2)
        back = telegram.messages_to(group)[seen:]
        summary = next(m for m in back if m.startswith("📬"))
        assert summary.splitlines()[:3] == [
            "📬 <b>While you were away</b>: 2 alerts, in short.",
            f"• 📈 5,000 signatures for “{TITLE}”",
            f"• 📈 10,000 signatures for “{TITLE}”",
        ]
        # Polled twice more: still no burst.
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        assert len(telegram.messages_to(group)) == seen + 2


async def test_an_anonymous_admin_counts_as_an_admin(telegram, petitions, make_config):
    group, member = -100600, 8
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        refused = await ask(telegram, group, "/follow 300412", user_id=member,
                            chat_type="supergroup")  # fmt: skip
        assert refused == "Only this group's admins can change what it follows."
        anonymous = await ask(telegram, group, "/follow 300412", chat_type="supergroup",
                              anonymous_admin=True)  # fmt: skip
        assert "🔔 Following." in anonymous
        status = await ask(telegram, group, "/status 300412", user_id=member,
                           chat_type="supergroup")  # fmt: skip
        assert status.startswith(f"📜 <b>{TITLE}</b>")
        card = telegram.last_to(group)
        seen = len(telegram.messages_to(group))
        for label in ("🔕 Unfollow", "🔇 Mute"):
            await tap(telegram, card, label, user_id=member)
            assert telegram.toasts[-1] == "Only this group's admins can change what it follows."
        assert "🔕 Unfollow" in labels(card)  # the buttons stay for the admins
        assert len(telegram.messages_to(group)) == seen  # a toast, never a message
