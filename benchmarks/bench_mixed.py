"""Benchmark: a busy deployment's day in a minute: cycles of all three kinds while users type.

10,000 chats with 30,000 follows (`--follows`; a third of that many chats): each chat follows two
petitions and either a GOV.UK statements follow (a department and keywords, about 200 distinct)
or, one chat in ten, all petition debates. Every petition has a year of signature history on
disk. Then busy cycles: 1,000 petitions cross a milestone (`--changed`), GOV.UK publishes 5
statements, the debates listing is read. As in the bot, the sender is a task of its own and
Telegram takes 28.5 messages a second (`--telegram`; 0 sends each cycle's alerts at once, in
the cycle). Meanwhile a user sends a command every 250 ms (`--per-second`): /follow, /status,
/list and /unfollow in turn, through the real FollowService, its fetches in the users' pool as
handlers/guard.py runs them. Upstream is in memory (as in bench_store and bench_statements),
each request yielding to the loop once and no more at once than the HTTP client's connections,
so the numbers are the bot's own.

Reports, with the work done (follows stored, requests made, alerts queued and sent, commands
answered): a busy cycle's CPU, bytes written per cycle (busy and quiet; the process's I/O
counter `wchar`), the event loop's longest stall (how late a 5 ms timer fired), and command
latency p50 / p95 / max from when each was due.

    python benchmarks/bench_mixed.py [--follows 30000 100000] [--changed 1000] [--cycles 3]
                                     [--telegram 28.5]
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
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import orjson

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.bench_counts import NOW, year_of_samples
from benchmarks.bench_statements import PAGE, WORDS, MemoryGovuk
from benchmarks.bench_store import FIRST_ID, FIXTURE, MemoryPetitions, SilentBot, bytes_written
from bot import http as http_module
from bot.config import HttpConfig
from bot.following import FollowService
from bot.http import budget
from bot.pacing import SHARED_PER_SECOND
from bot.poller import Poller
from bot.sender import Sender
from bot.sources.base import Reply
from bot.sources.debates.kind import DebatesKind
from bot.sources.debates.source import DebatesSource
from bot.sources.departments.directory import MAIN_DEPARTMENTS, Directory
from bot.sources.govuk.source import GovukStatementsSource
from bot.sources.petitions.kind import PetitionKind
from bot.sources.petitions.plan import Plan
from bot.sources.petitions.source import PetitionSource
from bot.sources.statements.kind import StatementsKind
from bot.storage.history import History
from bot.storage.tinydb_store import TinyDBStore, history_path

try:
    from bot.http import for_a_user
except ImportError:  # a version from before the users' pool, to compare with

    def for_a_user() -> bool:
        return http_module._FOR_A_USER.get()


try:
    from bot.slices import switch_threads_often
except ImportError:  # a version from before it, to compare with

    def switch_threads_often() -> None:
        pass


try:
    from bot.collector import collect_everything, freeze_loaded
except ImportError:  # a version from before bot.collector, to compare with
    collect_everything = None  # type: ignore[assignment]
    try:
        from bot.slices import freeze_loaded
    except ImportError:

        def freeze_loaded() -> None:
            pass


FIRST_CHAT = 1_000_000
TICK = 0.005


class MemoryLists(MemoryPetitions):
    """The petitions stand-in, with the list pages the debates source reads (empty facets); each
    request yields to the loop once, as a real one does while it waits for the network, and no
    more are under way at once than the bot's HTTP client allows a host."""

    def __init__(self, template: dict[str, Any], count: int) -> None:
        super().__init__(template, count)
        self.requests = 0
        # The bot's HTTP client holds at most this many connections to a host (http config), in
        # each of its two pools: the polls' and the users' (bot.http).
        self._pools = {
            user: asyncio.Semaphore(HttpConfig().connections_per_host) for user in (False, True)
        }

    async def fetch(self, petition_id: int, **kwargs: Any) -> Any:
        async with self._pools[for_a_user()]:
            self.requests += 1
            await asyncio.sleep(0)  # a real request lets the loop run other work meanwhile
            return await super().fetch(petition_id, **kwargs)

    async def fetch_list(self, facet: str, page: int = 1, query: str = "") -> dict[str, Any]:
        async with self._pools[for_a_user()]:
            self.requests += 1
            await asyncio.sleep(0)
            return {"links": {}, "data": []}


class NoCalendar:
    """What's On with nothing on: the debates listing comes from the petitions site alone."""

    async def listing(self, now: datetime) -> dict[int, Any]:
        return {}


def statements_follow(chat: int) -> str:
    department = "any" if chat % 10 == 1 else MAIN_DEPARTMENTS[chat % 21].slug
    return f"statements:{department}:{' '.join(WORDS[(chat * k) % len(WORDS)] for k in (1, 3))}"


def seed(path: Path, follows: int, petitions: int) -> None:
    """The subscriptions (three follows a chat) and a year of each petition's history."""
    chats = {}
    for chat in range(follows // 3):
        third = "debates:all" if chat % 10 == 0 else statements_follow(chat)
        targets = [f"petition:{FIRST_ID + (chat * 2 + n) % petitions}" for n in range(2)]
        chats[str(FIRST_CHAT + chat)] = {"follows": [*targets, third], "muted": [], "paused": False}
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(orjson.dumps({"chats": chats}))
    folder = history_path(path)
    folder.mkdir(parents=True, exist_ok=True)
    history = History(folder)
    content = "".join(f"{at} {value}\n" for at, value in year_of_samples(12_000))
    for n in range(petitions):
        history._path(f"petition:{FIRST_ID + n}").write_text(content, encoding="ascii")


class PacedBot(SilentBot):
    """Telegram at the pace the bot keeps to it (`per_second` in all; 0: at once)."""

    def __init__(self, per_second: float) -> None:
        super().__init__()
        self._gap = 1 / per_second if per_second else 0.0
        self._next = 0.0

    async def send_message(self, chat_id: int, text: str, **_: object) -> None:
        now = time.perf_counter()
        wait, self._next = max(0.0, self._next - now), max(now, self._next) + self._gap
        if wait:
            await asyncio.sleep(wait)
        self.sent += 1


class Stalls:
    """How late a 5 ms timer fires: the longest the event loop was kept from it."""

    def __init__(self) -> None:
        self.late: list[float] = []
        self._task: asyncio.Task[None] | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._tick())

    async def _tick(self) -> None:
        while True:
            asked = time.perf_counter()
            await asyncio.sleep(TICK)
            self.late.append(time.perf_counter() - asked - TICK)

    async def stop(self) -> float:
        assert self._task is not None and self.late
        self._task.cancel()
        return max(self.late)


async def run(
    follows: int, petitions: int, changed: int, cycles: int, per_second: float, telegram: float
) -> None:
    template = json.loads(FIXTURE.read_text(encoding="utf-8"))
    upstream = MemoryLists(template, petitions + 1_000)
    govuk = MemoryGovuk()
    govuk.publish(PAGE)
    clock_now = [NOW]

    def clock() -> datetime:
        return clock_now[0]

    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "alerts.json"
        seed(path, follows, petitions)
        # The history a bot gathers over a year is long on disk: not still being flushed now.
        os.sync()
        store = TinyDBStore(path)
        directory_ = Directory()
        sources: dict[str, Any] = {
            "petitions": PetitionSource(upstream, Plan.EACH),  # type: ignore[arg-type]
            "govuk": GovukStatementsSource(govuk, directory_),  # type: ignore[arg-type]
            "debates": DebatesSource(upstream, NoCalendar()),  # type: ignore[arg-type]
        }
        kinds = [
            PetitionKind(sources["petitions"], frozenset()),
            StatementsKind(sources["govuk"], None, directory_),  # type: ignore[arg-type]
            DebatesKind(sources["debates"]),
        ]
        service = FollowService(store, kinds, 10_000, clock)
        bot = PacedBot(telegram)
        sender = Sender(bot, store, clock)  # type: ignore[arg-type]
        poller = Poller(store, {s.name: s for s in sources.values()}, sender, clock)
        counted = await store.counts()
        assert counted["follows"] == follows // 3 * 3, counted

        async def cycle() -> int:
            """Every source's cycle (and, with an instant Telegram, sending): the alerts queued."""
            queued = 0
            for name in sources:
                report = await poller.run_cycle(name)
                assert report.refreshed == report.targets > 0, (name, report)
                queued += report.queued
            if not telegram:
                await sender.send_pending()
            await store.settle()
            return queued

        await cycle()  # the baselines
        for _ in range(2):  # warm: the first journal lines and the first whole write
            clock_now[0] += timedelta(minutes=1)
            await cycle()
        freeze_loaded()  # as the bot does once it has started (bot.app)
        switch_threads_often()

        clock_now[0] += timedelta(minutes=1)
        written = bytes_written()
        assert await cycle() == 0
        quiet = bytes_written() - written

        latencies: list[float] = []
        answered = 0
        busy = True

        async def user() -> None:
            nonlocal answered
            due, n = time.perf_counter(), 0
            while busy:
                await asyncio.sleep(max(0.0, due - time.perf_counter()))
                chat, petition = 9_000_000 + n // 4, FIRST_ID + petitions + n // 4
                step = n % 4
                # As handlers/guard.py runs every command: its fetches in the users' pool.
                with budget(HttpConfig().command_budget_seconds, for_a_user=True):
                    if step == 0:
                        reply = await service.follow(chat, str(petition))
                        expect = "Following"
                    elif step == 1:
                        reply = await service.status(chat, str(petition))
                        expect = "signatures"
                    elif step == 2:
                        reply = await service.list_follows(FIRST_CHAT + n % (follows // 3))
                        expect = "1."
                    else:
                        # as its Yes button does
                        reply = Reply(await service.unfollow_target(chat, f"petition:{petition}"))
                        expect = "Stopped"
                latencies.append(time.perf_counter() - due)
                assert expect in reply.text, (step, reply.text[:200])
                answered += 1
                n += 1
                due += 1 / per_second

        requests, sent = upstream.requests + govuk.searches, bot.sent
        # As in the bot: the sender is a task of its own, woken by each cycle that queued alerts.
        sending = asyncio.create_task(sender.run()) if telegram else None
        cpu: list[float] = []
        busy_written: list[float] = []
        queued = 0
        stalls = Stalls()
        stalls.start()
        typing = asyncio.create_task(user())
        await asyncio.sleep(0.5)  # commands are already coming when the first cycle starts
        for n in range(cycles):
            clock_now[0] += timedelta(minutes=1)
            for p in range(changed):
                petition = FIRST_ID + (n * changed + p) % petitions
                upstream.counts[petition] = 20_000 + 10_000 * (n + 1)
            govuk.now = clock()
            govuk.publish(5)
            written, started = bytes_written(), time.process_time()
            queued += await cycle()
            cpu.append(time.process_time() - started)
            busy_written.append(bytes_written() - written)
            await asyncio.sleep(1)  # commands between cycles too
        busy = False
        await typing
        longest = await stalls.stop()
        if sending is not None:
            sending.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await sending
        requests, sent = upstream.requests + govuk.searches - requests, bot.sent - sent
        assert queued > 0 and sent > 0 and (telegram or sent >= queued), (queued, sent)
        assert answered == len(latencies) > 0
        store.close_now()
        # What the cycles froze that was garbage in cycles: the daily full collection frees it.
        full = time.perf_counter()
        freed = await collect_everything() if collect_everything else None
        full = time.perf_counter() - full

    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    print(
        f"{follows:,} follows ({follows // 3:,} chats) over {petitions:,} petitions, ~200 "
        f"statement follows and all debates; a year of signature history each"
    )
    print(
        f"  {cycles} busy cycles ({changed:,} petitions crossing a milestone, 5 statements): "
        f"{requests:,} requests, {queued:,} alerts queued, {sent:,} sent "
        + (f"(Telegram at {telegram:g} a second)" if telegram else "(Telegram at once)")
    )
    each = ", ".join(f"{c:.2f}" for c in cpu)
    sending = "" if telegram else " and sending"
    print(f"  busy cycle CPU (polling{sending}): median {statistics.median(cpu):.2f} s ({each})")
    print(
        f"  bytes written: busy cycle median {statistics.median(busy_written) / 1e6:.2f} MB, "
        f"quiet cycle {quiet / 1e6:.3f} MB"
    )
    print(f"  event loop's longest stall: {longest * 1000:.0f} ms")
    print(
        f"  commands ({answered} answered, {per_second:g} a second): p50 "
        f"{statistics.median(ordered) * 1000:.1f} ms, p95 {p95 * 1000:.1f} ms, "
        f"max {ordered[-1] * 1000:.1f} ms"
    )
    if freed is not None:
        print(f"  the daily full collection, after: {freed:,} objects freed, {full * 1000:.0f} ms")
    print(f"  peak RSS {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--follows", type=int, nargs="+", default=[30_000])
    parser.add_argument("--changed", type=int, default=1_000)
    parser.add_argument("--cycles", type=int, default=3)
    parser.add_argument("--per-second", type=float, default=4, help="commands a second")
    parser.add_argument(
        "--telegram",
        type=float,
        default=SHARED_PER_SECOND,
        help="messages a second Telegram takes (the bot's pace); 0: at once, all in the cycle",
    )
    args = parser.parse_args()
    for follows in args.follows:
        # About seven followers a petition: 3,000 petitions at 30,000 follows.
        petitions = max(10, follows // 10)
        changed = min(args.changed, petitions // 3)
        asyncio.run(run(follows, petitions, changed, args.cycles, args.per_second, args.telegram))


if __name__ == "__main__":
    main()
