"""A petition's recent counts: kept small, and the pace they show."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.sources.petitions.trend import pace, record

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
