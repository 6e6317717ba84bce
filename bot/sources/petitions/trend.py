"""A petition's recent signature counts, and the pace they show.

Pure: no I/O. The history kept in a petition's state is small by construction: samples every 10
minutes for the last 2 hours, hourly back to 26 hours, nothing older (at most about 36), so a
poll cycle's write barely grows. Stored as `[[<ISO instant>, <count>], ...]`, oldest first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from bot.sources.values import instant_of

KEEP_FOR = timedelta(hours=26)
RECENT = timedelta(hours=2)
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
# A sample this old or older is taken as "an hour ago" / "a day ago".
ABOUT_AN_HOUR, ABOUT_A_DAY = timedelta(minutes=50), timedelta(hours=20)


@dataclass(frozen=True)
class Pace:
    last_hour: int | None  # signatures in the last hour, None without an hour of history
    last_day: int | None  # signatures in the last day (scaled to 24 hours)

    def per_day(self) -> float | None:
        if self.last_day is not None:
            return float(self.last_day)
        return None if self.last_hour is None else self.last_hour * 24.0


def record(history: Any, now: datetime, count: int) -> list[list[Any]]:
    """The history with `count` at `now` added, thinned and trimmed. A sample stays when it is
    far enough from the one kept before it; the newest always stays."""
    kept: list[tuple[datetime, int]] = []  # oldest first
    for moment, value in _samples(history):
        age = now - moment
        spacing = timedelta(minutes=10) if age < RECENT else HOUR
        if age <= KEEP_FOR and (not kept or moment - kept[-1][0] >= spacing):
            kept.append((moment, value))
    kept.append((now, count))
    return [[moment.isoformat(), value] for moment, value in kept]


def pace(history: Any, now: datetime, count: int) -> Pace:
    samples = _samples(history)
    return Pace(
        _gained(samples, now, count, ABOUT_AN_HOUR, HOUR),
        _gained(samples, now, count, ABOUT_A_DAY, DAY),
    )


def _gained(
    samples: list[tuple[datetime, int]],
    now: datetime,
    count: int,
    at_least: timedelta,
    per: timedelta,
) -> int | None:
    """Signatures gained since the newest sample at least `at_least` old, scaled to `per`."""
    old = [(moment, value) for moment, value in samples if now - moment >= at_least]
    if not old:
        return None
    moment, value = old[-1]
    return round((count - value) * (per / (now - moment)))


def _samples(history: Any) -> list[tuple[datetime, int]]:
    samples = []
    for entry in history if isinstance(history, list) else ():
        if isinstance(entry, list) and len(entry) == 2 and isinstance(entry[1], int):
            moment = instant_of(entry[0])
            if moment is not None:
                samples.append((moment, entry[1]))
    return samples
