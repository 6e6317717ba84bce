"""Benchmark: what keeping signature history costs a poll cycle, and what a chart costs.

10,000 follows over 2,000 petitions, each petition with a year of signature history already on
disk as the bot keeps it (bot.storage.history: every sample of the last day, hourly back to 90 days,
daily before that, about 3,900 lines a petition, 140 MB in all). Each cycle comes a minute after
the last; in it `--changing` petitions gain a signature (no milestone: the cost measured is the
poll and the history, not alerts). The rest is bench_store's: the real PetitionSource, Poller,
Sender and Store on a temporary directory, upstream and Telegram in memory.

Prints the median CPU-seconds of a cycle (CPU of every thread: history is appended in one) over
`--cycles` cycles, the median of `--runs` runs. It uses only what earlier versions also had,
and seeds no history where there is no bot.storage.history, so it runs on them too, for before
and after.
Then, where the version has charts: drawing a year of history (the first chart of a process, which
imports matplotlib, and the median of later ones), and thinning a year-long file (once per 1,500
appended lines).

    python benchmarks/bench_counts.py [--petitions 2000] [--changing 600] [--runs 3]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_store import FIRST_ID, FIXTURE, MemoryPetitions, SilentBot, seed
from bot.poller import Poller
from bot.sender import Sender
from bot.sources.petitions.plan import Plan
from bot.sources.petitions.source import PetitionSource
from bot.storage.tinydb_store import TinyDBStore

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
YEAR = 365 * 86_400

try:
    from bot.storage.history import COMPACT_AFTER, History, thin
    from bot.storage.tinydb_store import history_path
except ImportError:  # a version from before signature history
    History = None  # type: ignore[assignment,misc]


def year_of_samples(count: int) -> list[tuple[int, int]]:
    """A year of one sample a minute rising to `count`, thinned as the bot would keep it."""
    now = int(NOW.timestamp())
    minutes = [(now - back, count - back // 600) for back in range(YEAR, 0, -60)]
    return thin(minutes, now)


def seed_history(folder: Path, petitions: int, count: int) -> int:
    """Every petition's year of history on disk; returns the bytes written."""
    content = "".join(f"{at} {value}\n" for at, value in year_of_samples(count))
    folder.mkdir(parents=True, exist_ok=True)
    history = History(folder)
    for n in range(petitions):
        history._path(f"petition:{FIRST_ID + n}").write_text(content, encoding="ascii")
    return len(content) * petitions


async def cycle_cpu(follows: int, petitions: int, changing: int, cycles: int) -> list[float]:
    template = json.loads(FIXTURE.read_text(encoding="utf-8"))
    upstream = MemoryPetitions(template, petitions)
    clock_now = [NOW]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "alerts.json"
        seed(path, follows, petitions)
        if History is not None:
            seeded = seed_history(history_path(path), petitions, upstream.counts[FIRST_ID])
            print(f"  seeded {seeded / 1e6:.0f} MB of signature history", flush=True)
        store = TinyDBStore(path)
        source = PetitionSource(upstream, Plan.EACH)  # type: ignore[arg-type]
        sender = Sender(SilentBot(), store, lambda: clock_now[0])  # type: ignore[arg-type]
        poller = Poller(store, {source.name: source}, sender, lambda: clock_now[0])
        await poller.run_cycle(source.name)  # the baselines (and this run's first samples)
        times = []
        for cycle in range(cycles):
            clock_now[0] += timedelta(minutes=1)
            for n in range(changing):
                upstream.counts[FIRST_ID + (cycle * changing + n) % petitions] += 1
            started = time.process_time()
            await poller.run_cycle(source.name)
            await store.settle()  # the cycle's history appends are part of its cost
            times.append(time.process_time() - started)
        store.close_now()
    return times


def chart_costs(runs: int = 5) -> None:
    from bot.sources.petitions.chart import render_chart
    from tests.samples import OPEN_WITH_RESPONSE, snapshot

    petition = snapshot(OPEN_WITH_RESPONSE, observed_at=NOW)
    samples = year_of_samples(petition.signature_count)
    zone = datetime.now().astimezone().tzinfo
    times, size = [], 0
    for _ in range(runs + 1):
        started = time.process_time()
        chart = render_chart(petition, samples, NOW, zone)  # type: ignore[arg-type]
        times.append(time.process_time() - started)
        size = len(chart.png)  # type: ignore[union-attr]
    print(
        f"a chart of a year ({len(samples):,} samples): first {times[0]:.2f} CPU-s "
        f"(imports matplotlib), then median {statistics.median(times[1:]):.3f} CPU-s; "
        f"PNG {size / 1000:.0f} KB"
    )
    with tempfile.TemporaryDirectory() as directory:
        history = History(Path(directory))
        target = "petition:1"
        content = "".join(f"{at} {value}\n" for at, value in samples)
        history._path(target).parent.mkdir(parents=True, exist_ok=True)
        history._path(target).write_text(content, encoding="ascii")
        at = int(NOW.timestamp())
        history.append((target, at + n, 1) for n in range(COMPACT_AFTER - 1))
        started = time.process_time()
        history.append([(target, at + COMPACT_AFTER, 1)])  # the line that thins the file
        print(
            f"thinning a year-long file ({len(samples) + COMPACT_AFTER:,} lines): "
            f"{(time.process_time() - started) * 1000:.1f} CPU-ms, once per {COMPACT_AFTER:,} "
            "appended lines"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", type=int, default=10_000)
    parser.add_argument("--petitions", type=int, default=2_000)
    parser.add_argument("--changing", type=int, default=600)
    parser.add_argument("--cycles", type=int, default=15)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    medians = []
    for run in range(args.runs):
        times = asyncio.run(cycle_cpu(args.follows, args.petitions, args.changing, args.cycles))
        medians.append(statistics.median(times))
        print(f"  run {run + 1}: median cycle {medians[-1]:.3f} CPU-s", flush=True)
    history = "a year of signature history each" if History else "no signature history (before)"
    print(
        f"poll cycle, {args.petitions:,} followed petitions, {args.changing} changing, {history}: "
        f"median {statistics.median(medians):.3f} CPU-s (runs: "
        + ", ".join(f"{m:.3f}" for m in medians)
        + ")"
    )
    if History is not None:
        chart_costs()


if __name__ == "__main__":
    main()
