"""What /chart and the card's Chart button do: a picture of a followed target over time.

The service behind them. It never names a kind: a kind that is `Chartable` draws its own chart
from the history the store keeps while the target is followed (bot.storage.history), in a thread (a
chart is CPU-bound). Dates are read on the chat's time zone.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable
from datetime import datetime

from bot.callbacks import find_ref
from bot.following import FollowService
from bot.sources.base import Chart, Chartable, Placement, Reply, target_key
from bot.storage.port import Storage

NO_CHART = "There is no chart for {name}: charts show a count over time, such as a petition's."


class Charts:
    def __init__(
        self, store: Storage, follows: FollowService, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._follows = follows
        self._clock = clock

    async def chart(self, chat_id: int, reference: str) -> Reply:
        """/chart <what>: the chart, or the friendly reason there is none; nothing: the chat's
        follows that have a chart, to pick from."""
        if not reference.strip():
            return await self._follows.picker(chat_id, "g")
        read = self._follows.resolve(reference, "chart")
        if isinstance(read, Reply):
            return read
        return await self._chart(chat_id, target_key(read[0].kind, read[1]))

    async def pressed(self, chat_id: int, ref: str) -> Reply:
        """The Chart button of a followed target's card."""
        target = find_ref(ref, await self._store.follows_of(chat_id))
        if target is None:
            return Reply("", placement=Placement.TOAST, toast="This chat no longer follows that.")
        return await self._chart(chat_id, target)

    async def _chart(self, chat_id: int, target: str) -> Reply:
        kind, ident = self._follows.kind_of(target)
        state = await self._store.target_state(target)
        name = kind.name(ident, state)
        if not isinstance(kind, Chartable):
            return Reply(NO_CHART.format(name=name))
        if state is None or not await self._store.followers_of(target):
            return Reply(
                f"I record the history of {name} only while a chat follows it. "
                f"/follow {html.escape(kind.reference(ident))}, and its chart fills in from then."
            )
        samples = await self._store.history_of(target)
        zone = (await self._store.chat_settings(chat_id)).tz
        drawn = await asyncio.to_thread(kind.chart, ident, state, samples, self._clock(), zone)
        if isinstance(drawn, Chart):
            return Reply(drawn.caption, photo=drawn.png)
        return Reply(drawn)
