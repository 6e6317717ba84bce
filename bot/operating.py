"""What the operators (`telegram.admin_ids`) see and do: /stats and /source.

/stats: what the store holds, each source's health (last read, failing since when and why,
paused, answering in an unexpected shape), its last cycle's figures, and sending (what waits,
when a message last went out).
/source pause <name> and /source resume <name> stop a source's polls without a restart and
start them again, in this process until it restarts (bot.poller). Upstream errors are escaped
before they go into a message.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime

from bot.health import Health, SourceHealth
from bot.poller import Poller
from bot.sources.base import Reply, split_target
from bot.storage.port import Storage

SOURCE_HOW = (
    "<b>/source</b> pauses or resumes one source's polls: <code>/source pause govuk</code>, "
    "<code>/source resume govuk</code>. Sources: {names}."
)


class Operations:
    def __init__(
        self, store: Storage, poller: Poller, health: Health, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._poller = poller
        self._health = health
        self._clock = clock

    async def stats(self) -> Reply:
        """What the bot holds, how each source is doing, and sending."""
        lines = ["<b>Accountability Alerts</b>"]
        lines += [f"{name}: {count:,}" for name, count in (await self._store.counts()).items()]
        kinds = Counter(split_target(target)[0] for target in await self._store.followed_targets())
        lines += [f"polled {kind} targets: {count:,}" for kind, count in sorted(kinds.items())]
        lines.append("\n<b>Sources</b>")
        lines += [_source_line(name, health) for name, health in self._health.sources.items()]
        sending = self._health.sending
        oldest = f", the oldest since {_when(sending.oldest)}" if sending.oldest else ""
        last = _when(sending.sent_at) if sending.sent_at else "not since start-up"
        lines.append(f"\n<b>Sending</b>: {sending.waiting:,} waiting{oldest}; last sent {last}")
        return Reply("\n".join(lines))

    def source(self, words: list[str]) -> Reply:
        """`/source pause <name>` or `/source resume <name>`; anything else, how to."""
        names = self._poller.source_names
        how = Reply(SOURCE_HOW.format(names=", ".join(names)))
        if len(words) != 2 or words[0].lower() not in ("pause", "resume"):
            return how
        verb, name = words[0].lower(), words[1].lower()
        if name not in names:
            return Reply(f"There is no source called “{html.escape(words[1])}”. " + how.text)
        if (verb == "pause") == self._poller.paused(name):
            return Reply(f"{name} is {'paused' if verb == 'pause' else 'running'} already.")
        if verb == "pause":
            self._poller.pause(name)
            return Reply(f"⏸ {name} is paused: no polls until <code>/source resume {name}</code>.")
        self._poller.resume(name)
        return Reply(f"▶️ {name} is polled again, from its next turn.")


def _source_line(name: str, health: SourceHealth) -> str:
    every = f"every {health.interval.total_seconds():g} s"
    if health.paused_since is not None:
        state = f"paused since {_when(health.paused_since)}"
    elif health.led_elsewhere:
        state = "polled by another process"
    elif health.failing_since is not None:
        state = f"FAILING since {_when(health.failing_since)}: {html.escape(health.error or '')}"
    elif health.read_at is not None:
        state = f"read {_when(health.read_at)}"
    else:
        state = "not read yet"
    if health.drift is not None:
        since, expected = health.drift
        state += f"; ⚠️ unexpected answers since {_when(since)}: expected {html.escape(expected)}"
    if health.last_cycle is None:
        return f"{name} ({every}): {state}"
    _, cycle = health.last_cycle
    figures = (
        f"{cycle.targets:,} targets, {cycle.refreshed:,} read, {cycle.skipped:,} skipped, "
        f"{cycle.queued:,} alerts queued"
    )
    return f"{name} ({every}): {state}; last cycle {figures}"


def _when(moment: datetime) -> str:
    return f"{moment.astimezone(UTC):%d %b %H:%M} UTC"
