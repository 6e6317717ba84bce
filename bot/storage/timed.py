"""The store, with each durable write timed for `/metrics` (bot.metrics: store write latency).

A thin proxy in front of either adapter: the writes named in WRITES are timed, by operation, and
everything else passes straight through.
"""

from __future__ import annotations

import functools
import inspect
import time
from collections.abc import Awaitable, Callable
from typing import Any, cast

from bot.metrics import STORE_WRITE_SECONDS
from bot.storage.port import Storage

WRITES = frozenset(
    {
        "add_follow", "remove_follow", "remove_follows", "set_muted", "set_chat_settings",
        "set_follow_settings", "set_paused", "hold", "release", "forget_chat", "migrate_chat",
        "record_cycle", "note_outcome", "fold_outcomes", "fold_pending", "queue_notice",
        "send_digest", "load",
    }
)  # fmt: skip


class _Timed:
    def __init__(self, store: Storage) -> None:
        self._store = store

    def __getattr__(self, name: str) -> Any:
        found = getattr(self._store, name)
        if not inspect.ismethod(found):
            return found  # data may change: asked afresh each time
        method = _timed(name, found) if name in WRITES else found
        # Kept on the proxy, so a method (the sender's note_outcome, once a message) is looked up
        # and wrapped once, not on every call.
        setattr(self, name, method)
        return method


def _timed(operation: str, write: Callable[..., Awaitable[Any]]) -> Callable[..., Awaitable[Any]]:
    histogram = STORE_WRITE_SECONDS.labels(operation)

    @functools.wraps(write)
    async def timed(*args: Any, **kwargs: Any) -> Any:
        started = time.perf_counter()
        try:
            return await write(*args, **kwargs)
        finally:
            histogram.observe(time.perf_counter() - started)

    return timed


def timed(store: Storage) -> Storage:
    """`store`, its writes timed."""
    return cast(Storage, _Timed(store))
