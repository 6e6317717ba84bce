"""`python -m bot migrate --from data/alerts.json --to postgresql://…`: copy a store into a new
PostgreSQL database, read the copy back and compare every record before saying it is done.

The bot must be stopped first (the TinyDB files are locked while it runs, and the copy says so).
The copy is one transaction: a failure leaves the database empty and the files untouched.
"""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path

from bot.storage.port import Snapshot, Storage, StoreError
from bot.storage.postgres import PostgresStore, where
from bot.storage.tinydb_store import TinyDBStore


class CopyMismatch(Exception):
    """The copy read back differs from what was copied (named in the message)."""


async def copy_store(source: Storage, target: Storage) -> dict[str, int]:
    """Copy everything `source` holds into the empty `target`, then compare; what was copied."""
    snapshot = await source.snapshot()
    await target.load(snapshot)
    copied = await target.snapshot()
    if copied != snapshot:
        raise CopyMismatch(f"the copy differs in its {_first_difference(snapshot, copied)}")
    return snapshot.counts()


def migrate_files(path: Path, url: str) -> dict[str, int]:
    """The TinyDB store at `path` copied into the PostgreSQL database at `url` (blocking)."""
    if not path.exists():
        raise StoreError(path, "does not exist", "name the storage.path of the stopped bot")
    source = TinyDBStore(path)
    target = PostgresStore.open(url)

    async def run() -> dict[str, int]:
        try:
            return await copy_store(source, target)
        finally:
            await target.close()
            await source.close()

    return asyncio.run(run())


def describe(counts: dict[str, int], url: str) -> str:
    copied = ", ".join(f"{number:,} {name}" for name, number in counts.items())
    return f"copied to {where(url)} and checked: {copied}"


def _first_difference(expected: Snapshot, copied: Snapshot) -> str:
    for part in dataclasses.fields(Snapshot):
        if getattr(expected, part.name) != getattr(copied, part.name):
            return part.name.replace("_", " ")
    return "records"
