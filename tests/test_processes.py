"""Several bot processes on one PostgreSQL, in webhook mode, behind one URL.

Real processes (`python -m bot --config …`), a reverse proxy in front of them, the fake Telegram
posting each update to the proxy: a command is answered by whichever process gets it, alerts
come from the one that leads, and when the leader is killed (SIGKILL, no goodbye) the other
takes over and nothing is lost or said twice.
"""

from __future__ import annotations

import asyncio
import signal

import aiohttp
import pytest

from bot.server import SECRET_HEADER
from bot.storage.postgres import PostgresStore
from tests.e2e import ask
from tests.processes import LEADS, SECRET, running_processes
from tests.samples import OPEN_BELOW_10K

ANN, BOB = 1001, 1002


@pytest.fixture
async def processes(tmp_path, telegram, petitions, govuk, parliament, postgres_url):
    fakes = {"telegram": telegram, "petitions": petitions, "govuk": govuk, "parliament": parliament}
    async with running_processes(tmp_path, postgres_url, fakes) as (bots, proxy):
        yield bots, proxy


async def test_two_processes_share_the_work_and_the_survivor_takes_over(
    telegram, petitions, processes
):
    bots, proxy = processes
    petitions.add(300412, OPEN_BELOW_10K)
    assert telegram.webhook == (f"{proxy.base_url}/telegram", SECRET)
    # Commands go to both processes in turn; each answers those it gets.
    assert (await ask(telegram, ANN, "/follow 300412")).startswith("📜 <b>")
    assert (await ask(telegram, ANN, "/list")).startswith("<b>What this chat follows (1)</b>")
    await telegram.wait_until(lambda: telegram.pushed >= 2)  # acknowledged once handled
    assert len(set(proxy.served_by)) == 2
    # One of them leads: the alert comes once.
    async with asyncio.timeout(10):
        while not any(bot.said(LEADS) for bot in bots):
            await asyncio.sleep(0.05)
    [leader] = [bot for bot in bots if bot.said(LEADS)]
    [other] = [bot for bot in bots if bot is not leader]
    petitions.update(300412, signature_count=5_002)
    assert (await telegram.next_message(ANN)).startswith("📈 <b>5,000 signatures</b>")

    await leader.end(signal.SIGKILL)  # mid-whatever: no goodbye, the lock goes with its session
    assert (await ask(telegram, BOB, "/follow 300412")).startswith("📜 <b>")
    await other.wait_for(LEADS, timeout=10)  # within a poll interval or a sending pass
    petitions.update(300412, signature_count=10_004)

    def told(chat: int, words: str) -> int:
        return sum(words in message for message in telegram.messages_to(chat))

    await telegram.wait_until(lambda: told(ANN, "10,000 signatures") and told(BOB, "10,000"), 15)
    assert await other.end(signal.SIGTERM) == 0, "".join(other.lines)
    # All sent by now. Nothing lost, nothing twice but what the kill cut short: Ann's 5,000 may
    # have been sent and not yet noted when its sender died (at most one duplicate per kill).
    assert told(ANN, "10,000 signatures") == told(BOB, "10,000 signatures") == 1
    assert 1 <= told(ANN, "5,000 signatures") <= 2 and told(BOB, "5,000 signatures") == 0


async def test_a_webhook_request_without_the_secret_is_refused(telegram, processes):
    bots, _ = processes
    update = {"update_id": 1, "message": {"message_id": 1, "date": 0, "text": "/start",
              "chat": {"id": ANN, "type": "private"}}}  # fmt: skip
    url = f"http://127.0.0.1:{bots[0].port}/telegram"
    async with aiohttp.ClientSession() as session:
        for headers in ({}, {SECRET_HEADER: "a-guess-at-the-secret-token"}):
            async with session.post(url, json=update, headers=headers) as answer:
                assert answer.status == 403
        async with session.post(url, data=b"{not json", headers={SECRET_HEADER: SECRET}) as answer:
            assert answer.status == 400
    assert telegram.messages_to(ANN) == []


async def test_one_store_leads_at_a_time_and_hands_over_when_it_closes(postgres_url):
    async def leads_soon(store: PostgresStore, seconds: float) -> None:
        # A process killed by the test before may hold the lead until its session is gone.
        async with asyncio.timeout(seconds):
            while not await store.lead():
                await asyncio.sleep(0.05)

    first, second = PostgresStore(postgres_url), PostgresStore(postgres_url)
    try:
        await leads_soon(first, 10)
        assert await first.lead() and not await second.lead()
        await first.close()
        await leads_soon(second, 1)
    finally:
        await first.close()
        await second.close()


async def test_two_processes_keep_to_telegrams_pace_together(telegram, petitions, processes):
    """A fan-out from the leader while both processes answer commands: no 429, at pace."""
    telegram.max_per_second = 30  # Telegram's limit, as a 429 beyond it
    petitions.add(300412, OPEN_BELOW_10K)
    chats = range(2_000, 2_150)
    for chat in chats:
        telegram.user_says(chat, "/follow 300412")
    await telegram.wait_until(lambda: all(telegram.messages_to(chat) for chat in chats), 60)
    start = len(telegram.sent)
    petitions.update(300412, signature_count=5_002)

    async def keep_asking() -> int:
        asked = 0
        while not all(len(telegram.messages_to(chat)) > 1 for chat in chats):
            telegram.user_says(ANN + asked % 2, "/help")  # a command every 0.25 s, to both
            asked += 1
            await asyncio.sleep(0.25)
        return asked

    asked = await asyncio.wait_for(keep_asking(), 60)
    alerts = [m for m in telegram.sent[start:] if m.chat_id in chats]
    assert len(alerts) == len(chats) and asked >= 4
    assert telegram.floods == 0
    seconds = telegram.sent_times[-1] - telegram.sent_times[start]
    assert len(telegram.sent[start:]) / seconds <= 30
