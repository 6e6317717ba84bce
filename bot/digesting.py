"""Sending each chat's daily digest when its hour comes, and once after downtime.

The service behind the digest job: asks the store which chats' digest instant has passed since
their last digest, renders their held alerts (bot.digest) and hands them back to the store, which
replaces the held alerts by the digest and records it as done in one write. Run every minute (or
every poll interval, if shorter) and at start, so a digest due while the bot was down goes out at
start, once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from bot.digest import render_digest
from bot.store import Store

log = logging.getLogger(__name__)


class Digests:
    def __init__(
        self,
        store: Store,
        name_of: Callable[[str], str],
        clock: Callable[[], datetime],
        wake_sender: Callable[[], None],
    ) -> None:
        self._store = store
        self._name_of = name_of
        self._clock = clock
        self._wake_sender = wake_sender

    async def send_due(self) -> int:
        """Queue the digest of every chat whose digest is due; returns how many chats had one."""
        now, sent = self._clock(), 0
        for chat_id, due in self._store.digests_due(now):
            by_target: dict[str, list[str]] = defaultdict(list)
            follows = set(self._store.follows_of(chat_id))
            for delivery in self._store.held_for_digest(chat_id):
                if delivery.target in follows:  # else unfollowed since: not news to it now
                    by_target[delivery.target].append(delivery.text)
            groups = [(self._name_of(target), texts) for target, texts in by_target.items()]
            zone = self._store.chat_settings(chat_id).tz
            await self._store.send_digest(chat_id, render_digest(groups, due, zone), due, now)
            sent += bool(groups)
        if sent:
            log.info("daily digests queued for %d chats", sent)
            self._wake_sender()
        return sent
