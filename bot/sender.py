"""Sending queued deliveries to Telegram, and what each Telegram refusal means for a chat.

I/O at the edge: reads pending deliveries from the store, sends them in order per chat (chats in
parallel, paced by python-telegram-bot's AIORateLimiter), and records each outcome. Renders
nothing: deliveries carry their text, and every alert gets the same Unfollow and Status buttons.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import defaultdict
from collections.abc import Callable
from datetime import datetime

from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.callbacks import alert_keyboard
from bot.store import DROPPED, FAILED, SENT, Delivery, Store

log = logging.getLogger(__name__)
# The chat blocked the bot, left or was deleted: hold its deliveries until it talks again.
ChatUnreachableErrors = (Forbidden,)
# Telegram or the network is struggling: leave the delivery pending for the next pass.
TryLaterErrors = (RetryAfter, NetworkError)
# Outcomes are flushed at least this often during a pass: a hard crash mid-pass can repeat at
# most this much sending, while a large pass does not rewrite the store after every message.
FLUSH_EVERY_SECONDS = 1.0
CHATS_IN_PARALLEL = 16


class Sender:
    def __init__(self, bot: Bot, store: Store, clock: Callable[[], datetime]) -> None:
        self._bot = bot
        self._store = store
        self._clock = clock
        self._lock = asyncio.Lock()  # two passes at once could send one delivery twice
        self._outcomes: dict[int, str] = {}
        self._last_flush = time.monotonic()

    async def send_pending(self) -> int:
        """Send every pending delivery once; returns how many were sent."""
        async with self._lock:
            by_chat: dict[int, list[Delivery]] = defaultdict(list)
            for delivery in self._store.pending_deliveries():
                by_chat[delivery.chat_id].append(delivery)
            slots = asyncio.Semaphore(CHATS_IN_PARALLEL)

            async def send_chat(deliveries: list[Delivery]) -> int:
                async with slots:
                    return await self._send_chat(deliveries)

            sent = await asyncio.gather(*(send_chat(batch) for batch in by_chat.values()))
            self._record()
            return sum(sent)

    async def _send_chat(self, deliveries: list[Delivery]) -> int:
        sent = 0
        chat_id = deliveries[0].chat_id
        for delivery in deliveries:
            if delivery.target and delivery.target not in self._store.follows_of(chat_id):
                self._finish(delivery, DROPPED)  # unfollowed while it waited
                continue
            try:
                await self._send(chat_id, delivery)
            except ChatMigrated as exc:
                log.info("chat %s moved to %s", chat_id, exc.new_chat_id)
                self._store.migrate_chat(chat_id, exc.new_chat_id)
                chat_id = exc.new_chat_id
                if not await self._send_retrying_once(chat_id, delivery):
                    return sent
            except ChatUnreachableErrors as exc:
                log.info("chat %s is unreachable (%s); holding its alerts", chat_id, exc.message)
                self._store.set_paused(chat_id, True)
                return sent
            except BadRequest as exc:
                log.error(
                    "Telegram refused alert %s for chat %s: %s", delivery.key, chat_id, exc.message
                )
                self._finish(delivery, FAILED)
                continue
            except TryLaterErrors as exc:
                log.warning("sending to chat %s failed for now: %s", chat_id, exc)
                return sent
            self._finish(delivery, SENT)
            sent += 1
        return sent

    async def _send(self, chat_id: int, delivery: Delivery) -> None:
        """One alert, with its Unfollow and Status buttons (a summary has no target, no buttons)."""
        keyboard = alert_keyboard(delivery.target) if delivery.target else None
        await self._bot.send_message(chat_id, delivery.text, reply_markup=keyboard)

    async def _send_retrying_once(self, chat_id: int, delivery: Delivery) -> bool:
        try:
            await self._send(chat_id, delivery)
        except BadRequest as exc:
            log.error("Telegram refused alert %s for chat %s: %s", delivery.key, chat_id, exc)
            self._finish(delivery, FAILED)
            return True
        except (*ChatUnreachableErrors, *TryLaterErrors, ChatMigrated) as exc:
            log.warning("sending to migrated chat %s failed for now: %s", chat_id, exc)
            return False
        self._finish(delivery, SENT)
        return True

    def _finish(self, delivery: Delivery, outcome: str) -> None:
        self._outcomes[delivery.id] = outcome
        if time.monotonic() - self._last_flush >= FLUSH_EVERY_SECONDS:
            self._record()

    def _record(self) -> None:
        outcomes, self._outcomes = self._outcomes, {}
        self._last_flush = time.monotonic()
        self._store.finish_deliveries(outcomes, self._clock())
