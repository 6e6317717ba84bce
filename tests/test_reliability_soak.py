"""The crash soak (tests/soak.py): the real bot process `kill -9`ed at random moments, restarted
each time. Nothing is ever lost, and a kill repeats at most the messages that were in flight,
one per sending worker. CI runs 10 kills; the 100-kill run is marked slow and prints its report.
The same with two (CI) or three (slow) processes on one PostgreSQL, a random one killed each
time while a user keeps sending commands: every command is answered too.
"""

from __future__ import annotations

import pytest

from bot.sender import CHATS_IN_PARALLEL
from tests.soak import soak


async def test_ten_kills_lose_nothing_and_repeat_at_most_what_was_in_flight():
    report = await soak(kills=10)
    print(report.lines())
    # Enough happened to matter: alerts go out at 27.5 a second, in bursts of 60, between kills.
    assert report.expected >= 10 * 12 and report.lost == 0
    assert report.most_duplicates_from_one_kill <= CHATS_IN_PARALLEL


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_a_hundred_kills(capsys):
    report = await soak(kills=100, seed=11)
    with capsys.disabled():
        print("\n" + report.lines())
    assert report.lost == 0
    assert report.most_duplicates_from_one_kill <= CHATS_IN_PARALLEL


async def test_processes_on_postgresql_killed_in_turn_lose_nothing(postgres_url):
    report = await soak(kills=6, processes=2, database=postgres_url)
    print(report.lines())
    assert report.expected >= 6 * 12 and report.lost == 0
    assert report.commands >= 10 and report.commands_unanswered == 0
    assert report.most_duplicates_from_one_kill <= CHATS_IN_PARALLEL


@pytest.mark.slow
@pytest.mark.timeout(900)
async def test_three_processes_fifty_kills(capsys, postgres_url):
    report = await soak(kills=50, seed=13, processes=3, database=postgres_url)
    with capsys.disabled():
        print("\n" + report.lines())
    assert report.lost == 0 and report.commands_unanswered == 0
    assert report.most_duplicates_from_one_kill <= CHATS_IN_PARALLEL
