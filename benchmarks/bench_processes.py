"""Benchmark: two bot processes on one PostgreSQL, in webhook mode behind a reverse proxy.

Real processes (`python -m bot`) against the test suite's fakes on 127.0.0.1: a Bot API that
answers 429 beyond Telegram's 30 messages a second, a petitions site, and a proxy that sends each
update to the next process in turn. Two measures:

- the fan-out: every chat follows one petition, its count crosses a milestone, and one alert
  goes to each chat from the leading process, while a user sends /help to both processes at 0,
  2 and 4 a second: messages a second in all (alerts and replies), 429s, and the replies' p50/p95;
- the takeover: the leading process is killed (SIGKILL) again and again, restarted each time;
  how long until the other one leads.

    python benchmarks/bench_processes.py --postgres postgresql://postgres@127.0.0.1:5432/postgres
        [--chats 2000] [--commands 0 2 4] [--kills 5]

Each figure comes with the counts that show the work was done; it fails rather than print a fast
number for work not done.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import os
import signal
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from urllib.parse import urlsplit

import psycopg

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.storage.port import ChatRecord, FollowRecord, Snapshot  # noqa: E402
from bot.storage.postgres import PostgresStore  # noqa: E402
from tests.conftest import TOKEN  # noqa: E402
from tests.fakes.govuk import FakeGovuk  # noqa: E402
from tests.fakes.parliament import FakeParliament  # noqa: E402
from tests.fakes.petitions import FakePetitions  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402
from tests.processes import LEADS, BotProcess, running_processes  # noqa: E402
from tests.samples import OPEN_BELOW_10K  # noqa: E402

ASKER = 1001
FIRST_CHAT = 2_000_000


@contextlib.contextmanager
def fresh_database(server: str) -> Iterator[str]:
    name = f"bench_processes_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            yield urlsplit(server)._replace(path=f"/{name}").geturl()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def seed(url: str, chats: int) -> None:
    store = PostgresStore.open(url)
    follows = (FollowRecord("petition:300412", False, None),)
    records = {FIRST_CHAT + n: ChatRecord(False, None, follows) for n in range(chats)}
    await store.load(Snapshot(records, {}, [], set(), {}, {}, {}))
    await store.close()


@contextlib.asynccontextmanager
async def two_processes(url: str, fakes: dict) -> AsyncIterator[list[BotProcess]]:
    with tempfile.TemporaryDirectory() as directory:
        async with running_processes(Path(directory), url, fakes) as (bots, _):
            yield bots


async def fan_out(server: str, chats: int, per_second: float) -> str:
    telegram, petitions = FakeTelegram(TOKEN), FakePetitions()
    fakes = {"telegram": telegram, "petitions": petitions, "govuk": FakeGovuk(),
             "parliament": FakeParliament()}  # fmt: skip
    for fake in fakes.values():
        await fake.start()
    telegram.max_per_second = 30
    petitions.add(300412, OPEN_BELOW_10K)
    try:
        with fresh_database(server) as url:
            await seed(url, chats)
            async with two_processes(url, fakes):
                store = PostgresStore(url)
                async with asyncio.timeout(60):  # the leader's first cycle: the baseline
                    while not (await store.target_state("petition:300412")):
                        await asyncio.sleep(0.2)
                await store.close()
                start = len(telegram.sent)
                petitions.update(300412, signature_count=5_002)
                latencies = await ask_while_sending(telegram, chats, per_second)
                sent = telegram.sent[start:]
                alerts = [m for m in sent if m.chat_id >= FIRST_CHAT]
                assert len(alerts) == chats, (len(alerts), chats)
                seconds = telegram.sent_times[-1] - telegram.sent_times[start]
    finally:
        for fake in fakes.values():
            await fake.stop()
    replies = (
        f"replies p50 {statistics.median(latencies) * 1000:.0f} ms, "
        f"p95 {sorted(latencies)[int(len(latencies) * 0.95)] * 1000:.0f} ms (n={len(latencies)})"
        if latencies
        else "no commands"
    )
    return (
        f"{chats:,} chats, {per_second:g} commands/s: {len(alerts):,} alerts and "
        f"{len(sent) - len(alerts)} replies in {seconds:.1f} s = {len(sent) / seconds:.1f} "
        f"messages/s, {telegram.floods} 429s; {replies}"
    )


async def ask_while_sending(telegram: FakeTelegram, chats: int, per_second: float) -> list[float]:
    """Send /help at `per_second` until every chat has its alert; each reply's latency."""
    latencies: list[float] = []
    waiting: list[asyncio.Task[None]] = []

    async def ask() -> None:
        seen = len(telegram.messages_to(ASKER))
        asked = time.perf_counter()
        telegram.user_says(ASKER, "/help")
        await telegram.next_message(ASKER, after=seen, timeout=30)
        latencies.append(time.perf_counter() - asked)

    def done() -> bool:
        return sum(m.chat_id >= FIRST_CHAT for m in telegram.sent) >= chats

    while not done():
        if per_second:
            waiting.append(asyncio.create_task(ask()))
            await asyncio.sleep(1 / per_second)
        else:
            await telegram.wait_until(done, 600)
    await asyncio.gather(*waiting)
    return latencies


async def takeovers(server: str, kills: int) -> str:
    fakes = {"telegram": FakeTelegram(TOKEN), "petitions": FakePetitions(),
             "govuk": FakeGovuk(), "parliament": FakeParliament()}  # fmt: skip
    for fake in fakes.values():
        await fake.start()
    times = []
    try:
        with fresh_database(server) as url:
            await seed(url, 10)
            async with two_processes(url, fakes) as bots:
                for _ in range(kills):
                    async with asyncio.timeout(30):
                        while not any(bot.said(LEADS) for bot in bots):
                            await asyncio.sleep(0.01)
                    [leader] = [bot for bot in bots if bot.said(LEADS)]
                    [other] = [bot for bot in bots if bot is not leader]
                    killed = time.perf_counter()
                    await leader.end(signal.SIGKILL)
                    await other.wait_for(LEADS, 30)
                    times.append(time.perf_counter() - killed)
                    leader.lines.clear()
                    await leader.start()  # back as a follower
                    await leader.wait_for("Receiving updates on")
                    other.lines.clear()
                    other.lines.append(LEADS)  # still leads
    finally:
        for fake in fakes.values():
            await fake.stop()
    assert len(times) == kills
    return (
        f"{kills} kills of the leader: the other led after {statistics.median(times):.2f} s "
        f"(median), {max(times):.2f} s at most, at a 0.5 s poll interval"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--postgres", required=True, help="a PostgreSQL server's URL")
    parser.add_argument("--chats", type=int, default=2_000)
    parser.add_argument("--commands", type=float, nargs="+", default=[0, 2, 4])
    parser.add_argument("--kills", type=int, default=5)
    args = parser.parse_args()
    for per_second in args.commands:
        print(asyncio.run(fan_out(args.postgres, args.chats, per_second)), flush=True)
    print(asyncio.run(takeovers(args.postgres, args.kills)))


if __name__ == "__main__":
    main()
