"""The pace all messages share: alerts evenly at the pace, never a burst past it, and a reply
never queued behind a fan-out; Telegram's flood waits held for the chat they are about, or for all
when they are the bot's own."""

from __future__ import annotations

import asyncio

import pytest

from bot.pacing import FLOOD_MARGIN, LONGEST_FLIGHT, FloodHolds, PacedRateLimiter, Pacer


async def test_alerts_go_at_the_pace_and_never_more_in_a_second_than_allowed():
    pacer = Pacer(per_second=52, most_in_a_second=50)
    loop = asyncio.get_running_loop()
    sent: list[float] = []

    async def alert() -> None:
        async with pacer.alert():
            sent.append(loop.time())

    await asyncio.gather(*(alert() for _ in range(100)))
    # Late wake-ups do not slow the pace: 100 alerts at 50 a second take about 2 s...
    assert 99 / 52 <= sent[-1] - sent[0] <= 99 / 50 * 1.15
    # ...and no second holds more than its 50.
    assert max(sum(1 for t in sent if start <= t < start + 1) for start in sent) == 50


async def test_a_reply_goes_ahead_of_the_alerts_queued():
    pacer = Pacer(per_second=20)  # a slot every 50 ms: the 40 alerts queued take two seconds

    async def alert() -> None:
        async with pacer.alert():
            pass

    alerts = [asyncio.create_task(alert()) for _ in range(40)]
    await asyncio.wait(alerts, return_when=asyncio.FIRST_COMPLETED)
    loop = asyncio.get_running_loop()
    asked = loop.time()
    async with pacer.reply():
        pass
    # A slot at most, not forty.
    assert loop.time() - asked <= 1 / 20 + 0.03
    assert sum(1 for task in alerts if not task.done()) >= 30
    for task in alerts:
        task.cancel()
    await asyncio.gather(*alerts, return_exceptions=True)


async def test_a_second_of_messages_is_counted_from_when_the_first_was_answered():
    """Telegram counts messages as they reach it: the 51st goes a second after the 1st's answer
    came back, so a 1st that reached it late never shares a second with the 51st."""
    pacer = Pacer(per_second=200, most_in_a_second=50)
    loop = asyncio.get_running_loop()
    went: list[float] = []
    answered: dict[float, float] = {}

    async def message(flight: float) -> None:
        async with pacer.alert():
            went.append(loop.time())
            await asyncio.sleep(flight)
            answered[flight] = loop.time()

    await asyncio.gather(message(0.2), *(message(0.0) for _ in range(50)))
    assert went[50] >= answered[0.2] + 1 >= went[0] + 1.2


async def test_a_message_never_answered_holds_the_others_a_second_at_most():
    pacer = Pacer(per_second=200, most_in_a_second=50)
    loop = asyncio.get_running_loop()
    went: list[float] = []

    async def message(flight: float) -> None:
        async with pacer.alert():
            went.append(loop.time())
            await asyncio.sleep(flight)

    hung = asyncio.create_task(message(30))
    await asyncio.gather(*(message(0.0) for _ in range(50)))
    assert went[0] + 1 + LONGEST_FLIGHT <= went[50] <= went[0] + 1 + LONGEST_FLIGHT + 0.1
    hung.cancel()
    await asyncio.gather(hung, return_exceptions=True)


async def test_a_message_its_groups_limit_holds_back_holds_no_one_else():
    """python-telegram-bot lets a group have 20 messages a minute: the 21st waits there, and
    takes its slot of the pace only when it goes, so the second it would count in is not held."""
    limiter = PacedRateLimiter(Pacer(per_second=200, most_in_a_second=50), max_retries=0)
    loop = asyncio.get_running_loop()

    async def answered() -> bool:
        return True

    async def send(chat: int) -> object:
        data = {"chat_id": chat}
        return await limiter.process_request(answered, (), {}, "sendMessage", data, None)

    for _ in range(20):
        await send(-100500)  # the group's minute used up
    held = asyncio.create_task(send(-100500))
    await asyncio.sleep(0.05)
    started = loop.time()
    for _ in range(60):  # more than a second's 50: the pace's window moves past the held one
        await send(1001)
    assert loop.time() - started < 1.6  # a slot held since it was granted: 2 s and more
    assert not held.done()
    held.cancel()
    await asyncio.gather(held, return_exceptions=True)


def test_a_flood_wait_for_one_chat_holds_that_chat_only():
    holds = FloodHolds()
    holds.hold(1001, 5, now=100.0)
    assert holds.wait(1001, now=101.0) == pytest.approx(4 + FLOOD_MARGIN)
    assert holds.wait(1002, now=101.0) == 0
    assert holds.wait(1001, now=105.0 + FLOOD_MARGIN) == 0


def test_flood_waits_for_two_chats_within_a_second_hold_every_chat():
    holds = FloodHolds()
    holds.hold(1001, 5, now=100.0)
    holds.hold(1002, 3, now=100.5)  # the bot's own limit, not one chat's
    assert holds.wait(1003, now=101.0) == pytest.approx(2.5 + FLOOD_MARGIN)
    assert holds.wait(1001, now=104.0) == pytest.approx(1 + FLOOD_MARGIN)


def test_flood_waits_for_two_chats_far_apart_stay_each_chats_own():
    holds = FloodHolds()
    holds.hold(1001, 5, now=100.0)
    holds.hold(1002, 5, now=102.0)
    assert holds.wait(1003, now=102.5) == 0
    holds.hold(None, 2, now=110.0)  # not about a chat: everything waits
    assert holds.wait(1003, now=111.0) == pytest.approx(1 + FLOOD_MARGIN)
