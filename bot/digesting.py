"""Sending each chat's daily digest when its hour comes, and once after downtime.

The service behind the digest job: asks the store which chats' digest instant has passed since
their last digest, renders their held alerts (bot.digest) and hands them back to the store, which
replaces the held alerts by the digest and records it as done in one write. A chat's alerts of
one bundle (every petition a dissolution closed) are one group of their own. Run every minute (or
every poll interval, if shorter) and at start, so a digest due while the bot was down goes out at
start, once.
"""

from __future__ import annotations

import html
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime

from bot.bundles import gather
from bot.digest import render_digest
from bot.storage.port import Storage

log = logging.getLogger(__name__)


class Digests:
    def __init__(
        self,
        store: Storage,
        name_of: Callable[[str], Awaitable[str]],
        clock: Callable[[], datetime],
        wake_sender: Callable[[], None],
    ) -> None:
        self._store = store
        self._name_of = name_of
        self._clock = clock
        self._wake_sender = wake_sender

    async def send_due(self) -> int:
        """Queue the digest of every chat whose digest is due; returns how many chats had one."""
        if not await self._store.lead():  # another process queues them
            return 0
        now, sent = self._clock(), 0
        for chat_id, due in await self._store.digests_due(now):
            follows = set(await self._store.follows_of(chat_id))
            # Unfollowed since: not news to it now.
            held = [d for d in await self._store.held_for_digest(chat_id) if d.target in follows]
            by_group: dict[str, tuple[str, list[str]]] = {}
            for message in gather(held):
                if message.bundle is not None:  # one event across follows: a group of its own
                    key, name = message.bundle.key, html.escape(message.bundle.title)
                else:
                    key = message.deliveries[0].target
                    name = await self._name_of(key)
                by_group.setdefault(key, (name, []))[1].append(message.text)
            groups = list(by_group.values())
            zone = (await self._store.chat_settings(chat_id)).tz
            await self._store.send_digest(chat_id, render_digest(groups, due, zone), due, now)
            sent += bool(groups)
        if sent:
            log.info("daily digests queued for %d chats", sent)
            self._wake_sender()
        return sent
