"""Telegram faults, end to end: an answer lost or late (the message may have gone through) is
retried at most once; a long flood wait delays sends but not polling; Telegram down loses
nothing. Each counts what every chat received against what it should have.
"""

from __future__ import annotations

import asyncio
import time
from collections import Counter

import pytest

from tests.conftest import TOKEN, running_bot
from tests.e2e import ask
from tests.samples import OPEN_BELOW_10K

CHATS = [2000 + n for n in range(20)]
MILESTONE = "📈 <b>5,000 signatures</b>"


async def followed_by_all(telegram, petitions) -> None:
    petitions.add(300412, OPEN_BELOW_10K)
    for chat in CHATS:
        await ask(telegram, chat, "/follow 300412")


def copies(telegram) -> Counter[int]:
    """How many copies of the milestone alert each chat received."""
    return Counter(m.chat_id for m in telegram.sent if m.text.startswith(MILESTONE))


async def settled(telegram, seconds: float) -> None:
    """Until nothing was sent for `seconds`: a test of "no more copies" can only wait."""
    last = len(telegram.sent)
    quiet_since = time.monotonic()
    while time.monotonic() - quiet_since < seconds:
        await asyncio.sleep(0.05)
        if len(telegram.sent) != last:
            last, quiet_since = len(telegram.sent), time.monotonic()


async def test_a_lost_answer_is_retried_once_and_a_second_loss_is_taken_as_sent(
    telegram, petitions, make_config
):
    async with running_bot(make_config()):
        await followed_by_all(telegram, petitions)
        # The first 30 alerts reach the chats, but Telegram's answers never reach the bot.
        telegram.replies_to_lose = 30
        petitions.update(300412, signature_count=5_002)
        await telegram.wait_until(lambda: set(copies(telegram)) == set(CHATS), timeout=20)
        await settled(telegram, 2.0)  # several cycles, each of which wakes the sender
    received = copies(telegram)
    # 20 first tries lost their answers (delivered), then 10 of the 20 retries did too: every
    # chat has the alert, none more than twice, and no alert was sent a third time.
    assert set(received) == set(CHATS) and max(received.values()) == 2
    assert sum(received.values()) == 40


@pytest.mark.slow
async def test_a_slow_telegram_repeats_an_alert_at_most_once(telegram, petitions, make_config):
    async with running_bot(make_config()):
        await followed_by_all(telegram, petitions)
        telegram.reply_delay = 6.0  # past python-telegram-bot's 5 s read timeout
        petitions.update(300412, signature_count=5_002)
        await telegram.wait_until(lambda: set(copies(telegram)) == set(CHATS), timeout=60)
        await settled(telegram, 15.0)
    assert max(copies(telegram).values()) <= 2


async def test_a_long_flood_wait_delays_sends_but_not_polling(telegram, petitions, make_config):
    async with running_bot(make_config()):
        await followed_by_all(telegram, petitions)
        telegram.flood_answers, telegram.flood_retry_after = 1, 4
        petitions.update(300412, signature_count=5_002)
        await telegram.wait_until(lambda: telegram.flood_answers == 0)
        waiting_since = petitions.requests[300412]
        # Polls go on through the wait (about one every 0.5 s).
        await petitions.wait_until(lambda: petitions.requests[300412] >= waiting_since + 4)
        assert len(copies(telegram)) < len(CHATS)
        await telegram.wait_until(lambda: set(copies(telegram)) == set(CHATS), timeout=20)
        await settled(telegram, 1.0)
    assert set(copies(telegram).values()) == {1}


async def test_a_flood_wait_for_one_chat_never_holds_a_reply_to_another(telegram, make_config):
    ann, bob = 1001, 1002
    async with running_bot(make_config()):
        telegram.flooded[ann] = time.monotonic() + 3  # Ann's chat is held for 3 s
        asked = time.monotonic()
        telegram.user_says(ann, "/help")
        await telegram.wait_until(lambda: ann in telegram.attempts)  # and met the 429
        assert "/follow" in await ask(telegram, bob, "/help")
        assert time.monotonic() - asked < 1.0
        # Ann's reply is tried again once her wait is over, and comes once.
        reply = await telegram.next_message(ann, after=0, timeout=10)
        assert "/follow" in reply
        assert 3.0 <= time.monotonic() - asked < 5.0
        assert len(telegram.messages_to(ann)) == 1


async def test_flood_waits_for_two_chats_at_once_hold_every_reply(telegram, make_config):
    ann, bob, cat = 1001, 1002, 1003
    async with running_bot(make_config()):
        held = time.monotonic() + 2
        telegram.flooded |= {ann: held, bob: held}  # the bot's own limit, as Telegram says it
        telegram.user_says(ann, "/help")
        telegram.user_says(bob, "/help")
        await telegram.wait_until(lambda: {ann, bob} <= set(telegram.attempts))
        await ask(telegram, cat, "/help")
        assert time.monotonic() >= held - 0.5  # Cat's waited with the others
        for chat in (ann, bob):
            await telegram.next_message(chat, after=0, timeout=10)


async def test_telegram_down_loses_nothing_and_repeats_nothing(telegram, petitions, make_config):
    async with running_bot(make_config()):
        await followed_by_all(telegram, petitions)
        telegram.down = True
        petitions.update(300412, signature_count=5_002)
        await telegram.wait_until(lambda: len(telegram.attempts) > len(CHATS) * 2)
        telegram.down = False
        await telegram.wait_until(lambda: set(copies(telegram)) == set(CHATS), timeout=20)
        await settled(telegram, 1.0)
    assert set(copies(telegram).values()) == {1}


async def test_a_failing_get_updates_is_one_warning_line_and_recovers(
    telegram, make_config, caplog
):
    path = f"/bot{TOKEN}/getUpdates"
    async with running_bot(make_config()):
        telegram.fail(path, "502")
        failed = telegram.count(path)
        await telegram.wait_until(lambda: telegram.count(path) >= failed + 2, 30)
        telegram.heal(path)
        assert "/follow" in await ask(telegram, 1001, "/help")
    warnings = [r for r in caplog.records if "cannot reach Telegram for updates" in r.message]
    assert warnings and all(r.exc_info is None for r in warnings)
    assert not [r for r in caplog.records if r.name.startswith("handlers") and r.exc_info]


async def test_a_fan_out_stays_under_telegrams_limit_and_commands_are_answered_at_once(
    telegram, petitions, make_config
):
    """Telegram answers 429 past 30 messages in any second. Alerts to 70 chats go out evenly, with
    no 429, while a command asked mid-way is answered without waiting behind them."""
    chats = [3000 + n for n in range(70)]
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        for chat in chats:
            await ask(telegram, chat, "/follow 300412")
        telegram.max_per_second = 30
        petitions.update(300412, signature_count=5_002)
        await telegram.wait_until(lambda: sum(copies(telegram).values()) >= 20)
        asked = time.monotonic()
        assert "doesn't follow anything yet" in await ask(telegram, 1001, "/list")
        assert time.monotonic() - asked < 0.5
        await telegram.wait_until(lambda: set(copies(telegram)) == set(chats), timeout=15)
    assert telegram.floods == 0
    assert max(copies(telegram).values()) == 1
    times = sorted(telegram.sent_times[-70:])
    assert all(later - first > 1 for first, later in zip(times, times[30:], strict=False))
