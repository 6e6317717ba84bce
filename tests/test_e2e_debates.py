"""End to end: the petition debate listings in Telegram, from the petitions site and What's On.

The fakes change synchronously inside one test step, so no poll cycle sees half a change.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from tests.conftest import running_bot
from tests.e2e import ScriptedClock, ask, say_date
from tests.fakes.petitions import iso
from tests.samples import OPEN_BELOW_10K
from tests.test_e2e_buttons import tap

ANN = 1001
TITLE = "Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point"
FOOTER = "\n<i>Stop these alerts: /unfollow debates</i>"


def monday_after(days: int) -> date:
    day = date.today() + timedelta(days=days)
    return day + timedelta(days=(7 - day.weekday()) % 7)


def on(day: date, time: str = "", place: str = "") -> str:
    return (
        f"{day:%A} {say_date(day)}"
        + (f" at {time}" if time else "")
        + (f" in {place}" if place else "")
    )


HALL = "Westminster Hall"


def awaiting_debate(petitions, petition_id: int, **attributes) -> None:
    petitions.add(
        petition_id,
        OPEN_BELOW_10K,
        signature_count=120_000,
        debate_threshold_reached_at=iso(datetime.now(UTC) - timedelta(days=60)),
        **attributes,
    )


async def test_debates_lists_the_next_four_weeks_and_follows_them_all(
    telegram, petitions, parliament, make_config
):
    soon, later, too_late = monday_after(3), monday_after(10), monday_after(35)
    awaiting_debate(petitions, 500001, scheduled_debate_date=soon.isoformat())
    awaiting_debate(petitions, 500002, scheduled_debate_date=later.isoformat())
    awaiting_debate(petitions, 500003, scheduled_debate_date=too_late.isoformat())
    awaiting_debate(petitions, 500004)
    parliament.list_debate(500001, soon, "16:30")
    async with running_bot(make_config()):
        listing = await ask(telegram, ANN, "/debates")
        assert listing == (
            "🗓 <b>Petition debates in the next four weeks</b>\n"
            f"• <b>{on(soon, '16:30')}</b>: “{TITLE}” (petition 500001, 120,000 signatures)\n"
            "  https://petition.parliament.uk/petitions/500001\n"
            f"• <b>{on(later)}</b>: “{TITLE}” (petition 500002, 120,000 signatures)\n"
            "  https://petition.parliament.uk/petitions/500002"
        )
        listing = telegram.last_to(ANN)
        seen = len(telegram.messages_to(ANN))
        await tap(telegram, listing, "🔔 Follow all petition debates")
        assert len(telegram.messages_to(ANN)) == seen  # the listing became the follow's reply
        followed = listing.text
        assert followed.startswith(
            "🔔 Following <b>all petition debates</b>. I'll tell this chat when any petition "
            "debate is scheduled, moved or cancelled"
        )
        assert (await ask(telegram, ANN, "/list")) == (
            "<b>What this chat follows (1)</b>\n"
            "1. 🗓 <b>All petition debates</b> · 2 in the next four weeks\n"
            "    /debates · /unfollow debates\n"
            "Tap one for its card: unfollow, mute, alert settings and sharing are there."
        )
        assert (await ask(telegram, ANN, "/follow debates")).startswith(
            "This chat already follows all petition debates."
        )


async def test_scheduled_moved_cancelled_rescheduled_and_held(
    telegram, petitions, parliament, make_config
):
    first, second, third = monday_after(7), monday_after(14), monday_after(21)
    awaiting_debate(petitions, 300412)
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/follow debates")
        where = "\n\nhttps://petition.parliament.uk/petitions/300412\n"

        event = parliament.list_debate(300412, first, "16:30", topic="speeding penalties")
        petitions.update(300412, scheduled_debate_date=first.isoformat())
        scheduled = await telegram.next_message(ANN)
        assert scheduled == (
            f"🗓 <b>Debate scheduled</b>\nParliament will debate “{TITLE}” (petition 300412, "
            f"120,000 signatures) on {on(first, '16:30', HALL)}.{where}"
            f"https://whatson.parliament.uk/event/cal{event['Id']}" + FOOTER
        )

        event["StartDate"] = f"{second.isoformat()}T00:00:00"
        petitions.update(300412, scheduled_debate_date=second.isoformat())
        moved = await telegram.next_message(ANN)
        assert moved.startswith(
            f"🗓 <b>Debate moved</b>\n“{TITLE}” (petition 300412, 120,000 signatures) will now "
            f"be debated on {on(second, '16:30', HALL)} (it was set for {on(first, '16:30')})."
        )

        event["CancelledDate"] = datetime.now(UTC).isoformat()
        petitions.update(300412, scheduled_debate_date=None)
        cancelled = await telegram.next_message(ANN)
        assert cancelled.startswith(
            f"🗓 <b>Debate cancelled</b>\nThe debate on “{TITLE}” (petition 300412, 120,000 "
            f"signatures) set for {on(second, '16:30', HALL)} is no longer scheduled."
        )

        again = parliament.list_debate(300412, third, "18:00", topic="speeding penalties")
        petitions.update(300412, scheduled_debate_date=third.isoformat())
        rescheduled = await telegram.next_message(ANN)
        assert rescheduled.startswith(
            f"🗓 <b>Debate scheduled</b>\nParliament will debate “{TITLE}” (petition 300412, "
            f"120,000 signatures) on {on(third, '18:00', HALL)}."
        )
        assert f"https://whatson.parliament.uk/event/cal{again['Id']}" in rescheduled

        petitions.update(
            300412,
            debate_outcome_at=iso(datetime.now(UTC)),
            debate={
                "debated_on": third.isoformat(),
                "overview": "MPs debated <speeding> penalties.",
                "transcript_url": "https://hansard.parliament.uk/x",
                "video_url": "https://parliamentlive.tv/y",
                "debate_pack_url": "",
            },
        )
        held = await telegram.next_message(ANN)
        assert held == (
            f"🗣 <b>Parliament debated</b> “{TITLE}” (petition 300412, 120,000 signatures) on "
            f"{on(third)}.\nMPs debated &lt;speeding&gt; penalties.\n"
            '<a href="https://hansard.parliament.uk/x">Transcript</a> · '
            '<a href="https://parliamentlive.tv/y">Video</a>'
            "\n\nhttps://petition.parliament.uk/petitions/300412" + FOOTER
        )


async def test_a_chat_following_the_petition_and_all_debates_hears_each_event_once(
    telegram, petitions, parliament, make_config
):
    day = monday_after(7)
    awaiting_debate(petitions, 300412)
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/follow 300412")
        await ask(telegram, ANN, "/follow debates")
        seen = len(telegram.messages_to(ANN))
        parliament.list_debate(300412, day)
        petitions.update(300412, scheduled_debate_date=day.isoformat())
        first = await telegram.next_message(ANN)
        assert first.startswith("🗓 <b>Debate scheduled</b>")
        # Both sources have looked again since: the petition's own report was the same news.
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        events = parliament.EVENTS
        await parliament.wait_for_requests(events, parliament.count(events) + 2)
        assert len(telegram.messages_to(ANN)) == seen + 1


async def test_a_half_read_listing_is_never_a_cancellation(
    telegram, petitions, parliament, make_config
):
    day = monday_after(7)
    awaiting_debate(petitions, 300412, scheduled_debate_date=day.isoformat())
    parliament.list_debate(300412, day)
    async with running_bot(make_config()):
        await ask(telegram, ANN, "/follow debates")
        seen = len(telegram.messages_to(ANN))
        parliament.failing.add(parliament.EVENTS)
        events = parliament.EVENTS
        await parliament.wait_for_requests(events, parliament.count(events) + 3)
        parliament.failing.clear()
        await parliament.wait_for_requests(events, parliament.count(events) + 2)
        assert len(telegram.messages_to(ANN)) == seen


async def test_reminders_the_evening_before_and_on_the_morning_once_for_both_follows(
    telegram, petitions, parliament, make_config
):
    # Sunday 10 January 2027, 17:59 in London; the debate is on Monday at 16:30.
    clock = ScriptedClock(datetime(2027, 1, 10, 17, 59, tzinfo=UTC))
    day = date(2027, 1, 11)
    awaiting_debate(petitions, 300412, scheduled_debate_date=day.isoformat())
    parliament.list_debate(300412, day, "16:30")
    async with running_bot(make_config(), clock):
        await ask(telegram, ANN, "/follow 300412")
        await ask(telegram, ANN, "/follow debates")
        seen = len(telegram.messages_to(ANN))
        clock.advance(minutes=2)
        tomorrow = await telegram.next_message(ANN, after=seen)
        assert tomorrow.startswith(
            f"🗓 <b>Debate tomorrow</b>\nParliament debates “{TITLE}” (petition 300412, 120,000 "
            f"signatures) tomorrow, {on(day, '16:30', HALL)}.\n\n"
            "https://petition.parliament.uk/petitions/300412"
        )
        clock.advance(hours=14)  # 08:01 on the day
        today = await telegram.next_message(ANN, after=seen + 1)
        assert today.startswith(f"🗓 <b>Debate today</b>\nParliament debates “{TITLE}”")
        # Both sources have looked again since (the listing reads the petitions' lists): each
        # reminder came once.
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        lists = "/petitions.json"
        listed = petitions.count(lists)
        await petitions.wait_until(lambda: petitions.count(lists) >= listed + 6)
        assert len(telegram.messages_to(ANN)) == seen + 2
