"""A chat going away (the bot removed from a group, or blocked) and coming back.

While a chat is away its alerts are held, and what only it follows is not polled. When it comes
back, everything that changed meanwhile must come as one "📬 While you were away" message, not
a burst: so when it follows something nobody else polled, its alerts stay held while one cycle
of each source that serves those follows runs at once (in the background: the update that
brought it back is answered meanwhile), and then everything held is folded into one message.
Never names a kind.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from datetime import datetime

from bot.away import render_away_summary
from bot.background import Background
from bot.bundles import gather
from bot.poller import Poller
from bot.sources.base import split_target
from bot.storage.port import Storage

log = logging.getLogger(__name__)


class Returns:
    def __init__(
        self,
        store: Storage,
        poller: Poller,
        sources_of_kind: Mapping[str, list[str]],
        background: Background,
        clock: Callable[[], datetime],
        wake_sender: Callable[[], None],
    ) -> None:
        self._store = store
        self._poller = poller
        self._sources_of_kind = sources_of_kind
        self._background = background
        self._clock = clock
        self._wake_sender = wake_sender

    async def away(self, chat_id: int) -> None:
        """The chat removed or blocked us: hold its alerts, and stop polling what only it
        follows."""
        await self._store.set_paused(chat_id, True)

    async def back(self, chat_id: int) -> None:
        """The chat can hear us again (it talked to us, or added us back)."""
        if not await self._store.is_paused(chat_id):
            return
        polled = set(await self._store.followed_targets())
        unpolled = {
            split_target(target)[0]
            for target in await self._store.follows_of(chat_id)
            if target not in polled
        }
        if not unpolled:
            await self._store.set_paused(chat_id, False)
            await self._fold(chat_id)
            return
        await self._store.hold(chat_id)
        await self._store.set_paused(chat_id, False)
        sources = [name for kind in sorted(unpolled) for name in self._sources_of_kind[kind]]
        self._background.start(f"back-{chat_id}", lambda: self._catch_up(chat_id, sources))

    async def _catch_up(self, chat_id: int, sources: list[str]) -> None:
        try:
            for name in sources:
                await self._poller.run_cycle(name)
        finally:
            await self._fold(chat_id)
            await self._store.release(chat_id)
            self._wake_sender()

    async def _fold(self, chat_id: int) -> None:
        """More than one message held: one summary instead."""
        messages = gather(await self._store.pending_of(chat_id))
        if len(messages) > 1:
            summary = render_away_summary([message.text for message in messages])
            await self._store.fold_pending(chat_id, summary, self._clock())
