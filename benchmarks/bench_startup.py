"""Benchmark: how long the real bot process takes to start on a big store, and its peak memory.

The data folder of a bot with 100,000 follows (20,000 chats, five each) over 10,000 petitions,
each with its stored state (a day of trend history in it) and a year of signature history on
disk, and 200,000 sent deliveries in the old layout (whole deliveries, as bots before the
compacted history kept them: the heaviest store to open). Then `python -m bot` on it, against a
fake Bot API on 127.0.0.1 (the sources point at a closed port: their failures don't matter
here). Reports the seconds from the process's start to its first Telegram call and to
"Running as @..." (polls and sending scheduled), and the process's peak RSS (VmHWM), medians of
`--runs`, each on a fresh copy of the folder; and a second start on the folder the first left
(its store compacted). It asserts the store it opened holds every follow.

    python benchmarks/bench_startup.py [--follows 100000] [--petitions 10000]
                                       [--deliveries 200000] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_counts import NOW, seed_history
from benchmarks.bench_history import seed as seed_with_old_deliveries
from benchmarks.bench_store import FIRST_ID, FIXTURE, MemoryPetitions, SilentBot
from bot.poller import Poller
from bot.sender import Sender
from bot.sources.base import Refresh
from bot.sources.petitions.plan import Plan
from bot.sources.petitions.source import PetitionSource
from bot.sources.petitions.trend import record
from bot.storage.tinydb_store import TinyDBStore, history_path, read_tracking, tracking_path
from tests.conftest import TOKEN, serving
from tests.fakes.telegram import FakeTelegram

READY = "Running as @"


class TimedTelegram(FakeTelegram):
    """The fake Bot API, noting when the first call came."""

    first_call: float | None = None

    async def _dispatch(self, request: Any) -> Any:
        if self.first_call is None:
            self.first_call = time.perf_counter()
        return await super()._dispatch(request)


async def build(path: Path, follows: int, petitions: int, deliveries: int) -> None:
    """The folder as a bot that has run a year would leave it (in the old delivery layout)."""
    seed_with_old_deliveries(path, follows, petitions, deliveries)
    old = orjson.loads(tracking_path(path).read_bytes())["deliveries"]
    tracking_path(path).unlink()
    store = TinyDBStore(path)
    upstream = MemoryPetitions(json.loads(FIXTURE.read_text(encoding="utf-8")), petitions)
    source = PetitionSource(upstream, Plan.EACH)  # type: ignore[arg-type]
    sender = Sender(SilentBot(), store, lambda: NOW)  # type: ignore[arg-type]
    await Poller(store, {source.name: source}, sender, lambda: NOW).run_cycle(source.name)
    history: list = []
    for minute in range(27 * 60):  # a day of trend history in each state, as after a day of polls
        history = record(history, NOW - timedelta(minutes=27 * 60 - minute), minute)
    followed = await store.followed_targets()
    states = await store.target_states(followed)
    await store.record_cycle(
        {t: Refresh({**states[t], "history": history}) for t in followed},  # type: ignore[dict-item]
        NOW,
    )
    store.close_now()
    tables = read_tracking(path)
    tables["deliveries"] = old
    tracking_path(path).write_bytes(orjson.dumps(tables))
    seed_history(history_path(path), petitions, upstream.counts[FIRST_ID])


def config(folder: Path, data: Path, telegram: str) -> Path:
    closed = "http://127.0.0.1:9"  # nothing listens: the sources fail fast, and it doesn't matter
    text = f"""
[telegram]
token = "{TOKEN}"
api_base_url = "{telegram}"
[storage]
path = "{data}"
[petitions]
base_url = "{closed}"
[govuk]
base_url = "{closed}"
[parliament]
statements_base_url = "{closed}"
whatson_base_url = "{closed}"
members_base_url = "{closed}"
"""
    path = folder / "config.toml"
    path.write_text(text)
    return path


async def start_once(folder: Path, data: Path) -> tuple[float, float, float]:
    """Seconds to the first Telegram call and to ready, and the peak RSS in MB."""
    async with serving(TimedTelegram(TOKEN)) as telegram:
        started = time.perf_counter()
        process = await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(config(folder, data, telegram.base_url)),
            cwd=Path(__file__).resolve().parent.parent,
            stderr=asyncio.subprocess.PIPE,
        )
        assert process.stderr is not None
        try:
            async with asyncio.timeout(300):
                while READY.encode() not in (line := await process.stderr.readline()):
                    assert line, "the bot stopped before it was ready"
            ready = time.perf_counter() - started
            assert telegram.first_call is not None
            peak = _peak_rss_mb(process.pid)
        finally:
            process.terminate()
            await process.wait()
    return telegram.first_call - started, ready, peak


def _peak_rss_mb(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmHWM")


async def run(follows: int, petitions: int, deliveries: int, runs: int) -> None:
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        seeded = folder / "seeded" / "alerts.json"
        await build(seeded, follows, petitions, deliveries)
        size = sum(f.stat().st_size for f in seeded.parent.rglob("*") if f.is_file()) / 1e6
        print(
            f"{follows:,} follows over {petitions:,} petitions, {deliveries:,} sent deliveries in "
            f"the old layout, a year of signature history: {size:,.0f} MB on disk"
        )
        first, second = [], []
        for n in range(runs):
            copy = folder / f"run{n}"
            shutil.copytree(seeded.parent, copy)
            os.sync()  # the copy is on disk, as a folder a bot last wrote a while ago
            first.append(await start_once(folder, copy / "alerts.json"))
            second.append(await start_once(folder, copy / "alerts.json"))
            opened = TinyDBStore(copy / "alerts.json")
            counted = await opened.counts()
            opened.close_now()
            assert counted["follows"] == follows, counted
            shutil.rmtree(copy)
    for label, results in (("the old layout", first), ("the store it left", second)):
        call, ready, peak = (statistics.median(r[i] for r in results) for i in range(3))
        print(
            f"  start on {label}: first Telegram call {call:.2f} s, ready {ready:.2f} s, "
            f"peak RSS {peak:.0f} MB (medians of {len(results)}; ready: "
            + ", ".join(f"{r[1]:.2f}" for r in results)
            + ")"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", type=int, default=100_000)
    parser.add_argument("--petitions", type=int, default=10_000)
    parser.add_argument("--deliveries", type=int, default=200_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    asyncio.run(run(args.follows, args.petitions, args.deliveries, args.runs))


if __name__ == "__main__":
    main()
