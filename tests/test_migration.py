"""`python -m bot migrate`: a realistic TinyDB store copied into PostgreSQL, every record compared,
and the copy behaving as the original does; refused in one line when it would lose or mix data."""

from __future__ import annotations

import asyncio
import sys
from dataclasses import replace
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.preferences import DEFAULT_CHAT, DEFAULT_FOLLOW
from bot.sources.base import Alert, Bundle, Refresh
from bot.storage.migration import copy_store
from bot.storage.port import FAILED, SENT, UNSURE, Storage
from bot.storage.postgres import PostgresStore
from bot.storage.tinydb_store import TinyDBStore

# Recent: a store opened prunes the keys sent more than DEDUP_DAYS before the real today.
START = datetime.now(UTC).replace(hour=9, minute=0, second=0, microsecond=0) - timedelta(days=25)
DISSOLVED = Bundle("petition:dissolution:2029-05-01", "Parliament dissolved", "Head", "• one")


async def fill(store: Storage) -> None:
    """A few weeks of a small bot: 40 chats, follows of every kind, settings, mutes, a paused
    chat, alerts sent, refused, unsure, pending and held for a digest, told values, a bundle, and
    the signature counts' history."""
    targets = [f"petition:{n}" for n in range(1, 11)] + ["statements:grooming", "debates:all"]
    for chat in range(1, 41):
        chat_id = chat if chat % 4 else -100_000 - chat  # some groups
        for target in targets[chat % 5 :: 3]:
            await store.add_follow(chat_id, target, {"seen": 0})
        if chat % 7 == 0:
            await store.set_chat_settings(
                chat_id, replace(DEFAULT_CHAT, zone="Asia/Tokyo", quiet=(time(22), time(7)))
            )
        if chat % 9 == 0:
            await store.set_chat_settings(chat_id, replace(DEFAULT_CHAT, digest_hour=8), START)
        follows = await store.follows_of(chat_id)
        if chat % 3 == 0:
            await store.set_muted(chat_id, follows[0], True)
        if chat % 5 == 0:
            hushed = replace(DEFAULT_FOLLOW, silent=True)
            await store.set_follow_settings(chat_id, follows[-1], hushed)
    await store.set_paused(11, True)
    for day in range(21):
        now = START + timedelta(days=day)
        refreshes = {
            target: Refresh(
                {"seen": day},
                [
                    Alert(f"{target}:day:{day}", f"<b>{target}</b> on day {day}"),
                    Alert(
                        f"{target}:debate:{day // 7}", "debate", told=(f"{target}:d", str(day // 7))
                    ),
                ],
                1_000 * day + n,
            )
            for n, target in enumerate(targets)
        }
        if day == 20:
            refreshes["petition:1"].alerts.append(
                Alert("petition:1:closed", "Closed", bundle=DISSOLVED)
            )
        await store.record_cycle(refreshes, now)
        if day < 20:
            for n, delivery in enumerate(await store.pending_deliveries()):
                await store.note_outcome(delivery.id, (SENT, SENT, SENT, FAILED, UNSURE)[n % 5])
            await store.fold_outcomes(now)
    for chat_id, due in await store.digests_due(START + timedelta(days=21)):
        await store.send_digest(chat_id, ["your digest"], due, START + timedelta(days=21))


async def migrate_command(*args: str) -> tuple[int, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "migrate", *args,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 120)
    return process.returncode or 0, (out + err).decode()


async def test_a_realistic_store_is_copied_whole_and_behaves_the_same(tmp_path, postgres_url):
    path = tmp_path / "data" / "alerts.json"
    original = TinyDBStore(path)
    await fill(original)
    await original.close()

    code, said = await migrate_command("--from", str(path), "--to", postgres_url)
    assert code == 0, said
    assert len(said.strip().splitlines()) == 1 and "copied to PostgreSQL at" in said, said
    assert "checked" in said and "history samples" in said

    tinydb, postgres = TinyDBStore(path), PostgresStore(postgres_url)
    try:
        expected, copied = await tinydb.snapshot(), await postgres.snapshot()
        assert all(number > 0 for number in expected.counts().values()), expected.counts()
        assert copied == expected

        # The copy goes on as the original would: the same alerts waiting, none told twice.
        def waiting(deliveries):
            return [(d.chat_id, d.key, d.text, d.unsure, d.bundle) for d in deliveries]

        later = START + timedelta(days=22)
        assert waiting(await postgres.pending_deliveries(later)) == waiting(
            await tinydb.pending_deliveries(later)
        )
        assert await postgres.digests_due(later) == await tinydb.digests_due(later)
        again = {
            "petition:2": Refresh(
                {"seen": 99}, [Alert("petition:2:day:3", "x"), Alert("petition:2:day:99", "y")]
            )
        }
        assert await postgres.record_cycle(again, later) == await tinydb.record_cycle(again, later)
        assert await postgres.history_of("petition:3") == await tinydb.history_of("petition:3")
    finally:
        await postgres.close()
        await tinydb.close()

    # Run twice, it would mix two stores: refused, and nothing changes.
    code, said = await migrate_command("--from", str(path), "--to", postgres_url)
    assert code == 2 and "is not empty" in said and "Traceback" not in said, said


async def test_a_postgresql_store_copies_back_to_files(tmp_path, postgres_url):
    postgres = PostgresStore(postgres_url)
    await fill(postgres)
    back = TinyDBStore(tmp_path / "back" / "alerts.json")
    try:
        counts = await copy_store(postgres, back)
        assert counts["follows"] > 0 and counts["history samples"] > 0
        await back.close()
        reopened = TinyDBStore(tmp_path / "back" / "alerts.json")
        assert await reopened.snapshot() == await postgres.snapshot()
        await reopened.close()
    finally:
        await postgres.close()


@pytest.mark.parametrize(
    ("problem", "said"),
    [
        ("running", "another bot process is using this database"),
        ("missing", "does not exist"),
        ("unreachable", "cannot be used"),
    ],
)
async def test_a_migration_that_cannot_run_says_why_in_one_line(
    tmp_path, postgres_url, problem, said
):
    path = tmp_path / "data" / "alerts.json"
    running = TinyDBStore(path)
    await running.add_follow(1, "petition:1", None)
    if problem != "running":
        await running.close()
    url = "postgresql://postgres@127.0.0.1:9/nothing" if problem == "unreachable" else postgres_url
    source = tmp_path / "elsewhere.json" if problem == "missing" else path
    code, out = await migrate_command("--from", str(source), "--to", url)
    assert code == 2 and said in out and len(out.strip().splitlines()) == 1, out
    if problem == "running":
        await running.close()
