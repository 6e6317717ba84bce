"""Storage: chats, follows, target states and deliveries, in TinyDB. All storage access is here.

Two TinyDB files, because TinyDB rewrites a whole file on every flush and commands must stay
fast while the tracking data grows:

- `storage.path` (subscriptions): table `chats`, one document per chat, its doc_id the chat id:
  `{"follows": [<target key>, ...], "muted": [<target key>, ...: followed, alerts off],
  "paused": <bool: Telegram said Forbidden>}`.
- the same path with `.tracking` before the suffix (tracking): table `targets`,
  `{"target": <"kind:ident">, "state": <source-owned JSON>}`, and table `deliveries`,
  `{"chat_id", "target", "key": <stable event key>, "same_as": [<other keys of the same news>],
  "text": <HTML, dropped once sent>, "status": "pending" | "sent" | "failed" | "dropped",
  "created_at", "sent_at": <ISO 8601>}`.

Every write goes through a cache and reaches disk only on `flush`, as one atomic replace
(temporary file, fsync, os.replace): one flush per command, one per poll cycle, one per sending
pass (once a second on a long one). New deliveries are written in the same flush as the
target state they came from. The indexes kept here in memory (followers per target, pending
deliveries, keys already delivered) are derived from the documents on opening.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import datetime
from pathlib import Path
from typing import Any

from tinydb import TinyDB
from tinydb.middlewares import CachingMiddleware
from tinydb.storages import Storage
from tinydb.table import Document

PENDING, SENT, FAILED, DROPPED = "pending", "sent", "failed", "dropped"


class StoreError(Exception):
    """The database files cannot be read; nothing has been written."""


@dataclass(frozen=True)
class Delivery:
    id: int
    chat_id: int
    target: str
    key: str
    text: str


class AtomicJSONStorage(Storage):
    """A JSON file replaced atomically on every write, so a crash never leaves half a file."""

    def __init__(self, path: str) -> None:
        self._path = Path(path)
        self._path.parent.mkdir(parents=True, exist_ok=True)

    def read(self) -> dict[str, dict[str, Any]] | None:
        try:
            text = self._path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return None
        if not text.strip():
            return None
        try:
            return json.loads(text)
        except ValueError as exc:
            raise StoreError(f"{self._path} is not valid JSON ({exc}); fix or move it") from None

    def write(self, data: dict[str, dict[str, Any]]) -> None:
        fd, temporary = tempfile.mkstemp(dir=self._path.parent, prefix=self._path.name + ".")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                # dumps, not dump: dump goes through the pure-Python encoder, many times slower.
                handle.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
                handle.flush()
                os.fsync(handle.fileno())
            os.replace(temporary, self._path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(temporary)
            raise
        directory = os.open(self._path.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)

    def close(self) -> None:
        pass


class _FlushOnDemand(CachingMiddleware):
    """TinyDB's cache, written only when the store says so."""

    WRITE_CACHE_SIZE = 2**62


def _open(path: Path) -> TinyDB:
    return TinyDB(str(path), storage=_FlushOnDemand(AtomicJSONStorage))


def tracking_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.tracking{path.suffix or '.json'}")


class Store:
    def __init__(self, path: Path) -> None:
        self._subscriptions = _open(path)
        self._tracking = _open(tracking_path(path))
        self._chats = self._subscriptions.table("chats", cache_size=0)
        self._targets = self._tracking.table("targets", cache_size=0)
        self._deliveries = self._tracking.table("deliveries", cache_size=0)
        self._followers: dict[str, set[int]] = defaultdict(set)
        self._muted: set[tuple[int, str]] = set()
        self._paused: set[int] = set()
        for doc in self._chats.all():
            if doc.get("paused"):
                self._paused.add(doc.doc_id)
            for target in doc.get("follows", []):
                self._followers[target].add(doc.doc_id)
            self._muted |= {(doc.doc_id, target) for target in doc.get("muted", [])}
        self._target_ids = {doc["target"]: doc.doc_id for doc in self._targets.all()}
        self._delivered: set[tuple[int, str]] = set()
        self._pending: dict[int, Delivery] = {}
        for doc in self._deliveries.all():
            for key in (doc["key"], *doc.get("same_as", ())):
                self._delivered.add((doc["chat_id"], key))
            if doc.get("status") == PENDING:
                self._pending[doc.doc_id] = _delivery(doc)

    # --- lifecycle -------------------------------------------------------------------------------

    def flush(self) -> None:
        self._subscriptions.storage.flush()
        self._tracking.storage.flush()

    def close(self) -> None:
        self._subscriptions.close()
        self._tracking.close()

    # --- chats and follows ----------------------------------------------------------------------

    def follows_of(self, chat_id: int) -> list[str]:
        doc = self._chats.get(doc_id=chat_id)
        return list(doc.get("follows", [])) if doc else []

    def followers_of(self, target: str) -> set[int]:
        return set(self._followers.get(target, ()))

    def followed_targets(self) -> list[str]:
        """The targets worth polling: followed by at least one chat that can hear us."""
        return [target for target, chats in self._followers.items() if chats - self._paused]

    def is_paused(self, chat_id: int) -> bool:
        return chat_id in self._paused

    def add_follow(self, chat_id: int, target: str, baseline: dict[str, Any] | None) -> None:
        """Follow `target`; `baseline` replaces its state when nobody else followed it."""
        follows = self.follows_of(chat_id)
        if target in follows:
            return
        if baseline is not None and not self._followers.get(target):
            self._put_states({target: baseline})  # persisted with the next poll cycle
        self._put_chat(chat_id, follows=[*follows, target])
        self._followers[target].add(chat_id)
        self._subscriptions.storage.flush()

    def remove_follow(self, chat_id: int, target: str) -> bool:
        if target not in self.follows_of(chat_id):
            return False
        self._drop_follows(chat_id, {target})
        self._subscriptions.storage.flush()
        return True

    def is_muted(self, chat_id: int, target: str) -> bool:
        return (chat_id, target) in self._muted

    def set_muted(self, chat_id: int, target: str, muted: bool) -> None:
        """Mute (no alerts, none queued for later) or unmute a follow of the chat."""
        if target not in self.follows_of(chat_id) or self.is_muted(chat_id, target) == muted:
            return
        if muted:
            self._muted.add((chat_id, target))
        else:
            self._muted.discard((chat_id, target))
        self._put_chat(chat_id, muted=sorted(t for c, t in self._muted if c == chat_id))
        self._subscriptions.storage.flush()

    def forget_chat(self, chat_id: int) -> None:
        """Unfollow everything and delete all the chat's data, its delivery history included."""
        self._drop_follows(chat_id, set(self.follows_of(chat_id)))
        if self._chats.get(doc_id=chat_id) is not None:
            self._chats.remove(doc_ids=[chat_id])
        self._paused.discard(chat_id)
        gone = [doc.doc_id for doc in self._deliveries.all() if doc["chat_id"] == chat_id]
        if gone:
            self._deliveries.remove(doc_ids=gone)
        self._delivered = {(chat, key) for chat, key in self._delivered if chat != chat_id}
        for delivery_id in gone:
            self._pending.pop(delivery_id, None)
        self.flush()

    def _drop_follows(self, chat_id: int, targets: set[str]) -> None:
        follows = self.follows_of(chat_id)
        self._muted -= {(chat_id, target) for target in targets}
        self._put_chat(
            chat_id,
            follows=[t for t in follows if t not in targets],
            muted=sorted(t for c, t in self._muted if c == chat_id),
        )
        for target in targets:
            self._followers[target].discard(chat_id)
            if not self._followers[target]:
                # A later follower must start from a fresh baseline, not from old history.
                del self._followers[target]
                self._forget_target(target)

    def set_paused(self, chat_id: int, paused: bool) -> None:
        if self.is_paused(chat_id) == paused or self._chats.get(doc_id=chat_id) is None:
            return
        if paused:
            self._paused.add(chat_id)
        else:
            self._paused.discard(chat_id)
        self._put_chat(chat_id, paused=paused)
        self._subscriptions.storage.flush()

    def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move follows, pending deliveries and history to `new_id`."""
        old = self._chats.get(doc_id=old_id)
        if old is not None:
            merged = list(dict.fromkeys([*self.follows_of(new_id), *old.get("follows", [])]))
            self._chats.remove(doc_ids=[old_id])
            self._put_chat(new_id, follows=merged, paused=False)
            for target in merged:
                self._followers[target].discard(old_id)
                self._followers[target].add(new_id)
            self._muted = {(new_id if c == old_id else c, t) for c, t in self._muted}
            self._paused -= {old_id, new_id}
            self._put_chat(new_id, muted=sorted(t for c, t in self._muted if c == new_id))
        moved = [doc.doc_id for doc in self._deliveries.all() if doc["chat_id"] == old_id]
        if moved:
            self._deliveries.update({"chat_id": new_id}, doc_ids=moved)
        self._delivered |= {(new_id, key) for chat, key in self._delivered if chat == old_id}
        for delivery_id in list(self._pending):
            delivery = self._pending[delivery_id]
            if delivery.chat_id == old_id:
                self._pending[delivery_id] = replace(delivery, chat_id=new_id)
        self.flush()

    def _put_chat(self, chat_id: int, **fields: Any) -> None:
        if self._chats.get(doc_id=chat_id) is None:
            self._chats.insert(
                Document({"follows": [], "muted": [], "paused": False, **fields}, chat_id)
            )
        else:
            self._chats.update(fields, doc_ids=[chat_id])

    def counts(self) -> dict[str, int]:
        """How much the store holds, for the operators' /stats."""
        return {
            "chats": len(self._chats),
            "follows": sum(len(chats) for chats in self._followers.values()),
            "targets": len(self._followers),
            "paused chats": len(self._paused),
            "pending alerts": len(self._pending),
            "alerts on record": len(self._deliveries),
        }

    # --- targets --------------------------------------------------------------------------------

    def target_state(self, target: str) -> dict[str, Any] | None:
        doc_id = self._target_ids.get(target)
        doc = self._targets.get(doc_id=doc_id) if doc_id is not None else None
        return doc["state"] if doc else None

    def record_cycle(self, refreshes: Mapping[str, Any], now: datetime) -> int:
        """Store each target's new state and its alerts' deliveries, in one flush.

        `refreshes` maps a target key to a bot.sources.base.Refresh. Returns how many new
        deliveries were queued. An alert is skipped for a chat that already had, or has queued,
        any of its keys (its own or one it is the `same_as` of).
        """
        states: dict[str, dict[str, Any]] = {}
        new_deliveries: list[dict[str, Any]] = []
        for target, refresh in refreshes.items():
            everyone = sorted(self._followers.get(target, ()))
            if not everyone:
                continue  # everyone unfollowed while the cycle ran
            states[target] = refresh.state
            followers = [chat for chat in everyone if (chat, target) not in self._muted]
            for alert in refresh.alerts:
                for chat_id in followers:
                    if any((chat_id, key) in self._delivered for key in alert.keys):
                        continue
                    self._delivered.update((chat_id, key) for key in alert.keys)
                    new_deliveries.append(
                        {
                            "chat_id": chat_id,
                            "target": target,
                            "key": alert.key,
                            "same_as": list(alert.same_as),
                            "text": alert.text,
                            "status": PENDING,
                            "created_at": now.isoformat(),
                            "sent_at": None,
                        }
                    )
        self._put_states(states)
        if new_deliveries:
            ids = self._deliveries.insert_multiple(new_deliveries)
            for doc_id, doc in zip(ids, new_deliveries, strict=True):
                self._pending[doc_id] = _delivery(Document(doc, doc_id))
        self._tracking.storage.flush()
        return len(new_deliveries)

    def _put_states(self, states: Mapping[str, dict[str, Any]]) -> None:
        known = [self._target_ids[t] for t in states if t in self._target_ids]
        if known:

            def apply(doc: dict[str, Any]) -> None:
                doc["state"] = states[doc["target"]]

            self._targets.update(apply, doc_ids=known)
        fresh = [t for t in states if t not in self._target_ids]
        if fresh:
            ids = self._targets.insert_multiple({"target": t, "state": states[t]} for t in fresh)
            self._target_ids.update(zip(fresh, ids, strict=True))

    def _forget_target(self, target: str) -> None:
        doc_id = self._target_ids.pop(target, None)
        if doc_id is not None:
            self._targets.remove(doc_ids=[doc_id])

    # --- deliveries -----------------------------------------------------------------------------

    def pending_deliveries(self) -> list[Delivery]:
        """Deliveries waiting to be sent, oldest first, leaving out paused chats."""
        return [d for _, d in sorted(self._pending.items()) if d.chat_id not in self._paused]

    def pending_of(self, chat_id: int) -> list[Delivery]:
        """The chat's deliveries waiting to be sent (paused or not), oldest first."""
        return [d for _, d in sorted(self._pending.items()) if d.chat_id == chat_id]

    def fold_pending(self, chat_id: int, text: str, now: datetime) -> None:
        """Replace the chat's pending deliveries by one message (`text`), in one flush: they
        are dropped, and it is queued with no target."""
        folded = [d.id for d in self.pending_of(chat_id)]
        for delivery_id in folded:
            del self._pending[delivery_id]
        self._deliveries.update(
            {"status": DROPPED, "text": "", "sent_at": now.isoformat()}, doc_ids=folded
        )
        doc = {
            "chat_id": chat_id,
            "target": "",
            "key": f"summary:{now.isoformat()}",
            "same_as": [],
            "text": text,
            "status": PENDING,
            "created_at": now.isoformat(),
            "sent_at": None,
        }
        [doc_id] = self._deliveries.insert_multiple([doc])
        self._pending[doc_id] = _delivery(Document(doc, doc_id))
        self._tracking.storage.flush()

    def finish_deliveries(self, outcomes: Mapping[int, str], now: datetime) -> None:
        """Record how each delivery ended (SENT, FAILED or DROPPED) in one flush."""
        by_status: dict[str, list[int]] = defaultdict(list)
        for delivery_id, status in outcomes.items():
            if self._pending.pop(delivery_id, None) is not None:
                by_status[status].append(delivery_id)
        for status, ids in by_status.items():
            fields: dict[str, Any] = {"status": status, "sent_at": now.isoformat()}
            if status != FAILED:
                fields["text"] = ""  # a failed message's text is kept for a look later
            self._deliveries.update(fields, doc_ids=ids)
        if by_status:
            self._tracking.storage.flush()


def _delivery(doc: Document) -> Delivery:
    return Delivery(doc.doc_id, doc["chat_id"], doc.get("target", ""), doc["key"], doc["text"])
