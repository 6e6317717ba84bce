"""The TinyDB adapter's files: writes are atomic, batched and rolled back when they fail, the
journals survive a crash, old layouts are compacted, and a damaged file is named, never
replaced. What a store does for users, on either adapter: tests/test_storage_contract.py."""

from __future__ import annotations

import asyncio
import errno
import json
import os
import threading
from datetime import UTC, datetime, timedelta

import pytest

from bot import slices as slices_module
from bot.sources.base import Alert, Refresh
from bot.storage import files as storefiles
from bot.storage import tinydb_store as store_module
from bot.storage.files import Journal
from bot.storage.port import DEDUP_DAYS, SENT, UNSURE, SaveError, StoreError
from bot.storage.tinydb_store import (
    TinyDBStore,
    journal_path,
    read_tracking,
    subscriptions_journal_path,
    tracking_journal_path,
    tracking_path,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "data" / "alerts.json"


def reopen(store: TinyDBStore, path) -> TinyDBStore:
    store.close_now()
    return TinyDBStore(path)


async def test_new_deliveries_reach_disk_in_the_same_write_as_their_state(path):
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    on_disk = read_tracking(path)
    assert [doc["state"] for doc in on_disk["targets"].values()] == [{"v": 1}]
    assert [doc["key"] for doc in on_disk["deliveries"].values()] == ["k"]


async def test_a_cycle_is_one_write_of_what_changed_however_many_targets(path, monkeypatch):
    store = TinyDBStore(path)
    targets = [f"petition:{n}" for n in range(50)]
    big = {"title": "x" * 1_000, "count": 1, "checked": "12:00"}
    await store.record_cycle({}, NOW)
    for n, target in enumerate(targets):
        await store.add_follow(n, target, None)
    rewrites = []
    original = store_module.replace_atomically
    monkeypatch.setattr(
        store_module, "replace_atomically", lambda *args: (rewrites.append(1), original(*args))
    )
    journal = tracking_journal_path(path)
    refreshes = {t: Refresh({"snapshot": big}, [Alert(f"{t}:k", "t")]) for t in targets}
    assert await store.record_cycle(refreshes, NOW) == 50
    assert len(journal.read_text().splitlines()) == 1 and not rewrites
    # Every target checked again, nothing else new: a few bytes for each, not its state again.
    size = journal.stat().st_size
    checked = {t: Refresh({"snapshot": {**big, "checked": "12:01"}}) for t in targets}
    assert await store.record_cycle(checked, NOW) == 0
    assert journal.stat().st_size - size < 50 * 20
    assert len(journal.read_text().splitlines()) == 2 and not rewrites
    store = reopen(store, path)
    assert await store.target_state("petition:7") == {"snapshot": {**big, "checked": "12:01"}}


async def test_a_write_saves_the_store_as_it_was_when_it_began(path, monkeypatch):
    """A write encodes and writes in a thread, while cycles and commands go on changing the
    store: the file it leaves is the store at the moment it began, never half of a later change."""
    monkeypatch.setattr(storefiles, "DOCUMENTS_PER_CHUNK", 2)  # several chunks, as at scale
    monkeypatch.setattr(store_module, "COMPACT_TRACKING_FROM", 0)  # every save writes it whole
    store = TinyDBStore(path)
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
    on_disk = {doc["target"]: doc["state"] for doc in read_tracking(path)["targets"].values()}
    assert on_disk == {
        **{target: {"v": 2} for target in targets},
        "petition:99": {"v": 99},
    }
    store = reopen(store, path)
    assert await store.target_state("petition:0") == {"v": 2}
    assert len(await store.pending_deliveries()) == 6


async def test_writes_are_atomic_and_leave_no_temporary_files(path):
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    store.close_now()
    assert sorted(p.name for p in path.parent.iterdir()) == [
        "alerts.journal",
        "alerts.json",
        "alerts.json.lock",
        "alerts.subscriptions.journal",
        "alerts.tracking.journal",
        "alerts.tracking.json",
    ]
    assert json.loads(path.read_text())["chats"]["1"]["follows"] == ["petition:1"]


async def test_leftover_temporary_files_from_a_crash_are_removed_at_start(path):
    await TinyDBStore(path).add_follow(1, "petition:1", None)
    leftover = path.parent / "alerts.json.abc123.tmp"
    leftover.write_text('{"chats": {"1": ')
    TinyDBStore(path)
    assert not leftover.exists()


async def test_a_failed_write_is_rolled_back_and_the_store_recovers(path, monkeypatch):
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)

    def disk_full(*args):
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(store_module, "replace_atomically", disk_full)
    monkeypatch.setattr(Journal, "append", disk_full)
    with pytest.raises(SaveError):
        await store.add_follow(1, "petition:2", {"v": 0})
    # Not "already follows" on a retry, and nothing half-done in memory.
    assert (
        await store.follows_of(1) == ["petition:1"]
        and await store.followers_of("petition:2") == set()
    )
    # A cycle's write fails too, but what it queued is kept and still goes out.
    await store.record_cycle({"petition:1": Refresh({"v": 2}, [Alert("k2", "t")])}, NOW)
    assert [d.key for d in await store.pending_deliveries()] == ["k", "k2"]
    monkeypatch.undo()
    await store.add_follow(1, "petition:2", {"v": 0})  # space is back
    store = reopen(store, path)
    assert await store.follows_of(1) == ["petition:1", "petition:2"]
    assert [d.key for d in await store.pending_deliveries()] == ["k", "k2"]
    assert [p.suffix for p in path.parent.iterdir() if p.suffix == ".tmp"] == []


async def test_a_command_appends_one_line_and_never_rewrites_the_subscriptions(path):
    store = TinyDBStore(path)
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
    crashed = TinyDBStore(path)
    assert await crashed.follows_of(7) == ["petition:7", "petition:300412"]
    assert await crashed.is_muted(7, "petition:300412") and await crashed.follows_of(8) == []
    assert subscriptions_journal_path(path).read_text() == ""
    assert json.loads(path.read_bytes())["chats"]["7"]["muted"] == ["petition:300412"]


async def test_a_torn_or_damaged_subscriptions_line(path):
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", None)
    journal = subscriptions_journal_path(path)
    journal.write_text(journal.read_text() + '{"2": {"follows": ["petit')  # cut mid-append
    assert await TinyDBStore(path).follows_of(2) == [] and await TinyDBStore(path).follows_of(
        1
    ) == ["petition:1"]
    journal.write_text('{"2": {"follows": [3]}}\n')
    with pytest.raises(StoreError, match="line 1 is damaged"):
        TinyDBStore(path)


async def test_the_subscriptions_journal_is_folded_in_the_background(path, monkeypatch):
    monkeypatch.setattr(store_module, "COMPACT_SUBSCRIPTIONS_AFTER", 5)
    store = TinyDBStore(path)
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
    assert await TinyDBStore(path).followers_of("petition:1") == {1, 2, 3, 4, 5, 6}


async def test_sent_outcomes_are_journalled_at_once_and_survive_a_crash(path):
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    alerts = [Alert(f"k{n}", "t") for n in range(3)]
    await store.record_cycle({"petition:1": Refresh({"v": 1}, alerts)}, NOW)
    first, second, _ = await store.pending_deliveries()
    await store.note_outcome(first.id, SENT)
    await store.note_outcome(second.id, UNSURE)
    # A crash: no close, no fold. The journal alone says what went.
    crashed = TinyDBStore(path)
    assert [(d.key, d.unsure) for d in await crashed.pending_deliveries()] == [
        ("k1", True),
        ("k2", False),
    ]
    assert await crashed.record_cycle({"petition:1": Refresh({"v": 2}, alerts)}, NOW) == 0
    assert journal_path(path).read_text() == ""  # folded into the tracking file at start


async def test_a_torn_journal_line_is_not_taken_as_sent(path):
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    [delivery] = await store.pending_deliveries()
    journal_path(path).write_text(f"{delivery.id} se")  # the crash came mid-append
    assert [d.key for d in await TinyDBStore(path).pending_deliveries()] == ["k"]


async def test_sent_history_is_kept_as_keys_and_pruned_by_age_and_unfollow(path):
    store = TinyDBStore(path)
    for chat in (1, 2):
        await store.add_follow(chat, "petition:1", {"v": 0})
    await store.add_follow(1, "petition:2", {"v": 0})
    old = NOW - timedelta(days=DEDUP_DAYS + 1)
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("old", "t")])}, old)
    for delivery in await store.pending_deliveries():
        await store.note_outcome(delivery.id, SENT)
    await store.fold_outcomes(old)
    refreshes = {
        "petition:1": Refresh({"v": 2}, [Alert("new", "t" * 500)]),
        "petition:2": Refresh({"v": 2}, [Alert("p2", "t")]),
    }
    await store.record_cycle(refreshes, NOW)
    for delivery in await store.pending_deliveries():
        await store.note_outcome(delivery.id, SENT)
    await store.fold_outcomes(NOW)
    on_disk = read_tracking(path)
    assert on_disk["deliveries"] == {}  # no texts of sent alerts are kept
    assert on_disk["sent"]["1"]["keys"] == {
        "petition:1": {"new": "2026-11-22"},
        "petition:2": {"p2": "2026-11-22"},
    }
    await store.remove_follow(1, "petition:2")
    store = reopen(store, path)
    assert read_tracking(path)["sent"]["1"]["keys"] == {"petition:1": {"new": "2026-11-22"}}
    assert await store.record_cycle(refreshes, NOW) == 0


async def test_history_in_the_old_layout_is_compacted_on_opening(path):
    path.parent.mkdir(parents=True)
    path.write_text('{"chats": {"1": {"follows": ["petition:1"], "muted": [], "paused": false}}}')
    delivery = {
        "chat_id": 1, "target": "petition:1", "key": "k", "same_as": ["story"], "text": "",
        "status": "sent", "created_at": NOW.isoformat(), "sent_at": NOW.isoformat(),
    }  # fmt: skip
    tracking_path(path).write_text(json.dumps({"deliveries": {"1": delivery}}))
    store = TinyDBStore(path)
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
        # Shapes that once opened, then broke /list: a string read as ten follows, a follow
        # that is no target, a flag that is no flag. The field is named.
        ("subscriptions", '{"chats": {"1": {"follows": "petition:1"}}}', 'chat 1\'s "follows"'),
        ("subscriptions", '{"chats": {"1": {"follows": ["nonsense"]}}}', 'chat 1\'s "follows"'),
        (
            "subscriptions",
            '{"chats": {"1": {"follows": [], "muted": "petition:1"}}}',
            'chat 1\'s "muted" is not a list of "kind:id" targets',
        ),
        ("subscriptions", '{"chats": {"1": {"follows": [], "paused": "no"}}}', '"paused"'),
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
    await TinyDBStore(path).add_follow(1, "petition:1", None)
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
        TinyDBStore(path)
    message = str(raised.value)
    assert str(damaged) in message and problem in message and "\n" not in message
    assert "restore it from a backup" in message
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before


async def test_a_directory_that_cannot_be_written_is_named(tmp_path):
    (tmp_path / "data").write_text("a file where the directory should be")
    with pytest.raises(StoreError, match="the database folder cannot be written"):
        TinyDBStore(tmp_path / "data" / "alerts.json")


async def test_an_unreadable_file_is_named(path):
    await TinyDBStore(path).add_follow(1, "petition:1", None)
    path.chmod(0o000)
    try:
        if os.access(path, os.R_OK):
            pytest.skip("running as root: permissions are not enforced")
        with pytest.raises(StoreError, match="cannot be read"):
            TinyDBStore(path)
    finally:
        path.chmod(0o600)


async def test_a_crash_after_journalled_cycles_reopens_at_the_last_one(path):
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    for n in range(1, 4):
        await store.record_cycle(
            {"petition:1": Refresh({"v": n, "at": f"12:0{n}"}, [Alert(f"k{n}", "t")])}, NOW
        )
    [first, *_] = await store.pending_deliveries()
    await store.note_outcome(first.id, SENT)
    await store.fold_outcomes(NOW)
    # A crash: no close. The file is as the follow left it; the journal holds the rest.
    crashed = TinyDBStore(path)
    assert await crashed.target_state("petition:1") == {"v": 3, "at": "12:03"}
    assert [d.key for d in await crashed.pending_deliveries()] == ["k2", "k3"]
    again = Refresh({"v": 4}, [Alert(f"k{n}", "t") for n in range(1, 4)])
    assert await crashed.record_cycle({"petition:1": again}, NOW) == 0


async def test_the_journal_is_folded_into_its_file_once_as_large(path, monkeypatch):
    monkeypatch.setattr(store_module, "COMPACT_TRACKING_FROM", 2_000)
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    journal = tracking_journal_path(path)
    for n in range(40):
        await store.record_cycle({"petition:1": Refresh({"v": n, "pad": "x" * 200})}, NOW)
        assert journal.stat().st_size < 2_000 + 400
    assert json.loads(tracking_path(path).read_text())["targets"]  # written whole meanwhile
    assert read_tracking(path)["targets"]["1"]["state"]["v"] == 39


async def test_lines_already_on_file_are_not_replayed_when_the_journal_could_not_be_emptied(
    path,
):
    """The file says which change it holds last, so an old line left behind (the journal could
    not be emptied after a whole write) never takes a state back in time."""
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle({"petition:1": Refresh({"v": 1})}, NOW)
    line = tracking_journal_path(path).read_bytes()
    await store.record_cycle({"petition:1": Refresh({"v": 2})}, NOW)
    store.close_now()  # written whole
    tracking_journal_path(path).write_bytes(line)  # as if emptying it had failed
    assert await TinyDBStore(path).target_state("petition:1") == {"v": 2}


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ("rubbish\n", "line 1 is damaged"),
        (
            '{"seq": 99, "changes": {"targets": {"patch": [[[[["v"], 1]], ["42"]]]}}}\n',
            "does not fit",
        ),
    ],
)
async def test_a_damaged_tracking_journal_is_named_and_kept(path, content, problem):
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    store.close_now()
    tracking_journal_path(path).write_text(content)
    before = {p.name: p.read_bytes() for p in path.parent.iterdir()}
    with pytest.raises(StoreError) as raised:
        TinyDBStore(path)
    assert str(tracking_journal_path(path)) in str(raised.value) and problem in str(raised.value)
    assert {p.name: p.read_bytes() for p in path.parent.iterdir()} == before


async def test_a_torn_tracking_line_is_the_cycle_that_never_happened(path):
    store = TinyDBStore(path)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle({"petition:1": Refresh({"v": 1})}, NOW)
    with tracking_journal_path(path).open("a") as journal:
        journal.write('{"seq": 50, "changes": {"targ')  # the crash came mid-append
    assert await TinyDBStore(path).target_state("petition:1") == {"v": 1}


async def test_commands_are_answered_while_a_cycle_fans_out(path, monkeypatch):
    """A busy cycle's fan-out gives the loop back between slices: a command that comes
    meanwhile is answered before the cycle ends, not after all of it."""
    monkeypatch.setattr(slices_module, "SLICE_SECONDS", 0)  # a pause after every target
    store = TinyDBStore(path)
    targets = [f"petition:{n}" for n in range(200)]
    for n, target in enumerate(targets):
        await store.add_follow(n, target, {"v": 0})
    refreshes = {t: Refresh({"v": 1}, [Alert(f"{t}:k", "t")]) for t in targets}
    cycle = asyncio.create_task(store.record_cycle(refreshes, NOW))
    await asyncio.sleep(0)  # the cycle starts, and pauses after its first slice
    assert await store.follows_of(7) == ["petition:7"]
    assert len(await store.pending_deliveries()) < 200  # the fan-out is still under way
    assert await cycle == 200
    assert len(await store.pending_deliveries()) == 200


async def test_a_follow_ended_during_the_fan_out_leaves_no_state_behind(path, monkeypatch):
    """The last follower of a target leaves while the cycle that read it is still fanning
    out: its state is not stored again, so a later follower starts from a fresh baseline."""
    monkeypatch.setattr(slices_module, "SLICE_SECONDS", 0)
    store = TinyDBStore(path)
    targets = [f"petition:{n}" for n in range(50)]
    for n, target in enumerate(targets):
        await store.add_follow(n, target, {"v": 0})
    cycle = asyncio.create_task(
        store.record_cycle({t: Refresh({"v": 1}, [Alert(f"{t}:k", "t")]) for t in targets}, NOW)
    )
    await asyncio.sleep(0)
    assert await store.remove_follow(49, "petition:49")
    await cycle
    assert await store.target_state("petition:49") is None
    assert await store.target_state("petition:48") == {"v": 1}
    reopened = reopen(store, path)
    assert await reopened.target_state("petition:49") is None
