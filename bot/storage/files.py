"""The store's files on disk: checked reading, atomic replacing, and append-only journals.

I/O only, and nothing about what the files mean beyond a shape check the store passes in:

- a JSON file is replaced atomically (temporary file, fsync, rename, fsync of the directory),
  so a crash leaves the old file or the new one, never half of one;
- a file that is unreadable, empty, not JSON or of the wrong shape is never taken for a fresh
  database: opening fails with one line that names the file and how to restore it;
- one process at a time: the store holds a lock on `<file>.lock` while it is open, so a second
  bot started on the same files is refused instead of overwriting the first one's writes;
- temporary files left by a crash are removed when the store opens;
- a journal is a text file of changes, one line each, appended and fsynced one at a time (a sent
  outcome per message, so that a crash repeats at most the message in flight; a chat's
  subscriptions per command). A torn last line (the crash came mid-append) is ignored; lines
  folded into their file are dropped from the front, keeping any appended meanwhile.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

import orjson

from bot.storage.port import StoreError

TEMPORARY_SUFFIX = ".tmp"
# A petition's state is 1 to 2 KB: 200 of them are encoded in well under a millisecond.
DOCUMENTS_PER_CHUNK = 200
T = TypeVar("T")
RESTORE_HINT = (
    "restore it from a backup, or move it aside to start with an empty database "
    "(every follow is then lost)"
)


def damaged(path: Path, problem: str) -> StoreError:
    """A database file that cannot be used, and how to restore it."""
    return StoreError(path, problem, RESTORE_HINT)


def hold_exclusively(path: Path) -> BinaryIO:
    """Lock `<path>.lock` for this process until the returned file is closed; raises StoreError
    when another process holds it. A POSIX record lock: the same process may take it again (a
    test that reopens the store after a simulated crash), and the kernel drops it when the
    process dies, so a crash never leaves the database locked."""
    handle = open(path.with_name(path.name + ".lock"), "ab")  # noqa: SIM115 (held open)
    try:
        fcntl.lockf(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        handle.close()
        raise StoreError(
            path,
            "another bot process is using this database",
            "stop it first, or give this one its own storage.path",
        ) from None
    return handle


def remove_leftovers(path: Path) -> None:
    """Delete the temporary files a crash mid-write left beside `path`."""
    for leftover in path.parent.glob(f"{path.name}.*{TEMPORARY_SUFFIX}"):
        with contextlib.suppress(FileNotFoundError):
            leftover.unlink()


def check_writable(directory: Path) -> None:
    """Fail now, not at the first follow, when the database directory can't be written."""
    try:
        directory.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=directory, suffix=TEMPORARY_SUFFIX):
            pass
    except OSError as exc:
        raise StoreError(
            directory,
            f"the database folder cannot be written ({exc.strerror or exc})",
            "make it writable by the bot's user, or point storage.path elsewhere",
        ) from None


def read_tables(path: Path, check: Callable[[dict[str, Any]], None]) -> dict[str, Any] | None:
    """The tables in `path`, or None when there is no file yet. `check` raises ValueError when a
    table is not what the store wrote."""
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except (OSError, UnicodeDecodeError) as exc:
        reason = getattr(exc, "strerror", None) or exc
        raise damaged(path, f"cannot be read ({reason})") from None
    if not text.strip():
        raise damaged(path, "is empty")
    try:
        tables = orjson.loads(text)
    except ValueError as exc:
        raise damaged(path, f"is not valid JSON ({exc})") from None
    try:
        if not isinstance(tables, dict) or not all(
            isinstance(table, dict) and all(isinstance(doc, dict) for doc in table.values())
            for table in tables.values()
        ):
            raise ValueError("it is not a set of tables of documents")
        check(tables)
    except (ValueError, TypeError, KeyError, AttributeError) as exc:
        raise damaged(path, f"is not an Accountability Alerts database ({exc})") from None
    return tables


def serialise(value: Any) -> bytes:
    """Compact UTF-8 JSON. orjson, not json: 4 ms where json takes 35 (a 4.4 MB tracking file),
    and it holds the GIL, so the event loop waits for each call even from a thread."""
    return orjson.dumps(value, option=orjson.OPT_NON_STR_KEYS)


class Serialiser:
    """`serialise` for one file, re-encoding only the tables that changed since the last call.

    It runs in a worker thread on a snapshot of the tables (`dict(tables)`, taken on the event
    loop), which stays as it was while the loop goes on: the store never changes a table or a
    document in place, but puts a new one in its place (`_Table` in bot/storage/tinydb_store.py).
    So a table that is the very object encoded last time has not changed. A large table is
    encoded a chunk of documents at a time: orjson holds the GIL for each call, and the loop gets
    it between two. One thread calls it at a time (the store's writer).
    """

    def __init__(self) -> None:
        self._encoded: dict[str, tuple[Any, list[bytes]]] = {}

    def __call__(self, tables: dict[str, Any]) -> list[bytes]:
        """The file's content, in pieces: joined, it would be held twice over (tens of MB)."""
        pieces = [b"{"]
        for name, table in tables.items():
            cached = self._encoded.get(name)
            if cached is None or cached[0] is not table:
                cached = (table, _encode_in_chunks(table))
                self._encoded[name] = cached
            if len(pieces) > 1:
                pieces.append(b",")
            pieces += [serialise(name), b":", *cached[1]]
        pieces.append(b"}")
        return pieces


def _encode_in_chunks(table: dict[str, Any]) -> list[bytes]:
    if len(table) <= DOCUMENTS_PER_CHUNK:
        return [serialise(table)]
    documents = list(table.items())
    pieces = [b"{"]
    for start in range(0, len(documents), DOCUMENTS_PER_CHUNK):
        if start:
            pieces.append(b",")
        pieces.append(serialise(dict(documents[start : start + DOCUMENTS_PER_CHUNK]))[1:-1])
    pieces.append(b"}")
    return pieces


def replace_atomically(path: Path, *pieces: bytes) -> None:
    """Write the pieces, in order, as `path`'s new content, all or nothing (blocking: call it off
    the loop)."""
    fd, temporary = tempfile.mkstemp(
        dir=path.parent, prefix=path.name + ".", suffix=TEMPORARY_SUFFIX
    )
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.writelines(pieces)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


class Journal:
    """An append-only file of changes not yet folded into the file they change, one line each.

    Each line is fsynced before `append` returns. `end` is the offset after the last line
    appended: folding what the journal held up to there and then calling `drop_before(end)` keeps
    any line appended meanwhile.
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        self.appended = 0  # lines in the file
        self.end = 0  # its size
        self._handle: BinaryIO | None = None
        self._lock = threading.Lock()  # appends and drops run in worker threads

    def read(self, parse: Callable[[str], T]) -> list[T]:
        """Every complete line, parsed; StoreError names a line `parse` rejects (ValueError)."""
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return []
        except (OSError, UnicodeDecodeError) as exc:
            raise damaged(self.path, f"cannot be read ({exc})") from None
        lines = text.split("\n")
        entries = []
        # The last piece has no newline when an append was cut short by a crash: not recorded.
        for number, line in enumerate(lines[:-1], start=1):
            try:
                entries.append(parse(line))
            except (ValueError, TypeError, KeyError):
                raise damaged(self.path, f"line {number} is damaged") from None
        self.appended = len(lines) - 1
        self.end = len(text.encode("utf-8")) - len(lines[-1].encode("utf-8"))
        return entries

    def append(self, line: str | bytes) -> None:
        """Record one line (with no newline in it) durably (blocking: call it off the loop)."""
        with self._lock:
            if self._handle is None:
                self._handle = self.path.open("ab")
            size = self._handle.seek(0, os.SEEK_END)
            try:
                self._handle.write((line if isinstance(line, bytes) else line.encode()) + b"\n")
                self._handle.flush()
                os.fsync(self._handle.fileno())
                self.appended += 1
                self.end = self._handle.tell()
            except OSError:
                # A half-written line (the disk filled up) would glue onto the next one.
                self.close()
                with contextlib.suppress(OSError):
                    os.truncate(self.path, size)
                raise

    def drop_before(self, offset: int) -> None:
        """Forget the lines before `offset` (an `end` seen earlier), now safely folded in."""
        with self._lock:
            self.close()
            try:
                with self.path.open("rb") as handle:
                    handle.seek(offset)
                    rest = handle.read()
            except FileNotFoundError:
                rest = b""
            replace_atomically(self.path, rest)
            self.appended, self.end = rest.count(b"\n"), len(rest)

    def clear(self) -> None:
        """Forget every line (they are all folded in)."""
        self.drop_before(self.end)

    def close(self) -> None:
        if self._handle is not None:
            with contextlib.suppress(OSError):
                self._handle.close()
            self._handle = None
