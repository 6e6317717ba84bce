"""The response deadline on the London calendar, and dissolutions of Parliament."""

from __future__ import annotations

from datetime import UTC, date, datetime

from bot.sources.petitions.deadline import (
    after_threshold,
    due_day,
    lateness,
    overdue_reminder,
)
from bot.sources.petitions.dissolutions import (
    KNOWN,
    Dissolution,
    closed_early,
    dissolution_of,
    merge,
    period_words,
    spanning,
)


def test_the_due_day_is_the_london_day_of_the_crossing_plus_21():
    assert due_day(datetime(2026, 3, 28, 23, 30, tzinfo=UTC)) == date(2026, 4, 18)  # GMT night
    assert due_day(datetime(2026, 3, 29, 23, 30, tzinfo=UTC)) == date(2026, 4, 20)  # 00:30 BST


def test_overdue_from_the_first_moment_of_the_day_after_then_weekly_and_one_after_downtime():
    due = date(2026, 4, 21)
    before = datetime(2026, 4, 21, 12, tzinfo=UTC)
    assert overdue_reminder(due, before, datetime(2026, 4, 21, 22, 59, tzinfo=UTC)) is None
    assert overdue_reminder(due, before, datetime(2026, 4, 21, 23, 0, tzinfo=UTC)) == 0
    assert overdue_reminder(due, datetime(2026, 4, 22, tzinfo=UTC),
                            datetime(2026, 4, 28, 22, 0, tzinfo=UTC)) is None  # fmt: skip
    assert overdue_reminder(due, datetime(2026, 4, 22, tzinfo=UTC),
                            datetime(2026, 4, 28, 23, 0, tzinfo=UTC)) == 1  # fmt: skip
    # Down for five weeks: the latest reminder only.
    assert overdue_reminder(due, before, datetime(2026, 5, 30, tzinfo=UTC)) == 5


def test_days_are_said_as_a_reader_counts_them():
    assert after_threshold(0) == "the same day as the threshold"
    assert after_threshold(1) == "the day after the threshold"
    assert after_threshold(49) == "49 days after the threshold"
    reached = datetime(2026, 3, 31, 21, 40, tzinfo=UTC)
    answered = datetime(2026, 5, 19, 15, tzinfo=UTC)
    assert lateness(reached, date(2026, 5, 19), answered) == (
        "49 days after the threshold: 28 days late"
    )
    assert lateness(reached, date(2026, 4, 21), answered) == (
        "21 days after the threshold, within the 21 days promised"
    )


def test_a_closing_before_the_end_of_a_london_day_is_a_dissolution():
    assert closed_early(datetime(2024, 5, 29, 23, 1, tzinfo=UTC))  # 00:01 BST
    assert not closed_early(datetime(2022, 5, 9, 22, 59, 59, 999000, tzinfo=UTC))  # 23:59 BST
    assert not closed_early(datetime(2026, 1, 9, 23, 59, 59, 999000, tzinfo=UTC))  # 23:59 GMT
    assert dissolution_of(datetime(2024, 5, 29, 23, 1, tzinfo=UTC)) == KNOWN[-1]
    new = dissolution_of(datetime(2029, 4, 30, 23, 1, tzinfo=UTC))
    assert new.met is None and new not in KNOWN
    assert merge(KNOWN, [new, KNOWN[0]]) == (*KNOWN, new)


def test_a_dissolution_is_said_with_its_days():
    assert period_words(KNOWN[-1]) == "Parliament was dissolved from 30 May to 9 July 2024"
    assert period_words(KNOWN[2]) == (
        "Parliament was dissolved from 6 November to 17 December 2019"
    )
    noticed = Dissolution(datetime(2029, 4, 30, 23, 1, tzinfo=UTC))
    assert period_words(noticed) == "Parliament was dissolved on 1 May 2029"
    reached = datetime(2024, 5, 8, 14, tzinfo=UTC)
    assert spanning(reached, datetime(2024, 9, 9, tzinfo=UTC)) == KNOWN[-1]
    assert spanning(reached, datetime(2024, 5, 20, tzinfo=UTC)) is None
