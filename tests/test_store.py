"""Storage: follows and deliveries survive a restart, writes are atomic, batched and idempotent."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from bot.sources.base import Alert, Refresh
from bot.store import FAILED, SENT, AtomicJSONStorage, Store, StoreError, tracking_path

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@pytest.fixture
def path(tmp_path):
    return tmp_path / "data" / "alerts.json"


def reopen(store: Store, path) -> Store:
    store.close()
    return Store(path)


def test_follows_survive_a_restart(path):
    store = Store(path)
    store.add_follow(1, "petition:1", {"v": 1})
    store.add_follow(-100200, "petition:1", None)
    store.add_follow(1, "petition:2", {"v": 2})
    store.remove_follow(1, "petition:2")
    store = reopen(store, path)
    assert store.follows_of(1) == ["petition:1"]
    assert store.follows_of(-100200) == ["petition:1"]
    assert store.followers_of("petition:1") == {1, -100200}
    assert store.target_state("petition:1") == {"v": 1}
    assert store.target_state("petition:2") is None  # nobody follows it: forgotten


def test_a_cycle_queues_one_delivery_per_chat_and_key_ever(path):
    store = Store(path)
    store.add_follow(1, "petition:1", {"v": 0})
    store.add_follow(2, "petition:1", None)
    alert = Alert("petition:1:milestone:500", "500!")
    assert store.record_cycle({"petition:1": Refresh({"v": 1}, [alert])}, NOW) == 2
    assert store.record_cycle({"petition:1": Refresh({"v": 2}, [alert])}, NOW) == 0
    pending = store.pending_deliveries()
    assert [(d.chat_id, d.key, d.text) for d in pending] == [
        (1, alert.key, "500!"),
        (2, alert.key, "500!"),
    ]
    store.finish_deliveries({pending[0].id: SENT, pending[1].id: FAILED}, NOW)
    store = reopen(store, path)
    assert store.pending_deliveries() == []
    assert store.record_cycle({"petition:1": Refresh({"v": 3}, [alert])}, NOW) == 0
    assert store.target_state("petition:1") == {"v": 3}


def test_new_deliveries_reach_disk_in_the_same_write_as_their_state(path):
    store = Store(path)
    store.add_follow(1, "petition:1", {"v": 0})
    store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    on_disk = json.loads(tracking_path(path).read_text())
    assert [doc["state"] for doc in on_disk["targets"].values()] == [{"v": 1}]
    assert [doc["key"] for doc in on_disk["deliveries"].values()] == ["k"]


def test_a_cycle_is_one_write_however_many_targets(path, monkeypatch):
    store = Store(path)
    for n in range(50):
        store.add_follow(n, f"petition:{n}", {"v": 0})
    writes = []
    original = AtomicJSONStorage.write
    monkeypatch.setattr(
        AtomicJSONStorage, "write", lambda self, data: (writes.append(1), original(self, data))
    )
    refreshes = {f"petition:{n}": Refresh({"v": 1}, [Alert(f"k{n}", "t")]) for n in range(50)}
    assert store.record_cycle(refreshes, NOW) == 50
    assert len(writes) == 1


def test_paused_chats_keep_their_deliveries_until_resumed(path):
    store = Store(path)
    store.add_follow(1, "petition:1", {"v": 0})
    store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    store.set_paused(1, True)
    assert store.pending_deliveries() == []
    store = reopen(store, path)
    assert store.is_paused(1)
    store.set_paused(1, False)
    assert [d.key for d in store.pending_deliveries()] == ["k"]


def test_migrating_a_chat_moves_follows_pending_and_history(path):
    store = Store(path)
    store.add_follow(-1, "petition:1", {"v": 0})
    store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    store.migrate_chat(-1, -1001)
    store = reopen(store, path)
    assert store.follows_of(-1) == [] and store.follows_of(-1001) == ["petition:1"]
    assert [d.chat_id for d in store.pending_deliveries()] == [-1001]
    assert store.record_cycle({"petition:1": Refresh({"v": 2}, [Alert("k", "t")])}, NOW) == 0


def test_writes_are_atomic_and_leave_no_temporary_files(path):
    store = Store(path)
    store.add_follow(1, "petition:1", {"v": 0})
    store.close()
    assert sorted(p.name for p in path.parent.iterdir()) == ["alerts.json", "alerts.tracking.json"]
    assert json.loads(path.read_text())["chats"]["1"]["follows"] == ["petition:1"]


def test_a_failed_write_keeps_the_previous_file(path, monkeypatch):
    store = Store(path)
    store.add_follow(1, "petition:1", {"v": 0})

    def broken_dump(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(json, "dumps", broken_dump)
    with pytest.raises(OSError):
        store.add_follow(1, "petition:2", {"v": 0})
    monkeypatch.undo()
    assert json.loads(path.read_text())["chats"]["1"]["follows"] == ["petition:1"]
    assert [p.name for p in path.parent.iterdir()] == ["alerts.json"]


def test_a_corrupt_file_is_reported_not_overwritten(path):
    path.parent.mkdir(parents=True)
    path.write_text('{"chats": {"1": ')
    with pytest.raises(StoreError, match="not valid JSON"):
        Store(path)
    assert path.read_text() == '{"chats": {"1": '


def test_a_muted_follow_queues_nothing_and_unmuting_brings_only_new_alerts(path):
    store = Store(path)
    store.add_follow(1, "petition:1", {"v": 0})
    store.add_follow(2, "petition:1", None)
    store.set_muted(1, "petition:1", True)
    store = reopen(store, path)
    assert store.is_muted(1, "petition:1") and not store.is_muted(2, "petition:1")
    assert store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k1", "t")])}, NOW) == 1
    store.set_muted(1, "petition:1", False)
    assert store.record_cycle({"petition:1": Refresh({"v": 2}, [Alert("k2", "t")])}, NOW) == 2
    assert sorted((d.chat_id, d.key) for d in store.pending_deliveries()) == [
        (1, "k2"), (2, "k1"), (2, "k2"),
    ]  # fmt: skip


def test_forgetting_a_chat_deletes_its_follows_mutes_and_history(path):
    store = Store(path)
    store.add_follow(1, "petition:1", {"v": 0})
    store.add_follow(1, "petition:2", {"v": 0})
    store.add_follow(2, "petition:2", None)
    store.set_muted(1, "petition:2", True)
    store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    store.forget_chat(1)
    store = reopen(store, path)
    assert store.follows_of(1) == [] and not store.is_muted(1, "petition:2")
    assert store.target_state("petition:1") is None  # nobody else followed it
    assert store.followers_of("petition:2") == {2}
    assert store.pending_deliveries() == []
    # The history went too: following again, the same news is news.
    store.add_follow(1, "petition:1", {"v": 0})
    assert store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW) == 1
