"""The crash soak: the real bot process, `kill -9`ed at random moments and restarted, against a
fake Bot API and a fake petitions site on a scripted timeline.

Chats follow a few petitions whose counts climb milestone by milestone; a petition moves to its
next milestone only once every follower has the alert for the last one, so what each chat should
receive is exact. Kills land at random moments: mid-cycle, mid-write, mid-burst of sends. At the
end, every chat's messages are compared with what it should have had.

`python -m tests.soak --kills 100` prints the report; tests/test_reliability_soak.py runs a short
form.
"""

from __future__ import annotations

import argparse
import asyncio
import functools
import itertools
import json
import random
import signal
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

from bot.sources.petitions.detect import milestone_ladder
from bot.storage.tinydb_store import tracking_path
from tests.fakes.petitions import FakePetitions
from tests.fakes.telegram import FakeTelegram
from tests.samples import OPEN_BELOW_10K

TOKEN = "123456:SOAK-token"
PETITIONS = (1, 2, 3)
CHATS = tuple(3000 + n for n in range(20))
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

    def lines(self) -> str:
        return "\n".join(f"{name.replace('_', ' ')}: {value}" for name, value in vars(self).items())


def _config(directory: Path, telegram: FakeTelegram, petitions: FakePetitions) -> Path:
    path = directory / "config.toml"
    path.write_text(
        f"""
[telegram]
token = "{TOKEN}"
api_base_url = "{telegram.base_url}"
[storage]
path = "{directory / "data" / "alerts.json"}"
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
    return path


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
        """Copies of each (chat, first line) the chats received."""
        return Counter((m.chat_id, m.text.partition("\n")[0]) for m in self._telegram.sent)

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
    """The bot process; what it logs (errors only) goes to bot.log beside the config."""
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


async def _baselines_stored(data: Path) -> None:
    """Until the tracking file holds every petition's first state (so counts may move)."""
    tracking = tracking_path(data / "alerts.json")
    while True:
        try:
            targets = json.loads(tracking.read_text()).get("targets", {})
            if len(targets) == len(PETITIONS):
                return
        except (FileNotFoundError, ValueError):
            pass
        await asyncio.sleep(0.05)


async def soak(kills: int, seed: int = 7) -> SoakReport:
    chance = random.Random(seed)
    telegram, petitions = FakeTelegram(TOKEN), FakePetitions()
    await telegram.start()
    await petitions.start()
    with tempfile.TemporaryDirectory() as directory:
        config = _config(Path(directory), telegram, petitions)
        for number, petition in enumerate(PETITIONS):
            petitions.add(petition, OPEN_BELOW_10K, signature_count=50, action=f"Petition {number}")
        timeline = Timeline(telegram, petitions)
        timeline.running = False
        advancing = asyncio.create_task(timeline.run())
        duplicates_after: list[int] = []
        started_before = 0  # how often the bot had come up before this run of it
        try:
            bot = await _bot(config)
            await asyncio.wait_for(_baselines_stored(Path(directory) / "data"), 60)
            timeline.running = True
            for _ in range(kills):
                # Mostly once it runs (mid-cycle, mid-write, mid-burst), sometimes as it starts.
                if chance.random() < 0.8:
                    up = functools.partial(_started, telegram, started_before + 1)
                    await telegram.wait_until(up, 60)
                await asyncio.sleep(chance.uniform(0.0, 1.5))
                bot.send_signal(signal.SIGKILL)
                await bot.wait()
                duplicates_after.append(_duplicates(timeline))
                started_before = _times_started(telegram)
                bot = await _bot(config)
            # The timeline stops; the last alerts must still arrive, and no more.
            timeline.running = False
            deadline = time.monotonic() + 60
            while not timeline.all_told() and time.monotonic() < deadline:
                await asyncio.sleep(0.1)
            await asyncio.sleep(2.0)
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 15)
        except TimeoutError:
            print((Path(directory) / "bot.log").read_text()[-3000:], file=sys.stderr)
            raise
        finally:
            advancing.cancel()
            if bot.returncode is None:
                bot.kill()
                await bot.wait()
            await telegram.stop()
            await petitions.stop()
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
    )


def _times_started(telegram: FakeTelegram) -> int:
    return telegram.count(f"/bot{TOKEN}/deleteWebhook")  # asked once the bot is up


def _started(telegram: FakeTelegram, times: int) -> bool:
    return _times_started(telegram) >= times


def _duplicates(timeline: Timeline) -> int:
    return sum(count - 1 for count in timeline.received().values() if count > 1)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kills", type=int, default=100)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    print(asyncio.run(soak(args.kills, args.seed)).lines())


if __name__ == "__main__":
    main()
