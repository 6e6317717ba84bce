"""End to end: following a department's GOV.UK consultations on a scripted clock: opened, closing
in a week and tomorrow, closed, the outcome overdue, then published, each said once; one
consultation by its link; and the faults GOV.UK can throw."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sources.text import LONDON
from tests.conftest import running_bot
from tests.e2e import ScriptedClock, ask

ANN, BOB = 1001, 1002
LINK = "https://www.gov.uk/government/consultations/asylum-accommodation"
STOP = "\n\n<i>Stop these alerts: /unfollow consultations home-office</i>"


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


async def test_a_departments_consultation_from_opening_to_its_late_outcome(
    telegram, govuk, make_config
):
    clock = ScriptedClock(london(2026, 9, 1, 9))
    govuk.consult("Knife crime", london(2026, 8, 1, 9), london(2026, 8, 30, 23, 59))
    async with running_bot(make_config(), clock):
        reply = await ask(telegram, ANN, "/consultations home office")
        assert reply.startswith("🔔 Following <b>Home Office consultations</b>.")
        assert "Knife crime</a>: closed 30 August 2026, no outcome after 2 days" in reply
        consultation = govuk.consult(
            "Asylum accommodation", london(2026, 9, 1, 10), london(2026, 9, 29, 23, 59)
        )
        clock.now = london(2026, 9, 1, 10, 5)
        opened = await telegram.next_message(ANN)
        assert opened == (
            "🗳 <b>New consultation: Asylum accommodation</b>\nHome Office\n"
            "Open from 10:00 on 1 September 2026 until 23:59 on 29 September 2026.\n"
            "“We&#x27;d like your views on asylum accommodation.”\n" + LINK + STOP
        )
        shared = await ask(telegram, BOB, f"/follow {LINK}")
        assert shared.startswith("🔔 Following <b>the consultation “Asylum accommodation”</b>.")
        clock.now = london(2026, 9, 22, 23, 59)
        week = await telegram.next_message(ANN)
        assert week.startswith("⌛ <b>Closing in 7 days: Asylum accommodation</b>\nHome Office\n")
        assert (await telegram.next_message(BOB)).startswith("⌛ <b>Closing in 7 days")
        clock.now = london(2026, 9, 28, 8)
        assert (await telegram.next_message(ANN)).startswith(
            "⌛ <b>Closing tomorrow: Asylum accommodation</b>\nHome Office\nIt closes at 23:59 "
            "on 29 September 2026."
        )
        clock.now = london(2026, 9, 30, 0, 5)
        assert (await telegram.next_message(ANN)).startswith(
            "🔒 <b>Consultation closed: Asylum accommodation</b>"
        )
        # Knife crime closed before the follow began; 12 weeks on, its outcome is late: news.
        clock.now = london(2026, 11, 22, 23, 59)
        assert (await telegram.next_message(ANN)).startswith(
            "⏰ <b>Consultation outcome overdue: Knife crime</b>\nHome Office\nIt closed at 23:59 "
            "on 30 August 2026, 12 weeks ago, and the government has published no outcome"
        )
        clock.now = london(2026, 12, 22, 23, 59)  # 12 weeks after the closing
        overdue = await telegram.next_message(ANN)
        assert overdue.startswith("⏰ <b>Consultation outcome overdue: Asylum accommodation</b>")
        govuk.publish_outcome(consultation, london(2027, 1, 12, 9, 30))
        clock.now = london(2027, 1, 12, 9, 35)
        outcome = await telegram.next_message(ANN)
        assert outcome == (
            "📝 <b>Outcome published: Asylum accommodation</b>\nHome Office\n"
            "Published 12 January 2027, 105 days (15 weeks) after it closed, beyond the "
            "government's 12-week target.\n" + LINK + STOP
        )
        await govuk.wait_for_requests(govuk.SEARCH, govuk.count(govuk.SEARCH) + 2)
        # Follow reply, opened, week, tomorrow, closed, two overdue, outcome: each once.
        assert len(telegram.messages_to(ANN)) == 8
        card = await ask(telegram, ANN, "/status consultations home-office")
        assert "Asylum accommodation</a>: outcome published, 105 days (15 weeks)" in card
        assert "Knife crime</a>: closed 30 August 2026, no outcome after 135 days ⏰ past" in card


async def test_the_menu_and_a_link_that_is_not_a_consultation(telegram, govuk, make_config):
    async with running_bot(make_config()):
        menu = await ask(telegram, ANN, "/consultations")
        assert menu.startswith("🗳 <b>Follow GOV.UK consultations</b>")
        picker = telegram.last_to(ANN)
        telegram.user_taps(picker, "DfE")
        await telegram.wait_until(lambda: len(telegram.edits) == 1)
        assert picker.text.startswith("🔔 Following <b>Department for Education consultations</b>")
        missing = await ask(
            telegram, ANN, "/consultations https://www.gov.uk/government/consultations/nothing-here"
        )
        assert missing == "GOV.UK has no such consultation. Check the link?"
