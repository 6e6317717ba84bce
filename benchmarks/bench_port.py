"""Benchmark: the store's own cost through its API, on either adapter, before and after a change.

Calls the store directly (no sources, no Telegram): `add_follow` for new chats, `follows_of`, a
cycle storing every target's new state, a cycle whose alerts fan out to every follower, and
sending them (reading what is pending, noting each outcome). It runs on this version and on
versions before the storage port (the synchronous `bot.store.Store`), so the port's overhead on
TinyDB is measured before/after in one session:

    python benchmarks/bench_port.py [--follows 100000] [--petitions 10000] [--runs 3]
    git worktree add /tmp/before <commit> && (cd /tmp/before && python <this file> …)
    python benchmarks/bench_port.py --postgres postgresql://postgres@127.0.0.1:5432/postgres

Prints medians of `--runs` runs, CPU-seconds of this process (and, on PostgreSQL, of the
database's backends), with the counts that show the work was done.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import inspect
import os
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import orjson

sys.path.insert(0, os.getcwd())  # the version under test: run from its checkout

from bot.sources.base import Alert, Refresh

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
FIRST_CHAT, FIRST_PETITION = 1_000_000, 100_000


async def call(value: Any) -> Any:
    """A store call's result, whether the version's store is synchronous or not."""
    return await value if inspect.isawaitable(value) else value


def chats(follows: int, petitions: int) -> dict[int, list[str]]:
    return {
        FIRST_CHAT + c: [f"petition:{FIRST_PETITION + (c * 5 + n) % petitions}" for n in range(5)]
        for c in range(follows // 5)
    }


def open_tinydb(folder: Path, follows: int, petitions: int) -> Any:
    documents = {
        str(chat): {"follows": targets, "muted": [], "paused": False}
        for chat, targets in chats(follows, petitions).items()
    }
    (folder / "alerts.json").write_bytes(orjson.dumps({"chats": documents}))
    try:
        from bot.storage.tinydb_store import TinyDBStore

        return TinyDBStore(folder / "alerts.json")
    except ImportError:  # a version before the storage port
        from bot.store import Store  # type: ignore[import-not-found]

        return Store(folder / "alerts.json")


@contextlib.asynccontextmanager
async def open_postgres(server: str, follows: int, petitions: int) -> Any:
    import psycopg

    from bot.storage.port import ChatRecord, FollowRecord, Snapshot
    from bot.storage.postgres import PostgresStore

    name = f"bench_port_{os.getpid()}"
    with psycopg.connect(server, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
        try:
            store = PostgresStore.open(urlsplit(server)._replace(path=f"/{name}").geturl())
            await store.start()
            records = {
                chat: ChatRecord(False, None, tuple(FollowRecord(t, False, None) for t in targets))
                for chat, targets in chats(follows, petitions).items()
            }
            await store.load(Snapshot(records, {}, [], set(), {}, {}, {}))
            yield store
            await store.close()
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def database_cpu(store: Any) -> float:
    """CPU-seconds of the PostgreSQL backends serving this benchmark (0 for TinyDB)."""
    total = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        with contextlib.suppress(OSError):
            text = stat.read_text()
            if "(postgres)" in text and getattr(store, "_url", None):
                fields = text.rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])
    return total / os.sysconf("SC_CLK_TCK")


async def measure(store: Any, follows: int, petitions: int) -> dict[str, float]:
    targets = sorted({t for ts in chats(follows, petitions).values() for t in ts})
    figures: dict[str, float] = {}
    await call(store.record_cycle({t: Refresh({"n": 0}) for t in targets}, NOW))

    adds = []
    for n in range(300):
        started = time.perf_counter()
        await call(store.add_follow(9_000_000 + n, targets[n * 7 % len(targets)], None))
        adds.append(time.perf_counter() - started)
    adds.sort()
    figures["add_follow p50 ms"] = statistics.median(adds) * 1000
    figures["add_follow p95 ms"] = adds[int(len(adds) * 0.95)] * 1000
    started = time.perf_counter()
    for n in range(1_000):
        assert len(await call(store.follows_of(FIRST_CHAT + n % (follows // 5)))) == 5
    figures["1,000 follows_of, s"] = time.perf_counter() - started

    cpu, database = [], []
    for n in range(1, 4):  # every state new, no alert: the store's write
        refreshes = {t: Refresh({"n": n}) for t in targets}
        before, started = database_cpu(store), time.process_time()
        await call(store.record_cycle(refreshes, NOW + timedelta(minutes=n)))
        cpu.append(time.process_time() - started)
        database.append(database_cpu(store) - before)
    assert await call(store.target_state(targets[-1])) == {"n": 3}
    figures[f"cycle storing {len(targets):,} states CPU-s"] = statistics.median(cpu)
    figures["  of the database CPU-s"] = statistics.median(database)

    alerting = targets[:1_000]  # each followed by follows/petitions chats
    refreshes = {t: Refresh({"n": 9}, [Alert(f"{t}:milestone", f"{t} moved")]) for t in alerting}
    before, started = database_cpu(store), time.process_time()
    queued = await call(store.record_cycle(refreshes, NOW + timedelta(minutes=9)))
    figures["cycle with 1,000 alerts CPU-s"] = time.process_time() - started
    figures["  its deliveries"] = queued
    started = time.process_time()
    pending = await call(store.pending_deliveries(NOW + timedelta(minutes=10)))
    for delivery in pending:
        await call(store.note_outcome(delivery.id, "sent"))
    await call(store.fold_outcomes(NOW + timedelta(minutes=10)))
    figures["sending them (store side) CPU-s"] = time.process_time() - started
    figures["  of the database CPU-s, both"] = database_cpu(store) - before
    assert len(pending) == queued >= len(alerting), (len(pending), queued)
    assert not await call(store.pending_deliveries())
    return figures


async def one_run(follows: int, petitions: int, server: str) -> dict[str, float]:
    if server:
        async with open_postgres(server, follows, petitions) as store:
            return await measure(store, follows, petitions)
    with tempfile.TemporaryDirectory() as directory:
        store = open_tinydb(Path(directory), follows, petitions)
        try:
            return await measure(store, follows, petitions)
        finally:
            closing = getattr(store, "close_now", store.close)
            closing()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", type=int, default=100_000)
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--postgres", default="", help="a PostgreSQL server's URL: run on it")
    args = parser.parse_args()
    runs = [asyncio.run(one_run(args.follows, args.petitions, args.postgres))
            for _ in range(args.runs)]  # fmt: skip
    where = "PostgreSQL" if args.postgres else "TinyDB"
    print(f"{where}, {args.follows:,} follows over {args.petitions:,} petitions, "
          f"medians of {args.runs} runs:")  # fmt: skip
    for name in runs[0]:
        print(f"  {name:<34} {statistics.median(run[name] for run in runs):10.3f}")


if __name__ == "__main__":
    main()
