"""Benchmark: one petition alert to 2,000 and to 10,000 chats, and commands during the fan-out.

The real bot (`python -m bot`: python-telegram-bot's Application, AIORateLimiter, the sender, the
TinyDB store) runs as a process of its own against the test suite's fakes on 127.0.0.1, served
from this one as Telegram is from elsewhere: a Bot API that enforces Telegram's 30 messages a
second by answering 429 beyond it, and a petitions site. Every chat follows one petition; its
count crosses a milestone, and one alert goes to every chat. Meanwhile another user sends /list
0, 2 and 4 times a second (`--commands`) and times each reply. Per run: alerts a second and all
messages a second (alerts and replies, first to last alert: they share Telegram's limit), 429s,
the time from the petition's change to the first and the last alert, and the replies' p50 / p95
/ max. It asserts every chat got its alert and every command its reply.

    python benchmarks/bench_fanout.py [--chats 2000 10000] [--commands 0 2 4]
"""

from __future__ import annotations

import argparse
import asyncio
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.conftest import TOKEN  # noqa: E402
from tests.e2e import ask  # noqa: E402
from tests.fakes.govuk import FakeGovuk  # noqa: E402
from tests.fakes.parliament import FakeParliament  # noqa: E402
from tests.fakes.petitions import FakePetitions  # noqa: E402
from tests.fakes.telegram import FakeTelegram  # noqa: E402
from tests.processes import BotProcess, write_config  # noqa: E402
from tests.samples import OPEN_BELOW_10K  # noqa: E402

ASKER = 42  # the user who sends commands during the fan-out
FIRST_CHAT = 1_000_000
READY = "Running as @"


def seed(path: Path, chats: int) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    follows = {"follows": ["petition:1"], "muted": [], "paused": False}
    path.write_bytes(orjson.dumps({"chats": {str(FIRST_CHAT + n): follows for n in range(chats)}}))


async def run(chats: int, commands_per_second: float) -> None:
    telegram, petitions = FakeTelegram(TOKEN), FakePetitions()
    govuk, parliament = FakeGovuk(), FakeParliament()
    for fake in (telegram, petitions, govuk, parliament):
        await fake.start()
    petitions.add(1, OPEN_BELOW_10K, signature_count=4_000)
    telegram.max_per_second = 30
    with tempfile.TemporaryDirectory() as directory:
        path = Path(directory) / "data" / "alerts.json"
        seed(path, chats)
        config = write_config(
            Path(directory) / "config.toml",
            {
                "telegram": {"token": TOKEN, "api_base_url": telegram.base_url},
                "storage": {"path": str(path)},
                "petitions": {"base_url": petitions.base_url, "poll_interval_seconds": 1},
                "govuk": {"base_url": govuk.base_url},
                "parliament": {
                    "statements_base_url": parliament.base_url,
                    "whatson_base_url": parliament.base_url,
                    "members_base_url": parliament.base_url,
                },
                "limits": {"actions_per_minute": 10_000},
            },
        )
        bot = BotProcess(config, port=0)
        await bot.start()
        try:
            await bot.wait_for(READY, timeout=120)
            await petitions.wait_for_petition_requests(1, 2, timeout=60)  # the baseline is in
            floods_before = telegram.floods
            changed = time.monotonic()
            petitions.update(1, signature_count=5_002)
            latencies = []
            while sum(1 for message in telegram.sent if message.chat_id != ASKER) < chats:
                if not commands_per_second:
                    await telegram.wait_until(lambda: len(telegram.sent) >= chats, timeout=3_600)
                    break
                asked = time.monotonic()
                await ask(telegram, ASKER, "/list")
                latencies.append(time.monotonic() - asked)
                await asyncio.sleep(max(0.0, 1 / commands_per_second - latencies[-1]))
        finally:
            await bot.end(signal.SIGTERM)
    alerts = [t for t, m in zip(telegram.sent_times, telegram.sent, strict=True)
              if m.chat_id != ASKER]  # fmt: skip
    messages = [t for t in telegram.sent_times if alerts[0] <= t <= alerts[-1]]
    replies = sum(1 for m in telegram.sent if m.chat_id == ASKER)
    floods = telegram.floods - floods_before
    for fake in (telegram, petitions, govuk, parliament):
        await fake.stop()

    assert len(alerts) == chats and replies >= len(latencies), (len(alerts), replies)
    rate = (len(alerts) - 1) / (alerts[-1] - alerts[0])
    total = (len(messages) - 1) / (alerts[-1] - alerts[0])
    first, last = alerts[0] - changed, alerts[-1] - changed
    print(
        f"{chats:>7,} chats, {commands_per_second:g} commands/s: alerts {rate:5.2f}/s, all "
        f"messages {total:5.2f}/s ({len(alerts):,} alerts, {replies} replies)  429s {floods}"
        f"  first {first:4.1f} s  last {last:6.1f} s  {_commands(latencies)}"
    )


def _commands(latencies: list[float]) -> str:
    if not latencies:
        return "no commands"
    ordered = sorted(latencies)
    p95 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.95))]
    return (
        f"replies p50 {statistics.median(ordered) * 1000:4.0f} ms  p95 {p95 * 1000:4.0f} ms  "
        f"max {ordered[-1] * 1000:4.0f} ms (n={len(ordered)})"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--chats", type=int, nargs="+", default=[2_000, 10_000])
    parser.add_argument(
        "--commands",
        type=float,
        nargs="+",
        default=[0, 2, 4],
        help="commands a second during the fan-out (0: none)",
    )
    args = parser.parse_args()
    for chats in args.chats:
        for per_second in args.commands:
            asyncio.run(run(chats, per_second))


if __name__ == "__main__":
    main()
