"""Benchmark: what one warm poll cycle of 1,000 and 10,000 followed petitions costs, per plan.

A fake petitions site runs in its own process on 127.0.0.1 with real-sized documents: the captured
show document of petition 627130 with its breakdowns grown to 650 constituencies, 230 countries
and 12 regions (about 60 KB), list entries of about 2 KB, 50 to a page. It holds 3,000 open and
10,000 closed petitions; before each cycle a share of the open ones (5% by default) gains
signatures, which moves `updated_at` as on the real site. The bot side is the real PetitionSource,
Poller, HttpClient and TinyDB Store, each configuration in a fresh process, one minute of clock per
cycle. Per cycle: the followed petitions whose count moved, requests, bytes downloaded, CPU-seconds
of the bot's process (threads included), wall time, and the process's peak RSS; `--active` takes
several shares, for a row group each. 1,000 followed are open petitions; 10,000 are all 3,000 open
and 7,000 closed ones.

With `--peers`, urlwatch 2.29 and changedetection.io 0.60 are installed from PyPI, each into a
scratch virtualenv, and run against the same site, one show URL per petition, as rows of the same
table (their CPU is their processes'; they keep no state worth warming, so each runs PEER_CYCLES
times). urlwatch runs once a cycle, as from cron. changedetection.io is a service: a cycle is a run
of its batch mode with every watch queued, less a run with none (run_changedetection); it runs
at CHANGEDETECTION_MOST petitions at most.
The cheapest plan first runs WARM_UP_CYCLES unmeasured, so that its reads of whole documents (the
cycle after a petition's count moves) are at their steady pace; the table gives means per cycle.

    python benchmarks/bench_poll.py [--followed 1000 10000] [--active 0.05] [--cycles 30] [--peers]
"""

from __future__ import annotations

import argparse
import asyncio
import copy
import itertools
import json
import multiprocessing
import os
import random
import resource
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import venv
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

import orjson
from aiohttp import web

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bot.config import HttpConfig  # noqa: E402
from bot.http import HttpClient  # noqa: E402
from bot.poller import Poller  # noqa: E402
from bot.sources.petitions.client import PetitionClient  # noqa: E402
from bot.sources.petitions.plan import Plan  # noqa: E402
from bot.sources.petitions.source import PetitionSource  # noqa: E402
from bot.storage.tinydb_store import TinyDBStore  # noqa: E402

FIXTURE = ROOT / "tests/fixtures/show_open_with_government_response_627130_captured_2023-01.json"
SHOW_ONLY = (
    "signatures_by_country",
    "signatures_by_constituency",
    "signatures_by_region",
    "other_parliamentary_business",
)
PAGE = 50
# The site's clock starts now and runs a minute a cycle, never behind the wall clock: a peer that
# sends its own time as If-Modified-Since (urlwatch) still gets every change.
START = datetime.now(UTC).replace(second=0, microsecond=0)
WARM_UP_CYCLES = 5
PEER_CYCLES = 5
# changedetection.io costs about 35 CPU-s a cycle at 1,000 URLs: at 10,000 a run would take hours.
CHANGEDETECTION_MOST = 1_000


# --- the site ----------------------------------------------------------------------------------


def _grown(entries: list[dict[str, Any]], size: int, code: str) -> list[dict[str, Any]]:
    """`size` entries shaped like the captured ones, with names and codes of their own."""
    grown = []
    for n in range(size):
        entry = copy.deepcopy(entries[n % len(entries)])
        entry["name"] = f"{entry['name']} {n}"
        entry[code] = f"{entry[code]}{n}"
        entry["signature_count"] = (n * 37) % 500
        grown.append(entry)
    return grown


class Site:
    def __init__(self, open_count: int, closed_count: int, active: float) -> None:
        document = json.loads(FIXTURE.read_text(encoding="utf-8"))
        attributes = document["data"]["attributes"]
        self.breakdowns = {
            "signatures_by_constituency": _grown(
                attributes["signatures_by_constituency"], 650, "ons_code"
            ),
            "signatures_by_country": _grown(attributes["signatures_by_country"], 230, "code"),
            "signatures_by_region": _grown(attributes["signatures_by_region"], 12, "ons_code"),
            "other_parliamentary_business": [],
        }
        base = {k: v for k, v in attributes.items() if k not in SHOW_ONLY}
        self.random = random.Random(2026)
        self.active = active
        # The site's own clock, a minute on at each tick, as the bot's is: Last-Modified and Date
        # then relate as they do between real cycles a minute apart (START).
        self.clock = START
        start = START - timedelta(hours=1)
        self.petitions: dict[int, dict[str, Any]] = {}
        for ident in range(1, open_count + closed_count + 1):
            closed = ident > open_count
            self.petitions[ident] = {
                **base,
                "action": f"Petition number {ident}",
                "state": "closed" if closed else "open",
                "closing_date": None if closed else "2027-01-01",
                "signature_count": int(self.random.paretovariate(1.2) * 200),
                "updated_at": _iso(start),
            }
        self.open = list(range(1, open_count + 1))
        self.requests = 0
        self.bytes = 0

    def tick(self) -> list[int]:
        changed = self.random.sample(self.open, int(len(self.open) * self.active))
        # A minute on, and never behind the wall clock: a slow peer's cycle can take longer.
        self.clock = max(self.clock + timedelta(minutes=1), datetime.now(UTC))
        for ident in changed:
            attributes = self.petitions[ident]
            attributes["signature_count"] += self.random.randint(1, 40)
            # Counted at some moment of the last minute, on the site's 10-second beat.
            signed = self.clock - timedelta(seconds=10 * self.random.randint(0, 5))
            attributes["updated_at"] = _iso(signed)
        return changed

    def _respond(self, body: bytes, headers: dict[str, str] | None = None) -> web.Response:
        self.requests += 1
        self.bytes += len(body)
        return web.Response(body=body, content_type="application/json", headers=headers)

    async def show(self, request: web.Request) -> web.Response:
        ident = int(request.match_info["id"])
        attributes = self.petitions[ident]
        updated = datetime.fromisoformat(attributes["updated_at"])
        modified = updated.replace(second=updated.second // 10 * 10, microsecond=0)
        headers = {
            "Last-Modified": format_datetime(modified, usegmt=True),
            "Date": format_datetime(self.clock, usegmt=True),
        }
        since = _instant(request.headers.get("If-Modified-Since"))
        if since is not None and since >= modified:
            self.requests += 1
            return web.Response(status=304, headers=headers)
        data = {"type": "petition", "id": ident, "attributes": {**attributes, **self.breakdowns}}
        document = {"links": {"self": str(request.url)}, "data": data}
        return self._respond(orjson.dumps(document), headers)

    async def listing(self, request: web.Request) -> web.Response:
        facet = request.query.get("state", "all")
        page = int(request.query.get("page", 1))
        found = [
            (ident, attributes)
            for ident, attributes in self.petitions.items()
            if facet in ("all", attributes["state"])
        ]
        found.sort(key=lambda item: -item[1]["signature_count"])
        pages = max(1, -(-len(found) // PAGE))
        link = f"http://{request.host}/petitions.json?count={PAGE}&page={{}}&state={facet}"
        links = {
            "last": link.format(pages),
            "next": link.format(page + 1) if page < pages else None,
        }
        items = [
            {"type": "petition", "id": ident, "attributes": attributes}
            for ident, attributes in found[(page - 1) * PAGE : page * PAGE]
        ]
        return self._respond(orjson.dumps({"links": links, "data": items}))

    async def control(self, request: web.Request) -> web.Response:
        if request.match_info["what"] == "tick":
            return web.json_response({"changed": self.tick()})
        stats = {"requests": self.requests, "bytes": self.bytes}
        self.requests = self.bytes = 0
        return web.json_response(stats)


def _instant(header: str | None) -> datetime | None:
    try:
        parsed = parsedate_to_datetime(header) if header else None
    except (TypeError, ValueError):
        return None
    return parsed.replace(tzinfo=UTC) if parsed and parsed.tzinfo is None else parsed


def _iso(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds").replace("+00:00", "Z")


def serve(ready: Any, open_count: int, closed_count: int, active: float) -> None:
    async def main() -> None:
        site = Site(open_count, closed_count, active)
        app = web.Application()
        app.router.add_get("/petitions.json", site.listing)
        app.router.add_get("/petitions/{id}.json", site.show)
        app.router.add_get("/_/{what}", site.control)
        runner = web.AppRunner(app, access_log=None)
        await runner.setup()
        tcp = web.TCPSite(runner, "127.0.0.1", 0)
        await tcp.start()
        ready.put(tcp._server.sockets[0].getsockname()[1])  # type: ignore[union-attr]
        await asyncio.Event().wait()

    asyncio.run(main())


# --- one configuration, in its own process -----------------------------------------------------


@dataclass(frozen=True)
class Cycle:
    requests: int
    megabytes: float
    cpu: float
    wall: float
    moved: int  # followed petitions whose count moved before the cycle


class NoSender:
    def wake(self) -> None:
        pass


def followed_petitions(count: int, open_count: int) -> list[int]:
    if count <= open_count:
        return sorted(random.Random(1).sample(range(1, open_count + 1), count))
    return list(range(1, count + 1))


async def run_ours(plan: Plan, url: str, followed: list[int], cycles: int) -> list[Cycle]:
    http = HttpClient(HttpConfig(timeout_seconds=30), [url])
    clock_now = [START]
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "alerts.json"
        chats = {
            str(1_000 + n): {
                "follows": [f"petition:{p}" for p in followed[n * 10 : n * 10 + 10]],
                "muted": [],
                "paused": False,
            }
            for n in range(-(-len(followed) // 10))
        }
        path.write_bytes(orjson.dumps({"chats": chats}))
        store = TinyDBStore(path)
        source = PetitionSource(PetitionClient(http, url), plan)
        poller = Poller(store, {source.name: source}, NoSender(), lambda: clock_now[0])  # type: ignore[arg-type]
        await poller.run_cycle(source.name)  # the baselines
        # The list plan reads a petition whole at most every SWEEP_AFTER when its count moves:
        # cycles enough for that to reach its steady pace are not measured.
        for _ in range(0 if plan is Plan.EACH else WARM_UP_CYCLES):
            await http.get_json(f"{url}/_/tick")
            clock_now[0] += timedelta(minutes=1)
            await poller.run_cycle(source.name)
        results = []
        for _ in range(cycles):
            moved = _moved(await http.get_json(f"{url}/_/tick"), followed)
            await http.get_json(f"{url}/_/stats")
            clock_now[0] += timedelta(minutes=1)
            cpu, wall = time.process_time(), time.perf_counter()
            report = await poller.run_cycle(source.name)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            assert report.refreshed == len(followed), report
            stats = await http.get_json(f"{url}/_/stats")
            assert stats["requests"] > 0, stats
            results.append(Cycle(stats["requests"], stats["bytes"] / 1e6, cpu, wall, moved))
        store.close_now()
    await http.close()
    return results


def run_urlwatch(python: Path, url: str, followed: list[int], cycles: int) -> list[Cycle]:
    results = []
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        urls = "\n---\n".join(f"url: {url}/petitions/{p}.json" for p in followed)
        (folder / "urls.yaml").write_text(urls + "\n")
        (folder / "urlwatch.yaml").write_text(
            "report:\n  stdout:\n    enabled: false\n  text:\n    details: false\n"
        )
        command = [
            str(python.parent / "urlwatch"),
            "--urls", str(folder / "urls.yaml"),
            "--config", str(folder / "urlwatch.yaml"),
            "--cache", str(folder / "cache.db"),
        ]  # fmt: skip

        _timed(command)  # the baselines
        for _ in range(cycles):
            moved = _moved(_get(f"{url}/_/tick"), followed)
            _get(f"{url}/_/stats")
            cpu, wall = _timed(command)
            stats = _get(f"{url}/_/stats")
            results.append(Cycle(stats["requests"], stats["bytes"] / 1e6, cpu, wall, moved))
    return results


def run_changedetection(python: Path, url: str, followed: list[int], cycles: int) -> list[Cycle]:
    """changedetection.io checks its watches from a service; its batch mode (`-b`) starts it,
    queues every watch (`-r all`), waits for the checks and stops. A cycle's cost is such a run's
    less that of a run with nothing queued (its start and stop, median of PEER_CYCLES)."""
    results = []
    with tempfile.TemporaryDirectory() as directory:
        with socket.socket() as probe:  # a free port: batch mode refuses to run on a busy one
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        service = [
            str(python.parent / "changedetection.py"),
            "-d", directory, "-h", "127.0.0.1", "-p", str(port), "-l", "ERROR", "-b",
        ]  # fmt: skip
        added = [part for p in followed for part in ("-u", f"{url}/petitions/{p}.json")]
        # It refuses private addresses such as 127.0.0.1 unless told otherwise.
        environ = {"ALLOW_IANA_RESTRICTED_ADDRESSES": "true"}
        _timed([*service, *added], environ)  # the watches and their baselines
        idle = [_timed(service, environ) for _ in range(PEER_CYCLES)]
        idle_cpu = statistics.median(cpu for cpu, _ in idle)
        idle_wall = statistics.median(wall for _, wall in idle)
        for _ in range(cycles):
            moved = _moved(_get(f"{url}/_/tick"), followed)
            _get(f"{url}/_/stats")
            cpu, wall = _timed([*service, "-r", "all"], environ)
            stats = _get(f"{url}/_/stats")
            megabytes = stats["bytes"] / 1e6
            results.append(
                Cycle(stats["requests"], megabytes, cpu - idle_cpu, wall - idle_wall, moved)
            )
    return results


def _timed(command: list[str], environ: dict[str, str] | None = None) -> tuple[float, float]:
    """The CPU-seconds of `command`'s processes, and its wall time."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, env={**os.environ, **(environ or {})})
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return cpu, time.perf_counter() - started


def _moved(tick: dict[str, Any], followed: list[int]) -> int:
    return len(set(tick["changed"]).intersection(followed))


def _get(url: str) -> dict[str, Any]:
    with urllib.request.urlopen(url) as answer:
        return json.loads(answer.read())


def one(args: argparse.Namespace) -> None:
    """Run one configuration against the site at `args.url`; print its cycles as JSON."""
    followed = followed_petitions(args.count, args.open)
    if args.who in PEERS:
        cycles = PEERS[args.who][2](Path(args.python), args.url, followed, args.cycles)
        rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    else:
        cycles = asyncio.run(run_ours(Plan(args.who), args.url, followed, args.cycles))
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps({"cycles": [c.__dict__ for c in cycles], "rss": rss}))


# name: (what pip installs, the program it puts in the virtualenv, how it runs its cycles)
PEERS: dict[str, tuple[str, str, Callable[[Path, str, list[int], int], list[Cycle]]]] = {
    "urlwatch": ("urlwatch==2.29", "urlwatch", run_urlwatch),
    "changedetection.io": (
        "changedetection.io>=0.60,<0.61",
        "changedetection.py",
        run_changedetection,
    ),
}


# --- the table ---------------------------------------------------------------------------------


def install_peer(name: str) -> Path | None:
    """The Python of a scratch virtualenv with the peer `name` installed from PyPI, or None."""
    requirement, program, _ = PEERS[name]
    folder = Path(tempfile.gettempdir()) / f"bench-poll-{name}"
    python = folder / "bin" / "python"
    if not (folder / "bin" / program).exists():
        venv.create(folder, with_pip=True)
        installed = subprocess.run(
            [str(python), "-m", "pip", "install", "-q", requirement], capture_output=True, text=True
        )
        if installed.returncode != 0:
            print(f"{requirement} could not be installed: {installed.stderr.strip()[-300:]}")
            return None
    return python


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--followed", type=int, nargs="+", default=[1_000, 10_000])
    parser.add_argument("--cycles", type=int, default=30, help="cycles measured per configuration")
    parser.add_argument("--open", type=int, default=3_000)
    parser.add_argument("--closed", type=int, default=10_000)
    parser.add_argument(
        "--active",
        type=float,
        nargs="+",
        default=[0.05],
        help="shares of the open petitions signed before each cycle: a table row group for each",
    )
    parser.add_argument(
        "--peers", action="store_true", help="also run the peers, installed from PyPI"
    )
    parser.add_argument("--who", help=argparse.SUPPRESS)
    parser.add_argument("--url", help=argparse.SUPPRESS)
    parser.add_argument("--count", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--python", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.who:
        one(args)
        return

    who = [Plan.EACH.value, Plan.CHEAPEST.value]
    pythons = {name: install_peer(name) for name in PEERS} if args.peers else {}
    who += [name for name, python in pythons.items() if python is not None]
    print(
        f"{args.open:,} open and {args.closed:,} closed petitions, a share of the open ones "
        f"signed before each cycle; means of {args.cycles} warm cycles (a minute apart)\n"
    )
    print(
        f"{'active':>6} {'followed':>8}  {'who':<17} {'moved':>6} {'requests':>8} {'MB down':>8} "
        f"{'CPU-s':>7} {'wall s':>7} {'peak RSS MB':>11}"
    )
    for active, count, name in itertools.product(args.active, args.followed, who):
        if name == "changedetection.io" and count > CHANGEDETECTION_MOST:
            print(f"{active:>6.0%} {count:>8,}  {name:<17} not run: about 350 CPU-s a cycle")
            continue
        ready: Any = multiprocessing.Queue()
        site = multiprocessing.Process(
            target=serve, args=(ready, args.open, args.closed, active), daemon=True
        )
        site.start()
        url = f"http://127.0.0.1:{ready.get(timeout=60)}"
        # The peers keep no state worth warming (they fetch every URL each run): a few runs.
        measured = args.cycles if name not in PEERS else min(args.cycles, PEER_CYCLES)
        command = [
            sys.executable, __file__, "--who", name, "--url", url, "--count", str(count),
            "--cycles", str(measured), "--open", str(args.open),
            "--python", str(pythons.get(name) or ""),
        ]  # fmt: skip
        done = subprocess.run(command, check=True, capture_output=True, text=True)
        site.terminate()
        result = json.loads(done.stdout.strip().splitlines()[-1])
        cycles = [Cycle(**c) for c in result["cycles"]]
        label = {"each": "bot, per petition", "cheapest": "bot, cheapest"}.get(name, name)

        def mean(field: str, cycles: list[Cycle] = cycles) -> float:
            return statistics.mean(getattr(c, field) for c in cycles)

        print(
            f"{active:>6.0%} {count:>8,}  {label:<17} {mean('moved'):>6.0f} "
            f"{mean('requests'):>8.0f} {mean('megabytes'):>8.1f} {mean('cpu'):>7.2f} "
            f"{mean('wall'):>7.2f} {result['rss']:>11.0f}"
        )
    if not args.peers:
        print(f"\n(--peers adds {' and '.join(spec for spec, _, _ in PEERS.values())} from PyPI.)")


if __name__ == "__main__":
    main()
