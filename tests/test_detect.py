"""Change detection: each event, and each tricky case of the reference's checklist (§12)."""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.sources.petitions.debating import sitting_of
from bot.sources.petitions.detect import (
    TENTHS,
    CountStep,
    EventKind,
    carry_forward,
    detect_events,
    milestone_ladder,
    next_count_step,
    step_at_or_below,
)
from bot.sources.petitions.model import (
    BusinessItem,
    DebateOutcome,
    GovernmentResponse,
    PetitionSnapshot,
)
from bot.sources.petitions.render import render_event
from tests.samples import (
    CLOSED_DEBATE_SCHEDULED,
    CLOSED_NOT_DEBATED,
    OPEN_BELOW_10K,
    OPEN_DEBATED,
    OPEN_WITH_RESPONSE,
    snapshot,
)

T0 = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def step(previous: PetitionSnapshot, at: datetime, **changes) -> tuple[list, PetitionSnapshot]:
    """One poll: the site now shows `changes`; returns the events and what the bot stores. The
    debate's sitting is the site's day (no What's On), as the source makes it."""
    fetched = replace(previous, observed_at=at, **changes)
    day, known = fetched.scheduled_debate_date, previous.sitting
    sitting = known if known is not None and day == known.day else sitting_of(day, None)
    fetched = replace(fetched, peak_signature_count=fetched.signature_count, sitting=sitting)
    fetched = carry_forward(previous, fetched)
    return detect_events(previous, fetched, at), fetched


def keys(events) -> list[str]:
    return [event.key for event in events]


def base(**changes) -> PetitionSnapshot:
    petition = replace(snapshot(OPEN_BELOW_10K, observed_at=T0), **changes)
    return carry_forward(None, petition)


def test_no_change_means_no_event():
    petition = base()
    events, _ = step(petition, T0 + timedelta(minutes=1))
    assert events == []


def test_milestone_crossed_once_with_the_highest_step():
    assert base().signature_count < 4_000
    events, _ = step(base(), T0 + timedelta(minutes=1), signature_count=5_002)
    # One alert a granularity, each the highest step crossed; none of 10,000s yet.
    assert keys(events) == [
        "petition:621078:milestone:5000",
        "petition:621078:count-1000:5000",
        "petition:621078:count-10pct:5000",
    ]
    assert events[0].kind is EventKind.MILESTONE
    assert events[0].detail == CountStep(5000, "milestones")


def test_every_thousand_alerts_at_each_thousand_and_never_again_after_a_dip():
    thousands = []
    stored = base()
    for minute, count in enumerate([4_010, 4_999, 5_001, 4_950, 5_020, 6_100, 5_900, 6_050, 7_000]):
        events, stored = step(stored, T0 + timedelta(minutes=minute + 1), signature_count=count)
        thousands += [e.detail.value for e in events if e.key.split(":")[2] == "count-1000"]
    assert thousands == [4_000, 5_000, 6_000, 7_000]


def test_count_ladders():
    assert step_at_or_below("10000", 35_000) == 30_000
    assert step_at_or_below("10000", 9_999) is None
    assert step_at_or_below("1000", 4_321) == 4_000
    assert step_at_or_below("milestones", 4_321) == 1_000
    assert step_at_or_below("milestones", 2_600_000) == 2_500_000
    assert step_at_or_below("10pct", 1_289) == 1_200
    assert step_at_or_below("10pct", 99) is None
    assert TENTHS[:8] == (100, 110, 120, 130, 140, 150, 170, 190)
    # Every step is 7 to 14% above the one before: two significant figures, ~10% apart, and
    # never the 18% of 1,100,000 to 1,300,000 that chaining from unrounded values gave.
    assert all(1.07 <= b / a <= 1.14 for a, b in itertools.pairwise(TENTHS))
    assert next_count_step("10pct", 1_100_000) == 1_200_000
    assert next_count_step("1000", 4_321) == 5_000
    assert next_count_step("1000", 5_000) == 6_000
    assert next_count_step("milestones", 4_321) == 5_000
    assert next_count_step("milestones", 1_000_000) == 1_500_000
    assert next_count_step("milestones", 2_600_000) == 3_000_000
    assert next_count_step("10pct", 1_289) == 1_300
    assert next_count_step("10pct", 12) == 100


def test_count_dip_and_recross_does_not_realert():
    _, stored = step(base(), T0 + timedelta(minutes=1), signature_count=5_002)
    dipped, stored = step(stored, T0 + timedelta(minutes=2), signature_count=4_990)
    recrossed, stored = step(stored, T0 + timedelta(minutes=3), signature_count=5_010)
    assert dipped == [] and recrossed == []
    assert stored.peak_signature_count == 5_010


def test_milestone_ladder_continues_every_half_million():
    assert milestone_ladder(2_600_000)[-4:] == [1_000_000, 1_500_000, 2_000_000, 2_500_000]


def cross_response_threshold(
    previous: PetitionSnapshot, at: datetime = T0 + timedelta(seconds=30)
) -> tuple[list, PetitionSnapshot]:
    """The poll where the count reaches 10,004 and the site sets the threshold timestamp."""
    previous = replace(previous, observed_at=at - timedelta(seconds=30))
    return step(
        previous, at + timedelta(seconds=30), signature_count=10_004,
        response_threshold_reached_at=at,
    )  # fmt: skip


def test_response_threshold_decided_from_timestamp_not_count():
    events, _ = cross_response_threshold(base())
    assert keys(events) == ["petition:621078:threshold:response"]
    # The count alone (a site with another threshold) is only a milestone.
    events, _ = step(base(), T0 + timedelta(minutes=1), signature_count=10_004)
    assert keys(events)[0] == "petition:621078:milestone:10000"
    assert "threshold" not in " ".join(keys(events))


def test_threshold_timestamp_reset_to_null_and_set_again_is_quiet():
    _, stored = cross_response_threshold(base())
    reset, stored = step(
        stored, T0 + timedelta(minutes=2), signature_count=9_990, response_threshold_reached_at=None
    )
    again, stored = step(
        stored,
        T0 + timedelta(minutes=3),
        signature_count=10_001,
        response_threshold_reached_at=T0 + timedelta(minutes=3),
    )
    assert reset == [] and again == []


def test_debate_threshold():
    petition = base(signature_count=99_000)
    events, _ = step(
        petition,
        T0 + timedelta(minutes=1),
        signature_count=100_010,
        debate_threshold_reached_at=T0 + timedelta(minutes=1),
    )
    assert keys(events) == ["petition:621078:threshold:debate"]


def response(day: date, summary: str = "We hear you.", digest: str = "d1", updated=None):
    return GovernmentResponse(
        day,
        summary,
        digest,
        updated or datetime.combine(day, datetime.min.time(), UTC),
        sentence_digests=digest.ljust(8, "0"),
    )


def test_response_published_carries_its_date_in_the_key():
    reached = T0 - timedelta(days=49)
    petition = base(signature_count=12_000, response_threshold_reached_at=reached)
    events, _ = step(
        petition,
        T0 + timedelta(minutes=1),
        response=response(date(2026, 3, 1)),
        government_response_at=T0,
    )
    assert keys(events) == ["petition:621078:response:2026-03-01"]
    assert events[0].kind is EventKind.RESPONSE_PUBLISHED


def test_response_edited_says_what_changed():
    petition = base(
        response=response(date(2026, 3, 1)), government_response_at=T0, signature_count=12_000
    )
    edited_at = T0 + timedelta(days=2)
    events, _ = step(
        petition,
        T0 + timedelta(days=2, minutes=1),
        response=response(date(2026, 3, 1), digest="d2", updated=edited_at),
    )
    assert keys(events) == [f"petition:621078:response-edited:{edited_at.isoformat()}"]
    assert events[0].detail.parts == ("details",)


def test_response_overdue_on_the_london_calendar_then_weekly_reminders():
    # Reached on 1 March (London): due by the end of 22 March, late from 23 March, never on the
    # due day itself; the reminder a week later falls after the clocks went forward.
    petition = base(signature_count=10_500, response_threshold_reached_at=T0)
    petition = replace(petition, observed_at=datetime(2026, 3, 22, 12, 0, tzinfo=UTC))
    due_day_itself, stored = step(petition, datetime(2026, 3, 22, 23, 59, tzinfo=UTC))
    overdue, stored = step(stored, datetime(2026, 3, 23, 0, 1, tzinfo=UTC))
    quiet, stored = step(stored, datetime(2026, 3, 29, 22, 59, tzinfo=UTC))  # 23:59 BST, 29th
    reminder, stored = step(stored, datetime(2026, 3, 29, 23, 1, tzinfo=UTC))  # 00:01 BST, 30th
    assert due_day_itself == [] and quiet == []
    assert keys(overdue) == ["petition:621078:overdue:2026-03-01:0"]
    assert keys(reminder) == ["petition:621078:overdue:2026-03-01:1"]
    assert "by 22 March 2026, and has not." in render_event(overdue[0])
    assert "<b>Still no government response: 8 days overdue</b>" in render_event(reminder[0])


def test_the_due_date_is_the_london_day_plus_21_across_the_clock_change():
    # 23:30 on 28 March in London (GMT), the night before the clocks go forward: 21 times 24
    # hours would end at 00:30 on 19 April (BST), a day late.
    reached = datetime(2026, 3, 28, 23, 30, tzinfo=UTC)
    events, _ = cross_response_threshold(base(), reached)
    assert "within 21 days, by 18 April 2026." in render_event(events[0])
    after_midnight = datetime(2026, 3, 29, 23, 30, tzinfo=UTC)  # 00:30 BST on 30 March
    events, _ = cross_response_threshold(base(), after_midnight)
    assert "within 21 days, by 20 April 2026." in render_event(events[0])


def test_one_lateness_clock_however_often_the_count_dips_and_recrosses():
    # Crossed on 1 March; the count dips under 10,000 and the site clears its timestamp; it
    # crosses again on 10 March. The clock stays at 1 March: due 22 March, late from the 23rd.
    _, stored = cross_response_threshold(base())
    dipped, stored = step(
        stored, T0 + timedelta(days=2), signature_count=9_990, response_threshold_reached_at=None
    )
    recrossed, stored = step(
        stored,
        T0 + timedelta(days=9),
        signature_count=10_020,
        response_threshold_reached_at=T0 + timedelta(days=9),
    )
    assert dipped == [] and recrossed == []
    assert stored.response_clock_at == T0 + timedelta(seconds=30)
    overdue, stored = step(stored, datetime(2026, 3, 23, 0, 1, tzinfo=UTC))
    assert keys(overdue) == ["petition:621078:overdue:2026-03-01:0"]
    # Below the threshold again: the clock still runs, the reminders still come.
    _, stored = step(stored, datetime(2026, 3, 24, tzinfo=UTC), signature_count=9_000,
                     response_threshold_reached_at=None)  # fmt: skip
    reminder, _ = step(stored, datetime(2026, 3, 30, 0, 1, tzinfo=UTC))
    assert keys(reminder) == ["petition:621078:overdue:2026-03-01:1"]


def test_a_long_outage_sends_one_reminder_not_a_backlog():
    petition = base(signature_count=10_500, response_threshold_reached_at=T0)
    petition = replace(petition, observed_at=T0 + timedelta(days=22))
    events, _ = step(petition, T0 + timedelta(days=51))
    assert keys(events) == ["petition:621078:overdue:2026-03-01:4"]


def test_following_an_already_overdue_petition_sends_no_history():
    # The baseline is taken at day 30; the next poll a minute later has nothing to say.
    petition = base(signature_count=10_500, response_threshold_reached_at=T0)
    petition = replace(petition, observed_at=T0 + timedelta(days=30))
    events, _ = step(petition, T0 + timedelta(days=30, minutes=1))
    assert events == []


def test_no_overdue_once_responded_or_rejected():
    responded = base(
        signature_count=10_500,
        response_threshold_reached_at=T0,
        response=response(date(2026, 3, 5)),
        government_response_at=T0 + timedelta(days=4),
        observed_at=T0 + timedelta(days=20),
    )
    events, _ = step(responded, T0 + timedelta(days=22))
    rejected = base(
        state="rejected", response_threshold_reached_at=T0, observed_at=T0 + timedelta(days=20)
    )
    rejected_events, _ = step(rejected, T0 + timedelta(days=22))
    assert events == [] and rejected_events == []


def test_debate_scheduled_rescheduled_and_cancelled():
    petition = base(signature_count=120_000, debate_threshold_seen=True)
    scheduled, stored = step(
        petition, T0 + timedelta(hours=1), scheduled_debate_date=date(2026, 4, 20)
    )
    moved, stored = step(stored, T0 + timedelta(hours=2), scheduled_debate_date=date(2026, 4, 27))
    cancelled, stored = step(stored, T0 + timedelta(hours=3), scheduled_debate_date=None)
    assert keys(scheduled) == ["petition:621078:debate-scheduled:2026-04-20"]
    assert keys(moved) == ["petition:621078:debate-rescheduled:2026-04-20:2026-04-27"]
    assert keys(cancelled) == ["petition:621078:debate-cancelled:2026-04-27"]


def test_debate_held_then_links_added_later():
    scheduled = snapshot(CLOSED_DEBATE_SCHEDULED, observed_at=T0)
    held = DebateOutcome(date(2023, 1, 9), "MPs debated snares.", video_url="https://v.example/1")
    events, stored = step(scheduled, T0 + timedelta(days=3), debate=held, debate_outcome_at=T0)
    assert keys(events) == ["petition:600593:debate-held:2023-01-09"]
    with_transcript = replace(held, transcript_url="https://hansard.example/t")
    links, _ = step(stored, T0 + timedelta(days=5), debate=with_transcript)
    assert keys(links) == ["petition:600593:debate-links:transcript_url"]
    assert links[0].detail == ("transcript_url",)


def test_not_debated_outcome():
    decided = snapshot(CLOSED_NOT_DEBATED, observed_at=T0)
    before = replace(decided, debate=None, debate_outcome_at=None)
    events, stored = step(
        before,
        T0 + timedelta(hours=1),
        debate=decided.debate,
        debate_outcome_at=decided.debate_outcome_at,
    )
    assert keys(events) == ["petition:590282:not-debated"]
    again, _ = step(stored, T0 + timedelta(hours=2))
    assert again == []


def test_new_other_parliamentary_business_item():
    debated = snapshot(OPEN_DEBATED, observed_at=T0)
    item = BusinessItem("2023-01-05T10:00:00.000Z", "Government publishes report", "Read it.")
    events, _ = step(debated, T0 + timedelta(hours=1), business=(*debated.business, item))
    assert keys(events) == ["petition:619334:business:2023-01-05T10:00:00.000Z"]
    assert events[0].detail == item


def test_closing_soon_fires_once_a_day_before_the_deadline():
    # Closing date 2026-03-10: signing ends at midnight London time (GMT in March).
    petition = base(
        closing_date=date(2026, 3, 10), observed_at=datetime(2026, 3, 9, 23, 50, tzinfo=UTC)
    )
    soon, stored = step(petition, datetime(2026, 3, 10, 0, 1, tzinfo=UTC))
    later, _ = step(stored, datetime(2026, 3, 10, 12, 0, tzinfo=UTC))
    assert keys(soon) == ["petition:621078:closing-soon:2026-03-10"]
    assert later == []


def test_closed_and_closing_date_changed():
    petition = base(closing_date=date(2026, 3, 10))
    extended, stored = step(petition, T0 + timedelta(hours=1), closing_date=date(2026, 3, 12))
    closed, _ = step(stored, T0 + timedelta(days=12), state="closed", closing_date=None)
    assert keys(extended) == ["petition:621078:closing-date:2026-03-10:2026-03-12"]
    assert keys(closed) == ["petition:621078:closed"]


def test_rejected_by_state_only():
    petition = base()
    quirk, _ = step(petition, T0 + timedelta(hours=1), rejection_code=None)
    rejected, _ = step(
        petition, T0 + timedelta(hours=1), state="rejected", rejection_code="duplicate"
    )
    assert quirk == []
    assert keys(rejected) == ["petition:621078:rejected"]


def test_removed_is_said_once_and_a_return_is_told():
    petition = base()
    day = (T0 + timedelta(hours=1)).date().isoformat()
    removed, stored = step(petition, T0 + timedelta(hours=1), removed=True)
    again, stored = step(stored, T0 + timedelta(hours=2))
    assert keys(removed) == [f"petition:621078:removed:{day}"] and again == []
    back, stored = step(stored, T0 + timedelta(hours=3), removed=False)
    assert keys(back) == [f"petition:621078:restored:{day}"]
    assert "is on the petitions site again" in render_event(back[0])
    assert "tell you if it comes back" in render_event(removed[0])


def test_archived_move_is_told_and_tracking_carries_on():
    petition = snapshot(OPEN_WITH_RESPONSE, observed_at=T0)
    moved, stored = step(petition, T0 + timedelta(hours=1), archived=True, state="closed")
    assert keys(moved) == ["petition:627130:archived", "petition:627130:closed"]
    later, _ = step(stored, T0 + timedelta(hours=2), signature_count=stored.signature_count)
    assert later == []
