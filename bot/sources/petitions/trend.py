"""A petition's recent signature counts, and the pace they show.

Pure: no I/O. The history kept in a petition's state is what the pace needs and no more: a
sample every 20 minutes for the last 2 hours, every 3 hours back to 26 hours, nothing older (at
most about 15, some 300 bytes), because every write of the store carries every petition's
state. Stored as `[[<Unix seconds>, <count>], ...]`, oldest first: integers, because every poll
of every petition reads it and parsing dates would dominate.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

MINUTE, HOUR, DAY = 60, 3_600, 86_400
KEEP_FOR = 26 * HOUR
SAMPLE_EVERY = 20 * MINUTE
LATER_EVERY = 3 * HOUR
RECENT = 2 * HOUR
# A sample this old or older is taken as "an hour ago" / "a day ago".
ABOUT_AN_HOUR, ABOUT_A_DAY = 50 * MINUTE, 20 * HOUR


@dataclass(frozen=True)
class Pace:
    last_hour: int | None  # signatures in the last hour, None without an hour of history
    last_day: int | None  # signatures in the last day (scaled to 24 hours)

    def per_day(self) -> float | None:
        if self.last_day is not None:
            return float(self.last_day)
        return None if self.last_hour is None else self.last_hour * 24.0


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
