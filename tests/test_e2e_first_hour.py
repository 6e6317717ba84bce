"""End to end, as conversations: a newcomer's first hour. Every word typed gets somewhere (words
are searched, the bot's questions take their answers, another petitions site is named, an
unknown command gets a hint), commands given nothing offer the chat's own follows, several
follow at once, groups are consistent, and a chat's data can be exported, brought back and
explained."""

from __future__ import annotations

import json

from bot.callbacks import short_ref
from tests.conftest import running_bot
from tests.e2e import ask
from tests.samples import OPEN_BELOW_10K
from tests.test_e2e_buttons import labels, tap

ANN, BOB = 1001, 1002
GROUP, ADMIN, MEMBER = -100700, 7, 8
TITLE = "Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point"
IN_GROUP = {"chat_type": "supergroup"}


async def test_words_in_a_private_chat_are_searched_with_a_pointer_to_statements(
    telegram, petitions, govuk, parliament, make_config
):
    petitions.add(700013, OPEN_BELOW_10K, action="Publish the grooming gangs research")
    petitions.add(700014, OPEN_BELOW_10K, action="Grooming gangs inquiry", state="closed")
    async with running_bot(make_config()):
        found = await ask(telegram, ANN, "grooming gangs")
        assert found == (
            "🔎 <b>Petitions matching “grooming gangs”</b>: open ones first, most signed first\n"
            "\n"
            "• <b>Publish the grooming gangs research</b>\n"
            "    1,289 signatures · open · https://petition.parliament.uk/petitions/700013\n"
            "• <b>Grooming gangs inquiry</b>\n"
            "    1,289 signatures · closed · https://petition.parliament.uk/petitions/700014\n"
            "\n"
            "🏛 Statements from every department on “grooming gangs”: "
            "<code>/statements any grooming gangs</code>"
        )
        results = telegram.last_to(ANN)
        assert labels(results) == [
            "🔔 Publish the grooming gangs…",
            "🔔 Grooming gangs inquiry",
        ]
        await tap(telegram, results, "🔔 Grooming gangs inquiry")
        assert telegram.toasts[-1] == "✅ Following Grooming gangs inquiry"
        assert labels(results)[1] == "✅ Grooming gangs inquiry"

        pointed = await ask(telegram, ANN, "/follow home office")
        assert pointed.startswith("“home office” isn't something I can /follow as it is.")
        assert "🏛 Home Office statements: <code>/statements home-office</code>" in pointed
        assert "🔎 Petitions about it: <code>/search home office</code>" in pointed
        offered = telegram.last_to(ANN)
        assert labels(offered) == ["🏛 Follow these statements", "🔎 Search petitions"]
        await tap(telegram, offered, "🏛 Follow these statements")
        assert telegram.toasts[-1] == "✅ Following Home Office statements"

        elsewhere = await ask(telegram, ANN, "please sign https://www.change.org/p/save-libraries")
        assert elsewhere.startswith("That's a change.org petition. I follow petitions to the UK")
        scottish = await ask(telegram, ANN, "https://petitions.parliament.scot/petitions/PE2000")
        assert scottish.startswith("That's a petition to the Scottish Parliament.")
        unknown = await ask(telegram, ANN, "/subscribe 700013")
        assert unknown == "I don't know /subscribe. /help lists what I can do."


async def test_commands_given_nothing_offer_the_chats_follows_and_take_the_answer(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    petitions.add(700013, OPEN_BELOW_10K, action="Publish the grooming gangs research")
    async with running_bot(make_config()):
        asked = await ask(telegram, ANN, "/follow")
        assert asked == (
            "What should this chat follow? Send a petition's link or number, or a few words to "
            "find one."
        )
        followed = await ask(telegram, ANN, "300412")  # the answer to the question
        assert followed.startswith(f"📜 <b>{TITLE}</b>") and "🔔 Following." in followed
        ref = short_ref("petition:300412")
        for command, emoji in (("/status", "📜"), ("/chart", "📈"), ("/share", "📤")):
            await ask(telegram, ANN, command)
            assert telegram.last_to(ANN).buttons[0][0][0] == f"{emoji} Reduce fixed penalty for…"
        status = telegram.messages_to(ANN)[-3]
        assert status == (
            "Which one? Send a petition's link or number, or a few words to find one.\nOr tap one:"
        )
        await ask(telegram, ANN, "/chart")
        picker = telegram.last_to(ANN)
        assert picker.buttons == [[("📈 Reduce fixed penalty for…", f"g:{ref}")]]
        seen = len(telegram.messages_to(ANN))
        await tap(telegram, picker, "📈 Reduce fixed penalty for…")
        chart = await telegram.next_message(ANN, after=seen)
        assert chart.startswith("📈 Not enough history yet")

        await ask(telegram, ANN, "/follow")
        words = await ask(telegram, ANN, "grooming research")  # words: searched
        assert words.startswith("🔎 <b>Petitions matching “grooming research”</b>")


async def test_several_at_once_say_which_succeeded(telegram, petitions, make_config):
    petitions.add(700013, OPEN_BELOW_10K, action="First petition")
    petitions.add(700014, OPEN_BELOW_10K, action="Second petition")
    async with running_bot(make_config()):
        done = await ask(telegram, ANN, "/follow 700013 700014 999999")
        assert done == (
            "<b>Following 2 of 3</b>\n"
            "✅ Following petition 700013 “First petition”\n"
            "✅ Following petition 700014 “Second petition”\n"
            "⚠️ 999999: There's no public petition number 999999. Check the number?\n"
            "/list shows them all."
        )
        asked = await ask(telegram, ANN, "/unfollow 700013 700014 5")
        assert asked == (
            "This chat doesn't follow petition 5.\n"
            "Stop alerts for these 2?\n"
            "• petition 700013 “First petition”\n"
            "• petition 700014 “Second petition”"
        )
        question = telegram.last_to(ANN)
        await tap(telegram, question, "No, keep")
        assert question.text == "Kept: nothing changed."
        await ask(telegram, ANN, "/unfollow 1 2")  # their numbers in /list
        question = telegram.last_to(ANN)
        await tap(telegram, question, "🔕 Yes, unfollow")
        assert question.text == (
            "🔕 Stopped following petition 700013 “First petition”. No more alerts about it "
            "here.\n🔕 Stopped following petition 700014 “Second petition”. No more alerts "
            "about it here."
        )
        assert (await ask(telegram, ANN, "/list")).startswith("This chat doesn't follow")


async def test_groups_member_taps_are_toasts_and_a_return_is_welcomed_with_one_summary(
    telegram, petitions, make_config
):
    telegram.admins[GROUP] = {ADMIN}
    petitions.add(300412, OPEN_BELOW_10K)
    petitions.add(400000, OPEN_BELOW_10K, action="Only the group follows this")
    async with running_bot(make_config()):
        await ask(telegram, GROUP, "/follow 300412 400000", user_id=ADMIN, **IN_GROUP)
        found = await ask(telegram, GROUP, "/search penalty", user_id=MEMBER, **IN_GROUP)
        assert found.startswith("🔎 <b>Petitions matching “penalty”</b>")
        results = telegram.last_to(GROUP)
        seen = len(telegram.messages_to(GROUP))
        await ask(telegram, GROUP, "/status 300412", user_id=MEMBER, **IN_GROUP)
        card = telegram.last_to(GROUP)
        for label in ("🔕 Unfollow", "🔇 Mute"):
            await tap(telegram, card, label, user_id=MEMBER)
            assert telegram.toasts[-1] == "Only this group's admins can change what it follows."
        await tap(telegram, card, "⚙️ Alerts", user_id=MEMBER)  # looking is anyone's
        panel = telegram.last_to(GROUP)
        await tap(telegram, panel, "✅ Debate", user_id=MEMBER)
        assert telegram.toasts[-1] == "Only this group's admins can change its settings."
        await tap(telegram, results, "✅ Reduce fixed penalty for…", user_id=MEMBER)
        # The card, the alert settings and the card again: no refusal was a message.
        assert len(telegram.messages_to(GROUP)) == seen + 3

        await ask(telegram, ANN, "/follow 300412")  # so 300412 is still polled meanwhile
        telegram.bot_membership(GROUP, "member", "left")
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        petitions.update(300412, signature_count=5_002)
        petitions.update(400000, signature_count=5_003)  # nobody polls it while the group is away
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        seen = len(telegram.messages_to(GROUP))
        telegram.bot_membership(GROUP, "left", "member", user_id=ADMIN)
        await telegram.wait_until(lambda: len(telegram.messages_to(GROUP)) >= seen + 2)
        welcome, summary = telegram.messages_to(GROUP)[seen : seen + 2]
        assert welcome == (
            "👋 Welcome back. This group still follows 2:\n"
            f"• petition 300412 “{TITLE}”\n"
            "• petition 400000 “Only the group follows this”\n"
            "Anything that changed while I was away comes next, in one message. /list shows "
            "them with buttons."
        )
        assert summary.splitlines()[:3] == [
            "📬 <b>While you were away</b>: 2 alerts, in short.",
            f"• 📈 5,000 signatures for “{TITLE}”",
            "• 📈 5,000 signatures for “Only the group follows this”",
        ]
        # Polled twice more: still no burst.
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        assert len(telegram.messages_to(GROUP)) == seen + 2


async def test_export_then_import_in_another_chat_and_privacy(
    telegram, petitions, govuk, parliament, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/follow 300412")
        await ask(telegram, ANN, "/statements home-office grooming gangs")
        await ask(telegram, ANN, "/settings timezone paris")
        await ask(telegram, ANN, "/status 300412")
        await tap(telegram, telegram.last_to(ANN), "🔇 Mute")
        caption = await ask(telegram, ANN, "/export")
        assert caption == (
            "📦 This chat's 2 follows and its settings. Send this file to me in any chat (or "
            "reply /import to it) to bring them back."
        )
        exported = telegram.last_to(ANN)
        document = json.loads(exported.document)
        assert exported.filename.startswith("accountability-alerts-")
        assert document["format"] == "accountability-alerts/follows"
        assert document["version"] == 1
        assert [f["follow"] for f in document["follows"]] == [
            "300412",
            "statements home-office grooming gangs",
        ]
        assert document["settings"]["zone"] == "Europe/Paris"

        seen = len(telegram.messages_to(BOB))
        telegram.user_sends_file(BOB, exported.document)
        restored = await telegram.next_message(BOB, after=seen)
        assert restored.startswith("📥 <b>Restored</b> from the export of ")
        assert "2 new follows of the 2 in the file, and the chat's settings." in restored
        listed = await ask(telegram, BOB, "/list")
        assert "1. 🔇 <b>" in listed and "Home Office statements on “grooming gangs”" in listed
        assert "🕰 Time zone: Europe/Paris" in await ask(telegram, BOB, "/settings")

        for damaged, why in (
            (b"not json at all", "⚠️ That file isn't one of my exports: it isn't JSON."),
            (b'{"format": "something-else"}', "⚠️ That file isn't one of my exports"),
            (
                json.dumps({**document, "version": 9}).encode(),
                "⚠️ That export was made by a newer version of me than this one.",
            ),
            (
                json.dumps({**document, "follows": [{"follow": 5}]}).encode(),
                "⚠️ That export is damaged: a follow in it can't be read.",
            ),
        ):
            seen = len(telegram.messages_to(BOB))
            telegram.user_sends_file(BOB, damaged)
            assert (await telegram.next_message(BOB, after=seen)).startswith(why)
        assert "Home Office statements" in await ask(telegram, BOB, "/list")  # nothing lost

        telegram.admins[GROUP] = {ADMIN}
        seen = len(telegram.messages_to(GROUP))
        telegram.user_sends_file(
            GROUP, exported.document, reply_with="/import", user_id=ADMIN, chat_type="supergroup"
        )
        restored = await telegram.next_message(GROUP, after=seen)
        assert "2 new follows of the 2 in the file" in restored
        how = await ask(telegram, GROUP, "/import", user_id=ADMIN, **IN_GROUP)
        assert how.startswith("Send /import as a reply to the file /export gave you.")

        privacy = await ask(telegram, ANN, "/privacy")
        assert privacy.startswith("🛡 <b>What I keep, and for how long</b>")
        assert "/stop deletes everything I keep about this chat, at once" in privacy
