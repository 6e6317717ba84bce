"""The real bot process: SIGTERM exits within 10 s in every state, having saved what it holds; a
damaged database or config stops start-up with one line and exit code 2.
"""

from __future__ import annotations

import asyncio
import signal
import subprocess
import sys
import time
from collections import Counter

import pytest

from bot.storage.tinydb_store import tracking_path
from tests.fakes.petitions import FakePetitions
from tests.fakes.telegram import FakeTelegram
from tests.samples import OPEN_BELOW_10K
from tests.soak import CHATS, PETITIONS, TOKEN, _baselines_stored, _bot, _config, _seed_files


@pytest.fixture
async def fakes():
    telegram, petitions = FakeTelegram(TOKEN), FakePetitions()
    await telegram.start()
    await petitions.start()
    for petition in PETITIONS:
        petitions.add(petition, OPEN_BELOW_10K, signature_count=50)
    yield telegram, petitions
    await telegram.stop()
    await petitions.stop()


async def stops_in_time(bot: asyncio.subprocess.Process) -> float:
    stopping = time.monotonic()
    bot.send_signal(signal.SIGTERM)
    await asyncio.wait_for(bot.wait(), 15)
    assert bot.returncode == 0
    return time.monotonic() - stopping


@pytest.mark.parametrize("state", ["sending", "upstream hang", "flood wait"])
async def test_sigterm_exits_within_ten_seconds_and_saves_what_it_holds(state, fakes, tmp_path):
    telegram, petitions = fakes
    config = _config(tmp_path, telegram, petitions)
    _seed_files(tmp_path)
    bot = await _bot(config)
    try:
        await asyncio.wait_for(_baselines_stored(tmp_path / "data"), 30)
        if state == "upstream hang":
            petitions.fail("/petitions/1.json", "hang")
        if state == "flood wait":
            telegram.flood_answers, telegram.flood_retry_after = 1, 60
        for petition in PETITIONS:
            petitions.update(petition, signature_count=150)
        # Mid-burst: some of the 60 alerts are out, the rest are queued or waiting; or the
        # first one was answered with a 60 s flood wait, which holds every send.
        started = 1 if state == "flood wait" else 5
        await telegram.wait_until(lambda: len(telegram.attempts) >= started, 30)
        assert await stops_in_time(bot) < 10
    finally:
        if bot.returncode is None:
            bot.kill()
    # What went out is on record: a restart sends only what had not gone, once.
    telegram.flood_answers = 0
    petitions.heal("/petitions/1.json")
    bot = await _bot(config)
    try:
        await telegram.wait_until(lambda: len(telegram.sent) >= len(CHATS) * len(PETITIONS), 60)
        await asyncio.sleep(1.0)  # a test of "no repeats" can only wait
        assert await stops_in_time(bot) < 10
    finally:
        if bot.returncode is None:
            bot.kill()
    copies = Counter((m.chat_id, m.text) for m in telegram.sent)
    assert len(copies) == len(CHATS) * len(PETITIONS) and set(copies.values()) == {1}


def run_cli(*args: str) -> tuple[int, str]:
    done = subprocess.run(
        [sys.executable, "-m", "bot", *args], capture_output=True, text=True, timeout=60
    )
    return done.returncode, done.stderr


@pytest.mark.parametrize(
    ("damage", "problem"),
    [
        (lambda data: (data / "alerts.json").write_text(""), "is empty"),
        (lambda data: (data / "alerts.json").write_text("{"), "is not valid JSON"),
        (lambda data: (data / "alerts.json").write_text('{"chats": [1]}'), "not an Accountability"),
        (
            lambda data: tracking_path(data / "alerts.json").write_text("[]"),
            "not an Accountability",
        ),
        (lambda data: (data / "alerts.journal").write_text("x\n"), "line 1 is damaged"),
    ],
)
def test_a_damaged_database_stops_start_up_with_one_line(damage, problem, tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "alerts.json").write_text('{"chats": {}}')
    damage(data)
    config = tmp_path / "config.toml"
    config.write_text(f'[telegram]\ntoken = "1:a"\n[storage]\npath = "{data / "alerts.json"}"\n')
    code, stderr = run_cli("--config", str(config))
    assert code == 2 and len(stderr.strip().splitlines()) == 1, stderr
    assert problem in stderr and str(data) in stderr and "restore it from a backup" in stderr
    assert "Traceback" not in stderr


def test_a_mistyped_config_value_is_never_echoed(tmp_path):
    secret = "123456:AAH-the-real-token"
    config = tmp_path / "config.toml"
    config.write_text(f'[telegram]\ntoken = "1:a"\n[petitions]\nbase_url = ["{secret}"]\n')
    code, stderr = run_cli("--config", str(config))
    assert code == 2 and secret not in stderr
    assert "petitions.base_url must be a URL string, not a list or table" in stderr
