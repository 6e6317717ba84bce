"""Whether the bot is doing its work, for `/healthz` (bot.server): when each source last read what
it had to, since when one has been failing and why, and whether sending drains.

Pure: the poller and the sender report to it, and it judges on the clock it is given. A source is
healthy when a cycle of it read what it had to within STALE_AFTER_INTERVALS of its poll intervals
(counted from start-up until its first read); past that it is *failing* when its cycles fail
(since the first failure after its last read, with the last error) and *stale* when they never
end. A process that does not lead polls nothing: its sources are the leader's to judge; a source
an operator paused is not judged until resumed. Sending is stuck when deliveries have waited
SENDING_STUCK_AFTER and nothing went out in that time. Each source's last cycle's figures are
kept for the operators' /stats, and its schema drift (answers of an unexpected shape: since when,
and what was expected) is shown with it, without making the bot unhealthy: it still reads what it
can.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

STALE_AFTER_INTERVALS = 3
SENDING_STUCK_AFTER = timedelta(minutes=2)


@dataclass
class SourceHealth:
    interval: timedelta
    read_at: datetime | None = None  # the end of the last cycle that read what it had to
    failing_since: datetime | None = None  # the first failed cycle since then
    error: str | None = None  # how the last cycle failed
    led_elsewhere: bool = False  # another process polls it
    paused_since: datetime | None = None  # an operator paused it (/source pause)
    resumed_at: datetime | None = None  # and resumed it: judged from then
    drift: tuple[datetime, str] | None = None  # answering in an unexpected shape: since, expected
    last_cycle: tuple[datetime, CycleReport] | None = None  # when it ended, and its figures


@dataclass(frozen=True)
class CycleReport:
    """A poll cycle's figures."""

    targets: int
    refreshed: int
    skipped: int  # upstream faults and targets not public this time
    queued: int


@dataclass
class Sending:
    waiting: int = 0  # deliveries the last pass found to send
    oldest: datetime | None = None  # when the oldest of them was queued
    sent_at: datetime | None = None  # when a message last went out


class Health:
    def __init__(self, intervals: Mapping[str, float], started: datetime) -> None:
        """`intervals`: each source's poll interval in seconds."""
        self.started = started
        self.sources = {
            name: SourceHealth(timedelta(seconds=seconds)) for name, seconds in intervals.items()
        }
        self.sending = Sending()

    def read(self, source: str, now: datetime, report: CycleReport) -> None:
        """A cycle of `source` ended at `now` having read what it had to (or had nothing to
        read)."""
        health = self.sources[source]
        health.read_at, health.failing_since, health.error = now, None, None
        health.led_elsewhere, health.last_cycle = False, (now, report)

    def failed(self, source: str, now: datetime, report: CycleReport, error: str) -> None:
        health = self.sources[source]
        health.led_elsewhere, health.last_cycle = False, (now, report)
        health.failing_since = health.failing_since or now
        health.error = error

    def drifted(self, source: str, now: datetime, expected: str | None) -> None:
        """What a cycle's answers lacked (None: they had the expected shape)."""
        health = self.sources[source]
        if expected is None:
            health.drift = None
        elif health.drift is None or health.drift[1] != expected:
            health.drift = (health.drift[0] if health.drift else now, expected)

    def pause(self, source: str, now: datetime) -> None:
        self.sources[source].paused_since = now

    def resume(self, source: str, now: datetime) -> None:
        """Polled again: judged from now, not from before the pause."""
        health = self.sources[source]
        health.paused_since, health.resumed_at = None, now

    def led_elsewhere(self, source: str) -> None:
        self.sources[source].led_elsewhere = True

    def sent(self, now: datetime) -> None:
        self.sending.sent_at = now

    def queued(self, waiting: int, oldest: datetime | None) -> None:
        """What a sending pass found to send."""
        self.sending.waiting, self.sending.oldest = waiting, oldest

    def report(self, now: datetime) -> tuple[bool, dict[str, Any]]:
        """Whether all is well, and the JSON that says so or names what is not."""
        problems = [
            problem
            for name, health in self.sources.items()
            if (problem := self._source_problem(name, health, now))
        ]
        if (stuck := self._sending_problem(now)) is not None:
            problems.append(stuck)
        sources = {
            name: {
                "read_at": _iso(health.read_at),
                "interval_seconds": health.interval.total_seconds(),
                **({"polled_by": "another process"} if health.led_elsewhere else {}),
                **({"paused_since": _iso(health.paused_since)} if health.paused_since else {}),
                **(
                    {"drift": {"since": _iso(health.drift[0]), "expected": health.drift[1]}}
                    if health.drift
                    else {}
                ),
            }
            for name, health in self.sources.items()
        }
        sending = {
            "waiting": self.sending.waiting,
            "oldest": _iso(self.sending.oldest),
            "sent_at": _iso(self.sending.sent_at),
        }
        body = {
            "status": "failing" if problems else "ok",
            "problems": problems,
            "sources": sources,
            "sending": sending,
        }
        return not problems, body

    def _source_problem(
        self, name: str, health: SourceHealth, now: datetime
    ) -> dict[str, Any] | None:
        last = max(health.read_at or self.started, health.resumed_at or self.started)
        waived = health.led_elsewhere or health.paused_since is not None
        if waived or now - last <= STALE_AFTER_INTERVALS * health.interval:
            return None
        if health.failing_since is not None:
            return {
                "source": name,
                "problem": "failing",
                "since": _iso(health.failing_since),
                "last_error": health.error,
            }
        return {"source": name, "problem": "stale", "since": _iso(last), "last_error": None}

    def _sending_problem(self, now: datetime) -> dict[str, Any] | None:
        sending = self.sending
        if not sending.waiting or sending.oldest is None:
            return None
        last = max(sending.oldest, sending.sent_at or sending.oldest)
        if now - last <= SENDING_STUCK_AFTER:
            return None
        return {
            "source": "telegram",
            "problem": "not sending",
            "since": _iso(last),
            "last_error": f"{sending.waiting} messages waiting",
        }


def _iso(moment: datetime | None) -> str | None:
    return moment.isoformat(timespec="seconds") if moment is not None else None
