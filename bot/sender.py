"""Sending queued deliveries to Telegram, and what each Telegram refusal means for a chat.

I/O at the edge, in a task of its own (`run`), apart from polling: a poll cycle queues deliveries
and wakes it, so a Telegram flood wait delays sends and nothing else. Each pass reads the pending
deliveries from the store and sends them in order per chat (chats in parallel, on the pace all
messages share: bot/pacing.py, in front of python-telegram-bot's limiter, which keeps groups'
limits). With several processes on one database, only the one that leads sends.
Each outcome is stored durably (`note_outcome`) before the next message of that chat goes, so a
crash repeats at most the messages in flight, and the outcomes are folded into the store's keys
every few seconds and at the end of a pass. Renders nothing: deliveries carry their text (a
chat's deliveries of one bundle go as one message, bot.bundles), and every alert gets the same
Unfollow, Status and Alert settings buttons; a message goes silently when the follow is set
silent or in the chat's quiet hours, decided as it goes, so it is never held back for them.

A send that may have reached Telegram (it timed out, or the connection dropped, after the request
was written) is tried once more and then taken as sent: at most one duplicate, never a storm.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Sequence
from datetime import datetime

import httpx
from telegram import Bot
from telegram.error import BadRequest, ChatMigrated, Forbidden, NetworkError, RetryAfter

from bot.bundles import Message, gather
from bot.callbacks import alert_keyboard
from bot.health import Health
from bot.logs import log_context
from bot.metrics import ALERTS
from bot.pacing import AN_ALERT
from bot.slices import with_workers
from bot.sources.base import split_target
from bot.storage.port import DROPPED, FAILED, SENT, UNSURE, Delivery, SaveError, Storage

log = logging.getLogger(__name__)
# The chat blocked the bot, left or was deleted: hold its deliveries until it talks again.
ChatUnreachableErrors = (Forbidden,)
# Telegram or the network is struggling: leave the delivery pending for the next pass.
TryLaterErrors = (RetryAfter, NetworkError)
# Transport failures that prove the request never reached Telegram; any other (a read timeout,
# a dropped connection) came after it was written.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
# The journal makes outcomes durable at once; folding it into the store only keeps it short.
FOLD_EVERY_SECONDS = 5.0
# Each worker has at most one message in flight, which a hard crash may repeat; 8 keep up with
# Telegram's 30 messages a second at round trips up to about 250 ms.
CHATS_IN_PARALLEL = 8
LOOK_AGAIN_SECONDS = 5.0
IN_FLIGHT_GRACE_SECONDS = 2.0  # at a stop, for a request already sent to be answered


class Sender:
    def __init__(
        self,
        bot: Bot,
        store: Storage,
        clock: Callable[[], datetime],
        health: Health | None = None,
    ) -> None:
        """`health`: where what waits and what went out are told."""
        self._bot = bot
        self._store = store
        self._clock = clock
        self._health = health or Health({}, clock())
        self._lock = asyncio.Lock()  # two passes at once could send one delivery twice
        self._wake = asyncio.Event()
        self._last_fold = time.monotonic()

    def wake(self) -> None:
        """There may be something to send."""
        self._wake.set()

    async def run(self) -> None:
        """Send whenever woken, and every LOOK_AGAIN_SECONDS (network trouble left some
        pending, a paused chat came back), until cancelled."""
        while True:
            try:
                await self.send_pending()
            except Exception:
                log.exception("sending pass failed")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), LOOK_AGAIN_SECONDS)
            self._wake.clear()

    async def send_pending(self) -> int:
        """Send every pending delivery once; returns how many were sent. Only the process that
        leads sends (bot.storage.port.lead): two would send a delivery twice."""
        if not await self._store.lead():
            return 0
        async with self._lock:
            by_chat: dict[int, list[Delivery]] = defaultdict(list)
            pending = await self._store.pending_deliveries(self._clock())
            for delivery in pending:
                by_chat[delivery.chat_id].append(delivery)
            oldest = min((d.created for d in pending if d.created is not None), default=None)
            self._health.queued(len(pending), oldest)
            try:
                sent = await with_workers(
                    list(by_chat.values()), self._send_chat, CHATS_IN_PARALLEL
                )
            finally:
                await self._fold()
            return sum(sent)

    async def _send_chat(self, deliveries: list[Delivery]) -> int:
        with log_context(chat=deliveries[0].chat_id):
            return await self._send_deliveries(deliveries)

    async def _send_deliveries(self, deliveries: list[Delivery]) -> int:
        sent = 0
        chat_id = deliveries[0].chat_id
        follows = await self._store.follows_of(chat_id)
        sendable = []
        for delivery in deliveries:
            if delivery.target and delivery.target not in follows:
                await self._finish(delivery, DROPPED)  # unfollowed while it waited
            else:
                sendable.append(delivery)
        messages = gather(sendable)
        for index, message in enumerate(messages):
            try:
                await self._deliver(chat_id, message)
            except ChatMigrated as exc:
                log.info("chat %s moved to %s", chat_id, exc.new_chat_id)
                await self._store.migrate_chat(chat_id, exc.new_chat_id)
                chat_id = exc.new_chat_id
                if not await self._send_retrying_once(chat_id, message):
                    return sent
            except ChatUnreachableErrors as exc:
                log.info("chat %s is unreachable (%s); holding its alerts", chat_id, exc.message)
                with contextlib.suppress(SaveError):  # logged; the next pass asks again
                    await self._store.set_paused(chat_id, True)
                _count([d for held in messages[index:] for d in held.deliveries], "held")
                return sent
            except BadRequest as exc:
                log.error("Telegram refused alert %s for chat %s: %s", _keys(message), chat_id,
                          exc.message)  # fmt: skip
                await self._finish(message, FAILED)
                continue
            except TryLaterErrors as exc:
                if await self._maybe_sent(message, exc):
                    sent += 1
                    continue
                log.warning("sending to chat %s failed for now: %s", chat_id, exc)
                return sent
            await self._finish(message, SENT)
            sent += 1
        return sent

    async def _maybe_sent(self, message: Message[Delivery], failure: Exception) -> bool:
        """Whether a failed send is to be taken as sent: it may have reached Telegram, and this
        was already its second try. A first such failure is noted, so the retry is the last."""
        cause = failure.__cause__
        if not isinstance(cause, httpx.TransportError) or isinstance(cause, _NOT_SENT):
            return False  # Telegram answered (a flood wait, a 5xx), or the request never left
        if message.deliveries[0].unsure:
            log.warning("alert %s may have gone twice; not sending it again", _keys(message))
            await self._finish(message, SENT)
            return True
        for delivery in message.deliveries:
            await self._store.note_outcome(delivery.id, UNSURE)
        return False

    async def _deliver(self, chat_id: int, message: Message[Delivery]) -> None:
        """`_send`, but a stop (cancellation) lets the request in flight finish and notes it,
        rather than cutting it off and sending it again at the next start."""
        request = asyncio.ensure_future(self._send(chat_id, message))
        try:
            await asyncio.shield(request)
        except asyncio.CancelledError:
            await asyncio.wait([request], timeout=IN_FLIGHT_GRACE_SECONDS)
            if request.done() and not request.cancelled() and request.exception() is None:
                for delivery in message.deliveries:
                    await self._store.note_outcome(delivery.id, SENT)
            else:
                request.cancel()  # still waiting (a flood wait): it had not gone
            raise

    async def _send(self, chat_id: int, message: Message[Delivery]) -> None:
        """One message, with its alert's Unfollow, Status and Alert settings buttons (a summary,
        a digest or a bundle of several follows' alerts has none); silent if the follow is, or
        in the chat's quiet hours."""
        target = message.deliveries[0].target if message.bundle is None else ""
        keyboard = alert_keyboard(target) if target else None
        silent = await self._store.silent(chat_id, target, self._clock())
        await self._bot.send_message(
            chat_id,
            message.text,
            reply_markup=keyboard,
            disable_notification=silent,
            rate_limit_args=AN_ALERT,  # it queues behind other alerts, never before a reply
        )

    async def _send_retrying_once(self, chat_id: int, message: Message[Delivery]) -> bool:
        try:
            await self._send(chat_id, message)
        except BadRequest as exc:
            log.error("Telegram refused alert %s for chat %s: %s", _keys(message), chat_id, exc)
            await self._finish(message, FAILED)
            return True
        except (*ChatUnreachableErrors, *TryLaterErrors, ChatMigrated) as exc:
            log.warning("sending to migrated chat %s failed for now: %s", chat_id, exc)
            return False
        await self._finish(message, SENT)
        return True

    async def _finish(self, done: Delivery | Message[Delivery], outcome: str) -> None:
        deliveries = done.deliveries if isinstance(done, Message) else (done,)
        for delivery in deliveries:
            await self._store.note_outcome(delivery.id, outcome)
        _count(deliveries, _EVENTS[outcome])
        if outcome == SENT:
            self._health.sent(self._clock())
        if time.monotonic() - self._last_fold >= FOLD_EVERY_SECONDS:
            await self._fold()

    async def _fold(self) -> None:
        self._last_fold = time.monotonic()
        await self._store.fold_outcomes(self._clock())
        # From the end of the write: a slow write must not make the next one come sooner.
        self._last_fold = time.monotonic()


_EVENTS = {SENT: "sent", FAILED: "failed", DROPPED: "dropped"}


def _count(deliveries: Sequence[Delivery], event: str) -> None:
    """Count alerts for the metrics, by their target's kind (a message about no one target, such
    as a summary, as `summary`)."""
    for delivery in deliveries:
        kind = split_target(delivery.target)[0] if delivery.target else "summary"
        ALERTS.labels(kind, event).inc()


def _keys(message: Message[Delivery]) -> str:
    return ", ".join(delivery.key for delivery in message.deliveries)
