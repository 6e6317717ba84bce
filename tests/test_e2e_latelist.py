"""End to end: following the government's late list, on a scripted clock.

The real Application runs against the fake Bot API and petitions site; the bot's "now" moves,
the petitions keep their days. Three chats follow the late list three ways.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sources.text import LONDON
from tests.conftest import running_bot
from tests.e2e import ScriptedClock, ask
from tests.fakes.petitions import iso
from tests.samples import OPEN_BELOW_10K

ANN, BOB, CAROL, DAVE = 1001, 1002, 1003, 1004
HOME_OFFICE = [
    {
        "acronym": "HO",
        "name": "Home Office",
        "url": "https://www.gov.uk/government/organisations/home-office",
    }
]
EDUCATION = [
    {
        "acronym": "DfE",
        "name": "Department for Education",
        "url": "https://www.gov.uk/government/organisations/department-for-education",
    }
]


async def cycles(petitions, clock: ScriptedClock) -> None:
    """Two more reads of the awaiting-response list (kept a poll interval of the bot's clock,
    which moves a second each), so a cycle has run whole since now."""
    for _ in range(2):
        clock.advance(seconds=1)
        await petitions.wait_for_requests("/petitions.json", petitions.count("/petitions.json") + 1)


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


async def test_the_late_list_followed_three_ways(telegram, petitions, make_config):
    clock = ScriptedClock(london(2026, 12, 7, 9))  # a Monday
    petitions.add(300001, OPEN_BELOW_10K, action="Publish the research", signature_count=120_000,
                  response_threshold_reached_at=iso(london(2026, 11, 10, 12)),
                  departments=HOME_OFFICE)  # fmt: skip
    petitions.add(300002, OPEN_BELOW_10K, action="Fund school meals", signature_count=15_000,
                  response_threshold_reached_at=iso(london(2026, 11, 15, 12)),
                  departments=EDUCATION)  # fmt: skip
    petitions.add(300003, OPEN_BELOW_10K, action="Review the border plan", signature_count=11_000,
                  response_threshold_reached_at=iso(london(2026, 11, 17, 12)),
                  departments=HOME_OFFICE)  # fmt: skip
    async with running_bot(make_config(), clock):
        reply = await ask(telegram, ANN, "/follow overdue")
        assert reply.startswith(
            "🔔 Following <b>the late list</b>. I'll tell this chat about each petition that "
            "falls past its 21-day response deadline"
        )
        assert "⏰ <b>The late list</b>\n2 late now:\n• Department for Education: 1" in reply
        assert "• Home Office: 1 (longest wait 6 days late)" in reply
        big = await ask(telegram, BOB, "/follow overdue 100k")
        assert big.startswith(
            "🔔 Following <b>the late list: petitions with 100,000 signatures or more</b>."
        )
        home = await ask(telegram, CAROL, "/follow overdue home office")
        assert home.startswith("🔔 Following <b>the late list: petitions for the Home Office</b>.")
        await ask(telegram, CAROL, "/settings day tuesday")
        await ask(telegram, DAVE, "/follow 300001")
        await ask(telegram, DAVE, "/follow overdue")
        seen = {chat: len(telegram.messages_to(chat)) for chat in (ANN, BOB, CAROL, DAVE)}

        # The border plan's deadline (8 December) passes.
        clock.now = london(2026, 12, 9, 0, 30)
        fell = await telegram.next_message(ANN)
        assert fell == (
            "⏰ <b>Government response overdue</b>\n“Review the border plan” (petition 300003, "
            "11,000 signatures) reached 10,000 signatures on 17 November 2026. The government "
            "agreed to respond within 21 days, by 8 December 2026, and has not: 1 day late.\n"
            "🏛 Home Office\nhttps://petition.parliament.uk/petitions/300003\n\n"
            "<i>Stop these alerts: /unfollow overdue</i>"
        )
        assert (await telegram.next_message(CAROL)).startswith(
            "⏰ <b>Government response overdue</b>\n“Review the border plan”"
        )

        # The research's response comes, eight days late: once to each, Dave included.
        petitions.update(
            300001,
            government_response_at=iso(london(2026, 12, 9, 10)),
            government_response={"responded_on": "2026-12-09", "summary": "We will publish it."},
        )
        clock.now = london(2026, 12, 9, 10, 5)
        answered = await telegram.next_message(BOB)
        assert answered.startswith(
            "📝 <b>Late response published</b>\n“Publish the research” (petition 300001, "
            "120,000 signatures): the government responded on 9 December 2026, 8 days after the "
            "deadline (1 December 2026).\n🏛 Home Office\n"
        )
        for chat in (ANN, CAROL, DAVE):
            await telegram.wait_until(
                lambda c=chat: len(telegram.messages_to(c)) > seen[c] + (c != DAVE)
            )
        await cycles(petitions, clock)
        news = telegram.messages_to(DAVE)[seen[DAVE] :]
        assert (
            len([m for m in news if "responded on 9 December 2026" in m or "has responded" in m])
            == 1
        )

        # Monday's weekly list, at 08:00: to Ann, Bob and Dave; Carol's day is Tuesday.
        counts = {chat: len(telegram.messages_to(chat)) for chat in (ANN, BOB, CAROL)}
        clock.now = london(2026, 12, 14, 8, 5)
        weekly = await telegram.next_message(ANN)
        assert weekly.startswith(
            "📋 <b>The late list, 14 December 2026</b>\n2 petitions past the 21-day response "
            "deadline with no response, by department, most overdue first:\n\n"
            "<b>Department for Education</b> (1)\n"
        )
        assert "Review the border plan</a>: 6 days late" in weekly
        assert (await telegram.next_message(BOB)).startswith(
            "📋 <b>The late list, 14 December 2026</b>\nNo petition with 100,000 signatures or "
            "more is past its 21-day response deadline today"
        )
        await cycles(petitions, clock)
        assert len(telegram.messages_to(CAROL)) == counts[CAROL]
        clock.now = london(2026, 12, 15, 8, 5)
        tuesday = await telegram.next_message(CAROL)
        assert tuesday.startswith(
            "📋 <b>The late list, 15 December 2026</b>\n1 petition for the Home Office past the "
            "21-day response deadline"
        )
        await cycles(petitions, clock)
        assert len(telegram.messages_to(ANN)) == counts[ANN] + 1  # Monday's, once


async def test_overdue_says_how_to_follow_the_late_list(telegram, petitions, make_config):
    async with running_bot(make_config()):
        late = await ask(telegram, ANN, "/overdue")
        assert "🔔 <code>/follow overdue</code>: an alert whenever a petition falls past" in late
        wrong = await ask(telegram, ANN, "/follow overdue home office asylum")
        assert wrong.startswith("The late list can be narrowed by a number of signatures or one")
        share = await ask(telegram, ANN, "/share overdue home-office")
        assert "?start=late_home-office" in share
