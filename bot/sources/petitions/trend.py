"""A petition's recent signature counts, and what they show: the pace, when the next threshold
comes at that pace, and a surge.

Pure: no I/O. The history kept in a petition's state is what the pace needs and no more: a
sample every 20 minutes for the last 2 hours, every 3 hours back to 26 hours, nothing older (at
most about 15, some 300 bytes), because every write of the store carries every petition's
state. Stored as `[[<Unix seconds>, <count>], ...]`, oldest first: integers, because every poll
of every petition reads it and parsing dates would dominate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

MINUTE, HOUR, DAY = 60, 3_600, 86_400
KEEP_FOR = 26 * HOUR
SAMPLE_EVERY = 20 * MINUTE
LATER_EVERY = 3 * HOUR
RECENT = 2 * HOUR
# A sample this old or older is taken as "an hour ago" / "a day ago".
ABOUT_AN_HOUR, ABOUT_A_DAY = 50 * MINUTE, 20 * HOUR
# A surge: signing this many times faster in the last hour than over the day, and by at least
# this many signatures (5 an hour against 1 is noise, not news).
SURGE_TIMES = 5
SURGE_AT_LEAST = 100
ETA_HORIZON = timedelta(days=3650)  # further than this is "not at this pace"


@dataclass(frozen=True)
class Pace:
    last_hour: int | None  # signatures in the last hour, None without an hour of history
    last_day: int | None  # signatures in the last day (scaled to 24 hours)

    def per_day(self) -> float | None:
        if self.last_day is not None:
            return float(self.last_day)
        return None if self.last_hour is None else self.last_hour * 24.0


def eta(count: int, target: int, per_day: float | None, now: datetime) -> datetime | None:
    """When the count reaches `target` at `per_day`; None if it is there already, the count is
    flat or falling, or it would take over ten years."""
    if target <= count or per_day is None or per_day <= 0:
        return None
    wait = timedelta(days=(target - count) / per_day)
    return now + wait if wait <= ETA_HORIZON else None


def surge(pace: Pace) -> float | None:
    """How many times faster than its 24-hour average the petition signed in the last hour, when
    that is a surge (SURGE_TIMES or more, and SURGE_AT_LEAST signatures); else None."""
    if pace.last_hour is None or pace.last_day is None or pace.last_hour < SURGE_AT_LEAST:
        return None
    hourly = max(pace.last_day / 24, 1.0)
    times = pace.last_hour / hourly
    return times if times >= SURGE_TIMES else None


def record(history: Any, now: datetime, count: int) -> list[list[int]]:
    """The history with `count` at `now` added if the newest sample is 20 minutes old, thinned
    and trimmed; else the history as it was (the snapshot holds the newest count, and most polls
    come more often than that)."""
    at = int(now.timestamp())
    newest = _samples(history[-1:] if isinstance(history, list) else None)
    if newest and at - newest[0][0] < SAMPLE_EVERY:
        return history  # type: ignore[no-any-return]
    kept: list[list[int]] = []  # oldest first
    for moment, value in _samples(history):
        age = at - moment
        spacing = SAMPLE_EVERY if age < RECENT else LATER_EVERY
        if age <= KEEP_FOR and (not kept or moment - kept[-1][0] >= spacing):
            kept.append([moment, value])
    kept.append([at, count])
    return kept


def pace(history: Any, now: datetime, count: int) -> Pace:
    samples, at = _samples(history), int(now.timestamp())
    return Pace(
        _gained(samples, at, count, ABOUT_AN_HOUR, HOUR),
        _gained(samples, at, count, ABOUT_A_DAY, DAY),
    )


def _gained(
    samples: list[tuple[int, int]], at: int, count: int, at_least: int, per: int
) -> int | None:
    """Signatures gained since the newest sample at least `at_least` seconds old, per `per`."""
    old = [(moment, value) for moment, value in samples if at - moment >= at_least]
    if not old:
        return None
    moment, value = old[-1]
    return round((count - value) * per / (at - moment))


def _samples(history: Any) -> list[tuple[int, int]]:
    """The stored samples; a history that is not one (hand-edited, an older form) is none."""
    try:
        return [(int(moment), int(value)) for moment, value in history or ()]
    except (TypeError, ValueError):
        return []
