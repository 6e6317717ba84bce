"""Storage behind a port (bot.storage.port), and the adapter the configuration selects.

`[storage] url = "postgresql://…"` selects PostgreSQL (bot.storage.postgres); without it, the
TinyDB files at `[storage] path` (bot.storage.tinydb_store), the embedded default. Either comes
with its writes timed for the metrics (bot.storage.timed).
"""

from __future__ import annotations

from bot.config import StorageConfig
from bot.storage.port import Storage
from bot.storage.timed import timed


def open_storage(config: StorageConfig) -> Storage:
    """The configured store, opened and checked; raises bot.storage.port.StoreError in one line."""
    if config.url:
        # Imported only here: a TinyDB bot never loads the PostgreSQL driver.
        from bot.storage.postgres import PostgresStore

        return timed(PostgresStore.open(config.url))
    from bot.storage.tinydb_store import TinyDBStore

    return timed(TinyDBStore(config.path))
