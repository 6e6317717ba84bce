"""Benchmark: one GOV.UK statements cycle for 200 and for 2,000 statement follows.

The follows name a department (or any) and up to two keywords; as in life, many chats share a
follow, so 2,000 follows make about 200 distinct targets.

Runs the real GovukStatementsSource (parsing, local matching, detection, rendering), Poller,
Sender and TinyDB Store on a temporary directory (with real fsyncs). GOV.UK and Telegram are
in-memory stand-ins: one page of 50 statement results a cycle, 5 of them new, so the numbers are
the bot's own cost of serving many follows from one search. Reports the process CPU time of a
cycle (median and worst of the timed cycles), which the shared machine's load barely moves.

    python benchmarks/bench_statements.py [--follows 200 2000] [--cycles 10]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_store import SilentBot
from bot.poller import Poller
from bot.sender import Sender
from bot.sources.departments.directory import MAIN_DEPARTMENTS, Directory
from bot.sources.govuk.source import GovukStatementsSource
from bot.store import Store

WORDS = [
    "asylum", "border", "grooming", "gangs", "schools", "funding", "police", "prisons",
    "housing", "energy", "tax", "trade", "defence", "health", "nhs", "water", "rail", "visas",
    "courts", "teachers", "pensions", "benefits", "climate",
]  # fmt: skip
PAGE = 50


class MemoryGovuk:
    """Stands in for GovukClient: the newest page of statement results, `fresh` new a cycle."""

    def __init__(self) -> None:
        self.results: list[dict[str, Any]] = []
        self._ids = itertools.count()
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)

    def publish(self, count: int) -> None:
        for _ in range(count):
            n = next(self._ids)
            department = MAIN_DEPARTMENTS[n % len(MAIN_DEPARTMENTS)]
            words = " ".join(WORDS[(n * k) % len(WORDS)] for k in (1, 3, 7))
            stamp = (self.now + timedelta(seconds=n)).isoformat()
            self.results.insert(
                0,
                {
                    "title": f"Statement {n} on {words}",
                    "link": f"/government/speeches/statement-{n}",
                    "content_id": f"id-{n}",
                    "description": f"The government sets out its plans on {words}.",
                    "public_timestamp": stamp,
                    "first_published_at": stamp,
                    "display_type": "Written statement to Parliament",
                    "organisations": [{"slug": department.slug, "title": department.name}],
                    "people": [{"title": "A Minister"}],
                },
            )

    async def search(self, organisations: Any, keywords: Any = (), **_: Any) -> dict[str, Any]:
        return {"results": self.results[:PAGE], "total": len(self.results)}


async def run(follows: int, cycles: int) -> tuple[float, float, int]:
    upstream = MemoryGovuk()
    upstream.publish(PAGE)
    clock_now = [upstream.now + timedelta(hours=1)]

    def clock() -> datetime:
        return clock_now[0]

    with tempfile.TemporaryDirectory() as directory:
        store = Store(Path(directory) / "alerts.json")
        source = GovukStatementsSource(upstream, Directory())  # type: ignore[arg-type]
        bot = SilentBot()
        poller = Poller(store, {source.name: source}, Sender(bot, store, clock), clock)  # type: ignore[arg-type]
        for n in range(follows):
            department = "any" if n % 10 == 0 else MAIN_DEPARTMENTS[n % 21].slug
            keywords = " ".join(WORDS[(n * k) % len(WORDS)] for k in range(n % 3))
            store.add_follow(1_000_000 + n // 2, f"statements:{department}:{keywords}", None)
        await poller.run_cycle(source.name)  # the silent baselines
        times = []
        for _ in range(cycles):
            upstream.publish(5)
            clock_now[0] += timedelta(minutes=5)
            started = time.process_time()
            report = await poller.run_cycle(source.name)
            times.append(time.process_time() - started)
            assert report.refreshed == report.targets, report
        store.close()
    return statistics.median(times), max(times), bot.sent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", type=int, nargs="+", default=[200, 2_000])
    parser.add_argument("--cycles", type=int, default=10)
    args = parser.parse_args()
    for follows in args.follows:
        median, worst, sent = asyncio.run(run(follows, args.cycles))
        print(
            f"{follows:>6,} follows: CPU per cycle median {median * 1000:7.1f} ms, "
            f"worst {worst * 1000:7.1f} ms; {sent:,} alerts in {args.cycles} cycles"
        )


if __name__ == "__main__":
    main()
