"""A per-user limit on actions (commands, taps, pasted links): each one can cost upstream fetches.

Pure: the clock is passed in. A user over the limit is told once, then ignored until the
rolling minute lets them in again.
"""

from __future__ import annotations

from collections import deque
from enum import Enum

WINDOW_SECONDS = 60.0


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # the first action over the limit: say so
    IGNORE = "ignore"  # the ones after it


class Throttle:
    def __init__(self, per_minute: int) -> None:
        self._per_minute = per_minute
        self._recent: dict[int, deque[float]] = {}
        self._warned: set[int] = set()

    def check(self, user_id: int, now: float) -> Verdict:
        recent = self._recent.setdefault(user_id, deque())
        while recent and now - recent[0] >= WINDOW_SECONDS:
            recent.popleft()
        if len(recent) < self._per_minute:
            recent.append(now)
            self._warned.discard(user_id)
            return Verdict.ALLOW
        if user_id in self._warned:
            return Verdict.IGNORE
        self._warned.add(user_id)
        return Verdict.WARN
