"""Benchmark: written-question cycles for 1 follow and for 200, requests and CPU per cycle.

Three sets of follows: one Home Office follow; 200 Home Office follows on different keywords;
200 follows spread over every department. Runs the real WrittenQuestionsSource (parsing, local
matching, detection, rendering), Poller, Sender and TinyDB Store on a temporary directory (with
real fsyncs). Parliament and Telegram are in-memory stand-ins: each cycle is ten minutes, in
which every department has 3 questions tabled and 3 answered (about 750 a sitting day in all,
more than both Houses table), filtered and paged as the API does. Reports the requests per cycle
and the process CPU time of a cycle (median of the timed cycles), with the work done: follows
stored, requests made, alerts sent; it fails if any of them is missing.

    python benchmarks/bench_questions.py [--cycles 10]
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_statements import WORDS
from benchmarks.bench_store import SilentBot
from bot.poller import Poller
from bot.sender import Sender
from bot.sources.departments.directory import MAIN_DEPARTMENTS, Directory
from bot.sources.questions.source import WrittenQuestionsSource
from bot.sources.text import LONDON
from bot.storage.tinydb_store import TinyDBStore

PER_DEPARTMENT = 3  # tabled, and answered, per department per cycle
HOME_OFFICE = next(d for d in MAIN_DEPARTMENTS if d.slug == "home-office")


class MemoryQuestions:
    """Stands in for QuestionsClient: the list filtered by windows and bodies, paged as asked."""

    def __init__(self, now: datetime) -> None:
        self.questions: list[dict[str, Any]] = []
        self.requests = 0
        self.now = now
        self._ids = itertools.count(1_300_000)

    def cycle(self) -> None:
        """A cycle's news: PER_DEPARTMENT questions tabled and as many answered per department."""
        today = self.now.astimezone(LONDON).date()
        for department in MAIN_DEPARTMENTS:
            open_ones = [
                q
                for q in self.questions
                if q["answeringBodyId"] == department.answering_bodies[0] and not q["dateAnswered"]
            ]
            for question in open_ones[:PER_DEPARTMENT]:
                question["dateAnswered"] = f"{today.isoformat()}T00:00:00"
                question["answerText"] = "<p>The department keeps this under review.</p>"
            for _ in range(PER_DEPARTMENT):
                self.table(department.answering_bodies[0], department.name, today)

    def table(self, body: int, name: str, today: date) -> None:
        n = next(self._ids)
        words = " ".join(WORDS[(n * k) % len(WORDS)] for k in (1, 3, 7))
        self.questions.append(
            {
                "id": n,
                "uin": str(n),
                "house": "Commons",
                "heading": f"Question {n}: {words}",
                "questionText": f"To ask the Secretary of State about {words}.",
                "askingMember": {"name": "A Member", "party": "Labour", "memberFrom": "A seat"},
                "answeringBodyId": body,
                "answeringBodyName": name,
                "dateTabled": f"{today.isoformat()}T00:00:00",
                "dateForAnswer": f"{(today + timedelta(days=5)).isoformat()}T00:00:00",
                "isNamedDay": False,
                "dateAnswered": None,
                "answerText": None,
                "answerIsHolding": False,
                "answerIsCorrection": False,
                "dateAnswerCorrected": None,
                "isWithdrawn": False,
            }
        )

    async def list_page(
        self, filters: list[tuple[str, Any]], *, skip: int = 0, take: int = 200
    ) -> dict[str, Any]:
        self.requests += 1
        await asyncio.sleep(0)
        asked = dict(filters)
        bodies = {value for name, value in filters if name == "answeringBodies"}
        window = next(name.removesuffix("From") for name in asked if name.endswith("WhenFrom"))
        field = {
            "tabledWhen": "dateTabled",
            "answeredWhen": "dateAnswered",
            "correctedWhen": "dateAnswerCorrected",
        }[window]
        since, until = asked[f"{window}From"], asked[f"{window}To"]
        found = [
            q
            for q in self.questions
            if q["answeringBodyId"] in bodies and since <= (q[field] or "")[:10] <= until
        ]
        return {
            "totalResults": len(found),
            "results": [{"value": q, "links": []} for q in found[skip : skip + take]],
        }


def follow_set(name: str) -> list[str]:
    if name == "1 Home Office follow":
        return ["questions:home-office:"]
    if name == "200 Home Office follows":
        return [f"questions:home-office:{WORDS[n % len(WORDS)]}" for n in range(199)] + [
            "questions:home-office:"
        ]
    return [
        f"questions:{MAIN_DEPARTMENTS[n % len(MAIN_DEPARTMENTS)].slug}:"
        + " ".join(WORDS[(n * k) % len(WORDS)] for k in range(n % 2))
        for n in range(200)
    ]


async def run(name: str, cycles: int) -> tuple[float, float, int, int]:
    clock_now = [datetime(2026, 11, 24, 9, 0, tzinfo=UTC)]
    upstream = MemoryQuestions(clock_now[0])

    def clock() -> datetime:
        return clock_now[0]

    follows = follow_set(name)
    with tempfile.TemporaryDirectory() as directory:
        store = TinyDBStore(Path(directory) / "alerts.json")
        source = WrittenQuestionsSource(upstream, Directory())  # type: ignore[arg-type]
        bot = SilentBot()
        sender = Sender(bot, store, clock)  # type: ignore[arg-type]
        poller = Poller(store, {source.name: source}, sender, clock)  # type: ignore[arg-type]
        for n, target in enumerate(follows):
            await store.add_follow(1_000_000 + n, target, None)
        counted = await store.counts()
        assert counted["follows"] == len(follows), counted
        upstream.cycle()
        await poller.run_cycle(source.name)  # the silent baselines
        requests = upstream.requests
        times = []
        for _ in range(cycles):
            clock_now[0] += timedelta(minutes=10)
            upstream.now = clock_now[0]
            upstream.cycle()
            started = time.process_time()
            report = await poller.run_cycle(source.name)
            times.append(time.process_time() - started)
            assert report.refreshed == report.targets == len(set(follows)), report
        await sender.send_pending()
        store.close_now()
    requests = upstream.requests - requests
    assert requests >= 3 * cycles and bot.sent > 0, (requests, bot.sent)
    return statistics.median(times), requests / cycles, bot.sent, len(follows)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cycles", type=int, default=10)
    args = parser.parse_args()
    for name in (
        "1 Home Office follow",
        "200 Home Office follows",
        "200 follows, every department",
    ):
        median, per_cycle, sent, follows = asyncio.run(run(name, args.cycles))
        print(
            f"{name:<31} ({follows} stored): {per_cycle:.1f} requests per cycle, CPU per cycle "
            f"median {median * 1000:6.1f} ms; {sent:,} alerts sent in {args.cycles} cycles"
        )


if __name__ == "__main__":
    main()
