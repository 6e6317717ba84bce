"""Storage: follows and deliveries survive a restart and a crash, writes are atomic, batched and
rolled back when they fail, history is compacted, and a damaged file is named, never replaced."""

from __future__ import annotations

import asyncio
import errno
import itertools
import json
import os
import threading
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from bot import store as store_module
from bot import storefiles
from bot.preferences import DEFAULT_CHAT
from bot.sources.base import Alert, Bundle, Refresh
from bot.store import (
    DEDUP_DAYS,
    FAILED,
    SENT,
    UNSURE,
    SaveError,
    Store,
    StoreError,
    journal_path,
    subscriptions_journal_path,
    tracking_path,
)
from bot.storefiles import Journal

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "data" / "alerts.json"


def reopen(store: Store, path) -> Store:
    store.close()
    return Store(path)


async def test_follows_survive_a_restart(path):
    store = Store(path)
    await store.add_follow(1, "petition:1", {"v": 1})
    await store.add_follow(-100200, "petition:1", None)
    await store.add_follow(1, "petition:2", {"v": 2})
    await store.remove_follow(1, "petition:2")
    store = reopen(store, path)
    assert store.follows_of(1) == ["petition:1"]
    assert store.follows_of(-100200) == ["petition:1"]
    assert store.followers_of("petition:1") == {1, -100200}
    assert store.target_state("petition:1") == {"v": 1}
    assert store.target_state("petition:2") is None  # nobody follows it: forgotten


async def test_a_cycle_queues_one_delivery_per_chat_and_key_ever(path):
    store = Store(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.add_follow(2, "petition:1", None)
    alert = Alert("petition:1:milestone:500", "500!")
    assert await store.record_cycle({"petition:1": Refresh({"v": 1}, [alert])}, NOW) == 2
    assert await store.record_cycle({"petition:1": Refresh({"v": 2}, [alert])}, NOW) == 0
    pending = store.pending_deliveries()
    assert [(d.chat_id, d.key, d.text) for d in pending] == [
        (1, alert.key, "500!"),
        (2, alert.key, "500!"),
    ]
    await store.note_outcome(pending[0].id, SENT)
    await store.note_outcome(pending[1].id, FAILED)
    store = reopen(store, path)
    assert store.pending_deliveries() == []
    assert await store.record_cycle({"petition:1": Refresh({"v": 3}, [alert])}, NOW) == 0
    assert store.target_state("petition:1") == {"v": 3}


async def test_new_deliveries_reach_disk_in_the_same_write_as_their_state(path):
    store = Store(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    on_disk = json.loads(tracking_path(path).read_text())
    assert [doc["state"] for doc in on_disk["targets"].values()] == [{"v": 1}]
    assert [doc["key"] for doc in on_disk["deliveries"].values()] == ["k"]


async def test_a_cycle_is_one_write_however_many_targets(path, monkeypatch):
    store = Store(path)
    for n in range(50):
        await store.add_follow(n, f"petition:{n}", {"v": 0})
    writes = []
    original = store_module.replace_atomically
    monkeypatch.setattr(
        store_module, "replace_atomically", lambda *args: (writes.append(1), original(*args))
    )
    refreshes = {f"petition:{n}": Refresh({"v": 1}, [Alert(f"k{n}", "t")]) for n in range(50)}
    assert await store.record_cycle(refreshes, NOW) == 50
    assert len(writes) == 1


async def test_a_write_saves_the_store_as_it_was_when_it_began(path, monkeypatch):
    """A write encodes and writes in a thread, while cycles and commands go on changing the
    store: the file it leaves is the store at the moment it began, never half of a later change."""
    monkeypatch.setattr(storefiles, "DOCUMENTS_PER_CHUNK", 2)  # several chunks, as at scale
    store = Store(path)
    targets = [f"petition:{n}" for n in range(6)]
    for n, target in enumerate(targets):
        await store.add_follow(n, target, {"v": 0})
    encoding, resume = threading.Event(), threading.Event()
    encode = storefiles.serialise

    def held(value):
        encoding.set()
        resume.wait(5)
        return encode(value)

    contents = []
    write = store_module.replace_atomically

    def recorded(path, *pieces):
        contents.append(b"".join(pieces))
        write(path, *pieces)

    monkeypatch.setattr(store_module, "replace_atomically", recorded)
    monkeypatch.setattr(storefiles, "serialise", held)
    first = asyncio.create_task(
        store.record_cycle({t: Refresh({"v": 1}, [Alert(f"{t}:k", "t")]) for t in targets}, NOW)
    )
    await asyncio.to_thread(encoding.wait, 5)
    # While that write is held mid-encoding: a cycle changes every state, a new follow adds one.
    second = asyncio.create_task(store.record_cycle({t: Refresh({"v": 2}) for t in targets}, NOW))
    await asyncio.sleep(0)
    await store.add_follow(99, "petition:99", {"v": 99})
    resume.set()
    await asyncio.gather(first, second)

    def states(content: bytes) -> dict[str, object]:
        return {doc["target"]: doc["state"] for doc in json.loads(content)["targets"].values()}

    tracking = [c for c in contents if b'"targets"' in c]
    assert states(tracking[0]) == {target: {"v": 1} for target in targets}
    assert len(json.loads(tracking[0])["deliveries"]) == 6
    assert states(tracking[-1]) == {
        **{target: {"v": 2} for target in targets},
        "petition:99": {"v": 99},
    }
    store = reopen(store, path)
    assert store.target_state("petition:0") == {"v": 2}
    assert len(store.pending_deliveries()) == 6


async def test_paused_chats_keep_their_deliveries_until_resumed(path):
    store = Store(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    await store.set_paused(1, True)
    assert store.pending_deliveries() == []
    store = reopen(store, path)
    assert store.is_paused(1)
    await store.set_paused(1, False)
    assert [d.key for d in store.pending_deliveries()] == ["k"]


async def test_migrating_a_chat_moves_follows_pending_and_history(path):
    store = Store(path)
    await store.add_follow(-1, "petition:1", {"v": 0})
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    await store.migrate_chat(-1, -1001)
    store = reopen(store, path)
    assert store.follows_of(-1) == [] and store.follows_of(-1001) == ["petition:1"]
    assert [d.chat_id for d in store.pending_deliveries()] == [-1001]
    assert await store.record_cycle({"petition:1": Refresh({"v": 2}, [Alert("k", "t")])}, NOW) == 0


async def test_writes_are_atomic_and_leave_no_temporary_files(path):
    store = Store(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    store.close()
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "alerts.journal",
        "alerts.json",
        "alerts.json.lock",
        "alerts.subscriptions.journal",
        "alerts.tracking.json",
    ]
    assert json.loads(path.read_text())["chats"]["1"]["follows"] == ["petition:1"]


async def test_leftover_temporary_files_from_a_crash_are_removed_at_start(path):
    await Store(path).add_follow(1, "petition:1", None)
    leftover = path.parent / "alerts.json.abc123.tmp"
    leftover.write_text('{"chats": {"1": ')
    Store(path)
    assert not leftover.exists()


async def test_a_failed_write_is_rolled_back_and_the_store_recovers(path, monkeypatch):
    store = Store(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "replace_atomically", disk_full)
    monkeypatch.setattr(Journal, "append", disk_full)
    with pytest.raises(SaveError):
        await store.add_follow(1, "petition:2", {"v": 0})
    # Not "already follows" on a retry, and nothing half-done in memory.
    assert store.follows_of(1) == ["petition:1"] and store.followers_of("petition:2") == set()
    # A cycle's write fails too, but what it queued is kept and still goes out.
    await store.record_cycle({"petition:1": Refresh({"v": 2}, [Alert("k2", "t")])}, NOW)
    assert [d.key for d in store.pending_deliveries()] == ["k", "k2"]
    monkeypatch.undo()
    await store.add_follow(1, "petition:2", {"v": 0})  # space is back
    store = reopen(store, path)
    assert store.follows_of(1) == ["petition:1", "petition:2"]
    assert [d.key for d in store.pending_deliveries()] == ["k", "k2"]
    assert [p.suffix for p in path.parent.iterdir() if p.suffix == ".tmp"] == []


async def test_a_command_appends_one_line_and_never_rewrites_the_subscriptions(path):
    store = Store(path)
    for chat in range(1, 201):
        await store.add_follow(chat, f"petition:{chat}", None)
    store = reopen(store, path)
    written = path.read_bytes()
    await store.add_follow(7, "petition:300412", None)
    await store.set_muted(7, "petition:300412", True)
    await store.remove_follow(8, "petition:8")
    assert path.read_bytes() == written  # the file of 200 chats was not touched
    lines = subscriptions_journal_path(path).read_text().splitlines()
    assert [json.loads(line) for line in lines] == [
        {"7": {"follows": ["petition:7", "petition:300412"], "muted": [], "paused": False}},
        {"7": {"follows": ["petition:7", "petition:300412"], "muted": ["petition:300412"],
               "paused": False}},
        {"8": {"follows": [], "muted": [], "paused": False}},
    ]  # fmt: skip
    # A crash: no close. The journal is replayed and folded into the file at start.
    crashed = Store(path)
    assert crashed.follows_of(7) == ["petition:7", "petition:300412"]
    assert crashed.is_muted(7, "petition:300412") and crashed.follows_of(8) == []
    assert subscriptions_journal_path(path).read_text() == ""
    assert json.loads(path.read_bytes())["chats"]["7"]["muted"] == ["petition:300412"]


async def test_a_torn_or_damaged_subscriptions_line(path):
    store = Store(path)
    await store.add_follow(1, "petition:1", None)
    journal = subscriptions_journal_path(path)
    journal.write_text(journal.read_text() + '{"2": {"follows": ["petit')  # cut mid-append
    assert Store(path).follows_of(2) == [] and Store(path).follows_of(1) == ["petition:1"]
    journal.write_text('{"2": {"follows": [3]}}\n')
    with pytest.raises(StoreError, match="line 1 is damaged"):
        Store(path)


async def test_the_subscriptions_journal_is_folded_in_the_background(path, monkeypatch):
    monkeypatch.setattr(store_module, "COMPACT_SUBSCRIPTIONS_AFTER", 5)
    store = Store(path)
    for chat in range(1, 6):
        await store.add_follow(chat, "petition:1", None)
    await store.add_follow(6, "petition:1", None)  # while the fold runs, or after it
    await store.settle()
    chats = json.loads(path.read_bytes())["chats"]
    kept = subscriptions_journal_path(path).read_text().splitlines()
    assert {"1", "2", "3", "4", "5"} <= chats.keys()
    # Whatever the fold did not write is still in the journal: nothing is lost either way.
    assert "6" in chats or [json.loads(line) for line in kept] == [
        {"6": {"follows": ["petition:1"], "muted": [], "paused": False}}
    ]
    assert len(kept) <= 1
    assert Store(path).followers_of("petition:1") == {1, 2, 3, 4, 5, 6}


async def test_sent_outcomes_are_journalled_at_once_and_survive_a_crash(path):
    store = Store(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    alerts = [Alert(f"k{n}", "t") for n in range(3)]
    await store.record_cycle({"petition:1": Refresh({"v": 1}, alerts)}, NOW)
    first, second, _ = store.pending_deliveries()
    await store.note_outcome(first.id, SENT)
    await store.note_outcome(second.id, UNSURE)
    # A crash: no close, no fold. The journal alone says what went.
    crashed = Store(path)
    assert [(d.key, d.unsure) for d in crashed.pending_deliveries()] == [
        ("k1", True),
        ("k2", False),
    ]
    assert await crashed.record_cycle({"petition:1": Refresh({"v": 2}, alerts)}, NOW) == 0
    assert journal_path(path).read_text() == ""  # folded into the tracking file at start


async def test_a_torn_journal_line_is_not_taken_as_sent(path):
    store = Store(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    [delivery] = store.pending_deliveries()
    journal_path(path).write_text(f"{delivery.id} se")  # the crash came mid-append
    assert [d.key for d in Store(path).pending_deliveries()] == ["k"]


async def test_sent_history_is_kept_as_keys_and_pruned_by_age_and_unfollow(path):
    store = Store(path)
    for chat in (1, 2):
        await store.add_follow(chat, "petition:1", {"v": 0})
    await store.add_follow(1, "petition:2", {"v": 0})
    old = NOW - timedelta(days=DEDUP_DAYS + 1)
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("old", "t")])}, old)
    for delivery in store.pending_deliveries():
        await store.note_outcome(delivery.id, SENT)
    await store.fold_outcomes(old)
    refreshes = {
        "petition:1": Refresh({"v": 2}, [Alert("new", "t" * 500)]),
        "petition:2": Refresh({"v": 2}, [Alert("p2", "t")]),
    }
    await store.record_cycle(refreshes, NOW)
    for delivery in store.pending_deliveries():
        await store.note_outcome(delivery.id, SENT)
    await store.fold_outcomes(NOW)
    on_disk = json.loads(tracking_path(path).read_text())
    assert on_disk["deliveries"] == {}  # no texts of sent alerts are kept
    assert on_disk["sent"]["1"]["keys"] == {
        "petition:1": {"new": "2026-11-22"},
        "petition:2": {"p2": "2026-11-22"},
    }
    await store.remove_follow(1, "petition:2")
    store = reopen(store, path)
    assert json.loads(tracking_path(path).read_text())["sent"]["1"]["keys"] == {
        "petition:1": {"new": "2026-11-22"}
    }
    assert await store.record_cycle(refreshes, NOW) == 0


async def test_history_in_the_old_layout_is_compacted_on_opening(path):
    path.parent.mkdir(parents=True)
    path.write_text('{"chats": {"1": {"follows": ["petition:1"], "muted": [], "paused": false}}}')
    delivery = {
        "chat_id": 1, "target": "petition:1", "key": "k", "same_as": ["story"], "text": "",
        "status": "sent", "created_at": NOW.isoformat(), "sent_at": NOW.isoformat(),
    }  # fmt: skip
    tracking_path(path).write_text(json.dumps({"deliveries": {"1": delivery}}))
    store = Store(path)
    assert json.loads(tracking_path(path).read_text())["deliveries"] == {}
    alert = Alert("other", "t", same_as=("story",))
    assert await store.record_cycle({"petition:1": Refresh({"v": 1}, [alert])}, NOW) == 0


@pytest.mark.parametrize(
    ("which", "content", "problem"),
    [
        ("subscriptions", "", "is empty"),
        ("subscriptions", "   \n", "is empty"),
        ("subscriptions", '{"chats": {"1": ', "is not valid JSON"),
        ("subscriptions", "[]", "not an Accountability Alerts database"),
        ("subscriptions", '{"chats": []}', "not an Accountability Alerts database"),
        ("subscriptions", '{"chats": {"x": {"follows": []}}}', "not an Accountability"),
        ("subscriptions", '{"chats": {"1": {"follows": [1]}}}', "not an Accountability"),
        ("subscriptions", '{"chats": {"1": {}}}', "not an Accountability"),
        ("subscriptions", b"\xff\xfe{", "cannot be read"),
        ("tracking", "", "is empty"),
        ("tracking", "null", "not an Accountability"),
        ("tracking", '{"targets": {"1": {"state": {}}}}', "not an Accountability"),
        ("tracking", '{"deliveries": {"1": {"chat_id": "a"}}}', "not an Accountability"),
        ("tracking", '{"sent": {"1": {"chat_id": 1, "keys": []}}}', "not an Accountability"),
        ("journal", "12 sent\nrubbish\n", "line 2 is damaged"),
    ],
)
async def test_a_damaged_file_is_named_in_one_line_and_never_overwritten(
    path, which, content, problem
):
    await Store(path).add_follow(1, "petition:1", None)
    damaged = {
        "subscriptions": path,
        "tracking": tracking_path(path),
        "journal": journal_path(path),
    }[which]
    if isinstance(content, bytes):
        damaged.write_bytes(content)
    else:
        damaged.write_text(content)
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    with pytest.raises(StoreError) as raised:
        Store(path)
    message = str(raised.value)
    assert str(damaged) in message and problem in message and "\n" not in message
    assert "restore it from a backup" in message
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before


async def test_a_directory_that_cannot_be_written_is_named(tmp_path):
    (tmp_path / "data").write_text("a file where the directory should be")
    with pytest.raises(StoreError, match="the database folder cannot be written"):
        Store(tmp_path / "data" / "alerts.json")


async def test_an_unreadable_file_is_named(path):
    await Store(path).add_follow(1, "petition:1", None)
    path.chmod(0o000)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        with pytest.raises(StoreError, match="cannot be read"):
            Store(path)
    finally:
        path.chmod(0o600)


async def test_a_muted_follow_queues_nothing_and_unmuting_brings_only_new_alerts(path):
    store = Store(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.add_follow(2, "petition:1", None)
    await store.set_muted(1, "petition:1", True)
    store = reopen(store, path)
    assert store.is_muted(1, "petition:1") and not store.is_muted(2, "petition:1")
    assert await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k1", "t")])}, NOW) == 1
    await store.set_muted(1, "petition:1", False)
    assert await store.record_cycle({"petition:1": Refresh({"v": 2}, [Alert("k2", "t")])}, NOW) == 2
    assert sorted((d.chat_id, d.key) for d in store.pending_deliveries()) == [
        (1, "k2"), (2, "k1"), (2, "k2"),
    ]  # fmt: skip


async def test_forgetting_a_chat_deletes_its_follows_mutes_and_history(path):
    store = Store(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.add_follow(1, "petition:2", {"v": 0})
    await store.add_follow(2, "petition:2", None)
    await store.set_muted(1, "petition:2", True)
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    await store.forget_chat(1)
    store = reopen(store, path)
    assert store.follows_of(1) == [] and not store.is_muted(1, "petition:2")
    assert store.target_state("petition:1") is None  # nobody else followed it
    assert store.followers_of("petition:2") == {2}
    assert store.pending_deliveries() == []
    # The history went too: following again, the same news is news.
    await store.add_follow(1, "petition:1", {"v": 0})
    assert await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW) == 1


async def test_a_told_value_is_said_again_only_when_it_changes_across_sources_and_restarts(path):
    store = Store(path)
    await store.add_follow(1, "petition:7", {"v": 0})
    await store.add_follow(1, "debates:all", {"v": 0})
    topic = "petition:7:debate"

    def told(key: str, value: str) -> Alert:
        return Alert(key, key, told=(topic, value))

    minutes = itertools.count()

    async def cycle(target: str, alert: Alert) -> int:
        now = NOW + timedelta(minutes=next(minutes))
        queued = await store.record_cycle({target: Refresh({"v": 1}, [alert])}, now)
        for delivery in store.pending_deliveries():
            await store.note_outcome(delivery.id, SENT)
        await store.fold_outcomes(now)
        return queued

    # Moved to the 16th: told once, whichever source says it first.
    assert await cycle("petition:7", told("petition:7:moved:9:16", "16")) == 1
    assert await cycle("debates:all", told("petition:7:moved:9:16", "16")) == 0
    # Back to the 9th (told through the other follow), and to the 16th again: each a change,
    # each told, even under a key already sent; after a restart, the value told last counts.
    assert await cycle("debates:all", told("petition:7:moved:16:9", "9")) == 1
    assert await cycle("petition:7", told("petition:7:moved:9:16", "16")) == 1
    store = reopen(store, path)
    assert await cycle("debates:all", told("petition:7:moved:9:16", "16")) == 0
    assert await cycle("debates:all", told("petition:7:moved:16:9", "9")) == 1
    store = reopen(store, path)
    assert await cycle("petition:7", told("petition:7:cancelled", "cancelled")) == 1
    assert await cycle("debates:all", told("petition:7:cancelled", "cancelled")) == 0


async def test_a_bundle_is_stored_with_each_delivery_and_read_back(path):
    store = Store(path)
    bundle = Bundle("petition:dissolution:2029-05-01", "Parliament dissolved", "Head", "• one")
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle(
        {"petition:1": Refresh({"v": 1}, [Alert("petition:1:closed", "Closed", bundle=bundle)])},
        NOW,
    )
    store = reopen(store, path)
    [delivery] = store.pending_deliveries()
    assert delivery.bundle == bundle


async def test_a_digest_switched_on_starts_at_its_next_hour_and_survives_a_restart(path):
    store = Store(path)
    at_eight = replace(DEFAULT_CHAT, digest_hour=8)
    await store.set_chat_settings(1, at_eight, NOW)  # 12:00: today's 08:00 has passed
    assert store.digests_due(NOW) == []
    store = reopen(store, path)
    assert store.digests_due(NOW + timedelta(hours=19)) == []
    assert store.digests_due(NOW + timedelta(hours=20)) == [(1, NOW + timedelta(hours=20))]
    # Moved to 10:00 at 12:00: today's 10:00 is not owed either.
    await store.set_chat_settings(1, replace(at_eight, digest_hour=10), NOW)
    assert store.digests_due(NOW) == []
