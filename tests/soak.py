"""The crash soak: the real bot process, `kill -9`ed at random moments and restarted, against a
fake Bot API and a fake petitions site on a scripted timeline; or several processes on one
PostgreSQL in webhook mode behind a reverse proxy, a random one of them killed each time, while
a user keeps sending commands.

Chats follow a few petitions whose counts climb milestone by milestone; a petition moves to its
next milestone only once every follower has the alert for the last one, so what each chat should
receive is exact. Kills land at random moments: mid-cycle, mid-write, mid-burst of sends. At the
end, every chat's messages are compared with what it should have had.

`python -m tests.soak --kills 100` prints the report (`--processes 3 --database postgresql://…`
for several); tests/test_reliability_soak.py and tests/test_processes.py run short forms.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import functools
import itertools
import json
import random
import signal
import socket
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.sources.petitions.detect import milestone_ladder
from bot.storage.postgres import PostgresStore
from bot.storage.tinydb_store import read_tracking
from tests.fakes.petitions import FakePetitions
from tests.fakes.proxy import Balancer
from tests.fakes.telegram import FakeTelegram
from tests.samples import OPEN_BELOW_10K

TOKEN = "123456:SOAK-token"
SECRET = "soak-webhook-secret-0123456789"
PETITIONS = (1, 2, 3)
CHATS = tuple(3000 + n for n in range(20))
ASKER = 4000  # the chat that keeps sending commands
# Counts just past each milestone (100, 500, 1,000, 5,000, ...), then by 500,000 for ever.
STEPS = [150, 600, 1_200, 6_000, 12_000, 30_000, 60_000, 120_000, 160_000, 210_000, 260_000]
STEPS += [510_000, 760_000, 1_010_000] + [1_000_000 + 500_000 * n + 10 for n in range(1, 400)]


@dataclass(frozen=True)
class SoakReport:
    kills: int
    expected: int
    delivered: int
    lost: int
    duplicates: int
    most_duplicates_from_one_kill: int
    commands: int = 0
    commands_unanswered: int = 0

    def lines(self) -> str:
        return "\n".join(f"{name.replace('_', ' ')}: {value}" for name, value in vars(self).items())


def _config(
    directory: Path,
    telegram: FakeTelegram,
    petitions: FakePetitions,
    name: str = "config",
    server: tuple[str, int] | None = None,  # (the proxy's URL, this process's port)
    database: str = "",
) -> Path:
    path = directory / f"{name}.toml"
    storage = (
        f'url = "{database}"' if database else f'path = "{directory / "data" / "alerts.json"}"'
    )
    webhook = (
        f'webhook_url = "{server[0]}/telegram"\nwebhook_secret = "{SECRET}"\n'
        f'[server]\nlisten = "127.0.0.1:{server[1]}"'
        if server
        else ""
    )
    path.write_text(
        f"""
[telegram]
token = "{TOKEN}"
api_base_url = "{telegram.base_url}"
{webhook}
[storage]
{storage}
[petitions]
base_url = "{petitions.base_url}"
poll_interval_seconds = 0.3
[govuk]
base_url = "http://127.0.0.1:9"
poll_interval_seconds = 3600
[parliament]
statements_base_url = "http://127.0.0.1:9"
whatson_base_url = "http://127.0.0.1:9"
members_base_url = "http://127.0.0.1:9"
poll_interval_seconds = 3600
[http]
timeout_seconds = 1
retries = 0
"""
    )
    return path


def _seed_files(directory: Path) -> None:
    subscriptions = {
        "chats": {
            str(chat): {
                "follows": [f"petition:{p}" for p in PETITIONS],
                "muted": [],
                "paused": False,
            }
            for chat in CHATS
        }
    }
    (directory / "data").mkdir()
    (directory / "data" / "alerts.json").write_text(json.dumps(subscriptions))


async def _seed_database(url: str) -> None:
    store = PostgresStore.open(url)
    try:
        for chat in CHATS:
            for petition in PETITIONS:
                await store.add_follow(chat, f"petition:{petition}", None)
    finally:
        await store.close()


def _milestone_line(step: int) -> str:
    # The alert's first line names the milestone just below the step's count.
    return f"📈 <b>{milestone_ladder(STEPS[step])[-1]:,} signatures</b>"


class Timeline:
    """Moves each petition to its next milestone once every chat has the last one."""

    def __init__(self, telegram: FakeTelegram, petitions: FakePetitions) -> None:
        self._telegram = telegram
        self._petitions = petitions
        self.step = dict.fromkeys(PETITIONS, -1)  # the last step announced, per petition
        self.running = True

    def received(self) -> Counter[tuple[int, str]]:
        """Copies of each (chat, first line) the following chats received (alerts)."""
        return Counter(
            (m.chat_id, m.text.partition("\n")[0])
            for m in self._telegram.sent
            if m.chat_id in CHATS
        )

    def expected(self) -> set[tuple[int, str]]:
        return {
            (chat, self._line(petition, step))
            for petition, last in self.step.items()
            for step in range(last + 1)
            for chat in CHATS
        }

    def _line(self, petition: int, step: int) -> str:
        title = self._petitions.documents[petition]["data"]["attributes"]["action"]
        return f"{_milestone_line(step)} for “{title}”"

    def all_told(self) -> bool:
        return self.expected() <= set(self.received())

    async def run(self) -> None:
        while True:
            await asyncio.sleep(0.05)
            if not self.running or not self.all_told():
                continue
            for petition in PETITIONS:
                self.step[petition] += 1
                self._petitions.update(petition, signature_count=STEPS[self.step[petition]])


async def _bot(config: Path) -> asyncio.subprocess.Process:
    """A bot process; what it logs (errors only) goes to bot.log beside the config."""
    with (config.parent / "bot.log").open("a") as log:
        return await asyncio.create_subprocess_exec(
            sys.executable,
            "-m",
            "bot",
            "--config",
            str(config),
            "--log-level",
            "ERROR",
            stdout=asyncio.subprocess.DEVNULL,
            stderr=log,
        )


async def _baselines_stored(data: Path, database: str = "") -> None:
    """Until the store holds every petition's first state (so counts may move)."""
    targets = [f"petition:{p}" for p in PETITIONS]
    while True:
        if database:
            store = PostgresStore(database)
            try:
                states = await store.target_states(targets)
            finally:
                await store.close()
            if all(states.values()):
                return
        else:
            with contextlib.suppress(FileNotFoundError, ValueError):
                tracking = read_tracking(data / "alerts.json")
                if len(tracking.get("targets", {})) == len(PETITIONS):
                    return
        await asyncio.sleep(0.05)


async def _keep_asking(telegram: FakeTelegram, sent: list[int]) -> None:
    """A user who sends /help every 0.3 s, whatever happens to the processes."""
    while True:
        telegram.user_says(ASKER, "/help")
        sent.append(1)
        await asyncio.sleep(0.3)


async def soak(kills: int, seed: int = 7, processes: int = 1, database: str = "") -> SoakReport:
    """`processes` > 1 needs `database`, an empty PostgreSQL database: they share it, in
    webhook mode behind a reverse proxy, and a user keeps sending commands meanwhile."""
    assert processes == 1 or database
    chance = random.Random(seed)
    telegram, petitions = FakeTelegram(TOKEN), FakePetitions()
    ports = [_free_port() for _ in range(processes)]
    proxy = Balancer([f"http://127.0.0.1:{port}" for port in ports])
    for fake in (telegram, petitions, proxy):
        await fake.start()
    asked: list[int] = []
    with tempfile.TemporaryDirectory() as directory:
        folder = Path(directory)
        if database:
            await _seed_database(database)
            configs = [
                _config(folder, telegram, petitions, f"bot{n}", (proxy.base_url, port), database)
                for n, port in enumerate(ports)
            ]
        else:
            _seed_files(folder)
            configs = [_config(folder, telegram, petitions)]
        for number, petition in enumerate(PETITIONS):
            petitions.add(petition, OPEN_BELOW_10K, signature_count=50, action=f"Petition {number}")
        timeline = Timeline(telegram, petitions)
        timeline.running = False
        advancing = asyncio.create_task(timeline.run())
        asking: asyncio.Task[None] | None = None
        duplicates_after: list[int] = []
        started_before = 0  # how often a bot had come up before this run of it
        bots = [await _bot(config) for config in configs]
        try:
            await asyncio.wait_for(_baselines_stored(folder / "data", database), 60)
            timeline.running = True
            if database:
                asking = asyncio.create_task(_keep_asking(telegram, asked))
            for _ in range(kills):
                # Mostly once it runs (mid-cycle, mid-write, mid-burst), sometimes as it starts.
                if chance.random() < 0.8:
                    up = functools.partial(_started, telegram, started_before + 1)
                    await telegram.wait_until(up, 60)
                await asyncio.sleep(chance.uniform(0.0, 1.5))
                victim = chance.randrange(len(bots))
                bots[victim].send_signal(signal.SIGKILL)
                await bots[victim].wait()
                duplicates_after.append(_duplicates(timeline))
                started_before = _times_started(telegram)
                bots[victim] = await _bot(configs[victim])
            # The timeline and the user stop; the last alerts and replies must still arrive.
            timeline.running = False
            if asking is not None:
                asking.cancel()
            deadline = time.monotonic() + 60
            while not _all_answered(timeline, telegram, asked) and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.0)
            for bot in bots:
                bot.send_signal(signal.SIGTERM)
            for bot in bots:
                await asyncio.wait_for(bot.wait(), 15)
        except TimeoutError:
            print((folder / "bot.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            advancing.cancel()
            if asking is not None:
                asking.cancel()
            for bot in bots:
                if bot.returncode is None:
                    bot.kill()
                    await bot.wait()
            for fake in (telegram, petitions, proxy):
                await fake.stop()
    received = timeline.received()
    expected = timeline.expected()
    marks = [0, *duplicates_after, _duplicates(timeline)]
    return SoakReport(
        kills=kills,
        expected=len(expected),
        delivered=sum(received[key] for key in expected),
        lost=len(expected - set(received)),
        duplicates=_duplicates(timeline),
        most_duplicates_from_one_kill=max(b - a for a, b in itertools.pairwise(marks)),
        commands=len(asked),
        commands_unanswered=max(len(asked) - len(telegram.messages_to(ASKER)), 0),
    )


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _all_answered(timeline: Timeline, telegram: FakeTelegram, asked: list[int]) -> bool:
    return timeline.all_told() and len(telegram.messages_to(ASKER)) >= len(asked)


def _times_started(telegram: FakeTelegram) -> int:
    # Asked once a bot is up: deleteWebhook when it polls, setWebhook in webhook mode.
    return sum(telegram.count(f"/bot{TOKEN}/{m}") for m in ("deleteWebhook", "setWebhook"))


def _started(telegram: FakeTelegram, times: int) -> bool:
    return _times_started(telegram) >= times


def _duplicates(timeline: Timeline) -> int:
    return sum(count - 1 for count in timeline.received().values() if count > 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--database", default="", help="an empty PostgreSQL database's URL")
    args = parser.parse_args()
    print(asyncio.run(soak(args.kills, args.seed, args.processes, args.database)).lines())


if __name__ == "__main__":
    main()
