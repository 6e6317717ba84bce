"""A per-user limit on actions (commands, taps, pasted links): each one can cost upstream fetches.

Pure: the clock is passed in. A user over the limit is told once, then ignored until the
rolling minute lets them in again.
"""

from __future__ import annotations

from collections import deque
from enum import Enum

WINDOW_SECONDS = 60.0
PRUNE_EVERY = 1000  # checks


class Verdict(Enum):
    ALLOW = "allow"
    WARN = "warn"  # the first action over the limit: say so
    IGNORE = "ignore"  # the ones after it


class Throttle:
    def __init__(self, per_minute: int) -> None:
        self._per_minute = per_minute
        self._recent: dict[int, deque[float]] = {}
        self._warned: set[int] = set()
        self._checks = 0

    def __len__(self) -> int:
        """How many users it remembers."""
        return len(self._recent)

    def check(self, user_id: int, now: float) -> Verdict:
        self._checks += 1
        if self._checks % PRUNE_EVERY == 0:
            # Users who went quiet are forgotten, so memory follows the active users only.
            self._recent = {
                user: times
                for user, times in self._recent.items()
                if times and now - times[-1] < WINDOW_SECONDS
            }
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
