"""The storage port's contract, run against both adapters: TinyDB files and a real PostgreSQL.

Each test opens a store with `stores.open()`; `stores.reopen(store)` closes it and opens another
on the same data (a restart), and `stores.open()` while one is still open is a crash's restart:
nothing was saved at a stop. What is asserted is what a chat would notice: follows, settings,
the alerts it gets (once), and what /stop deletes.
"""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, time, timedelta

import pytest

from bot.preferences import DEFAULT_CHAT, DEFAULT_FOLLOW
from bot.sources.base import Alert, Bundle, Refresh
from bot.storage.port import DEDUP_DAYS, DROPPED, FAILED, SENT, UNSURE, Storage
from bot.storage.postgres import PostgresStore
from bot.storage.tinydb_store import TinyDBStore

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


@dataclass
class Stores:
    make: Callable[[], Storage]
    opened: list[Storage] = field(default_factory=list)

    async def open(self) -> Storage:
        store = self.make()
        await store.start()
        self.opened.append(store)
        return store

    async def reopen(self, store: Storage) -> Storage:
        self.opened.remove(store)
        await store.close()
        return await self.open()


@pytest.fixture(params=["tinydb", "postgres"])
async def stores(request, tmp_path) -> AsyncIterator[Stores]:
    if request.param == "tinydb":
        path = tmp_path / "data" / "alerts.json"
        opened = Stores(lambda: TinyDBStore(path))
    else:
        url = request.getfixturevalue("postgres_url")
        opened = Stores(lambda: PostgresStore(url))
    yield opened
    for store in opened.opened:
        await store.close()


async def sent_all(store: Storage, now: datetime = NOW) -> None:
    for delivery in await store.pending_deliveries():
        await store.note_outcome(delivery.id, SENT)
    await store.fold_outcomes(now)


async def test_follows_and_states_survive_a_restart_in_the_order_followed(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 1})
    await store.add_follow(-100200, "petition:1", None)
    await store.add_follow(1, "petition:3", {"v": 3})
    await store.add_follow(1, "petition:2", {"v": 2})
    await store.add_follow(1, "petition:1", {"v": 9})  # already followed: nothing changes
    await store.remove_follow(1, "petition:3")
    store = await stores.reopen(store)
    assert await store.follows_of(1) == ["petition:1", "petition:2"]
    assert await store.follows_of(-100200) == ["petition:1"]
    assert await store.followers_of("petition:1") == {1, -100200}
    assert await store.followed_targets() == ["petition:1", "petition:2"]
    assert await store.target_states(["petition:1", "petition:3"]) == {
        "petition:1": {"v": 1},
        "petition:3": None,  # nobody follows it: forgotten
    }
    assert await store.counts() == {
        "chats": 2, "follows": 3, "targets": 2, "paused chats": 0, "pending alerts": 0,
        "alert keys on record": 0,
    }  # fmt: skip
    await store.add_follow(2, "statements:org:home-office", None)
    counts = await store.follow_counts()
    assert (counts.follows, counts.chats) == ({"petition": 3, "statements": 1},
                                              {"petition": 2, "statements": 1})  # fmt: skip


async def test_a_cycle_of_thousands_of_targets_stores_every_state_and_alert(stores):
    """Stored in chunks and slices: none is lost at a boundary, and a target thousands follow
    reaches every one of them, each chat's alerts in order."""
    store = await stores.open()
    targets = [f"petition:{n}" for n in range(2_500)]
    for n, target in enumerate(targets):
        await store.add_follow(n, target, {"v": 0})
    for chat in range(1_200):
        await store.add_follow(chat, "debates:all", None)
    refreshes = {target: Refresh({"v": n}, []) for n, target in enumerate(targets)}
    refreshes["debates:all"] = Refresh({"v": 1}, [Alert("d:1", "first"), Alert("d:2", "then")])
    assert await store.record_cycle(refreshes, NOW) == 2_400
    store = await stores.reopen(store)
    states = await store.target_states(targets)
    assert [state["v"] for state in states.values()] == list(range(2_500))
    pending = await store.pending_deliveries()
    for chat in (0, 499, 500, 1_199):
        assert [d.text for d in pending if d.chat_id == chat] == ["first", "then"]


async def test_a_delivery_goes_to_each_chat_once_ever_under_any_of_its_keys(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.add_follow(2, "petition:1", None)
    alert = Alert("petition:1:milestone:500", "500!", same_as=("statements:x",))
    assert await store.record_cycle({"petition:1": Refresh({"v": 1}, [alert])}, NOW) == 2
    assert await store.record_cycle({"petition:1": Refresh({"v": 2}, [alert])}, NOW) == 0
    pending = await store.pending_deliveries()
    assert [(d.chat_id, d.key, d.text) for d in pending] == [
        (1, alert.key, "500!"),
        (2, alert.key, "500!"),
    ]
    await store.note_outcome(pending[0].id, SENT)
    await store.note_outcome(pending[1].id, FAILED)
    store = await stores.reopen(store)
    assert await store.pending_deliveries() == []
    assert await store.record_cycle({"petition:1": Refresh({"v": 3}, [alert])}, NOW) == 0
    # The same news under the other key, from another follow: not news.
    await store.add_follow(1, "statements:x", {"v": 0})
    same = Alert("statements:x", "again")
    assert await store.record_cycle({"statements:x": Refresh({"v": 1}, [same])}, NOW) == 0
    assert await store.target_state("petition:1") == {"v": 3}


async def test_a_send_noted_is_never_repeated_after_a_crash(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 0})
    alerts = [Alert(f"k{n}", f"t{n}") for n in range(3)]
    await store.record_cycle({"petition:1": Refresh({"v": 1}, alerts)}, NOW)
    first, second, third = await store.pending_deliveries()
    await store.note_outcome(first.id, SENT)
    await store.note_outcome(second.id, UNSURE)
    crashed = await stores.open()  # no close: nothing saved at a stop
    assert [(d.key, d.unsure) for d in await crashed.pending_deliveries()] == [
        ("k1", True),
        ("k2", False),
    ]
    await crashed.note_outcome(third.id, DROPPED)
    await crashed.fold_outcomes(NOW)
    assert [d.key for d in await crashed.pending_deliveries()] == ["k1"]
    assert await crashed.record_cycle({"petition:1": Refresh({"v": 2}, alerts)}, NOW) == 0


async def test_each_chat_reads_an_alert_in_its_own_time_zone(stores):
    store = await stores.open()
    for chat in (1, 2, 3):
        await store.add_follow(chat, "petition:1", {"v": 0})
    await store.set_chat_settings(2, replace(DEFAULT_CHAT, zone="Asia/Tokyo"))
    await store.set_chat_settings(3, replace(DEFAULT_CHAT, zone="Asia/Tokyo"))
    worded = []
    alert = Alert("k", "t", dated=lambda zone: (worded.append(zone), f"in {zone}")[1])
    assert await store.record_cycle({"petition:1": Refresh({"v": 1}, [alert])}, NOW) == 3
    texts = {d.chat_id: d.text for d in await store.pending_deliveries()}
    assert texts == {1: "t", 2: "in Asia/Tokyo", 3: "in Asia/Tokyo"}
    assert len(worded) == 1  # once per zone, not per chat


async def test_settings_mutes_and_silence_survive_a_restart(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.add_follow(2, "petition:1", None)
    quiet = replace(DEFAULT_CHAT, quiet=(time(22), time(7)))
    await store.set_chat_settings(1, quiet)
    loud = replace(DEFAULT_FOLLOW, silent=False)
    hushed = replace(DEFAULT_FOLLOW, silent=True)
    assert await store.set_follow_settings(2, "petition:1", hushed)
    assert not await store.set_follow_settings(2, "petition:9", loud)  # not followed
    await store.set_muted(1, "petition:1", True)
    store = await stores.reopen(store)
    assert await store.chat_settings(1) == quiet and await store.chat_settings(2) == DEFAULT_CHAT
    assert await store.follow_settings(2, "petition:1") == hushed
    assert await store.is_muted(1, "petition:1") and not await store.is_muted(2, "petition:1")
    night, noon = NOW.replace(hour=23), NOW
    assert await store.silent(1, "petition:1", night) and not await store.silent(1, "", noon)
    assert await store.silent(2, "petition:1", noon) and not await store.silent(2, "", noon)
    # New follows start from the chat's defaults.
    await store.set_chat_settings(3, replace(DEFAULT_CHAT, defaults=hushed))
    await store.add_follow(3, "petition:1", None)
    assert await store.follow_settings(3, "petition:1") == hushed


async def test_a_muted_follow_queues_nothing_and_unmuting_brings_only_new_alerts(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.add_follow(2, "petition:1", None)
    await store.set_muted(1, "petition:1", True)
    assert await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k1", "t")])}, NOW) == 1
    await store.set_muted(1, "petition:1", False)
    assert await store.record_cycle({"petition:1": Refresh({"v": 2}, [Alert("k2", "t")])}, NOW) == 2
    assert sorted((d.chat_id, d.key) for d in await store.pending_deliveries()) == [
        (1, "k2"), (2, "k1"), (2, "k2"),
    ]  # fmt: skip


async def test_paused_and_held_chats_keep_their_deliveries_until_they_can_hear_us(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.add_follow(2, "petition:1", None)
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    await store.set_paused(1, True)
    await store.hold(2)
    assert await store.pending_deliveries() == [] and not await store.has_pending()
    assert await store.followed_targets() == ["petition:1"]  # chat 2 can still hear us
    assert [d.key for d in await store.pending_of(1)] == ["k"]
    store = await stores.reopen(store)
    assert await store.is_paused(1)
    await store.set_paused(1, False)
    await store.release(2)
    assert [d.chat_id for d in await store.pending_deliveries()] == [1, 2]


async def test_a_bundle_waits_for_the_rest_of_it_then_goes(stores):
    store = await stores.open()
    bundle = Bundle("petition:dissolution:2029-05-01", "Parliament dissolved", "Head", "• one")
    for n in (1, 2):
        await store.add_follow(1, f"petition:{n}", {"v": 0})
    closed = Alert("petition:1:closed", "Closed", bundle=bundle)
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [closed])}, NOW)
    later = NOW + timedelta(minutes=1)
    closed_too = Alert("petition:2:closed", "Closed too", bundle=bundle)
    await store.record_cycle({"petition:2": Refresh({"v": 1}, [closed_too])}, later)
    assert await store.pending_deliveries(later) == []
    store = await stores.reopen(store)
    ready = await store.pending_deliveries(NOW + timedelta(minutes=3))
    assert [(d.key, d.bundle) for d in ready] == [(closed.key, bundle), (closed_too.key, bundle)]


async def test_migrating_a_chat_moves_follows_settings_pending_and_what_it_was_told(stores):
    store = await stores.open()
    await store.add_follow(-1, "petition:1", {"v": 0})
    await store.add_follow(-1, "petition:2", {"v": 0})
    await store.add_follow(-1001, "petition:3", {"v": 0})
    await store.set_chat_settings(-1, replace(DEFAULT_CHAT, zone="Asia/Tokyo"))
    await store.set_muted(-1, "petition:2", True)
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    await store.record_cycle({"petition:1": Refresh({"v": 2}, [Alert("s", "t")])}, NOW)
    [_, sent] = await store.pending_deliveries()
    await store.note_outcome(sent.id, SENT)
    await store.fold_outcomes(NOW)
    await store.migrate_chat(-1, -1001)
    store = await stores.reopen(store)
    assert await store.follows_of(-1) == []
    assert await store.follows_of(-1001) == ["petition:3", "petition:1", "petition:2"]
    assert await store.is_muted(-1001, "petition:2")
    assert (await store.chat_settings(-1001)).zone == "Asia/Tokyo"
    assert [d.chat_id for d in await store.pending_deliveries()] == [-1001]
    again = [Alert("k", "t"), Alert("s", "t")]
    assert await store.record_cycle({"petition:1": Refresh({"v": 3}, again)}, NOW) == 0


async def test_forgetting_a_chat_deletes_everything_about_it(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.add_follow(1, "petition:2", {"v": 0})
    await store.add_follow(2, "petition:2", None)
    await store.set_muted(1, "petition:2", True)
    await store.set_chat_settings(1, replace(DEFAULT_CHAT, digest_hour=8), NOW)
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")], 5)}, NOW)
    await store.forget_chat(1)
    store = await stores.reopen(store)
    assert await store.follows_of(1) == [] and not await store.is_muted(1, "petition:2")
    assert await store.chat_settings(1) == DEFAULT_CHAT
    assert await store.target_state("petition:1") is None  # nobody else followed it
    assert await store.history_of("petition:1") == []
    assert await store.followers_of("petition:2") == {2}
    assert await store.pending_of(1) == [] and await store.digests_due(NOW + timedelta(1)) == []
    assert (await store.counts())["chats"] == 1
    # What it was told went too: following again, the same news is news.
    await store.add_follow(1, "petition:1", {"v": 0})
    assert await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW) == 1


async def test_sent_keys_are_forgotten_after_the_dedup_window_and_with_their_follow(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.add_follow(1, "petition:2", {"v": 0})
    old = NOW - timedelta(days=DEDUP_DAYS + 1)
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("old", "t")])}, old)
    await sent_all(store, old)
    await store.record_cycle({"petition:2": Refresh({"v": 1}, [Alert("p2", "t")])}, NOW)
    await sent_all(store, NOW)
    assert (await store.counts())["alert keys on record"] == 1  # "old" is past the window
    await store.remove_follow(1, "petition:2")
    await store.add_follow(1, "petition:2", {"v": 0})
    store = await stores.reopen(store)
    refreshes = {
        "petition:1": Refresh({"v": 2}, [Alert("old", "t")]),
        "petition:2": Refresh({"v": 2}, [Alert("p2", "t")]),
    }
    assert await store.record_cycle(refreshes, NOW) == 2


async def test_a_told_value_is_said_again_only_when_it_changes_across_sources_and_restarts(
    stores,
):
    store = await stores.open()
    await store.add_follow(1, "petition:7", {"v": 0})
    await store.add_follow(1, "debates:all", {"v": 0})
    topic = "petition:7:debate"
    minutes = itertools.count()

    def told(key: str, value: str) -> Alert:
        return Alert(key, key, told=(topic, value))

    async def cycle(target: str, alert: Alert) -> int:
        now = NOW + timedelta(minutes=next(minutes))
        queued = await store.record_cycle({target: Refresh({"v": 1}, [alert])}, now)
        await sent_all(store, now)
        return queued

    assert await cycle("petition:7", told("petition:7:moved:9:16", "16")) == 1
    assert await cycle("debates:all", told("petition:7:moved:9:16", "16")) == 0
    assert await cycle("debates:all", told("petition:7:moved:16:9", "9")) == 1
    assert await cycle("petition:7", told("petition:7:moved:9:16", "16")) == 1
    store = await stores.reopen(store)
    assert await cycle("debates:all", told("petition:7:moved:9:16", "16")) == 0
    assert await cycle("debates:all", told("petition:7:moved:16:9", "9")) == 1


async def test_a_digest_holds_alerts_then_replaces_them_once(stores):
    store = await stores.open()
    at_eight = replace(DEFAULT_CHAT, digest_hour=8)
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.set_chat_settings(1, at_eight, NOW)  # 12:00: today's 08:00 has passed
    assert await store.digests_due(NOW) == []
    await store.record_cycle({"petition:1": Refresh({"v": 1}, [Alert("k", "t")])}, NOW)
    assert await store.pending_deliveries() == []  # held for the digest
    assert [d.key for d in await store.held_for_digest(1)] == ["k"]
    store = await stores.reopen(store)
    tomorrow = NOW + timedelta(hours=20)
    assert await store.digests_due(NOW + timedelta(hours=19)) == []
    assert await store.digests_due(tomorrow) == [(1, tomorrow)]
    await store.send_digest(1, ["digest 1", "digest 2"], tomorrow, tomorrow)
    assert await store.digests_due(tomorrow) == [] and await store.held_for_digest(1) == []
    assert [d.text for d in await store.pending_deliveries()] == ["digest 1", "digest 2"]
    # What the digest told is not told again.
    assert await store.record_cycle({"petition:1": Refresh({"v": 2}, [Alert("k", "t")])}, NOW) == 0


async def test_a_summary_replaces_what_a_chat_missed(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.record_cycle(
        {"petition:1": Refresh({"v": 1}, [Alert("a", "t"), Alert("b", "t")])}, NOW
    )
    await store.fold_pending(1, "While you were away: a, b", NOW)
    assert [(d.target, d.text) for d in await store.pending_of(1)] == [
        ("", "While you were away: a, b")
    ]
    assert await store.record_cycle({"petition:1": Refresh({"v": 2}, [Alert("a", "t")])}, NOW) == 0


async def test_history_keeps_a_sample_when_the_number_moves_or_an_hour_passes(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 0})
    at = int(NOW.timestamp())
    for minutes, count in ((0, 10), (1, 10), (2, 12), (62, 12), (63, 12)):
        when = NOW + timedelta(minutes=minutes)
        await store.record_cycle({"petition:1": Refresh({"v": count}, [], count)}, when)
    store = await stores.reopen(store)
    assert await store.history_of("petition:1") == [
        (at, 10), (at + 120, 12), (at + 62 * 60, 12),
    ]  # fmt: skip
    await store.remove_follow(1, "petition:1")
    assert await store.history_of("petition:1") == []


async def test_concurrent_commands_of_one_chat_all_land(stores):
    store = await stores.open()
    targets = [f"petition:{n}" for n in range(20)]
    await asyncio.gather(*(store.add_follow(1, t, {"v": 0}) for t in targets))
    await asyncio.gather(*(store.add_follow(1, t, {"v": 0}) for t in targets[:5]))
    assert sorted(await store.follows_of(1)) == sorted(targets)
    removed = await asyncio.gather(*(store.remove_follows(1, {t}) for t in targets[:10] * 2))
    assert sum(removed) == 10
    store = await stores.reopen(store)
    assert sorted(await store.follows_of(1)) == sorted(targets[10:])


async def test_a_notice_goes_to_each_chat_once_under_its_key(stores):
    store = await stores.open()
    await store.add_follow(1, "petition:1", {"v": 0})
    await store.add_follow(2, "petition:1", None)
    assert await store.queue_notice([1, 2, 2], "resumed:petitions:x", "Back.", NOW) == 2
    assert await store.queue_notice([1, 2], "resumed:petitions:x", "Back.", NOW) == 0
    pending = await store.pending_deliveries()
    assert [(d.chat_id, d.target, d.key, d.text) for d in pending] == [
        (1, "", "resumed:petitions:x", "Back."),
        (2, "", "resumed:petitions:x", "Back."),
    ]
    store = await stores.reopen(store)
    assert len(await store.pending_deliveries()) == 2
    assert await store.queue_notice([1], "resumed:petitions:x", "Back.", NOW) == 0
