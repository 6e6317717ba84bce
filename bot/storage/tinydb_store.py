"""The TinyDB adapter of the storage port (bot.storage.port): chats, follows, target states and
deliveries in files, for one process (a lock on the files keeps a second one out).

Two TinyDB files, because a file is rewritten whole on every save and commands must stay fast
while the tracking data grows, plus a journal (bot/storage/files.py has the file handling):

- `storage.path` (subscriptions): table `chats`, one document per chat, its doc_id the chat id:
  `{"follows": [<target key>, ...], "muted": [<target key>, ...: followed, alerts off],
  "paused": <bool: Telegram said Forbidden>, "settings": <bot.preferences.ChatSettings doc>,
  "alerts": {<target>: <bot.preferences.FollowSettings doc>}}` (the last two only once set).
- the same path with `.tracking` before the suffix (tracking):
  - table `targets`: `{"target": <"kind:ident">, "state": <source-owned JSON>}`;
  - table `deliveries`, the alerts still to send and the ones Telegram refused:
    `{"chat_id", "target", "key": <stable event key>, "same_as": [<other keys of the same news>],
    "text": <HTML>, "status": "pending" | "failed", "unsure": <bool: a send timed out after it
    was written>, "created_at", "sent_at": <ISO 8601>}`, and where the alert has them, `"told":
    [<topic>, <value>]` (Alert.told) and `"bundle": <Bundle's fields>` (bot.bundles);
  - table `sent`, what dedup needs of the alerts sent (or folded into a summary), one document
    per chat, its doc_id the chat id: `{"chat_id", "keys": {<target>: {<key>: <day sent>}},
    "told": {<target>: {<topic>: [<the last value told through it>, <when it was queued>]}}}`.
    A chat's keys and told values for a target go when it unfollows; any key goes after
    DEDUP_DAYS, a told value only with its follow (it is what the chat knows, however long ago
    it was told).
  - table `digests`, one document per chat that has had a daily digest, its doc_id the chat id:
    `{"chat_id", "due": <ISO 8601: the digest instant it last answered>}`;
  - table `journal`, on disk only: `{"1": {"through": <the last journal line the file holds>}}`.
- the same path with `.tracking.journal` as suffix: what each save changed in the tracking
  tables since the one before, one line each (bot.storage.patches has the line's shape), so a
  cycle writes about what changed; the tracking file is written whole (and the journal emptied)
  once the journal is as large as it, at start and at close.
- the folder with `.history` as suffix: each target's number over time (bot/storage/history.py).
- the same path with `.journal` as suffix: sent outcomes, one line each, appended and fsynced per
  message and folded into the tracking file (then dropped) every few seconds.
- the same path with `.subscriptions.journal` as suffix: the subscriptions' changes, one line per
  command, `{"chats": {<chat id>: <its whole new document, or null when deleted>}}`, folded into
  the subscriptions file in the background every COMPACT_SUBSCRIPTIONS_AFTER lines, at start and
  at close. So a command writes one short line, however many chats there are (decision record 7).

Which follows get an alert is bot.fanout's rule (settings, mutes, and: an alert reaches a chat
once, never again under any of its keys, or, for an alert that tells a topic's new value, only
when the chat was last told another value on that topic), given the indexes kept here;
a chat on a daily digest keeps its deliveries pending until `send_digest` folds them into one
message, in the same write that records the digest as done. A cycle's fan-out and a fold of
thousands of outcomes run in slices (bot.slices), so commands are answered meanwhile; the cycle
lock keeps a chat from being deleted or moved half-way through a fan-out, and a follow that ends
meanwhile leaves its alerts to the sender, which drops them.

Memory is the truth while the bot runs; a file reaches disk as one atomic replace of a snapshot
taken on the event loop (consistent: nothing else runs meanwhile), encoded, written and fsynced in
the store's one writer thread (`_Table` keeps the snapshot still). If a command's journal
line cannot be written, its change is rolled back and SaveError raised. The tracking data is
saved once per poll cycle and per fold; a failed save keeps everything in memory (queued alerts
still go out) and its changes are saved by the next one. The indexes here (followers per target,
pending deliveries, keys already delivered) are derived from the documents on opening. The tables
are TinyDB's, less its re-keying of a whole table on every change (`_Table`).
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import logging
from collections import Counter, defaultdict
from collections.abc import (
    AsyncIterator,
    Awaitable,
    Callable,
    Iterable,
    Iterator,
    Mapping,
    MutableMapping,
)
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import orjson
from tinydb import TinyDB
from tinydb.storages import MemoryStorage
from tinydb.table import Document, Table

from bot import fanout
from bot.bundles import bundle_from_doc, bundle_to_doc
from bot.collector import collector_paused
from bot.preferences import DEFAULT_CHAT, DEFAULT_FOLLOW, ChatSettings, FollowSettings
from bot.slices import Slices, chunks, in_slices
from bot.sources.base import Alert, split_target
from bot.storage import patches
from bot.storage.files import (
    Journal,
    Serialiser,
    check_writable,
    damaged,
    hold_exclusively,
    read_tables,
    remove_leftovers,
    replace_atomically,
    serialise,
)
from bot.storage.history import History
from bot.storage.port import (
    DEDUP_DAYS,
    DROPPED,
    FAILED,
    FAILED_KEPT_DAYS,
    PENDING,
    SENT,
    UNSURE,
    ChatRecord,
    Delivery,
    DeliveryRecord,
    FollowCounts,
    FollowRecord,
    SaveError,
    Snapshot,
)

log = logging.getLogger(__name__)
# A fold rewrites the whole subscriptions file: often enough to keep the journal short (a start
# replays it), rarely enough to cost nothing per command.
COMPACT_SUBSCRIPTIONS_AFTER = 1_000
# The tracking journal is folded into its file once it is as large as the file (so every byte
# changed is written at most twice), but never for less than this.
COMPACT_TRACKING_FROM = 1_000_000
# Work between two pauses of a long loop (bot.slices): each takes a few milliseconds.
STATES_PER_SLICE = 1_000
DELIVERIES_PER_SLICE = 500
# A target thousands follow (all debates) is fanned out a few hundred chats at a time: 3,333 at
# once held the loop for 30 ms (bench_mixed at 100,000 follows).
FOLLOWERS_PER_SLICE = 500
OUTCOMES_PER_SLICE = 500
# The tracking file's record of the last journalled change it holds.
JOURNAL_TABLE = "journal"
T = TypeVar("T")


class _Memory(MemoryStorage):
    """TinyDB's storage: the tables in memory; the store decides when they reach disk.

    `changed` holds, per table, each document changed since the last save as it was then
    (patches.ABSENT if it did not exist): what the next save journals is the difference."""

    def __init__(self, tables: dict[str, Any] | None, journalled: bool = False) -> None:
        super().__init__()
        self.memory = tables
        self.journalled = journalled
        self.changed: dict[str, dict[str, Any]] = {}

    def note(self, table: str, before: Mapping[str, Any], doc_ids: set[str]) -> None:
        if not self.journalled:
            return
        changed = self.changed.setdefault(table, {})
        for doc_id in doc_ids:
            if doc_id not in changed:
                changed[doc_id] = before.get(doc_id, patches.ABSENT)

    def take_changes(self) -> dict[str, dict[str, Any]]:
        """{table: {doc id: as last saved}} of the documents changed since, and start afresh."""
        changed, self.changed = self.changed, {}
        return changed

    def keep_changes(self, changes: Mapping[str, Mapping[str, Any]]) -> None:
        """Put back changes whose save failed: the next save journals them again."""
        for name, documents in changes.items():
            self.changed.setdefault(name, {}).update(documents)  # older than any noted since


class _ByIntId(MutableMapping[int, Any]):
    """A table's stored documents (string keys, as in the file) as TinyDB's updaters see them:
    by int id."""

    def __init__(self, stored: dict[str, Any]) -> None:
        self._stored = stored
        self.touched: set[str] = set()

    def __getitem__(self, doc_id: int) -> Any:
        # TinyDB hands this to an updater that changes it in place: the new table gets its own
        # copy, and a writer's snapshot keeps the document as it was.
        doc = dict(self._stored[str(doc_id)])
        self._stored[str(doc_id)] = doc
        self.touched.add(str(doc_id))
        return doc

    def __setitem__(self, doc_id: int, doc: Any) -> None:
        self._stored[str(doc_id)] = doc
        self.touched.add(str(doc_id))

    def __delitem__(self, doc_id: int) -> None:
        del self._stored[str(doc_id)]
        self.touched.add(str(doc_id))

    def __contains__(self, doc_id: object) -> bool:
        return str(doc_id) in self._stored

    def __iter__(self) -> Iterator[int]:
        return (int(doc_id) for doc_id in self._stored)

    def __len__(self) -> int:
        return len(self._stored)


class _Table(Table):
    """TinyDB's table, changed without re-keying it. TinyDB converts every key of a table to int
    and back on each insert, update or remove: 5 ms to update one chat among 20,000.

    A change never edits a table or a document in place: it makes a new table dict, with new
    copies of the documents it changes (`_ByIntId`), so a writer in a thread can encode the old
    one meanwhile. Updaters replace nested values rather than edit them, for the same reason."""

    def _update_table(self, updater: Callable[[dict[int, Mapping]], None]) -> None:
        tables = self._storage.read() or {}
        before = tables.get(self.name, {})
        # A new dict, as TinyDB makes: storefiles.Serialiser tells a changed table by its identity.
        table = dict(before)
        documents = _ByIntId(table)
        updater(documents)  # type: ignore[arg-type]
        tables[self.name] = table
        self._storage.write(tables)
        self._storage.note(self.name, before, documents.touched)
        self.clear_cache()

    def remove(self, cond: Any = None, doc_ids: Iterable[int] | None = None) -> list[int]:
        """TinyDB's remove; by ids, without a call per document on the way (200,000 of them
        when an old store is opened)."""
        if cond is not None or doc_ids is None:
            return super().remove(cond, doc_ids)
        tables = self._storage.read() or {}
        before = tables.get(self.name, {})
        gone = {str(doc_id) for doc_id in doc_ids} & before.keys()
        if gone:
            tables[self.name] = {k: doc for k, doc in before.items() if k not in gone}
            self._storage.write(tables)
            self._storage.note(self.name, before, gone)
            self.clear_cache()
        return [int(doc_id) for doc_id in gone]

    def documents(self) -> Iterator[tuple[int, Mapping[str, Any]]]:
        """Every (id, document) as stored: read only, never copied (TinyDB's `all()` copies
        each one, seconds for the 200,000 deliveries of an old store at start-up)."""
        return ((int(doc_id), doc) for doc_id, doc in self._read_table().items())

    def stored(self, doc_id: int) -> Mapping[str, Any] | None:
        """One document as stored (read only), or None."""
        return self._read_table().get(str(doc_id))


@dataclass
class _File:
    """A file of tables, and the journal of the changes made since it was last written whole
    (for the tracking file; the subscriptions file has a journal of its own kind)."""

    path: Path
    db: TinyDB
    journal: Journal | None = None
    seq: int = 0  # the last change journalled (or written whole)
    written: int = 0  # the file's size when it was last written whole
    replayed: bool = False  # the journal held changes when the file was opened
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    serialise: Serialiser = field(default_factory=Serialiser)

    @property
    def tables(self) -> dict[str, Any]:
        return self.db.storage.memory or {}

    @property
    def storage(self) -> _Memory:
        return self.db.storage  # type: ignore[no-any-return]


def tracking_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.tracking{path.suffix or '.json'}")


def journal_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.journal")


def subscriptions_journal_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.subscriptions.journal")


def tracking_journal_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.tracking.journal")


def history_path(path: Path) -> Path:
    return path.with_name(f"{path.stem}.history")


def read_tracking(path: Path) -> dict[str, Any]:
    """The tracking tables of the database at `path` as the store would open them: the file with
    its journal replayed (for tests and tools; the store itself reads them once, at opening)."""
    tables, _, _ = _read(tracking_path(path), _check_tracking, Journal(tracking_journal_path(path)))
    return tables or {}


def _read(
    path: Path, check: Callable[[dict[str, Any]], None], journal: Journal
) -> tuple[dict[str, Any] | None, int, bool]:
    """`path`'s tables with the journal's later changes applied, the last change's number, and
    whether the journal had any."""
    tables = read_tables(path, check)
    through = int(((tables or {}).pop(JOURNAL_TABLE, {}).get("1") or {}).get("through", 0))
    lines = [line for line in journal.read(_changes_line) if line["seq"] > through]
    if not lines:
        return tables, through, False
    tables = tables or {}
    try:
        for line in lines:
            patches.replay(tables, line["changes"])
        check(tables)
    except (ValueError, TypeError, KeyError, AttributeError, IndexError) as exc:
        raise damaged(journal.path, f"does not fit {path.name} ({exc!r})") from None
    return tables, lines[-1]["seq"], True


def _open(
    path: Path, check: Callable[[dict[str, Any]], None], journal: Journal | None = None
) -> _File:
    remove_leftovers(path)
    if journal is None:
        tables, seq, replayed = read_tables(path, check), 0, False
    else:
        tables, seq, replayed = _read(path, check, journal)
    db = TinyDB(storage=_Memory, tables=tables, journalled=journal is not None)
    db.table_class = _Table
    written = path.stat().st_size if path.exists() else 0
    return _File(path, db, journal, seq, written, replayed)


class TinyDBStore:
    """The storage port (bot.storage.port) on TinyDB files, for one process."""

    def __init__(self, path: Path) -> None:
        """Open (or create) the database at `path`; raises StoreError naming a damaged file."""
        check_writable(path.parent)
        self._lock = hold_exclusively(path)
        with collector_paused():
            self._load(path)

    def _load(self, path: Path) -> None:
        self._subs = _open(path, _check_subscriptions)
        self._tracking = _open(
            tracking_path(path), _check_tracking, Journal(tracking_journal_path(path))
        )
        self._journal = Journal(journal_path(path))
        self._changes = Journal(subscriptions_journal_path(path))
        self._compacting: asyncio.Task[None] | None = None
        # Held while a cycle's alerts are fanned out (in slices, so commands run meanwhile) and
        # by the changes a fan-out must not see half-way: a chat going or moving.
        self._cycle = asyncio.Lock()
        # One thread encodes and writes the files: each thread that allocates tens of MB keeps a
        # malloc arena of its own that size (a thread pool's six doubled the peak RSS).
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="store-writer")
        # A command's journal line has a thread of its own: in the shared pool it would queue
        # behind thousands of sent outcomes' appends while a fan-out goes out.
        self._commands_writer = ThreadPoolExecutor(
            max_workers=1, thread_name_prefix="store-commands"
        )
        # Every file is read and checked before any is written: a damaged one stops us unchanged.
        changes = self._changes.read(_subscriptions_line)
        outcomes = self._journal.read(_outcome_line)
        storage = self._subs.db.storage
        storage.memory = storage.memory or {}
        chats = storage.memory.setdefault("chats", {})
        for change in changes:
            for chat_id, doc in change.items():
                if doc is None:
                    chats.pop(chat_id, None)
                else:
                    chats[chat_id] = doc
        if changes or not path.exists():
            self._write_now(self._subs)
        self._changes.clear()
        self._chats = self._subs.db.table("chats", cache_size=0)
        self._targets = self._tracking.db.table("targets", cache_size=0)
        self._deliveries = self._tracking.db.table("deliveries", cache_size=0)
        self._sent = self._tracking.db.table("sent", cache_size=0)
        self._digests = self._tracking.db.table("digests", cache_size=0)
        self._history = History(history_path(path))
        self._followers: dict[str, set[int]] = defaultdict(set)
        self._muted: set[tuple[int, str]] = set()
        self._paused: set[int] = set()
        self._holding: set[int] = set()
        # Only the chats and follows with settings of their own: the rest have the defaults.
        self._chat_settings: dict[int, ChatSettings] = {}
        self._follow_settings: dict[tuple[int, str], FollowSettings] = {}
        self._index_chats()
        self._target_ids = {doc["target"]: i for i, doc in self._targets.documents()}
        self._pending: dict[int, Delivery] = {}
        self._outcomes: dict[int, str] = {}  # journalled, not yet folded
        self._compacted_on: date | None = None
        self._delivered: set[tuple[int, str]] = set()
        self._told: dict[tuple[int, str], str] = {}  # (chat, topic) -> the last value told
        latest: dict[tuple[int, str], str] = {}  # when it was told, of those folded
        for chat, doc in self._sent.documents():
            for keys in doc["keys"].values():
                self._delivered.update((chat, key) for key in keys)
            # A topic told through several follows: the value told last, whichever follow.
            for told in (doc.get("told") or {}).values():
                for topic, (value, at) in told.items():
                    if at >= latest.get((chat, topic), ""):
                        latest[chat, topic] = at
                        self._told[chat, topic] = value
        for doc_id, doc in sorted(self._deliveries.documents(), key=lambda pair: pair[0]):
            self._delivered.update((doc["chat_id"], key) for key in _keys(doc))
            if doc.get("told"):
                topic, value = doc["told"]
                self._told[doc["chat_id"], topic] = value
            if doc["status"] == PENDING:
                self._pending[doc_id] = _delivery(Document(doc, doc_id))
        # What a crash left in the journal, and the old layout's sent deliveries, are folded in.
        for delivery_id, outcome in outcomes:
            self._note(delivery_id, outcome)
        self._outcomes |= {
            i: doc["status"] for i, doc in self._deliveries.documents() if doc["status"] in _DONE
        }
        now = datetime.now().astimezone()
        folding = bool(self._outcomes)
        self._fold(now)
        if self._compact(now) or folding or self._tracking.replayed:
            self._write_now(self._tracking)
        self._journal.clear()

    def _index_chats(self) -> None:
        self._followers.clear()
        self._muted.clear()
        self._paused.clear()
        self._chat_settings.clear()
        self._follow_settings.clear()
        for chat, doc in self._chats.documents():
            if doc.get("paused"):
                self._paused.add(chat)
            if doc.get("settings"):
                self._chat_settings[chat] = ChatSettings.from_doc(doc["settings"])
            for target, settings in (doc.get("alerts") or {}).items():
                self._follow_settings[chat, target] = FollowSettings.from_doc(settings)
            for target in doc.get("follows", []):
                self._followers[target].add(chat)
            self._muted |= {(chat, target) for target in doc.get("muted", [])}

    # --- lifecycle -------------------------------------------------------------------------------

    async def start(self) -> None:
        """Nothing: the files are opened and checked in the constructor, so that a damaged one
        stops the bot before it reaches Telegram."""

    async def send_slot(self, gap: float) -> float:
        """No wait: one process, whose own pace (bot.pacing) is all there is."""
        return 0.0

    async def lead(self) -> bool:
        """Always: the files' lock keeps every other process out."""
        return True

    async def settle(self) -> None:
        """Let a fold of the subscriptions journal that is under way finish."""
        if self._compacting is not None:
            await asyncio.wait([self._compacting])

    async def close(self) -> None:
        await self.settle()
        self.close_now()

    def close_now(self) -> None:
        """Fold the journals in and write both files (blocking: the bot is stopping, or never
        ran)."""
        self._writer.shutdown(wait=True)  # a write under way ends before the last ones
        self._commands_writer.shutdown(wait=True)
        self._fold(datetime.now().astimezone())
        for file, journal in ((self._subs, self._changes), (self._tracking, self._journal)):
            try:
                self._write_now(file)
            except OSError as exc:
                # The journal still holds what the file lacks.
                log.error("could not save %s at shutdown: %s", file.path, exc)
                continue
            journal.clear()
        self._changes.close()
        self._journal.close()
        self._lock.close()

    async def _write_snapshot(self, file: _File, tables: dict[str, Any]) -> None:
        """Encode and write `tables` in the writer thread (storefiles.Serialiser tells why they
        hold still meanwhile)."""
        await _in_thread(self._writer, self._write_tables, file, tables)

    @staticmethod
    def _write_tables(file: _File, tables: dict[str, Any]) -> None:
        """Write `tables` whole as `file`; a journalled file records the last change it holds,
        so the journal's lines up to there are skipped at opening (and dropped now)."""
        if file.journal is None:
            replace_atomically(file.path, *file.serialise(tables))
            return
        pieces = file.serialise({**tables, JOURNAL_TABLE: {"1": {"through": file.seq}}})
        replace_atomically(file.path, *pieces)
        file.written = sum(map(len, pieces))
        _quietly(file.journal.clear)

    def _write_now(self, file: _File) -> None:
        self._write_tables(file, file.tables)
        file.storage.changed = {}

    async def _save_tracking(self) -> bool:
        """Make the tracking data's changes since the last save durable: one journal line of
        what changed (bot.storage.patches), or the whole file once the journal has grown to its
        size, so a save costs about what changed, twice at most."""
        file = self._tracking
        async with file.lock:
            changes, tables = file.storage.take_changes(), dict(file.tables)
            try:
                await _in_thread(self._writer, self._journal_changes, file, changes, tables)
            except OSError as exc:
                file.storage.keep_changes(changes)
                log.error("could not save %s (kept, will retry): %s", file.path, exc)
                return False
        return True

    def _journal_changes(
        self, file: _File, changes: dict[str, dict[str, Any]], tables: dict[str, Any]
    ) -> None:
        """In the writer thread: `changes` (documents as last saved) and `tables` (as now) were
        taken together on the loop, and neither changes meanwhile."""
        assert file.journal is not None
        line = patches.changes_line(
            {
                name: {
                    doc_id: (old, tables.get(name, {}).get(doc_id, patches.ABSENT))
                    for doc_id, old in documents.items()
                }
                for name, documents in changes.items()
            }
        )
        if not line:
            return
        file.seq += 1
        if file.journal.end >= max(COMPACT_TRACKING_FROM, file.written):
            self._write_tables(file, tables)
        else:
            file.journal.append(serialise({"seq": file.seq, "changes": line}))

    @contextlib.asynccontextmanager
    async def _changing_subscriptions(self, *chat_ids: int) -> AsyncIterator[None]:
        """Apply a change to the documents of `chat_ids` and journal them, or undo it and raise
        SaveError."""
        async with self._subs.lock:
            before = {chat_id: self._chats.get(doc_id=chat_id) for chat_id in chat_ids}
            try:
                yield
                after = {chat_id: self._chats.get(doc_id=chat_id) for chat_id in chat_ids}
                if after != before:  # a change that found nothing to do writes nothing
                    line = orjson.dumps(after, option=orjson.OPT_NON_STR_KEYS).decode()
                    # On cancellation the append still finishes, and the change stands.
                    await _in_thread(self._commands_writer, self._changes.append, line)
            except Exception as exc:
                self._restore_chats(before)
                if isinstance(exc, OSError):
                    log.error("could not save %s: %s", self._changes.path, exc)
                    raise SaveError(str(exc)) from exc
                raise
        if self._changes.appended >= COMPACT_SUBSCRIPTIONS_AFTER and self._compacting is None:
            self._compacting = asyncio.create_task(self._compact_subscriptions())

    def _restore_chats(self, documents: Mapping[int, Document | None]) -> None:
        present = [chat_id for chat_id in documents if self._chats.contains(doc_id=chat_id)]
        self._chats.remove(doc_ids=present)
        self._chats.insert_multiple(
            Document(doc, chat_id) for chat_id, doc in documents.items() if doc is not None
        )
        self._index_chats()

    async def _compact_subscriptions(self) -> None:
        """Fold the subscriptions journal into the subscriptions file, off the commands' path."""
        try:
            async with self._subs.lock:  # memory holds every journalled change, and no other
                tables, folded = dict(self._subs.tables), self._changes.end
            await self._write_snapshot(self._subs, tables)
            await asyncio.to_thread(self._changes.drop_before, folded)
        except OSError as exc:
            log.error("could not fold %s (kept, will retry): %s", self._changes.path, exc)
        finally:
            self._compacting = None

    # --- chats and follows ----------------------------------------------------------------------

    async def follows_of(self, chat_id: int) -> list[str]:
        return self._follows_of(chat_id)

    def _follows_of(self, chat_id: int) -> list[str]:
        doc = self._chats.get(doc_id=chat_id)
        return list(doc.get("follows", [])) if doc else []

    async def followers_of(self, target: str) -> set[int]:
        return set(self._followers.get(target, ()))

    async def followed_targets(self) -> list[str]:
        """The targets worth polling: followed by at least one chat that can hear us."""
        paused = self._paused
        # A subset test, not a difference: it stops at the first chat that can hear us, and
        # runs in C (a generator per target took 10 ms at 10,000 targets).
        return [t for t, chats in self._followers.items() if not chats <= paused]

    async def is_paused(self, chat_id: int) -> bool:
        return self._is_paused(chat_id)

    def _is_paused(self, chat_id: int) -> bool:
        return chat_id in self._paused

    async def hold(self, chat_id: int) -> None:
        """Keep the chat's deliveries back (memory only) until `release`: it is back, and what
        changed while it was away is being gathered into one message (bot.returning)."""
        self._holding.add(chat_id)

    async def release(self, chat_id: int) -> None:
        self._holding.discard(chat_id)

    async def add_follow(self, chat_id: int, target: str, baseline: dict[str, Any] | None) -> None:
        """Follow `target`; `baseline` replaces its state when nobody else followed it."""
        async with self._changing_subscriptions(chat_id):
            follows = self._follows_of(chat_id)
            if target in follows:
                return
            if baseline is not None and not self._followers.get(target):
                # Before the write's await, so a cycle starting meanwhile polls from it. It
                # reaches disk with the next tracking write.
                self._put_states({target: baseline})
            self._put_chat(chat_id, follows=[*follows, target])
            self._followers[target].add(chat_id)
            defaults = self._chat_settings_of(chat_id).defaults
            if defaults != DEFAULT_FOLLOW:
                self._put_follow_settings(chat_id, target, defaults)

    async def remove_follow(self, chat_id: int, target: str) -> bool:
        return await self.remove_follows(chat_id, {target}) > 0

    async def remove_follows(self, chat_id: int, targets: set[str]) -> int:
        """Unfollow those of `targets` the chat follows, in one write; returns how many. During
        a cycle's fan-out too: alerts it queued for these follows are dropped by the sender."""
        gone: set[str] = set()
        async with self._changing_subscriptions(chat_id):
            follows = self._follows_of(chat_id)  # as it is once the change before this is in
            gone = {target for target in targets if target in follows}
            if gone:
                self._muted -= {(chat_id, target) for target in gone}
                had_settings = [
                    self._follow_settings.pop((chat_id, target), None) for target in gone
                ]
                settings = {"alerts": self._alerts_doc(chat_id)} if any(had_settings) else {}
                self._put_chat(
                    chat_id,
                    follows=[t for t in follows if t not in gone],
                    muted=self._muted_of(chat_id),
                    **settings,
                )
                for target in gone:
                    self._followers[target].discard(chat_id)
        if gone:
            self._forget_follows(chat_id, gone)
        return len(gone)

    async def is_muted(self, chat_id: int, target: str) -> bool:
        return self._is_muted(chat_id, target)

    def _is_muted(self, chat_id: int, target: str) -> bool:
        return (chat_id, target) in self._muted

    async def set_muted(self, chat_id: int, target: str, muted: bool) -> None:
        """Mute (no alerts, none queued for later) or unmute a follow of the chat."""
        if target not in self._follows_of(chat_id) or self._is_muted(chat_id, target) == muted:
            return
        async with self._changing_subscriptions(chat_id):
            if muted:
                self._muted.add((chat_id, target))
            else:
                self._muted.discard((chat_id, target))
            self._put_chat(chat_id, muted=self._muted_of(chat_id))

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        return self._chat_settings_of(chat_id)

    def _chat_settings_of(self, chat_id: int) -> ChatSettings:
        return self._chat_settings.get(chat_id, DEFAULT_CHAT)

    async def set_chat_settings(
        self, chat_id: int, settings: ChatSettings, now: datetime | None = None
    ) -> None:
        """The chat's own settings: time zone, quiet hours, delivery, defaults for new follows.
        A digest switched on or moved to another hour at `now` starts at its next hour: the
        latest one before `now` is taken as done, so none is sent at once, dated in the past."""
        before = self._chat_settings_of(chat_id)
        async with self._changing_subscriptions(chat_id):
            self._put_chat(chat_id, settings=settings.to_doc())
            self._chat_settings[chat_id] = settings
        due = settings.last_digest_due(now) if now is not None else None
        if due is not None and (settings.digest_hour, settings.zone) != (
            before.digest_hour,
            before.zone,
        ):
            self._digest_done(chat_id, due)
            await self._save_tracking()

    async def follow_settings(self, chat_id: int, target: str) -> FollowSettings:
        return self._follow_settings_of(chat_id, target)

    def _follow_settings_of(self, chat_id: int, target: str) -> FollowSettings:
        return self._follow_settings.get((chat_id, target), DEFAULT_FOLLOW)

    async def set_follow_settings(
        self, chat_id: int, target: str, settings: FollowSettings
    ) -> bool:
        """A follow's alert settings; False when the chat does not follow `target`."""
        if target not in self._follows_of(chat_id):
            return False
        async with self._changing_subscriptions(chat_id):
            self._put_follow_settings(chat_id, target, settings)
        return True

    def _put_follow_settings(self, chat_id: int, target: str, settings: FollowSettings) -> None:
        self._follow_settings[chat_id, target] = settings
        self._put_chat(chat_id, alerts=self._alerts_doc(chat_id))

    def _alerts_doc(self, chat_id: int) -> dict[str, Any]:
        return {
            target: settings.to_doc()
            for (chat, target), settings in self._follow_settings.items()
            if chat == chat_id
        }

    async def silent(self, chat_id: int, target: str, now: datetime) -> bool:
        follow = self._follow_settings_of(chat_id, target) if target else None
        return fanout.silent(self._chat_settings_of(chat_id), follow, now)

    async def forget_chat(self, chat_id: int) -> None:
        """Unfollow everything and delete all the chat's data, its delivery history included."""
        async with self._cycle:
            await self._forget_chat(chat_id)

    async def _forget_chat(self, chat_id: int) -> None:
        follows = set(self._follows_of(chat_id))
        async with self._changing_subscriptions(chat_id):
            if self._chats.get(doc_id=chat_id) is not None:
                self._chats.remove(doc_ids=[chat_id])
            for target in follows:
                self._followers[target].discard(chat_id)
            self._muted = {(chat, target) for chat, target in self._muted if chat != chat_id}
            self._paused.discard(chat_id)
            self._chat_settings.pop(chat_id, None)
            self._follow_settings = {
                key: value for key, value in self._follow_settings.items() if key[0] != chat_id
            }
        self._forget_follows(chat_id, follows)
        gone = [doc.doc_id for doc in self._deliveries.all() if doc["chat_id"] == chat_id]
        self._deliveries.remove(doc_ids=gone)
        for delivery_id in gone:
            self._pending.pop(delivery_id, None)
        if self._sent.get(doc_id=chat_id) is not None:
            self._sent.remove(doc_ids=[chat_id])
        if self._digests.contains(doc_id=chat_id):
            self._digests.remove(doc_ids=[chat_id])
        self._delivered = {(chat, key) for chat, key in self._delivered if chat != chat_id}
        self._told = {key: value for key, value in self._told.items() if key[0] != chat_id}
        await self._save_tracking()

    def _forget_follows(self, chat_id: int, targets: set[str]) -> None:
        """Tracking data the chat's follows of `targets` no longer need (memory only)."""
        doc = self._sent.get(doc_id=chat_id)
        told = (doc.get("told") or {}) if doc is not None else {}
        if doc is not None and targets & (doc["keys"].keys() | told.keys()):
            for target in targets & doc["keys"].keys():
                self._delivered -= {(chat_id, key) for key in doc["keys"][target]}
            for target in targets & told.keys():
                for topic in told[target]:
                    self._told.pop((chat_id, topic), None)

            def drop(stored: dict[str, Any]) -> None:
                stored["keys"] = {t: k for t, k in stored["keys"].items() if t not in targets}
                if stored.get("told"):
                    stored["told"] = {t: v for t, v in stored["told"].items() if t not in targets}

            self._sent.update(drop, doc_ids=[chat_id])
        for target in targets:
            if not self._followers.get(target):
                # A later follower must start from a fresh baseline, not from old history.
                self._followers.pop(target, None)
                self._forget_target(target)

    async def set_paused(self, chat_id: int, paused: bool) -> None:
        if self._is_paused(chat_id) == paused or self._chats.get(doc_id=chat_id) is None:
            return
        async with self._changing_subscriptions(chat_id):
            self._put_chat(chat_id, paused=paused)
            if paused:
                self._paused.add(chat_id)
            else:
                self._paused.discard(chat_id)

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: move follows, pending deliveries and history to `new_id`."""
        async with self._cycle:
            await self._migrate_chat(old_id, new_id)

    async def _migrate_chat(self, old_id: int, new_id: int) -> None:
        old = self._chats.get(doc_id=old_id)
        if old is not None:
            async with self._changing_subscriptions(old_id, new_id):
                merged = list(dict.fromkeys([*self._follows_of(new_id), *old.get("follows", [])]))
                muted = sorted({*self._muted_of(new_id), *old.get("muted", [])})
                moved = {"settings": old["settings"]} if old.get("settings") else {}
                alerts = {**(old.get("alerts") or {}), **self._alerts_doc(new_id)}
                self._chats.remove(doc_ids=[old_id])
                self._put_chat(
                    new_id, follows=merged, muted=muted, paused=False, alerts=alerts, **moved
                )
                self._index_chats()
        moved = [doc.doc_id for doc in self._deliveries.all() if doc["chat_id"] == old_id]
        self._deliveries.update({"chat_id": new_id}, doc_ids=moved)
        for delivery_id in moved:
            if delivery_id in self._pending:
                self._pending[delivery_id] = replace(self._pending[delivery_id], chat_id=new_id)
        old_sent = self._sent.get(doc_id=old_id)
        if old_sent is not None:
            self._sent.remove(doc_ids=[old_id])
            self._add_sent_keys({new_id: old_sent["keys"]}, {new_id: old_sent.get("told") or {}})
        self._delivered |= {(new_id, key) for chat, key in self._delivered if chat == old_id}
        self._told |= {(new_id, t): v for (chat, t), v in self._told.items() if chat == old_id}
        await self._save_tracking()

    def _put_chat(self, chat_id: int, **fields: Any) -> None:
        if self._chats.get(doc_id=chat_id) is None:
            self._chats.insert(
                Document({"follows": [], "muted": [], "paused": False, **fields}, chat_id)
            )
        else:
            self._chats.update(fields, doc_ids=[chat_id])

    def _muted_of(self, chat_id: int) -> list[str]:
        return sorted(target for chat, target in self._muted if chat == chat_id)

    async def counts(self) -> dict[str, int]:
        """How much the store holds, for the operators' /stats."""
        return {
            "chats": len(self._chats),
            "follows": sum(len(chats) for chats in self._followers.values()),
            "targets": len(self._followers),
            "paused chats": len(self._paused),
            "pending alerts": len(self._pending),
            "alert keys on record": len(self._delivered),
        }

    async def follow_counts(self) -> FollowCounts:
        follows: Counter[str] = Counter()
        chats: defaultdict[str, set[int]] = defaultdict(set)
        for target, followers in self._followers.items():
            kind = split_target(target)[0]
            follows[kind] += len(followers)
            chats[kind] |= followers
        return FollowCounts(dict(follows), {kind: len(ids) for kind, ids in chats.items()})

    # --- targets --------------------------------------------------------------------------------

    async def target_states(self, targets: list[str]) -> dict[str, dict[str, Any] | None]:
        # In slices: 10,000 states at once held the loop for 30 ms. A target left meanwhile
        # reads as None, and record_cycle stores nothing for it.
        return await in_slices((target, self._target_state(target)) for target in targets)

    async def target_state(self, target: str) -> dict[str, Any] | None:
        return self._target_state(target)

    def _target_state(self, target: str) -> dict[str, Any] | None:
        doc_id = self._target_ids.get(target)
        doc = self._targets.get(doc_id=doc_id) if doc_id is not None else None
        return doc["state"] if doc else None

    async def record_cycle(self, refreshes: Mapping[str, Any], now: datetime) -> int:
        """Store each target's new state and its alerts' deliveries, in one write.

        `refreshes` maps a target key to a bot.sources.base.Refresh. Returns how many new
        deliveries were queued: bot.fanout decides who gets what, from the keys and told values
        indexed here. The work is done in slices (bot.slices) under the cycle lock: commands
        are answered meanwhile, but a chat is never deleted or moved half-way through; a follow
        that ends meanwhile leaves its alerts to the sender (which drops them) and no state.
        """
        slices = Slices()
        states: dict[str, dict[str, Any]] = {}
        new_deliveries: list[dict[str, Any]] = []
        at = int(now.timestamp())
        samples: list[tuple[str, int, int]] = []
        async with self._cycle:
            for target, refresh in refreshes.items():
                await slices.pause()
                everyone = self._followers.get(target)
                if not everyone:
                    continue  # everyone unfollowed while the cycle ran
                states[target] = refresh.state
                if refresh.sample is not None and self._history.due(target, at, refresh.sample):
                    samples.append((target, at, refresh.sample))
                if not refresh.alerts:
                    continue  # the usual case: no work per follower
                # Each chat's alerts stay in order: a chunk holds all of a chat's.
                for chats in chunks(sorted(everyone), FOLLOWERS_PER_SLICE):
                    new_deliveries += self._fan_out(target, refresh.alerts, chats, now)
                    await slices.pause()
            for chunk in chunks(list(states), STATES_PER_SLICE):
                await slices.pause()
                # A target all its followers left meanwhile is gone: a later follower starts
                # from a fresh baseline (_forget_follows).
                self._put_states({t: states[t] for t in chunk if self._followers.get(t)})
            for batch in chunks(new_deliveries, DELIVERIES_PER_SLICE):
                await slices.pause()
                self._queue(batch)
        await self._save_tracking()
        if samples:
            await asyncio.to_thread(self._history.append, samples)
        return len(new_deliveries)

    def _fan_out(
        self, target: str, alerts: list[Alert], chats: list[int], now: datetime
    ) -> list[dict[str, Any]]:
        """The deliveries of one target's alerts, noted as delivered (memory only)."""
        followers = []
        for chat in chats:
            chat_settings = self._chat_settings_of(chat)
            followers.append(
                fanout.Follower(
                    chat,
                    (chat, target) in self._muted,
                    self._follow_settings_of(chat, target),
                    chat_settings.tz,
                    chat_settings.digest_day,
                    chat_settings.constituency,
                )
            )
        deliveries = []
        for queued in fanout.fan_out(alerts, followers, self._delivered, self._told):
            self._delivered.update((queued.chat_id, key) for key in queued.alert.keys)
            if queued.alert.told is not None:
                self._told[queued.chat_id, queued.alert.told[0]] = queued.alert.told[1]
            deliveries.append(_new_delivery(queued.chat_id, target, queued.alert, queued.text, now))
        return deliveries

    async def history_of(self, target: str) -> list[tuple[int, int]]:
        """The target's samples (Unix seconds, value), oldest first (bot.storage.history)."""
        return await asyncio.to_thread(self._history.read, target)

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
        self._history.forget(target)

    # --- deliveries -----------------------------------------------------------------------------

    async def has_pending(self) -> bool:
        """Whether anything waits to be sent to a chat that can hear us (cheap: no sorting)."""
        return any(self._sendable(d) for d in self._pending.values())

    async def pending_deliveries(self, now: datetime | None = None) -> list[Delivery]:
        """Deliveries waiting to be sent, oldest first, leaving out paused chats and the alerts
        held for a chat's digest; at `now`, also a chat's alerts of one bundle until
        BUNDLE_SETTLE after the first of them, so those the next cycles find join them."""
        pending = [d for _, d in sorted(self._pending.items()) if self._sendable(d)]
        return pending if now is None else fanout.settled(pending, now)

    def _sendable(self, delivery: Delivery) -> bool:
        if delivery.chat_id in self._paused or delivery.chat_id in self._holding:
            return False
        return fanout.sendable_now(delivery.target, self._chat_settings_of(delivery.chat_id))

    # --- daily digests --------------------------------------------------------------------------

    async def digests_due(self, now: datetime) -> list[tuple[int, datetime]]:
        """The chats whose digest instant has come since their last digest, with that instant.
        A digest missed while the bot was down is due once, at the latest instant."""
        due = []
        for chat_id, settings in sorted(self._chat_settings.items()):
            instant = settings.last_digest_due(now)
            if instant is None or chat_id in self._paused:
                continue
            done = self._digests.get(doc_id=chat_id)
            if done is None or datetime.fromisoformat(done["due"]) < instant:
                due.append((chat_id, instant))
        return due

    async def held_for_digest(self, chat_id: int) -> list[Delivery]:
        return self._held_for_digest(chat_id)

    def _held_for_digest(self, chat_id: int) -> list[Delivery]:
        """The chat's alerts waiting for its digest, oldest first."""
        return [d for d in self._pending_of(chat_id) if d.target]

    async def send_digest(
        self, chat_id: int, messages: list[str], due: datetime, now: datetime
    ) -> None:
        """Replace the chat's held alerts by the digest `messages` and record the digest of `due`
        as done, in one write: a crash before it sends the digest again, never twice."""
        for delivery in self._held_for_digest(chat_id):
            self._outcomes[delivery.id] = SENT
            del self._pending[delivery.id]
        self._fold(now)
        stamp = due.isoformat()
        self._queue(
            [_message(chat_id, f"digest:{stamp}:{n}", text, now) for n, text in enumerate(messages)]
        )
        self._digest_done(chat_id, due)
        await self._save_tracking()

    def _digest_done(self, chat_id: int, due: datetime) -> None:
        """Record the digest of instant `due` as done (memory only)."""
        stamp = due.isoformat()
        if self._digests.contains(doc_id=chat_id):
            self._digests.update({"due": stamp}, doc_ids=[chat_id])
        else:
            self._digests.insert(Document({"chat_id": chat_id, "due": stamp}, chat_id))

    async def pending_of(self, chat_id: int) -> list[Delivery]:
        return self._pending_of(chat_id)

    def _pending_of(self, chat_id: int) -> list[Delivery]:
        """The chat's deliveries waiting to be sent (paused or not), oldest first."""
        return [d for _, d in sorted(self._pending.items()) if d.chat_id == chat_id]

    async def fold_pending(self, chat_id: int, text: str, now: datetime) -> None:
        """Replace the chat's pending deliveries by one message (`text`), in one write: they
        are dropped, and it is queued with no target."""
        for delivery in self._pending_of(chat_id):
            self._outcomes[delivery.id] = DROPPED
            del self._pending[delivery.id]
        self._fold(now)
        self._queue([_message(chat_id, f"summary:{now.isoformat()}", text, now)])
        await self._save_tracking()

    async def queue_notice(
        self, chat_ids: Iterable[int], key: str, text: str, now: datetime
    ) -> int:
        fresh = [chat for chat in dict.fromkeys(chat_ids) if (chat, key) not in self._delivered]
        if fresh:
            self._queue([_message(chat, key, text, now) for chat in fresh])
            self._delivered.update((chat, key) for chat in fresh)
            await self._save_tracking()
        return len(fresh)

    async def note_outcome(self, delivery_id: int, outcome: str) -> None:
        """Record that a delivery was SENT, FAILED or DROPPED, or that a send of it was UNSURE
        (timed out after it was written), durably before returning: a crash after this never
        sends it again (an unsure one, at most once more)."""
        self._note(delivery_id, outcome)
        try:
            await asyncio.to_thread(self._journal.append, f"{delivery_id} {outcome}")
        except OSError as exc:
            log.error("could not journal delivery %s (%s): %s", delivery_id, outcome, exc)

    def _note(self, delivery_id: int, outcome: str) -> None:
        if outcome == UNSURE:
            if delivery_id in self._pending:
                self._pending[delivery_id] = replace(self._pending[delivery_id], unsure=True)
            self._outcomes.setdefault(delivery_id, UNSURE)
        else:
            self._pending.pop(delivery_id, None)
            self._outcomes[delivery_id] = outcome

    async def fold_outcomes(self, now: datetime) -> None:
        """Move the journalled outcomes into the tracking file and empty the journal."""
        if not self._outcomes and self._compacted_on == now.date():
            return
        folded = self._journal.end
        slices = Slices()
        for chunk in chunks(list(self._outcomes), OUTCOMES_PER_SLICE):
            await slices.pause()
            self._fold(now, chunk)
        self._compact(now)
        # Lines appended meanwhile (sends during the write) are not in this write: keep them.
        if await self._save_tracking():
            await asyncio.to_thread(_quietly, functools.partial(self._journal.drop_before, folded))

    def _fold(self, now: datetime, ids: list[int] | None = None) -> None:
        """Fold the outcomes noted of `ids` (all when None) into the tracking tables."""
        if ids is None:
            outcomes, self._outcomes = self._outcomes, {}
        else:
            outcomes = {i: self._outcomes.pop(i) for i in ids if i in self._outcomes}
        finished = [i for i, outcome in outcomes.items() if outcome in _DONE]
        docs = [(i, doc) for i in sorted(finished) if (doc := self._deliveries.stored(i))]
        day = now.date().isoformat()
        keys: dict[int, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        told: dict[int, dict[str, dict[str, list[str]]]] = defaultdict(lambda: defaultdict(dict))
        for _, doc in docs:
            if doc["target"]:  # a summary has no keys worth keeping
                # The old layout's sent deliveries say when they went; new outcomes went now.
                sent_on = (doc.get("sent_at") or day)[:10]
                keys[doc["chat_id"]][doc["target"]] |= dict.fromkeys(_keys(doc), sent_on)
                if doc.get("told"):
                    topic, value = doc["told"]
                    told[doc["chat_id"]][doc["target"]][topic] = [value, doc["created_at"]]
        self._add_sent_keys(keys, told)
        # TinyDB re-keys the whole table on every insert, update or remove, even of nothing:
        # each is one batch, and skipped when empty (folds run every few seconds).
        if docs:
            self._deliveries.remove(doc_ids=[doc_id for doc_id, _ in docs])
        for outcome, fields in ((FAILED, {"status": FAILED, "sent_at": now.isoformat()}),
                                (UNSURE, {"unsure": True})):  # fmt: skip
            ids = [
                i
                for i, o in outcomes.items()
                if o == outcome and self._deliveries.stored(i) is not None
            ]
            if ids:
                self._deliveries.update(fields, doc_ids=ids)

    def _add_sent_keys(
        self,
        keys: Mapping[int, Mapping[str, Mapping[str, str]]],
        told: Mapping[int, Mapping[str, Mapping[str, Any]]] | None = None,
    ) -> None:
        """Add sent keys ({chat: {target: {key: day}}}) and told values ({chat: {target: {topic:
        [value, when queued]}}}, the later winning) to the chats' documents."""
        told = told or {}
        chats = set(keys) | set(told)
        known = [chat for chat in chats if self._sent.stored(chat) is not None]

        def merged(had: Mapping[str, Any], more: Mapping[str, Mapping[str, Any]]) -> dict:
            return {**had, **{t: {**had.get(t, {}), **values} for t, values in more.items()}}

        def add(doc: dict[str, Any]) -> None:
            chat = doc["chat_id"]
            doc["keys"] = merged(doc["keys"], keys.get(chat, {}))
            if chat in told:
                doc["told"] = merged(doc.get("told") or {}, told[chat])

        if known:
            self._sent.update(add, doc_ids=known)
        fresh = [chat for chat in chats if chat not in known]
        if fresh:
            self._sent.insert_multiple(
                Document(
                    {
                        "chat_id": chat,
                        "keys": merged({}, keys.get(chat, {})),
                        **({"told": merged({}, told[chat])} if chat in told else {}),
                    },
                    chat,
                )
                for chat in fresh
            )

    def _compact(self, now: datetime) -> bool:
        """Drop sent keys older than DEDUP_DAYS and refused messages older than FAILED_KEPT_DAYS
        (memory only); returns whether anything went. Runs at most once a day."""
        today = now.date()
        if self._compacted_on == today:
            return False
        self._compacted_on = today
        oldest_key = (today - timedelta(days=DEDUP_DAYS)).isoformat()
        oldest_failure = (now - timedelta(days=FAILED_KEPT_DAYS)).isoformat()
        stale_chats = [
            chat
            for chat, doc in self._sent.documents()
            if any(day < oldest_key for keys in doc["keys"].values() for day in keys.values())
        ]

        def prune(doc: dict[str, Any]) -> None:
            kept = {}
            for target, keys in doc["keys"].items():
                fresh = {key: day for key, day in keys.items() if day >= oldest_key}
                self._delivered -= {(doc["chat_id"], k) for k in keys.keys() - fresh.keys()}
                if fresh:
                    kept[target] = fresh
            doc["keys"] = kept

        self._sent.update(prune, doc_ids=stale_chats)
        old_failures = [
            doc_id
            for doc_id, doc in self._deliveries.documents()
            if doc["status"] == FAILED and (doc.get("sent_at") or "") < oldest_failure
        ]
        self._deliveries.remove(doc_ids=old_failures)
        return bool(stale_chats or old_failures)

    def _queue(self, docs: list[dict[str, Any]]) -> None:
        if docs:
            ids = self._deliveries.insert_multiple(docs)
            for doc_id, doc in zip(ids, docs, strict=True):
                self._pending[doc_id] = _delivery(Document(doc, doc_id))

    # --- moving between adapters ----------------------------------------------------------------

    async def snapshot(self) -> Snapshot:
        chats = {
            doc.doc_id: ChatRecord(
                bool(doc.get("paused")),
                doc.get("settings") or None,
                tuple(
                    FollowRecord(
                        target,
                        target in doc.get("muted", []),
                        (doc.get("alerts") or {}).get(target) or None,
                    )
                    for target in doc.get("follows", [])
                ),
            )
            for doc in self._chats.all()
        }
        deliveries = [
            DeliveryRecord(
                doc["chat_id"],
                doc.get("target", ""),
                doc["key"],
                tuple(doc.get("same_as", ())),
                doc["text"],
                doc["status"],
                bool(doc.get("unsure")),
                tuple(doc["told"]) if doc.get("told") else None,  # type: ignore[arg-type]
                doc.get("bundle") or None,
                datetime.fromisoformat(doc["created_at"]),
                datetime.fromisoformat(doc["sent_at"]) if doc.get("sent_at") else None,
            )
            for doc in sorted(self._deliveries.all(), key=lambda d: d.doc_id)
        ]
        sent_keys, told = set(), {}
        for doc in self._sent.all():
            for target, keys in doc["keys"].items():
                sent_keys |= {
                    (doc.doc_id, target, k, date.fromisoformat(d)) for k, d in keys.items()
                }
            for target, topics in (doc.get("told") or {}).items():
                for topic, (value, at) in topics.items():
                    told[doc.doc_id, target, topic] = (value, datetime.fromisoformat(at))
        targets = {doc["target"]: doc["state"] for doc in self._targets.all()}
        history = {}
        for target in targets:
            samples = await asyncio.to_thread(self._history.read, target)
            if samples:
                history[target] = samples
        return Snapshot(
            chats,
            targets,
            deliveries,
            sent_keys,
            told,
            {doc.doc_id: datetime.fromisoformat(doc["due"]) for doc in self._digests.all()},
            history,
        )

    async def load(self, snapshot: Snapshot) -> None:
        if len(self._chats) or len(self._targets) or len(self._deliveries):
            raise SaveError(f"{self._subs.path} is not empty: load into a new store only")
        for chat_id, chat in snapshot.chats.items():
            alerts = {f.target: f.settings for f in chat.follows if f.settings}
            async with self._changing_subscriptions(chat_id):
                self._put_chat(
                    chat_id,
                    follows=[f.target for f in chat.follows],
                    muted=sorted(f.target for f in chat.follows if f.muted),
                    paused=chat.paused,
                    **({"settings": chat.settings} if chat.settings else {}),
                    **({"alerts": alerts} if alerts else {}),
                )
        self._index_chats()
        self._put_states(snapshot.targets)
        docs = []
        for record in snapshot.deliveries:
            doc = {
                "chat_id": record.chat_id,
                "target": record.target,
                "key": record.key,
                "same_as": list(record.same_as),
                "text": record.text,
                "status": record.status,
                "unsure": record.unsure,
                "created_at": record.created_at.isoformat(),
                "sent_at": record.sent_at.isoformat() if record.sent_at else None,
            }
            if record.told is not None:
                doc["told"] = list(record.told)
            if record.bundle is not None:
                doc["bundle"] = record.bundle
            docs.append(doc)
        keys: dict[int, dict[str, dict[str, str]]] = defaultdict(lambda: defaultdict(dict))
        for chat_id, target, key, day in snapshot.sent_keys:
            keys[chat_id][target][key] = day.isoformat()
            self._delivered.add((chat_id, key))
        told: dict[int, dict[str, dict[str, list[str]]]] = defaultdict(lambda: defaultdict(dict))
        for (chat_id, target, topic), (value, at) in sorted(
            snapshot.told.items(), key=lambda item: item[1][1]
        ):
            told[chat_id][target][topic] = [value, at.isoformat()]
            self._told[chat_id, topic] = value
        self._add_sent_keys(keys, told)
        # As on opening: what is still queued counts over what was sent.
        ids = self._deliveries.insert_multiple(docs) if docs else []
        for doc_id, doc in zip(ids, docs, strict=True):
            self._delivered.update((doc["chat_id"], key) for key in _keys(doc))
            if doc.get("told"):
                self._told[doc["chat_id"], doc["told"][0]] = doc["told"][1]
            if doc["status"] == PENDING:
                self._pending[doc_id] = _delivery(Document(doc, doc_id))
        for chat_id, due in snapshot.digests.items():
            self._digest_done(chat_id, due)
        await asyncio.to_thread(
            self._history.append,
            [(t, at, value) for t, samples in snapshot.history.items() for at, value in samples],
        )
        self._write_now(self._tracking)


_DONE = {SENT, DROPPED}


def _quietly(action: Any) -> None:
    try:
        action()
    except OSError as exc:
        log.warning("could not empty a journal (what it holds is on file): %s", exc)


async def _in_thread(thread: ThreadPoolExecutor, work: Callable[..., None], *args: Any) -> None:
    """Run `work` in `thread` (a store's own writer), and let it finish even if cancelled."""
    await _finish_even_if_cancelled(asyncio.get_running_loop().run_in_executor(thread, work, *args))


async def _finish_even_if_cancelled(work: Awaitable[T]) -> T:
    """Await `work`; if cancelled meanwhile, still let it finish before re-raising, so a file
    is never written by two threads at once."""
    task = asyncio.ensure_future(work)
    try:
        return await asyncio.shield(task)
    except asyncio.CancelledError:
        await asyncio.wait([task])
        raise


def _new_delivery(
    chat_id: int, target: str, alert: Alert, text: str, now: datetime
) -> dict[str, Any]:
    doc = _message(chat_id, alert.key, text, now, target=target, same_as=alert.same_as)
    if alert.told is not None:
        doc["told"] = list(alert.told)
    if alert.bundle is not None:
        doc["bundle"] = bundle_to_doc(alert.bundle)
    return doc


def _message(
    chat_id: int, key: str, text: str, now: datetime, *, target: str = "", same_as: Any = ()
) -> dict[str, Any]:
    """A delivery; with no target, a message of the bot's own (a digest, a summary)."""
    return {
        "chat_id": chat_id,
        "target": target,
        "key": key,
        "same_as": list(same_as),
        "text": text,
        "status": PENDING,
        "unsure": False,
        "created_at": now.isoformat(),
        "sent_at": None,
    }


def _keys(doc: Mapping[str, Any]) -> list[str]:
    return [doc["key"], *doc.get("same_as", ())]


def _delivery(doc: Document) -> Delivery:
    return Delivery(
        doc.doc_id,
        doc["chat_id"],
        doc.get("target", ""),
        doc["key"],
        doc["text"],
        bool(doc.get("unsure")),
        bundle_from_doc(doc.get("bundle")),
        datetime.fromisoformat(doc["created_at"]) if doc.get("created_at") else None,
    )


def _outcome_line(line: str) -> tuple[int, str]:
    delivery_id, _, outcome = line.partition(" ")
    if not delivery_id.isdecimal() or not outcome.isalpha():
        raise ValueError(line)
    return int(delivery_id), outcome


def _changes_line(line: str) -> dict[str, Any]:
    change = orjson.loads(line)
    if not isinstance(change["seq"], int) or not isinstance(change["changes"], dict):
        raise ValueError(line)
    return change  # type: ignore[no-any-return]


def _subscriptions_line(line: str) -> dict[str, Any]:
    change = orjson.loads(line)
    if not isinstance(change, dict):
        raise ValueError(line)
    _check_subscriptions({"chats": {k: v for k, v in change.items() if v is not None}})
    return change


def _check_subscriptions(tables: dict[str, Any]) -> None:
    for doc_id, doc in tables.get("chats", {}).items():
        int(doc_id)
        for key in ("follows", "muted"):
            targets = doc.get(key, [] if key == "muted" else None)
            # A string is a sequence of strings too: "petition:1" would read as ten follows.
            if not isinstance(targets, list) or not all(_is_target(t) for t in targets):
                raise ValueError(f'chat {doc_id}\'s "{key}" is not a list of "kind:id" targets')
        if not isinstance(doc.get("paused", False), bool):
            raise ValueError(f'chat {doc_id}\'s "paused" is not true or false')
        if not isinstance(doc.get("settings") or {}, dict) or not all(
            isinstance(settings, dict) for settings in (doc.get("alerts") or {}).values()
        ):
            raise ValueError(f"chat {doc_id} has settings that are not a document")


def _is_target(name: object) -> bool:
    kind, colon, ident = name.partition(":") if isinstance(name, str) else ("", "", "")
    return bool(kind and colon and ident)


def _check_tracking(tables: dict[str, Any]) -> None:
    for doc in tables.get("targets", {}).values():
        if not isinstance(doc["target"], str) or not isinstance(doc["state"], dict | None):
            raise ValueError("a target has no name or state")
    for doc in tables.get("deliveries", {}).values():
        if not isinstance(doc["chat_id"], int) or not isinstance(doc["text"], str):
            raise ValueError("a delivery has no chat or text")
        if doc["status"] not in {PENDING, SENT, FAILED, DROPPED} or not isinstance(doc["key"], str):
            raise ValueError("a delivery has no status or key")
    for doc in tables.get("digests", {}).values():
        datetime.fromisoformat(doc["due"])
    for doc in tables.get("sent", {}).values():
        told = doc.get("told") or {}
        if not isinstance(doc["chat_id"], int) or not all(
            isinstance(keys, dict) for keys in (*doc["keys"].values(), *told.values())
        ):
            raise ValueError("a chat's sent keys are not grouped by target")
        if not all(
            isinstance(entry, list) and len(entry) == 2 and all(isinstance(p, str) for p in entry)
            for values in told.values()
            for entry in values.values()
        ):
            raise ValueError("a chat's told values are not [value, time] pairs")
