"""Benchmark: command latency while the bot polls and sends, with a year of delivery history.

10,000 follows (2,000 chats) over 2,000 petitions, and a year of sent alerts already on record
(200,000 deliveries, in the layout the bot used before history was compacted). Then, for 20
seconds, a poll cycle runs every second (`--interval`; the bot's default is 60 s), in which 100
petitions cross a milestone: 500 alerts, sent at once by an instant stand-in for Telegram. The
petitions come from memory through a stand-in for the network (see NetworkPetitions). Meanwhile a
"user" sends a command every 20 ms: a /follow or /unfollow (of a petition others follow, so no
fetch) through the real service, which writes the subscriptions file. Its latency runs from when
it was due, so it includes any time the event loop was busy elsewhere (serialising, writing,
sending) and any queue of commands that built up meanwhile.

It uses only what earlier versions also had (the store is opened from seeded files, the poller
and sender drive it), so it runs on them too, for before and after:

    python benchmarks/bench_history.py [--deliveries 200000] [--seconds 20] [--interval 1]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import resource
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_store import FIRST_ID, FIXTURE, MemoryPetitions, SilentBot, percentiles
from benchmarks.bench_store import seed as seed_subscriptions
from bot.following import FollowService
from bot.poller import Poller
from bot.sender import Sender
from bot.sources.petitions.kind import PetitionKind
from bot.sources.petitions.plan import Plan
from bot.sources.petitions.source import PetitionSource
from bot.storage.tinydb_store import TinyDBStore, tracking_path

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FETCH_SECONDS = 0.002  # far quicker than the real site: the cycle stays CPU-bound
CONNECTIONS = 8


class NetworkPetitions(MemoryPetitions):
    """Serves from memory, but as the network would: each fetch takes FETCH_SECONDS, and at
    most CONNECTIONS run at once (the HTTP client's default per-host limit), so answers arrive
    spread over the cycle rather than all in the same instant."""

    def __init__(self, template: dict[str, Any], count: int) -> None:
        super().__init__(template, count)
        self._connections = asyncio.Semaphore(CONNECTIONS)

    async def fetch(self, petition_id: int, **options: Any) -> Any:
        async with self._connections:
            await asyncio.sleep(FETCH_SECONDS)
        return await super().fetch(petition_id, **options)


def seed(path: Path, follows: int, petitions: int, deliveries: int) -> None:
    """Subscriptions, and a year of sent deliveries in the old (uncompacted) layout."""
    path.parent.mkdir(parents=True, exist_ok=True)
    seed_subscriptions(path, follows, petitions)
    history = {}
    for n in range(deliveries):
        chat = n % (follows // 5)
        sent = (NOW - timedelta(days=365 * n / deliveries)).isoformat()
        history[str(n + 1)] = {
            "chat_id": 1_000_000 + chat,
            "target": f"petition:{FIRST_ID + (chat * 5 + n) % petitions}",
            "key": f"petition:{FIRST_ID + (chat * 5 + n) % petitions}:milestone:{n}",
            "same_as": [],
            "text": "",
            "status": "sent",
            "created_at": sent,
            "sent_at": sent,
        }
    tracking_path(path).write_text(json.dumps({"deliveries": history}))


async def run(
    follows: int, petitions: int, deliveries: int, seconds: float, interval: float
) -> None:
    template = json.loads(FIXTURE.read_text(encoding="utf-8"))
    upstream = NetworkPetitions(template, petitions + 1)
    clock_now = [NOW]

    def clock() -> datetime:
        return clock_now[0]

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "alerts.json"
        seed(path, follows, petitions, deliveries)
        before = tracking_path(path).stat().st_size / 1e6
        opened = time.perf_counter()
        store = TinyDBStore(path)
        opening = time.perf_counter() - opened
        source = PetitionSource(upstream, Plan.EACH)  # type: ignore[arg-type]
        service = FollowService(store, [PetitionKind(source, frozenset())], 10_000, clock)
        bot = SilentBot()
        sender = Sender(bot, store, clock)  # type: ignore[arg-type]
        poller = Poller(store, {source.name: source}, sender, clock)
        await poller.run_cycle(source.name)  # baselines
        await sender.send_pending()

        latencies: list[float] = []
        stop = time.monotonic() + seconds

        async def user() -> None:
            """A command due every 20 ms; its latency runs from when it was due, so time the
            loop spent blocked elsewhere counts."""
            # A petition others follow: the command is storage and the event loop, no fetch.
            chat, petition = 9_000_000, FIRST_ID
            due = time.monotonic()
            while due < stop:
                await asyncio.sleep(max(0.0, due - time.monotonic()))
                command = service.follow if len(latencies) % 2 == 0 else service.unfollow
                await command(chat, str(petition))
                latencies.append(time.monotonic() - due)
                due += 0.02

        async def polls() -> None:
            cycle = 0
            while time.monotonic() < stop:
                started = time.monotonic()
                clock_now[0] += timedelta(minutes=1)
                for n in range(100):
                    petition = FIRST_ID + (cycle * 100 + n) % petitions
                    upstream.counts[petition] = 20_000 + 10_000 * (cycle + 1)
                await poller.run_cycle(source.name)
                await sender.send_pending()
                cycle += 1
                await asyncio.sleep(max(0.0, interval - (time.monotonic() - started)))

        cpu = time.process_time()
        await asyncio.gather(user(), polls())
        cpu = time.process_time() - cpu
        store.close_now()
        after = tracking_path(path).stat().st_size / 1e6

    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"history: {deliveries:,} sent deliveries over a year; tracking file {before:.1f} MB")
    print(f"opening the store: {opening:.2f} s; tracking file after the run: {after:.1f} MB")
    print(f"command during polls and sends: {percentiles(latencies)}")
    print(f"alerts sent: {bot.sent:,}; CPU {cpu:.1f} s over {seconds:.0f} s; max RSS {rss:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", type=int, default=10_000)
    parser.add_argument("--petitions", type=int, default=2_000)
    parser.add_argument("--deliveries", type=int, default=200_000)
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--interval", type=float, default=1.0, help="seconds between cycles")
    args = parser.parse_args()
    asyncio.run(run(args.follows, args.petitions, args.deliveries, args.seconds, args.interval))


if __name__ == "__main__":
    main()
