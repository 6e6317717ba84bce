"""Storage behind a port (bot.storage.port), and the adapter the configuration selects.

`[storage] url = "postgresql://…"` selects PostgreSQL (bot.storage.postgres); without it, the
TinyDB files at `[storage] path` (bot.storage.tinydb_store), the embedded default.
"""

from __future__ import annotations

from bot.config import StorageConfig
from bot.storage.port import Storage


def open_storage(config: StorageConfig) -> Storage:
    """The configured store, opened and checked; raises bot.storage.port.StoreError in one line."""
    if config.url:
        # Imported only here: a TinyDB bot never loads the PostgreSQL driver.
        from bot.storage.postgres import PostgresStore

        return PostgresStore.open(config.url)
    from bot.storage.tinydb_store import TinyDBStore

    return TinyDBStore(config.path)
