"""One pace for every message the bot sends: Telegram takes about 30 a second from a bot in all.

Alerts (bot/sender.py) and replies to commands share it, so a fan-out to thousands of chats goes
as fast as the replies leave room for, and the two together never burst past Telegram's limit into
429s (which cost a second's wait each). Messages take slots of an even grid, one at a time. Alerts
queue for their slots one behind another, and a reply waiting takes a slot before them: it waits
a slot at most, never behind a fan-out's queue. Telegram counts a second's messages as they reach
it, which may be later than they left: so the 30th message goes a second after the 1st's answer
came back (by then the 1st has surely arrived), not after it left. Counted from when they left, a
34 ms hiccup put 30 into one of Telegram's seconds (bench_fanout: a 429 in 4 runs of 5).

Several processes on one PostgreSQL share Telegram's limit too: after its own slot, a message
takes the next slot of a grid all of them share (`shared_slot`: the store's `send_slot`, one
row updated per message; with TinyDB there is one process, and no wait).

`PacedRateLimiter` puts the pace behind python-telegram-bot's own rate limiter (groups' 20 a
minute): every message endpoint passes through both, and a message takes its slot as it is about
to go, so one its group's limit holds back neither wastes a slot nor holds the others' seconds.
It retries flood waits itself (`FloodHolds`), as Telegram means them: a 429 for one chat holds
that chat only, so a reply to another is tried at once; a 429 with no chat, or 429s for two
chats within a second (the bot's own limit), hold every send. python-telegram-bot's limiter
would hold every request after any 429.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import logging
import math
from collections import deque
from collections.abc import AsyncIterator, Awaitable, Callable, Coroutine
from datetime import timedelta
from typing import Any, TypeVar

from telegram.error import RetryAfter
from telegram.ext import AIORateLimiter

from bot.metrics import TELEGRAM_FLOODS, TELEGRAM_SENT

R = TypeVar("R")

# Slots are spaced for 29.5 a second, but never more than 29 in any second: one under Telegram's
# 30 leaves room for requests that reach it closer together than they left (a 429 costs a
# second's wait).
MESSAGES_PER_SECOND = 29.5
MOST_IN_A_SECOND = 29
# A request still unanswered this long after it left (a slow network, a timeout to come) is taken
# to have reached Telegram by then, so that one hung request never stops the others.
LONGEST_FLIGHT = 1.0
# The grid processes share: a little wider, as requests from several hosts bunch more on the way.
SHARED_PER_SECOND = 28.5
# A slot missed by a moment (a late wake-up) still counts, so lateness never slows the pace; a
# longer lull is not made up in a burst.
LATENESS_KEPT = 0.25
MESSAGE_ENDPOINTS = frozenset({"sendMessage", "sendPhoto", "sendDocument", "sendMediaGroup"})
AN_ALERT = "alert"  # the `rate_limit_args` the sender passes with each alert
# 429s for two chats this close together are the bot's own limit, not one chat's.
SHARED_FLOOD_WITHIN = 1.0
# A flood wait is kept a little longer than asked, as python-telegram-bot does.
FLOOD_MARGIN = 0.1


async def no_shared_slot(gap: float) -> float:
    return 0.0


class _Slot:
    """A message's slot: when it went, and whether its answer has come back (then `at` is when
    that was). The request is made inside it (`with slot:`); leaving it is the answer."""

    __slots__ = ("answered", "at")

    def __init__(self, at: float) -> None:
        self.at = at
        self.answered = False

    def __enter__(self) -> None:
        pass

    def __exit__(self, *_: object) -> None:
        self.at, self.answered = asyncio.get_running_loop().time(), True


class Pacer:
    def __init__(
        self,
        shared_slot: Callable[[float], Awaitable[float]] = no_shared_slot,
        per_second: float = MESSAGES_PER_SECOND,
        most_in_a_second: int = MOST_IN_A_SECOND,
    ) -> None:
        """`shared_slot(gap)` reserves the next slot of a grid shared with other processes,
        `gap` seconds apart, and says in how many seconds it comes."""
        self._shared_slot = shared_slot
        self._gap = 1 / per_second
        self._next = -math.inf  # loop time of the next free slot
        self._last: deque[_Slot] = deque(maxlen=most_in_a_second)  # the latest ones
        self._alerts = asyncio.Lock()
        self._replies_waiting = 0

    @contextlib.asynccontextmanager
    async def alert(self) -> AsyncIterator[None]:
        """An alert's slot, for the request in its body: behind the alerts before it, and any
        reply waiting."""
        async with self._alerts:
            slot = await self._turn(lambda: self._replies_waiting == 0)
        with slot:
            yield

    @contextlib.asynccontextmanager
    async def reply(self) -> AsyncIterator[None]:
        """A reply's slot, for the request in its body: the next free one."""
        self._replies_waiting += 1
        try:
            slot = await self._turn(lambda: True)
        finally:
            self._replies_waiting -= 1
        with slot:
            yield

    async def _turn(self, may_go: Callable[[], bool]) -> _Slot:
        loop = asyncio.get_running_loop()
        while (wait := self._wait(loop.time(), may_go)) > 0:
            await asyncio.sleep(wait)
        now = loop.time()
        self._next = max(self._next, now - self._gap * LATENESS_KEPT) + self._gap
        slot = _Slot(now)
        self._last.append(slot)
        if (shared := await self._shared_slot(1 / SHARED_PER_SECOND)) > 0:
            await asyncio.sleep(shared)
        return slot

    def _wait(self, now: float, may_go: Callable[[], bool]) -> float:
        """How long until a message may go: 0 when it may go now."""
        wait = self._next - now
        if len(self._last) == self._last.maxlen:
            first = self._last[0]
            if not first.answered and now < first.at + LONGEST_FLIGHT:
                return self._gap / 10  # a moment: its answer is due
            reached = first.at if first.answered else first.at + LONGEST_FLIGHT
            wait = max(wait, reached + 1 - now)
        if wait <= 0 and not may_go():
            return self._gap / 10  # a moment, for the reply due at the same slot to take it
        return max(wait, 0.0)


class FloodHolds:
    """The flood waits Telegram asked for, by chat and for every chat, in loop time."""

    def __init__(self) -> None:
        self._chats: dict[object, float] = {}  # chat -> until when it is held
        self._all = -math.inf
        self._last: tuple[object, float] = (None, -math.inf)  # the last 429's chat, and when

    def hold(self, chat: object, seconds: float, now: float) -> None:
        """A 429 asking for `seconds`, for a request to `chat` (None: not a chat's)."""
        until = now + seconds + FLOOD_MARGIN
        last_chat, last_at = self._last
        if chat is None or (last_chat != chat and now - last_at < SHARED_FLOOD_WITHIN):
            self._all = max(self._all, until)
        else:
            self._chats[chat] = max(self._chats.get(chat, -math.inf), until)
        self._last = (chat, now)

    def wait(self, chat: object, now: float) -> float:
        """How long a request to `chat` must wait: 0 when it may go."""
        held = self._chats.get(chat, -math.inf)
        if held <= now:
            self._chats.pop(chat, None)
        return max(0.0, self._all - now, held - now)


class PacedRateLimiter(AIORateLimiter):
    """python-telegram-bot's AIORateLimiter, behind the shared pace for message endpoints, with
    flood waits held per chat (`FloodHolds`)."""

    def __init__(self, pacer: Pacer, max_retries: int) -> None:
        # Its own retries would hold every request after any 429: these are retried here.
        super().__init__(max_retries=0)
        logging.getLogger("telegram.ext.AIORateLimiter").addFilter(_NOT_ITS_LAST_RETRY)
        self.pacer = pacer
        self.holds = FloodHolds()
        self._max_retries_here = max_retries

    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | dict[str, Any] | list[dict[str, Any]]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | str | None,
    ) -> bool | dict[str, Any] | list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        chat = data.get("chat_id")
        retries = rate_limit_args if isinstance(rate_limit_args, int) else self._max_retries_here
        for attempt in itertools.count():
            while (wait := self.holds.wait(chat, loop.time())) > 0:
                await asyncio.sleep(wait)
            request = callback
            if endpoint in MESSAGE_ENDPOINTS:
                slot = self.pacer.alert if rate_limit_args == AN_ALERT else self.pacer.reply
                request = _in_a_slot(callback, slot)
            try:
                answer = await super().process_request(request, args, kwargs, endpoint, data, None)
            except RetryAfter as exc:
                TELEGRAM_FLOODS.inc()
                if attempt >= retries:
                    raise
                self.holds.hold(chat, _seconds(exc.retry_after), loop.time())
                continue
            if endpoint in MESSAGE_ENDPOINTS:
                TELEGRAM_SENT.inc()
            return answer
        raise AssertionError("unreachable: the loop returns or raises")


def _in_a_slot(
    callback: Callable[..., Coroutine[Any, Any, R]],
    slot: Callable[[], contextlib.AbstractAsyncContextManager[None]],
) -> Callable[..., Coroutine[Any, Any, R]]:
    """`callback` (the request itself) sent in a slot of the pace, taken as it is about to go:
    after any wait python-telegram-bot's limiter made it do for its group."""

    async def in_a_slot(*args: Any, **kwargs: Any) -> R:
        async with slot():
            return await callback(*args, **kwargs)

    return in_a_slot


def _seconds(wait: int | timedelta) -> float:
    return wait.total_seconds() if isinstance(wait, timedelta) else float(wait)


class _NotItsLastRetry(logging.Filter):
    """python-telegram-bot logs every 429 it passes on as its 'last retry' failing (with a
    traceback): with retries made here, that is a retry to come, not a failure."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Rate limit hit after maximum")


_NOT_ITS_LAST_RETRY = _NotItsLastRetry()
