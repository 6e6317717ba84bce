"""Benchmark: one GOV.UK statements cycle for 200 and for 2,000 statement follows.

The follows name a department (or any) and up to two keywords; as in life, many chats share a
follow, so 2,000 follows make about 200 distinct targets.

Runs the real GovukStatementsSource (parsing, local matching, detection, rendering), Poller,
Sender and TinyDB Store on a temporary directory (with real fsyncs). GOV.UK and Telegram are
in-memory stand-ins: statement results newest first, paged as asked, 5 new a cycle, and the
items indexed again since a time (the source's second search), so the numbers are the bot's own
cost of serving many follows. Reports the process CPU time of a cycle (median and worst of the
timed cycles), which the shared machine's load barely moves, with the work it did: the follows
stored, the searches made and the alerts sent; it fails if any of them is missing.

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
from bot.storage.tinydb_store import TinyDBStore

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
        self.indexed: list[datetime] = []  # when each result was indexed, newest first
        self._ids = itertools.count()
        self.now = datetime(2026, 11, 22, 9, 0, tzinfo=UTC)
        self.searches = 0

    def publish(self, count: int) -> None:
        for _ in range(count):
            n = next(self._ids)
            department = MAIN_DEPARTMENTS[n % len(MAIN_DEPARTMENTS)]
            words = " ".join(WORDS[(n * k) % len(WORDS)] for k in (1, 3, 7))
            stamp = (self.now + timedelta(seconds=n)).isoformat()
            self.indexed.insert(0, self.now)
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

    async def search(
        self,
        organisations: Any,
        keywords: Any = (),
        *,
        start: int = 0,
        count: int = PAGE,
        reindexed_since: datetime | None = None,
        **_: Any,
    ) -> dict[str, Any]:
        self.searches += 1
        await asyncio.sleep(0)  # a real search lets the loop run other work meanwhile
        found = self.results
        if reindexed_since is not None:
            pairs = zip(self.results, self.indexed, strict=True)
            found = [result for result, at in pairs if at >= reindexed_since]
        return {"results": found[start : start + count], "total": len(found)}


async def run(follows: int, cycles: int) -> tuple[float, float, int, int]:
    upstream = MemoryGovuk()
    upstream.publish(PAGE)
    clock_now = [upstream.now]

    def clock() -> datetime:
        return clock_now[0]

    with tempfile.TemporaryDirectory() as directory:
        store = TinyDBStore(Path(directory) / "alerts.json")
        source = GovukStatementsSource(upstream, Directory())  # type: ignore[arg-type]
        bot = SilentBot()
        sender = Sender(bot, store, clock)  # type: ignore[arg-type]
        poller = Poller(store, {source.name: source}, sender, clock)  # type: ignore[arg-type]
        for n in range(follows):
            department = "any" if n % 10 == 0 else MAIN_DEPARTMENTS[n % 21].slug
            keywords = " ".join(WORDS[(n * k) % len(WORDS)] for k in range(n % 3))
            await store.add_follow(1_000_000 + n // 2, f"statements:{department}:{keywords}", None)
        counted = await store.counts()
        assert counted["follows"] == follows, counted
        await poller.run_cycle(source.name)  # the silent baselines
        searches = upstream.searches
        times = []
        for _ in range(cycles):
            clock_now[0] += timedelta(minutes=5)
            upstream.now = clock_now[0]
            upstream.publish(5)
            started = time.process_time()
            report = await poller.run_cycle(source.name)
            times.append(time.process_time() - started)
            assert report.refreshed == report.targets > 0, report
        await sender.send_pending()
        store.close_now()
    searches = upstream.searches - searches
    assert searches >= cycles and bot.sent > 0, (searches, bot.sent)
    return statistics.median(times), max(times), bot.sent, searches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", type=int, nargs="+", default=[200, 2_000])
    parser.add_argument("--cycles", type=int, default=10)
    args = parser.parse_args()
    for follows in args.follows:
        median, worst, sent, searches = asyncio.run(run(follows, args.cycles))
        print(
            f"{follows:>6,} follows stored: CPU per cycle median {median * 1000:7.1f} ms, "
            f"worst {worst * 1000:7.1f} ms; {searches} searches and {sent:,} alerts sent in "
            f"{args.cycles} cycles"
        )


if __name__ == "__main__":
    main()
