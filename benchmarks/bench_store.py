"""Benchmark: /follow, /list, /unfollow and a poll cycle at 100,000 follows over 10,000 petitions.

Runs the real FollowService, PetitionSource, Poller, Sender and TinyDB Store on a temporary
directory (with real fsyncs), every petition carrying a full day of signature history.
Upstream and Telegram are replaced by in-memory stand-ins, and alerts are not paced to Telegram's
30 a second, so the numbers are the bot's own cost: parsing, detection, rendering and storage, not
network latency.

The subscriptions are written as a bot with that many follows (five per chat: 20,000 chats) would
have them; every petition gets its baseline from a first cycle.

With `--postgres SERVER_URL`, the same on the PostgreSQL store, in a database made for the run
and dropped after it; a cycle's CPU then counts the database's backends too (read from /proc:
the server must run on this machine).

    python benchmarks/bench_store.py [--follows 100000] [--petitions 10000] [--changed 1000]
                                     [--postgres postgresql://postgres@127.0.0.1:5432/postgres]
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bot.following import FollowService
from bot.poller import Poller
from bot.sender import Sender
from bot.sources.base import Refresh, Reply
from bot.sources.petitions.client import FetchStatus, PetitionFetch
from bot.sources.petitions.kind import PetitionKind
from bot.sources.petitions.plan import Plan
from bot.sources.petitions.source import PetitionSource
from bot.sources.petitions.trend import record
from bot.storage.files import Journal, replace_atomically, serialise
from bot.storage.port import ChatRecord, FollowRecord, Snapshot, Storage
from bot.storage.postgres import PostgresStore
from bot.storage.tinydb_store import TinyDBStore

FIXTURE = (
    Path(__file__).resolve().parent.parent
    / "tests/fixtures/show_open_with_government_response_627130_captured_2023-01.json"
)
FIRST_ID = 100_000


class MemoryPetitions:
    """Stands in for PetitionClient: serves one template document as many petitions, each with its
    own id and count (`counts`). Built per fetch, not held per petition, so the process's memory
    is the bot's."""

    def __init__(self, template: dict[str, Any], count: int) -> None:
        self.template = template
        self.counts = {FIRST_ID + n: template["data"]["attributes"]["signature_count"]
                       for n in range(count)}  # fmt: skip

    async def fetch(self, petition_id: int, **_: Any) -> PetitionFetch:
        data = self.template["data"]
        attributes = {**data["attributes"], "signature_count": self.counts[petition_id]}
        document = {**self.template, "data": {**data, "id": petition_id, "attributes": attributes}}
        return PetitionFetch(FetchStatus.OK, document)


class SilentBot:
    """Stands in for telegram.Bot: accepts every message instantly and counts them."""

    def __init__(self) -> None:
        self.sent = 0

    async def send_message(self, chat_id: int, text: str, **_: object) -> None:
        self.sent += 1


def chat_follows(follows: int, petitions: int) -> dict[int, list[str]]:
    """The follows of a bot with `follows` of them: five per chat."""
    return {
        1_000_000 + chat: [f"petition:{FIRST_ID + (chat * 5 + n) % petitions}" for n in range(5)]
        for chat in range(follows // 5)
    }


def seed(path: Path, follows: int, petitions: int) -> None:
    """The subscriptions file as a bot with `follows` follows would have it."""
    chats = {
        str(chat): {"follows": targets, "muted": [], "paused": False}
        for chat, targets in chat_follows(follows, petitions).items()
    }
    path.write_bytes(orjson.dumps({"chats": chats}))


@contextlib.asynccontextmanager
async def opened_store(
    directory: Path, follows: int, petitions: int, server: str
) -> AsyncIterator[Storage]:
    """The store the benchmark runs on, seeded: TinyDB files, or a fresh PostgreSQL database."""
    if not server:
        seed(directory / "alerts.json", follows, petitions)
        store = TinyDBStore(directory / "alerts.json")
        try:
            yield store
        finally:
            store.close_now()
        return
    name = f"bench_store_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        url = urlsplit(server)._replace(path=f"/{name}").geturl()
        try:
            store = PostgresStore.open(url)
            await store.start()
            chats = {
                chat: ChatRecord(False, None, tuple(FollowRecord(t, False, None) for t in targets))
                for chat, targets in chat_follows(follows, petitions).items()
            }
            await store.load(Snapshot(chats, {}, [], set(), {}, {}, {}))
            try:
                yield store
            finally:
                await store.close()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


async def database_cpu(store: Storage) -> float:
    """CPU-seconds the database's backends for this store have used (0 for TinyDB)."""
    if not isinstance(store, PostgresStore):
        return 0.0
    rows = await store._rows(  # a benchmark may look behind the port
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
    )
    ticks = 0
    for (pid,) in rows:
        with contextlib.suppress(FileNotFoundError, ProcessLookupError):
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def bytes_written() -> int:
    """Bytes this process has handed to write() so far (its I/O counter `wchar`): what a cycle
    writes, whatever the file system does with it."""
    for line in Path("/proc/self/io").read_text().splitlines():
        if line.startswith("wchar:"):
            return int(line.split()[1])
    raise RuntimeError("no wchar in /proc/self/io")


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    p50 = statistics.median(ordered) * 1000
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))] * 1000
    return f"p50 {p50:7.2f} ms   p95 {p95:7.2f} ms   (n={len(ordered)})"


async def time_commands(
    command: Callable[[int, str], Awaitable[Reply]], calls: list[tuple[int, int]], expect: str
) -> list[float]:
    """Seconds taken by each call of `command` (chat, petition), checking every reply."""
    times = []
    for chat, petition in calls:
        started = time.perf_counter()
        reply = await command(chat, str(petition))
        times.append(time.perf_counter() - started)
        assert expect in reply.text, reply
    return times


async def run(follows: int, petitions: int, changed: int, rounds: int, server: str = "") -> None:
    with tempfile.TemporaryDirectory() as directory:
        async with opened_store(Path(directory), follows, petitions, server) as store:
            await measure(store, Path(directory), follows, petitions, changed, rounds)
        if not server:
            sizes = {p.name: p.stat().st_size / 1e6 for p in sorted(Path(directory).iterdir())}
            print("files at the end: " + ", ".join(f"{n} {mb:.1f} MB" for n, mb in sizes.items()))
    print(f"peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


async def measure(
    store: Storage, directory: Path, follows: int, petitions: int, changed: int, rounds: int
) -> None:
    template = json.loads(FIXTURE.read_text(encoding="utf-8"))
    upstream = MemoryPetitions(template, petitions + rounds)
    clock_now = [datetime(2026, 11, 22, 12, 0, tzinfo=UTC)]

    def clock() -> datetime:
        return clock_now[0]

    source = PetitionSource(upstream, Plan.EACH)  # type: ignore[arg-type]
    kinds = [PetitionKind(source, frozenset())]
    service = FollowService(store, kinds, 10_000, clock)
    bot = SilentBot()
    sender = Sender(bot, store, clock)  # type: ignore[arg-type]
    poller = Poller(store, {source.name: source}, sender, clock)

    chats = follows // 5
    started = time.perf_counter()
    await poller.run_cycle(source.name)  # the baselines of every petition
    # Steady state: every petition has a day of signature history, as after a day of polls.
    history: list = []
    for minute in range(0, 27 * 60, 1):
        history = record(history, clock() - timedelta(minutes=27 * 60 - minute), minute)
    followed = await store.followed_targets()
    assert len(followed) == petitions, len(followed)
    states = await store.target_states(followed)
    await store.record_cycle(
        {target: Refresh({**states[target], "history": history}) for target in followed},  # type: ignore[dict-item]
        clock(),
    )
    load_seconds = time.perf_counter() - started
    counted = await store.counts()
    assert counted["follows"] == follows, counted
    print(
        f"loaded {follows:,} follows ({chats:,} chats) over {petitions:,} petitions "
        f"in {load_seconds:.1f} s ({type(store).__name__})"
    )

    # Half follow a petition already tracked, half one nobody follows yet.
    commands = [
        (9_000_000 + n, FIRST_ID + (n * 7 % petitions if n % 2 else petitions + n))
        for n in range(rounds)
    ]
    follow_times = await time_commands(service.follow, commands, "Following")
    list_times = []
    for n in range(rounds):  # chats of the seeded kind, with five follows each
        listed = time.perf_counter()
        reply = await service.list_follows(1_000_000 + n * 97 % (follows // 5))
        list_times.append(time.perf_counter() - listed)
        assert "1." in reply.text, reply

    async def unfollow(chat: int, petition: str) -> Reply:  # as its Yes button does
        return Reply(await service.unfollow_target(chat, f"petition:{petition}"))

    unfollow_times = await time_commands(unfollow, commands, "Stopped")
    assert (await store.counts())["follows"] == follows

    cycle_times, send_times, cycle_cpu, cycle_bytes = [], [], [], []
    for cycle in range(10):
        clock_now[0] += timedelta(minutes=1)
        for n in range(changed):
            petition = FIRST_ID + (cycle * changed + n) % petitions
            upstream.counts[petition] = 20_000 + 10_000 * (cycle + 1)
        started, cpu, database = time.perf_counter(), time.process_time(), await database_cpu(store)
        written = bytes_written()
        report = await poller.run_cycle(source.name)
        cycle_cpu.append(time.process_time() - cpu + await database_cpu(store) - database)
        sending = time.perf_counter()
        await sender.send_pending()  # the sender's own task, in the bot
        cycle_times.append(time.perf_counter() - started)
        send_times.append(time.perf_counter() - sending)
        cycle_bytes.append(bytes_written() - written)
        assert report.refreshed == petitions and report.queued > 0, report
    quiet_bytes = []
    for _ in range(3):  # every petition read again, nothing new
        clock_now[0] += timedelta(minutes=1)
        written = bytes_written()
        report = await poller.run_cycle(source.name)
        await sender.send_pending()
        quiet_bytes.append(bytes_written() - written)
        assert report.refreshed == petitions and report.queued == 0, report
    stalls = await write_stalls(store, clock)
    assert bot.sent > 0

    print(f"/follow    {percentiles(follow_times)}")
    print(f"/list      {percentiles(list_times)}")
    print(f"/unfollow  {percentiles(unfollow_times)}")
    print(f"poll cycle {percentiles(cycle_times)}   ({changed} of {petitions:,} changed)")
    print(f"of which sending {percentiles(send_times)}")
    print(
        f"a poll cycle's CPU (the bot's and the database's): {statistics.median(cycle_cpu):.3f} s"
    )
    print(f"alerts sent during the cycles: {bot.sent:,}")
    print(
        f"bytes written by this process a cycle: {statistics.median(cycle_bytes) / 1e6:.2f} MB "
        f"with {changed:,} changed (median), {statistics.median(quiet_bytes) / 1e6:.3f} MB with "
        "none (the database's own writes not counted)"
    )
    print(
        f"storing a cycle of {petitions:,} new states: {stalls[0]:.1f} ms of the event loop's "
        f"CPU and {stalls[2]:.1f} ms of the database's, its longest stall {stalls[1]:.1f} ms "
        "(medians of 5)"
    )


async def write_stalls(store: Storage, clock: Callable[[], datetime]) -> tuple[float, float, float]:
    """What storing a cycle in which every target's state is new (as when the clock moves)
    costs: the event loop thread's CPU-ms, the longest a 1 ms timer waited past its time, and
    the database backends' CPU-ms (PostgreSQL), medians of 5 cycles."""
    late: list[float] = []
    ticking = True

    async def tick() -> None:
        while ticking:
            asked = time.perf_counter()
            await asyncio.sleep(0.001)
            late.append(time.perf_counter() - asked - 0.001)

    ticker = asyncio.create_task(tick())
    cpu, stalls, database = [], [], []
    for n in range(5):
        followed = await store.followed_targets()
        states = await store.target_states(followed)
        refreshes = {t: Refresh({**states[t], "cycle": n}) for t in followed}  # type: ignore[dict-item]
        await asyncio.sleep(0.01)  # the ticker's wait spans none of the building above
        late.clear()
        before = await database_cpu(store)
        started = time.thread_time()
        await store.record_cycle(refreshes, clock())
        cpu.append((time.thread_time() - started) * 1000)
        stalls.append(max(late, default=0.0) * 1000)
        database.append((await database_cpu(store) - before) * 1000)
        assert await store.target_state(followed[0]) == refreshes[followed[0]].state
    ticking = False
    await ticker
    return statistics.median(cpu), statistics.median(stalls), statistics.median(database)


async def quiet_cycle_cpu(follows: int, petitions: int, cycles: int = 10) -> float:
    """The median CPU-seconds of a poll cycle in which nothing changed."""
    template = json.loads(FIXTURE.read_text(encoding="utf-8"))
    upstream = MemoryPetitions(template, petitions)
    clock_now = [datetime(2026, 11, 22, 12, 0, tzinfo=UTC)]
    with tempfile.TemporaryDirectory() as directory:
        seed(Path(directory) / "alerts.json", follows, petitions)
        store = TinyDBStore(Path(directory) / "alerts.json")
        source = PetitionSource(upstream, Plan.EACH)  # type: ignore[arg-type]
        sender = Sender(SilentBot(), store, lambda: clock_now[0])  # type: ignore[arg-type]
        poller = Poller(store, {source.name: source}, sender, lambda: clock_now[0])
        await poller.run_cycle(source.name)  # the baselines
        times = []
        for _ in range(cycles):
            clock_now[0] += timedelta(minutes=1)
            started = time.process_time()
            await poller.run_cycle(source.name)
            times.append(time.process_time() - started)
        store.close_now()
    return statistics.median(times)


def subscriber_scaling(petitions: int = 1_000, runs: int = 3) -> None:
    """A quiet cycle's CPU over the same petitions with one and with ten followers each."""
    cpu: dict[int, list[float]] = {petitions: [], 10 * petitions: []}
    for _ in range(runs):  # alternately, so the machine's moods fall on both alike
        for follows in cpu:
            cpu[follows].append(asyncio.run(quiet_cycle_cpu(follows, petitions)))
    few, many = (statistics.median(samples) for samples in cpu.values())
    print(
        f"a cycle where nothing changed, {petitions:,} petitions: {few:.3f} CPU-s with "
        f"{petitions:,} follows, {many:.3f} with {10 * petitions:,} ({many / few - 1:+.0%})"
    )


def write_alternatives(follows: int, rounds: int = 50) -> None:
    """What a command's own write costs, three ways, at `follows` follows (five per chat): the
    whole subscriptions file rewritten, one of 256 shards of it rewritten, one journal line."""
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        seed(folder / "whole.json", follows, follows // 10)
        tables = orjson.loads((folder / "whole.json").read_bytes())
        chats = list(tables["chats"].items())
        shard = {"chats": dict(chats[: max(1, len(chats) // 256)])}
        line = orjson.dumps({"1000000": tables["chats"]["1000000"]}).decode()
        journal = Journal(folder / "changes.journal")
        ways = {
            "rewrite the whole file": lambda: replace_atomically(
                folder / "whole.json", serialise(tables)
            ),
            "rewrite one of 256 shards": lambda: replace_atomically(
                folder / "shard.json", serialise(shard)
            ),
            "append one journal line": lambda: journal.append(line),
        }
        times: dict[str, list[float]] = {name: [] for name in ways}
        for _ in range(rounds):  # interleaved, so the disk's moods fall on all three alike
            for name, write in ways.items():
                started = time.perf_counter()
                write()
                times[name].append(time.perf_counter() - started)
        journal.close()
    size = len(serialise(tables)) / 1e6
    print(f"a command's own write at {follows:,} follows (a {size:.1f} MB subscriptions file):")
    for name, samples in times.items():
        print(f"  {name:<26} {percentiles(samples)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", type=int, default=100_000)
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--changed", type=int, default=1_000)
    parser.add_argument("--rounds", type=int, default=200, help="commands of each kind to time")
    parser.add_argument("--postgres", default="", help="a PostgreSQL server's URL: run on it")
    parser.add_argument(
        "--only-run", action="store_true", help="skip the file-write and scaling comparisons"
    )
    args = parser.parse_args()
    asyncio.run(run(args.follows, args.petitions, args.changed, args.rounds, args.postgres))
    if not args.only_run and not args.postgres:
        write_alternatives(args.follows)
        subscriber_scaling()


if __name__ == "__main__":
    main()
