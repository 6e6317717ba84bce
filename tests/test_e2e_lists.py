"""End to end: the government's late list (/overdue) and petition search (/search), paged with
buttons that edit the list in place and Follow buttons that follow in one tap."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.callbacks import short_ref
from tests.conftest import running_bot
from tests.e2e import ask
from tests.fakes.petitions import iso
from tests.samples import OPEN_BELOW_10K, OPEN_WITH_RESPONSE
from tests.test_e2e_buttons import tap

ANN = 1001


def ref(petition: int) -> str:
    return short_ref(f"petition:{petition}")


def reached_days_ago(days: int) -> str:
    # At noon: lateness is counted between London dates, and an hour before now is another
    # date just after midnight.
    return iso((datetime.now(UTC) - timedelta(days=days)).replace(hour=12, minute=0, second=0))


async def test_the_late_list_most_overdue_first_paged_with_follow_buttons(
    telegram, petitions, make_config
):
    petitions.add(300001, OPEN_BELOW_10K, action="Publish the research", signature_count=120_000,
                  response_threshold_reached_at=reached_days_ago(49))  # fmt: skip
    for late in range(1, 11):
        petitions.add(300100 + late, OPEN_BELOW_10K, action=f"Late by {late}",
                      signature_count=10_000 + late,
                      response_threshold_reached_at=reached_days_ago(21 + late))  # fmt: skip
    petitions.add(300200, OPEN_BELOW_10K, action="Not due yet",
                  response_threshold_reached_at=reached_days_ago(10))  # fmt: skip
    petitions.add(627130, OPEN_WITH_RESPONSE)  # answered: not on the list
    async with running_bot(make_config()):
        first = await ask(telegram, ANN, "/overdue")
        assert first.startswith(
            "⏰ <b>The government's late list</b>\n11 petitions past the 21-day response "
            "deadline with no response, most overdue first. Page 1 of 2.\n\n"
            "• <b>Publish the research</b>\n    120,000 signatures · <b>28 days late</b> · "
            "https://petition.parliament.uk/petitions/300001\n"
            "• <b>Late by 10</b>\n"
        )
        assert "Not due yet" not in first and "627130" not in first
        page = telegram.last_to(ANN)
        assert page.buttons == [
            [("🔔 Publish the research", "f:petition:300001")],
            *([(f"🔔 Late by {n}", f"f:petition:3001{n:02d}")] for n in range(10, 3, -1)),
            [("▶", "b:petition:o:1")],
        ]
        await tap(telegram, page, "▶")
        assert "Page 2 of 2." in page.text and "<b>1 day late</b>" in page.text
        assert page.buttons[-1] == [("◀", "b:petition:o:0")]
        seen = len(telegram.messages_to(ANN))
        await tap(telegram, page, "🔔 Late by 3")
        assert telegram.toasts[-1] == "✅ Following Late by 3"
        assert page.buttons[0] == [("✅ Late by 3", f"c:{ref(300103)}")]
        assert len(telegram.messages_to(ANN)) == seen  # the list stays; nothing new is sent
        card = await ask(telegram, ANN, "/status 300103")
        assert "3 days overdue" in card
        await ask(telegram, ANN, "/overdue")
        again = telegram.last_to(ANN)
        await tap(telegram, again, "▶")  # a page turned shows what the chat follows too
        assert again.buttons[0] == [("✅ Late by 3", f"c:{ref(300103)}")]


async def test_search_open_petitions_with_more_and_none(telegram, petitions, make_config):
    for n in range(1, 8):
        petitions.add(400000 + n, OPEN_BELOW_10K, action=f"Climate action number {n}",
                      signature_count=1_000 * n)  # fmt: skip
    petitions.add(400100, OPEN_BELOW_10K, action="Climate but closed", state="closed")
    petitions.add(400200, OPEN_BELOW_10K, action="Something else entirely")
    async with running_bot(make_config()):
        results = await ask(telegram, ANN, "/search Climate")
        assert results.startswith(
            "🔎 <b>Petitions matching “climate”</b>: open ones first, most signed first\n\n"
            "• <b>Climate action number 7</b>\n    7,000 signatures · open · "
            "https://petition.parliament.uk/petitions/400007\n"
        )
        assert "• <b>Climate action number 3</b>" in results and "number 2" not in results
        page = telegram.last_to(ANN)
        assert page.buttons[0] == [("🔔 Climate action number 7", "f:petition:400007")]
        assert page.buttons[-1] == [("More ▶", "b:petition:s:o5:climate")]
        telegram.user_taps(page, "More ▶")
        await telegram.wait_until(lambda: len(telegram.edits) == 1)
        # The open ones run out: the closed ones fill the page, marked.
        assert "• <b>Climate action number 2</b>" in page.text
        assert "• <b>Climate action number 1</b>" in page.text
        assert (
            "• <b>Climate but closed</b>\n    1,289 signatures · closed · "
            "https://petition.parliament.uk/petitions/400100"
        ) in page.text
        assert [label for row in page.buttons for label, _ in row] == [
            "🔔 Climate action number 2", "🔔 Climate action number 1", "🔔 Climate but closed"
        ]  # fmt: skip
        none = await ask(telegram, ANN, "/search zebra crossings")
        assert none == (
            "🔎 No petition matches “zebra crossings”. Try fewer or different words, or "
            "/overdue for the petitions the government is late on."
        )
        asked = await ask(telegram, ANN, "/search")
        assert asked.startswith("What should I look for?")
        answer = await ask(telegram, ANN, "climate action number 4")  # the answer is taken
        assert answer.startswith("🔎 <b>Petitions matching “climate action number 4”</b>")


async def test_inline_mode_offers_cards_with_a_follow_link(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K, action="Climate action now")
    petitions.add(300413, OPEN_BELOW_10K, action="Climate budget", signature_count=50)
    async with running_bot(make_config()):
        by_number = telegram.user_inline_query(ANN, "300412")
        await telegram.wait_until(lambda: by_number in telegram.inline_answers)
        [card] = telegram.inline_answers[by_number]
        assert card["title"] == "Climate action now"
        assert card["description"] == "1,289 signatures · petition 300412"
        assert card["input_message_content"]["message_text"].startswith(
            "📜 <b>Climate action now</b>\nPetition 300412 · Open"
        )
        [[button]] = card["reply_markup"]["inline_keyboard"]
        assert button == {
            "text": "🔔 Follow in the bot",
            "url": "https://t.me/accountability_test_bot?start=p_300412",
        }
        by_words = telegram.user_inline_query(ANN, "climate")
        await telegram.wait_until(lambda: by_words in telegram.inline_answers)
        assert [c["id"] for c in telegram.inline_answers[by_words]] == ["300412", "300413"]
        nothing = telegram.user_inline_query(ANN, "")
        await telegram.wait_until(lambda: nothing in telegram.inline_answers)
        assert telegram.inline_answers[nothing] == []
        assert telegram.inline_buttons[nothing] == {
            "text": "Type a petition's number, link or a few words",
            "start_parameter": "inline-help",
        }
        how = await ask(telegram, ANN, "/start inline-help")
        assert how.startswith("📤 In any chat, type <code>@accountability_test_bot</code>")
