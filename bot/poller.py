"""The poll cycle: fetch every followed target once, detect, queue deliveries, then send.

Fetch once, fan out: a target is refreshed once per cycle however many chats follow it, and its
new state and the deliveries for all its followers are stored in one write. An upstream fault on
one target is logged and skipped; it never stops the cycle or produces an alert.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import datetime

from bot.http import UpstreamError
from bot.sender import Sender
from bot.sources.base import Refresh, Source, split_target
from bot.store import Store

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CycleReport:
    targets: int
    refreshed: int
    skipped: int  # upstream faults and targets not public this time
    queued: int
    sent: int


class Poller:
    def __init__(
        self,
        store: Store,
        sources: Mapping[str, Source],
        sender: Sender,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._sources = sources
        self._sender = sender
        self._clock = clock

    async def run_cycle(self, kind: str) -> CycleReport:
        """Refresh every followed target of one source kind, store the results, send alerts."""
        now = self._clock()
        source = self._sources[kind]
        targets = [t for t in self._store.followed_targets() if split_target(t)[0] == kind]
        results = await asyncio.gather(*(self._refresh(source, t, now) for t in targets))
        refreshes = {t: r for t, r in zip(targets, results, strict=True) if r is not None}
        queued = self._store.record_cycle(refreshes, now)
        sent = await self._sender.send_pending()
        report = CycleReport(
            len(targets), len(refreshes), len(targets) - len(refreshes), queued, sent
        )
        log.log(logging.INFO if queued or sent else logging.DEBUG, "%s cycle: %s", kind, report)
        return report

    async def _refresh(self, source: Source, target: str, now: datetime) -> Refresh | None:
        _, ident = split_target(target)
        try:
            return await source.refresh(ident, self._store.target_state(target), now)
        except UpstreamError as exc:
            log.warning("%s not refreshed: %s", target, exc)
        except Exception:
            # A bug for one target must not silence every other target.
            log.exception("%s not refreshed: unexpected error", target)
        return None
