"""A petition's recent counts: kept small, and the pace they show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.sources.petitions.trend import Pace, eta, pace, record, surge

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def test_a_day_of_minute_polls_keeps_about_fifteen_samples():
    history: list = []
    for minute in range(0, 30 * 60, 1):  # 30 hours of one poll a minute, 10 signatures each
        moment = NOW - timedelta(minutes=30 * 60 - minute)
        history = record(history, moment, minute * 10)
    assert 10 <= len(history) <= 16
    oldest = datetime.fromtimestamp(history[0][0], UTC)
    assert NOW - timedelta(hours=27) < oldest


def test_the_pace_over_the_last_hour_and_day():
    history: list = []
    for minute in range(0, 25 * 60, 5):
        history = record(history, NOW - timedelta(minutes=25 * 60 - minute), minute)
    now_count = 25 * 60
    seen = pace(history, NOW, now_count)
    assert seen.last_hour is not None and 55 <= seen.last_hour <= 65  # one a minute
    assert seen.last_day is not None and 1_380 <= seen.last_day <= 1_500
    assert pace([], NOW, 100).last_hour is None
    assert pace([["junk", "x"], [int(NOW.timestamp()), 5]], NOW, 100).last_hour is None
    assert pace("not a history", NOW, 100).last_hour is None


def _series(per_hour: int, hours: int, count: int) -> list[list[int]]:
    """Hourly samples over `hours` ending an hour ago, rising `per_hour` to `count` now."""
    return [
        [int((NOW - timedelta(hours=back)).timestamp()), count - per_hour * back]
        for back in range(hours, 0, -1)
    ]


def test_eta_of_a_steady_series_is_the_arithmetic_date():
    # 100 an hour is 2,400 a day: 5,000 to go takes 2 days and 2 hours.
    recent = pace(_series(100, 30, 5_000), NOW, 5_000)
    assert (recent.last_hour, recent.last_day) == (100, 2_400)
    assert eta(5_000, 10_000, recent.per_day(), NOW) == NOW + timedelta(days=2, hours=2)


def test_a_flat_or_falling_series_has_no_eta():
    flat = pace(_series(0, 30, 5_000), NOW, 5_000)
    assert flat.last_day == 0
    assert eta(5_000, 10_000, flat.per_day(), NOW) is None
    falling = pace(_series(-20, 30, 5_000), NOW, 5_000)  # signatures removed as fraudulent
    assert falling.last_day is not None and falling.last_day < 0
    assert eta(5_000, 10_000, falling.per_day(), NOW) is None


def test_no_eta_when_reached_unknown_or_beyond_ten_years():
    assert eta(10_000, 10_000, 500.0, NOW) is None
    assert eta(5_000, 10_000, None, NOW) is None
    assert eta(5_000, 100_000, 1.0, NOW) is None  # 95,000 days
    assert eta(5_000, 10_000, 2.0, NOW) == NOW + timedelta(days=2_500)


def test_with_only_an_hour_of_history_the_hour_gives_the_pace():
    recent = pace(_series(50, 1, 1_000), NOW, 1_000)
    assert (recent.last_hour, recent.last_day) == (50, None)
    assert recent.per_day() == 1_200


def test_a_surge_is_five_times_the_daily_rate_and_a_hundred_signatures():
    assert surge(Pace(last_hour=600, last_day=2_400)) == 6  # 100 an hour over the day
    assert surge(Pace(last_hour=400, last_day=2_400)) is None  # only four times
    assert surge(Pace(last_hour=60, last_day=24)) is None  # 60 times, but 60 signatures
    assert surge(Pace(last_hour=500, last_day=None)) is None  # no day to compare with
    assert surge(Pace(last_hour=150, last_day=0)) == 150  # from nothing: against 1 an hour
