"""The poll cycle of one source: hand it every followed target of its kind, store, wake the sender.

Poll per source, fetch once, fan out: the source sees all its targets at once and decides how few
requests answer them; each target's new state and the deliveries for all its followers are stored
in one write. A cycle's fetches share a budget (the source's poll interval), and a target's own
read gets one request's timeout (bot.sources.base.refresh_each): a target whose site hangs is given
up, so it never holds back the others' alerts for long. Each cycle's outcome goes to the bot's
health (bot.health) and metrics (bot.metrics): read, failed and why, or polled by another process;
the alerts it created; answers of an unexpected shape (schema drift, bot.sources.notes), logged
once per streak. The first cycle that reads a source again after an outage (bot.outages) queues one
notice to each chat following what it serves. What a cycle leaves alive is kept from the garbage
collector's walks (bot.collector). An operator can pause a source and resume it
(/source), in this process, until it restarts. Sending is the sender's own task, so a slow Telegram
never slows polling. Two sources of one kind (GOV.UK and Parliament both feed statement follows)
never run at the same time, so neither overwrites the other's changes to a target's state; with
several processes on one database, only the one that leads polls. An upstream fault is skipped; it
never stops the schedule or produces an alert, and a source that keeps failing the same way is
logged once per streak (and again when it recovers), not every cycle.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections import defaultdict
from collections.abc import Callable, Mapping
from datetime import datetime
from typing import Any

from bot.collector import freeze_survivors
from bot.health import CycleReport, Health
from bot.http import UpstreamError, budget
from bot.logs import log_context
from bot.metrics import ALERTS, POLL_CYCLES, SCHEMA_DRIFT
from bot.outages import Outages
from bot.sender import Sender
from bot.sources.base import Refresh, Source, split_target, target_key
from bot.sources.notes import noting
from bot.storage.port import Storage

log = logging.getLogger(__name__)


class Poller:
    def __init__(
        self,
        store: Storage,
        sources: Mapping[str, Source],
        sender: Sender,
        clock: Callable[[], datetime],
        budgets: Mapping[str, float] | None = None,
        health: Health | None = None,
        outages: Outages | None = None,
    ) -> None:
        """`budgets`: the seconds each source's fetches get in a cycle (its poll interval);
        `health`: where each cycle's outcome is told; `outages`: what followers are told when a
        source answers again after an outage."""
        self._store = store
        self._sources = sources
        self._sender = sender
        self._clock = clock
        self._budgets = budgets or {}
        self._health = health or Health(dict.fromkeys(sources, 0.0), clock())
        self._outages = outages
        self._kind_locks: defaultdict[str, asyncio.Lock] = defaultdict(asyncio.Lock)
        self._failing: dict[str, str] = {}  # source name -> how it last failed
        self._paused: set[str] = set()  # sources an operator paused (/source pause)

    @property
    def source_names(self) -> list[str]:
        return list(self._sources)

    def paused(self, name: str) -> bool:
        return name in self._paused

    def pause(self, name: str) -> None:
        """No cycles of the source until `resume` (the cycle under way finishes)."""
        self._paused.add(name)
        self._health.pause(name, self._clock())
        log.warning("%s paused by an operator", name)

    def resume(self, name: str) -> None:
        self._paused.discard(name)
        self._health.resume(name, self._clock())
        log.warning("%s resumed by an operator", name)

    async def run_cycle(self, name: str) -> CycleReport:
        """Poll the source called `name` for every target of its kind, store, send alerts."""
        source = self._sources[name]
        if name in self._paused:
            return CycleReport(0, 0, 0, 0)
        if not await self._store.lead():  # another process polls (bot.storage.port.lead)
            self._health.led_elsewhere(name)
            POLL_CYCLES.labels(name, "led_elsewhere").inc()
            return CycleReport(0, 0, 0, 0)
        async with self._kind_locks[source.kind]:
            now = self._clock()
            followed = [
                target
                for target in await self._store.followed_targets()
                if split_target(target)[0] == source.kind
            ]
            targets = {
                split_target(target)[1]: state
                for target, state in (await self._store.target_states(followed)).items()
            }
            with noting() as notes, log_context(source=name):
                refreshes, error = await self._poll(source, targets, now) if targets else ({}, None)
            # First in each chat's queue: the notice that the source answers again, then its news.
            noticed = await self._notice_resumed(source, targets, now) if refreshes else 0
            queued = noticed + await self._store.record_cycle(
                {target_key(source.kind, ident): r for ident, r in refreshes.items()}, now
            )
        if error is None and targets and not refreshes:
            error = notes.failures[-1] if notes.failures else f"none of the {len(targets)} read"
        report = CycleReport(len(targets), len(refreshes), len(targets) - len(refreshes), queued)
        if error is None:
            self._health.read(name, self._clock(), report)
        else:
            self._health.failed(name, self._clock(), report, error)
        POLL_CYCLES.labels(name, "read" if error is None else "failed").inc()
        if error is None or notes.drift:  # a failed read says nothing of the shape
            self._tell_drift(name, notes.drift)
        created = sum(len(refresh.alerts) for refresh in refreshes.values())
        if created:
            ALERTS.labels(source.kind, "created").inc(created)
        if queued or await self._store.has_pending():
            self._sender.wake()  # news, or a retry at the poll's pace (Telegram was down)
        log.log(logging.INFO if queued else logging.DEBUG, "%s cycle: %s", name, report)
        freeze_survivors()  # what the cycle stored is old now: the collector need not walk it
        return report

    async def _notice_resumed(
        self, source: Source, targets: Mapping[str, Any], now: datetime
    ) -> int:
        """After an outage, one notice to each chat that follows what `source` serves."""
        since = self._health.sources[source.name].failing_since
        notice = self._outages.resumed(source.name, since, now) if self._outages else None
        if notice is None or since is None:
            return 0
        chats: set[int] = set()
        for ident in targets:
            chats |= await self._store.followers_of(target_key(source.kind, ident))
        key = f"resumed:{source.name}:{since.isoformat()}"
        return await self._store.queue_notice(chats, key, notice, now)

    def _tell_drift(self, name: str, drift: list[str]) -> None:
        """Answers of an unexpected shape: logged once per streak (and when it ends), counted,
        and kept for /healthz and /stats."""
        if drift:
            SCHEMA_DRIFT.labels(name).inc(len(drift))
        was = self._health.sources[name].drift
        self._health.drifted(name, self._clock(), drift[-1] if drift else None)
        if drift and was is None:
            log.warning("%s answered in an unexpected shape: expected %s", name, drift[-1])
        elif was is not None and not drift:
            log.info("%s answers in the expected shape again", name)

    async def _poll(
        self, source: Source, targets: dict[str, dict | None], now: datetime
    ) -> tuple[dict[str, Refresh], str | None]:
        """The refreshes, or none and why."""
        try:
            with budget(self._budgets.get(source.name, math.inf)):
                refreshes = await source.poll(targets, now)
        except UpstreamError as exc:
            again = self._failing.get(source.name) == str(exc)
            self._failing[source.name] = str(exc)
            log.log(
                logging.DEBUG if again else logging.WARNING, "%s not polled: %s", source.name, exc
            )
            return {}, str(exc)
        except Exception as exc:
            # A bug in one source must not stop its schedule or the others.
            log.exception("%s not polled: unexpected error", source.name)
            return {}, f"unexpected error: {exc!r}"
        if self._failing.pop(source.name, None) is not None:
            log.info("%s polled again", source.name)
        return refreshes, None
