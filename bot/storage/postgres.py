"""The storage port (bot.storage.port) on PostgreSQL: the truth is the database, so several bot
processes can share it.

Tables (bot/storage/migrations/, applied with yoyo-migrations at start, under its lock, so
processes starting together migrate once):

- `chats`: one row per chat: `paused` (Telegram said Forbidden), `held_until` (catching up after
  an absence: deliveries wait until it is cleared, or until then if the process holding it
  died), `settings` (bot.preferences.ChatSettings doc, NULL for the defaults);
- `follows`: (chat, target), in the order followed (`position`), `muted`, `settings`
  (FollowSettings doc, NULL for the defaults); gone with the chat;
- `targets`: each followed target's last state (source-owned JSON);
- `deliveries`: alerts still to send, and the ones Telegram refused (kept FAILED_KEPT_DAYS); a
  send's outcome is stored before `note_outcome` returns, so a delivery SENT is never sent
  again; `fold_outcomes` then replaces the sent and dropped ones by their keys in `sent_keys` and
  their told values in `told`, in one transaction, as the TinyDB store folds its journal;
- `sent_keys` (chat, target, key, day) for DEDUP_DAYS; `told` (chat, target, topic): the last
  value told, and when it was queued;
- `digests`: the digest instant each chat last had; `history`: (target, Unix seconds, value);
- `pace`: one row, the next free slot of the Telegram sends all processes share (bot.pacing).

Every change that touches several rows is one transaction. Who gets which alert is bot.fanout's
rule, given the follows read here. A change that cannot be made raises SaveError (undone).

Several processes share one database: each answers the updates it receives, and the one that
holds the lead (`lead`: a session advisory lock on a connection of its own) polls, queues digests
and sends. When it dies, PostgreSQL ends its session and frees the lock, and the next process to
ask (each does, every poll interval and every sending pass) takes over.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Mapping, Sequence
from datetime import date, datetime, timedelta
from importlib import resources
from typing import Any

import orjson
import psycopg
from psycopg.conninfo import conninfo_to_dict
from psycopg.types.json import Jsonb, set_json_dumps, set_json_loads
from psycopg_pool import AsyncConnectionPool
from yoyo import get_backend, read_migrations

from bot import fanout
from bot.bundles import bundle_from_doc, bundle_to_doc
from bot.preferences import DEFAULT_CHAT, DEFAULT_FOLLOW, ChatSettings, FollowSettings
from bot.slices import Slices, chunks
from bot.sources.base import Alert
from bot.storage.history import COMPACT_AFTER, sample_due, thin
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
    StoreError,
)

log = logging.getLogger(__name__)
# orjson for every JSON column: target states are read and written by the thousand each cycle.
set_json_loads(orjson.loads)
set_json_dumps(orjson.dumps)
Cursor = psycopg.AsyncCursor[Any]
# A chat catching up is held at most this long, should the process holding it die meanwhile.
HOLD_AT_MOST = timedelta(minutes=10)
# Advisory lock ids, for this database only: the lead, and a cycle being stored.
LEAD, CYCLE = 0x41A1_0001, 0x41A1_0002
POOL_SIZE = 10
STATES_PER_STATEMENT = 1_000
CONNECT_TIMEOUT = 10.0
_DELIVERY = "d.id, d.chat_id, d.target, d.key, d.text, d.unsure, d.bundle, d.created_at, c.settings"


def where(url: str) -> str:
    """The server and database a URL names, never its password."""
    try:
        parts = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "storage.url"
    return f"PostgreSQL at {parts.get('host', 'localhost')}:{parts.get('port', 5432)}" + (
        f"/{parts['dbname']}" if parts.get("dbname") else ""
    )


def migrate(url: str) -> None:
    """Bring the database's schema up to date (blocking); raises StoreError in one line."""
    _, _, rest = url.partition("://")
    try:
        backend = get_backend(f"postgresql+psycopg://{rest}")
        migrations = read_migrations(str(resources.files("bot.storage") / "migrations"))
        with backend.lock():
            backend.apply_migrations(backend.to_apply(migrations))
    except psycopg.Error as exc:
        problem = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise StoreError(
            where(url),
            f"cannot be used ({problem})",
            "check storage.url, and that the server is running and reachable",
        ) from None


class PostgresStore:
    """The storage port on PostgreSQL; `open` migrates, `start` (on the loop) connects."""

    def __init__(self, url: str) -> None:
        self._url = url
        self._pool: AsyncConnectionPool | None = None
        self._compacted_on: date | None = None
        # The lead is a session advisory lock held on a connection of its own: PostgreSQL drops
        # it the moment that session ends, so a process that dies hands the lead over at once.
        self._lead_conn: psycopg.AsyncConnection[Any] | None = None
        self._leading = False
        self._lead_lock = asyncio.Lock()

    @classmethod
    def open(cls, url: str) -> PostgresStore:
        migrate(url)
        return cls(url)

    async def start(self) -> None:
        if self._pool is None:
            self._pool = AsyncConnectionPool(
                self._url, min_size=1, max_size=POOL_SIZE, open=False, timeout=CONNECT_TIMEOUT
            )
            await self._pool.open(wait=True, timeout=CONNECT_TIMEOUT)

    async def close(self) -> None:
        await self._drop_lead()
        if self._pool is not None:
            await self._pool.close()
            self._pool = None

    async def send_slot(self, gap: float) -> float:
        try:
            rows = await self._rows(
                "UPDATE pace SET next_at = greatest(next_at, clock_timestamp()) + %s"
                " RETURNING extract(epoch FROM next_at - clock_timestamp())",
                timedelta(seconds=gap),
            )
        except SaveError:
            return 0.0  # the database is away: each process's own pace still holds
        return max(float(rows[0][0]) - gap, 0.0)

    async def lead(self) -> bool:
        async with self._lead_lock:
            try:
                if self._lead_conn is None or self._lead_conn.closed:
                    self._leading = False
                    self._lead_conn = await psycopg.AsyncConnection.connect(
                        self._url, autocommit=True, connect_timeout=CONNECT_TIMEOUT
                    )
                if self._leading:  # still ours while the session lives
                    await self._lead_conn.execute("SELECT 1")
                    return True
                cur = await self._lead_conn.execute("SELECT pg_try_advisory_lock(%s)", (LEAD,))
                row = await cur.fetchone()
                self._leading = bool(row and row[0])
                if self._leading:
                    log.info("this process leads: it polls the sources and sends the alerts")
                return self._leading
            except psycopg.Error as exc:
                if self._leading:
                    log.warning("lost the lead (%s); another process takes over", exc)
                await self._drop_lead()
                return False

    async def _drop_lead(self) -> None:
        self._leading = False
        if self._lead_conn is not None:
            with contextlib.suppress(psycopg.Error):
                await self._lead_conn.close()
            self._lead_conn = None

    @contextlib.asynccontextmanager
    async def _tx(self) -> AsyncIterator[Cursor]:
        """A transaction: committed when the block ends, rolled back (SaveError) if it fails."""
        await self.start()
        assert self._pool is not None
        try:
            async with self._pool.connection() as conn, conn.transaction(), conn.cursor() as cur:
                yield cur
        except psycopg.OperationalError as exc:
            raise SaveError(f"the database did not take the change: {exc}") from exc

    async def _rows(self, sql: str, *params: Any) -> list[tuple[Any, ...]]:
        async with self._tx() as cur:
            await cur.execute(sql, params)
            return await cur.fetchall()

    async def _value(self, sql: str, *params: Any) -> Any:
        rows = await self._rows(sql, *params)
        return rows[0][0] if rows else None

    # --- chats and follows ----------------------------------------------------------------------

    async def follows_of(self, chat_id: int) -> list[str]:
        rows = await self._rows(
            "SELECT target FROM follows WHERE chat_id = %s ORDER BY position", chat_id
        )
        return [target for (target,) in rows]

    async def followers_of(self, target: str) -> set[int]:
        rows = await self._rows("SELECT chat_id FROM follows WHERE target = %s", target)
        return {chat for (chat,) in rows}

    async def followed_targets(self) -> list[str]:
        rows = await self._rows(
            "SELECT f.target FROM follows f JOIN chats c USING (chat_id) WHERE NOT c.paused"
            " GROUP BY f.target ORDER BY min(f.position)"
        )
        return [target for (target,) in rows]

    async def add_follow(self, chat_id: int, target: str, baseline: dict[str, Any] | None) -> None:
        async with self._tx() as cur:
            settings = await _lock_chat(cur, chat_id)
            await cur.execute(
                "SELECT EXISTS (SELECT 1 FROM follows WHERE chat_id = %s AND target = %s),"
                " EXISTS (SELECT 1 FROM follows WHERE target = %s)",
                (chat_id, target, target),
            )
            row = await cur.fetchone()
            assert row is not None
            follows, followed = row
            if follows:
                return
            if baseline is not None and not followed:
                await _put_states(cur, {target: baseline})
            defaults = settings.defaults
            await cur.execute(
                "INSERT INTO follows (chat_id, target, settings) VALUES (%s, %s, %s)",
                (chat_id, target, None if defaults == DEFAULT_FOLLOW else Jsonb(defaults.to_doc())),
            )

    async def remove_follow(self, chat_id: int, target: str) -> bool:
        return await self.remove_follows(chat_id, {target}) > 0

    async def remove_follows(self, chat_id: int, targets: set[str]) -> int:
        async with self._tx() as cur:
            await cur.execute(
                "DELETE FROM follows WHERE chat_id = %s AND target = ANY(%s) RETURNING target",
                (chat_id, list(targets)),
            )
            gone = [target for (target,) in await cur.fetchall()]
            await _forget_follows(cur, chat_id, gone)
        return len(gone)

    async def is_muted(self, chat_id: int, target: str) -> bool:
        muted = await self._value(
            "SELECT muted FROM follows WHERE chat_id = %s AND target = %s", chat_id, target
        )
        return bool(muted)

    async def set_muted(self, chat_id: int, target: str, muted: bool) -> None:
        async with self._tx() as cur:
            await cur.execute(
                "UPDATE follows SET muted = %s WHERE chat_id = %s AND target = %s",
                (muted, chat_id, target),
            )

    async def chat_settings(self, chat_id: int) -> ChatSettings:
        return _chat_settings(
            await self._value("SELECT settings FROM chats WHERE chat_id = %s", chat_id)
        )

    async def set_chat_settings(
        self, chat_id: int, settings: ChatSettings, now: datetime | None = None
    ) -> None:
        async with self._tx() as cur:
            before = await _lock_chat(cur, chat_id)
            await cur.execute(
                "UPDATE chats SET settings = %s WHERE chat_id = %s",
                (Jsonb(settings.to_doc()), chat_id),
            )
            due = settings.last_digest_due(now) if now is not None else None
            moved = (settings.digest_hour, settings.zone) != (before.digest_hour, before.zone)
            if due is not None and moved:
                await _digest_done(cur, chat_id, due)

    async def follow_settings(self, chat_id: int, target: str) -> FollowSettings:
        doc = await self._value(
            "SELECT settings FROM follows WHERE chat_id = %s AND target = %s", chat_id, target
        )
        return FollowSettings.from_doc(doc) if doc else DEFAULT_FOLLOW

    async def set_follow_settings(
        self, chat_id: int, target: str, settings: FollowSettings
    ) -> bool:
        async with self._tx() as cur:
            await cur.execute(
                "UPDATE follows SET settings = %s WHERE chat_id = %s AND target = %s",
                (Jsonb(settings.to_doc()), chat_id, target),
            )
            return cur.rowcount > 0

    async def silent(self, chat_id: int, target: str, now: datetime) -> bool:
        rows = await self._rows(
            "SELECT c.settings, f.settings FROM chats c"
            " LEFT JOIN follows f ON f.chat_id = c.chat_id AND f.target = %s"
            " WHERE c.chat_id = %s",
            target,
            chat_id,
        )
        chat, follow = rows[0] if rows else (None, None)
        follows = (
            (FollowSettings.from_doc(follow) if follow else DEFAULT_FOLLOW) if target else None
        )
        return fanout.silent(_chat_settings(chat), follows, now)

    async def is_paused(self, chat_id: int) -> bool:
        return bool(await self._value("SELECT paused FROM chats WHERE chat_id = %s", chat_id))

    async def set_paused(self, chat_id: int, paused: bool) -> None:
        async with self._tx() as cur:
            await cur.execute("UPDATE chats SET paused = %s WHERE chat_id = %s", (paused, chat_id))

    async def hold(self, chat_id: int) -> None:
        async with self._tx() as cur:
            await cur.execute(
                "UPDATE chats SET held_until = now() + %s WHERE chat_id = %s",
                (HOLD_AT_MOST, chat_id),
            )

    async def release(self, chat_id: int) -> None:
        async with self._tx() as cur:
            await cur.execute("UPDATE chats SET held_until = NULL WHERE chat_id = %s", (chat_id,))

    async def forget_chat(self, chat_id: int) -> None:
        async with self._tx() as cur:
            await cur.execute("DELETE FROM follows WHERE chat_id = %s RETURNING target", (chat_id,))
            follows = [target for (target,) in await cur.fetchall()]
            for table in ("chats", "deliveries", "sent_keys", "told", "digests"):
                await cur.execute(f"DELETE FROM {table} WHERE chat_id = %s", (chat_id,))
            await _forget_unfollowed(cur, follows)

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        async with self._tx() as cur:
            await cur.execute("SELECT settings FROM chats WHERE chat_id = %s FOR UPDATE", (old_id,))
            old = await cur.fetchone()
            if old is not None:
                await _lock_chat(cur, new_id)
                await cur.execute(
                    "UPDATE chats SET paused = false, settings = coalesce(%s, settings)"
                    " WHERE chat_id = %s",
                    (Jsonb(old[0]) if old[0] else None, new_id),
                )
                # The new chat's follows first, then the old one's; its own settings win.
                await cur.execute(
                    "INSERT INTO follows (chat_id, target, muted, settings)"
                    " SELECT %s, target, muted, settings FROM follows WHERE chat_id = %s"
                    " ORDER BY position ON CONFLICT (chat_id, target) DO UPDATE SET"
                    " muted = follows.muted OR excluded.muted,"
                    " settings = coalesce(follows.settings, excluded.settings)",
                    (new_id, old_id),
                )
                await cur.execute("DELETE FROM chats WHERE chat_id = %s", (old_id,))
            await cur.execute(
                "UPDATE deliveries SET chat_id = %s WHERE chat_id = %s", (new_id, old_id)
            )
            await cur.execute(
                "INSERT INTO sent_keys SELECT %s, target, key, day FROM sent_keys"
                " WHERE chat_id = %s ON CONFLICT (chat_id, key, target)"
                " DO UPDATE SET day = greatest(sent_keys.day, excluded.day)",
                (new_id, old_id),
            )
            await cur.execute(
                "INSERT INTO told SELECT %s, target, topic, value, told_at FROM told"
                " WHERE chat_id = %s ON CONFLICT (chat_id, target, topic) DO UPDATE SET"
                " value = excluded.value, told_at = excluded.told_at"
                " WHERE excluded.told_at >= told.told_at",
                (new_id, old_id),
            )
            for table in ("sent_keys", "told"):
                await cur.execute(f"DELETE FROM {table} WHERE chat_id = %s", (old_id,))

    async def counts(self) -> dict[str, int]:
        rows = await self._rows(
            "SELECT (SELECT count(*) FROM chats),"
            " (SELECT count(*) FROM follows),"
            " (SELECT count(DISTINCT target) FROM follows),"
            " (SELECT count(*) FROM chats WHERE paused),"
            " (SELECT count(*) FROM deliveries WHERE status = 'pending'),"
            " (SELECT count(*) FROM (SELECT chat_id, key FROM sent_keys UNION"
            "  SELECT chat_id, unnest(key || same_as) FROM deliveries) AS keys)"
        )
        names = ("chats", "follows", "targets", "paused chats", "pending alerts")
        return dict(zip((*names, "alert keys on record"), rows[0], strict=True))

    async def follow_counts(self) -> FollowCounts:
        rows = await self._rows(
            "SELECT split_part(target, ':', 1), count(*), count(DISTINCT chat_id) FROM follows"
            " GROUP BY 1"
        )
        return FollowCounts(
            {kind: follows for kind, follows, _ in rows}, {kind: chats for kind, _, chats in rows}
        )

    # --- targets --------------------------------------------------------------------------------

    async def target_state(self, target: str) -> dict[str, Any] | None:
        return (await self.target_states([target]))[target]

    async def target_states(self, targets: list[str]) -> dict[str, dict[str, Any] | None]:
        rows = await self._rows(
            "SELECT target, state FROM targets WHERE target = ANY(%s)", list(targets)
        )
        known = dict(rows)
        return {target: known.get(target) for target in targets}

    async def record_cycle(self, refreshes: Mapping[str, Any], now: datetime) -> int:
        """Each target's new state, its history sample and its alerts' deliveries, in one
        transaction; bot.fanout decides who gets what."""
        async with self._tx() as cur:
            # One cycle at a time across processes, should two ever lead at once (a leader cut
            # off from the database for a moment): the second sees the first's deliveries.
            await cur.execute("SELECT pg_advisory_xact_lock(%s)", (CYCLE,))
            await cur.execute(
                "SELECT DISTINCT target FROM follows WHERE target = ANY(%s)", (list(refreshes),)
            )
            followed = {target for (target,) in await cur.fetchall()}
            # Everyone unfollowed while the cycle ran: its state is not kept.
            live = {t: r for t, r in refreshes.items() if t in followed}
            await _put_states(cur, {target: refresh.state for target, refresh in live.items()})
            await _add_samples(cur, live, int(now.timestamp()))
            alerting = {t: r for t, r in live.items() if r.alerts}
            if not alerting:
                return 0  # the usual case: no work per follower
            followers = await _followers(cur, list(alerting))
            chats = sorted({f.chat_id for t in alerting for f in followers[t]})
            alerts = [alert for refresh in alerting.values() for alert in refresh.alerts]
            delivered, told = await _known(cur, chats, alerts)
            rows = []
            slices = Slices()
            for target, refresh in alerting.items():
                await slices.pause()  # thousands of deliveries: commands are answered meanwhile
                for queued in fanout.fan_out(refresh.alerts, followers[target], delivered, told):
                    delivered |= {(queued.chat_id, key) for key in queued.alert.keys}
                    if queued.alert.told is not None:
                        told[queued.chat_id, queued.alert.told[0]] = queued.alert.told[1]
                    rows.append(_new_delivery(queued, target, now))
            await _queue(cur, rows)
            return len(rows)

    async def history_of(self, target: str) -> list[tuple[int, int]]:
        rows = await self._rows(
            "SELECT at, value FROM history WHERE target = %s ORDER BY at", target
        )
        return [(at, value) for at, value in rows]

    # --- deliveries -----------------------------------------------------------------------------

    async def has_pending(self) -> bool:
        return bool(await self.pending_deliveries())

    async def pending_deliveries(self, now: datetime | None = None) -> list[Delivery]:
        rows = await self._rows(
            f"SELECT {_DELIVERY} FROM deliveries d LEFT JOIN chats c USING (chat_id)"
            " WHERE d.status = 'pending' AND NOT coalesce(c.paused, false)"
            " AND (c.held_until IS NULL OR c.held_until < now()) ORDER BY d.id"
        )
        pending = [
            _delivery(row) for row in rows if fanout.sendable_now(row[2], _chat_settings(row[8]))
        ]
        return pending if now is None else fanout.settled(pending, now)

    async def pending_of(self, chat_id: int) -> list[Delivery]:
        async with self._tx() as cur:
            return await _pending_of(cur, chat_id)

    async def note_outcome(self, delivery_id: int, outcome: str) -> None:
        async with self._tx() as cur:
            if outcome in (SENT, DROPPED):
                await cur.execute(
                    "UPDATE deliveries SET status = %s WHERE id = %s", (outcome, delivery_id)
                )
            elif outcome == FAILED:
                await cur.execute(
                    "UPDATE deliveries SET status = 'failed', sent_at = now() WHERE id = %s",
                    (delivery_id,),
                )
            elif outcome == UNSURE:
                await cur.execute(
                    "UPDATE deliveries SET unsure = true WHERE id = %s", (delivery_id,)
                )

    async def fold_outcomes(self, now: datetime) -> None:
        """Replace the deliveries sent or dropped by their keys, dated `now`; once a day, drop
        what is kept no longer: sent keys after DEDUP_DAYS, refused messages after
        FAILED_KEPT_DAYS, and thin long histories."""
        async with self._tx() as cur:
            await cur.execute(
                "SELECT id FROM deliveries WHERE status = ANY(%s) ORDER BY id", ([SENT, DROPPED],)
            )
            await _finish(cur, [delivery_id for (delivery_id,) in await cur.fetchall()], now)
        today = now.date()
        if self._compacted_on == today:
            return
        async with self._tx() as cur:
            await cur.execute(
                "DELETE FROM sent_keys WHERE day < %s", (today - timedelta(days=DEDUP_DAYS),)
            )
            await cur.execute(
                "DELETE FROM deliveries WHERE status = 'failed' AND sent_at < %s",
                (now - timedelta(days=FAILED_KEPT_DAYS),),
            )
            await _thin_histories(cur)
        self._compacted_on = today

    async def fold_pending(self, chat_id: int, text: str, now: datetime) -> None:
        async with self._tx() as cur:
            await _finish(cur, [d.id for d in await _pending_of(cur, chat_id)], now)
            await _queue(cur, [_message(chat_id, f"summary:{now.isoformat()}", text, now)])

    async def queue_notice(
        self, chat_ids: Iterable[int], key: str, text: str, now: datetime
    ) -> int:
        chats = sorted(set(chat_ids))
        if not chats:
            return 0
        async with self._tx() as cur:
            had, _ = await _known(cur, chats, [Alert(key, text)])
            fresh = [chat for chat in chats if (chat, key) not in had]
            await _queue(cur, [_message(chat, key, text, now) for chat in fresh])
        return len(fresh)

    # --- daily digests --------------------------------------------------------------------------

    async def digests_due(self, now: datetime) -> list[tuple[int, datetime]]:
        rows = await self._rows(
            "SELECT c.chat_id, c.settings, d.due FROM chats c"
            " LEFT JOIN digests d USING (chat_id)"
            " WHERE c.settings IS NOT NULL AND NOT c.paused ORDER BY c.chat_id"
        )
        due = []
        for chat_id, settings, done in rows:
            instant = ChatSettings.from_doc(settings).last_digest_due(now)
            if instant is not None and (done is None or done < instant):
                due.append((chat_id, instant))
        return due

    async def held_for_digest(self, chat_id: int) -> list[Delivery]:
        return [d for d in await self.pending_of(chat_id) if d.target]

    async def send_digest(
        self, chat_id: int, messages: list[str], due: datetime, now: datetime
    ) -> None:
        async with self._tx() as cur:
            held = [d.id for d in await _pending_of(cur, chat_id) if d.target]
            await _finish(cur, held, now)
            stamp = due.isoformat()
            await _queue(
                cur,
                [
                    _message(chat_id, f"digest:{stamp}:{n}", text, now)
                    for n, text in enumerate(messages)
                ],
            )
            await _digest_done(cur, chat_id, due)

    # --- moving between adapters ----------------------------------------------------------------

    async def snapshot(self) -> Snapshot:
        async with self._tx() as cur:
            await cur.execute(
                "SELECT c.chat_id, c.paused, c.settings, f.target, f.muted, f.settings"
                " FROM chats c LEFT JOIN follows f USING (chat_id) ORDER BY c.chat_id, f.position"
            )
            follows: dict[int, list[FollowRecord]] = defaultdict(list)
            chats: dict[int, tuple[bool, Any]] = {}
            for chat_id, paused, settings, target, muted, follow in await cur.fetchall():
                chats[chat_id] = (paused, settings)
                if target is not None:
                    follows[chat_id].append(FollowRecord(target, muted, follow))
            await cur.execute("SELECT target, state FROM targets")
            targets = dict(await cur.fetchall())
            await cur.execute(
                "SELECT chat_id, target, key, same_as, text, status, unsure, told_topic,"
                " told_value, bundle, created_at, sent_at FROM deliveries ORDER BY id"
            )
            deliveries = [_record(row) for row in await cur.fetchall()]
            await cur.execute("SELECT chat_id, target, key, day FROM sent_keys")
            sent_keys = {tuple(row) for row in await cur.fetchall()}
            await cur.execute("SELECT chat_id, target, topic, value, told_at FROM told")
            told = {(c, t, topic): (v, at) for c, t, topic, v, at in await cur.fetchall()}
            await cur.execute("SELECT chat_id, due FROM digests")
            digests = dict(await cur.fetchall())
            await cur.execute("SELECT target, at, value FROM history ORDER BY target, at")
            history: dict[str, list[tuple[int, int]]] = defaultdict(list)
            for target, at, value in await cur.fetchall():
                history[target].append((at, value))
        return Snapshot(
            {
                chat_id: ChatRecord(paused, settings, tuple(follows[chat_id]))
                for chat_id, (paused, settings) in chats.items()
            },
            targets,
            deliveries,
            sent_keys,  # type: ignore[arg-type]
            told,
            digests,
            dict(history),
        )

    async def load(self, snapshot: Snapshot) -> None:
        async with self._tx() as cur:
            await cur.execute(
                "SELECT EXISTS (SELECT 1 FROM chats) OR EXISTS (SELECT 1 FROM targets)"
            )
            row = await cur.fetchone()
            if row is not None and row[0]:
                raise SaveError(f"{where(self._url)} is not empty: load into a new database only")
            await cur.executemany(
                "INSERT INTO chats (chat_id, paused, settings) VALUES (%s, %s, %s)",
                [
                    (chat_id, chat.paused, Jsonb(chat.settings) if chat.settings else None)
                    for chat_id, chat in snapshot.chats.items()
                ],
            )
            await cur.executemany(
                "INSERT INTO follows (chat_id, target, muted, settings) VALUES (%s, %s, %s, %s)",
                [
                    (chat_id, f.target, f.muted, Jsonb(f.settings) if f.settings else None)
                    for chat_id, chat in snapshot.chats.items()
                    for f in chat.follows
                ],
            )
            await _put_states(cur, snapshot.targets)
            await _queue(cur, [_record_row(record) for record in snapshot.deliveries])
            await _copy(cur, "sent_keys (chat_id, target, key, day)", snapshot.sent_keys)
            await _copy(
                cur,
                "told (chat_id, target, topic, value, told_at)",
                [(*key, value, at) for key, (value, at) in snapshot.told.items()],
            )
            await cur.executemany(
                "INSERT INTO digests (chat_id, due) VALUES (%s, %s)", list(snapshot.digests.items())
            )
            await _copy(
                cur,
                "history (target, at, value)",
                [
                    (t, at, value)
                    for t, samples in snapshot.history.items()
                    for at, value in samples
                ],
            )


# --- pieces of transactions ---------------------------------------------------------------------


async def _followers(cur: Cursor, targets: list[str]) -> dict[str, list[fanout.Follower]]:
    """Each target's followers, with what bot.fanout needs of their settings."""
    await cur.execute(
        "SELECT f.target, f.chat_id, f.muted, f.settings, c.settings"
        " FROM follows f JOIN chats c USING (chat_id) WHERE f.target = ANY(%s)",
        (targets,),
    )
    followers: dict[str, list[fanout.Follower]] = defaultdict(list)
    for target, chat_id, muted, follow, chat in await cur.fetchall():
        settings = FollowSettings.from_doc(follow) if follow else DEFAULT_FOLLOW
        chat_settings = _chat_settings(chat)
        followers[target].append(
            fanout.Follower(chat_id, muted, settings, chat_settings.tz, chat_settings.digest_day)
        )
    return followers


def _chat_settings(doc: Any) -> ChatSettings:
    return ChatSettings.from_doc(doc) if doc else DEFAULT_CHAT


async def _lock_chat(cur: Cursor, chat_id: int) -> ChatSettings:
    """Create the chat if new, lock its row until the transaction ends; its settings."""
    await cur.execute(
        "INSERT INTO chats (chat_id) VALUES (%s) ON CONFLICT (chat_id) DO NOTHING", (chat_id,)
    )
    await cur.execute("SELECT settings FROM chats WHERE chat_id = %s FOR UPDATE", (chat_id,))
    row = await cur.fetchone()
    return _chat_settings(row[0] if row else None)


async def _put_states(cur: Cursor, states: Mapping[str, dict[str, Any] | None]) -> None:
    # A statement a chunk, the chunk's states as one JSON object encoded by orjson and taken
    # apart by the server: a cycle stores thousands (20 MB at 10,000 petitions), a row or an
    # array element at a time costs the event loop ten times the CPU, and all of them in one
    # encoding held it 55 ms.
    for targets in chunks(list(states), STATES_PER_STATEMENT):
        chunk = {t: states[t] for t in targets}
        await cur.execute(
            "INSERT INTO targets (target, state) SELECT key, value FROM jsonb_each(%s::jsonb)"
            " ON CONFLICT (target) DO UPDATE SET state = excluded.state",
            (orjson.dumps(chunk).decode(),),
        )


async def _add_samples(cur: Cursor, refreshes: Mapping[str, Any], at: int) -> None:
    sampled = {t: r.sample for t, r in refreshes.items() if r.sample is not None}
    if not sampled:
        return
    await cur.execute(
        "SELECT DISTINCT ON (target) target, at, value FROM history"
        " WHERE target = ANY(%s) ORDER BY target, at DESC",
        (list(sampled),),
    )
    last = {target: (when, value) for target, when, value in await cur.fetchall()}
    rows = [(t, at, v) for t, v in sampled.items() if sample_due(last.get(t), at, v)]
    if rows:
        await cur.executemany(
            "INSERT INTO history (target, at, value) VALUES (%s, %s, %s) ON CONFLICT DO NOTHING",
            rows,
        )


async def _thin_histories(cur: Cursor) -> None:
    """Thin the histories grown long with bot.storage.history's rule (as the TinyDB store's)."""
    await cur.execute(
        "SELECT target FROM history GROUP BY target HAVING count(*) > %s", (COMPACT_AFTER,)
    )
    for (target,) in await cur.fetchall():
        await cur.execute("SELECT at, value FROM history WHERE target = %s ORDER BY at", (target,))
        samples = [(at, value) for at, value in await cur.fetchall()]
        kept = {at for at, _ in thin(samples, samples[-1][0])}
        await cur.execute(
            "DELETE FROM history WHERE target = %s AND NOT (at = ANY(%s))", (target, list(kept))
        )


async def _known(
    cur: Cursor, chats: list[int], alerts: Sequence[Any]
) -> tuple[set[tuple[int, str]], dict[tuple[int, str], str]]:
    """What `chats` have had of `alerts`: (chat, key) sent or queued, and the last value told
    on each of their topics (a queued one over a sent one)."""
    keys = sorted({key for alert in alerts for key in alert.keys})
    await cur.execute(
        "SELECT chat_id, key FROM sent_keys WHERE chat_id = ANY(%s) AND key = ANY(%s)"
        " UNION SELECT chat_id, k FROM deliveries, unnest(key || same_as) AS k"
        " WHERE chat_id = ANY(%s) AND k = ANY(%s)",
        (chats, keys, chats, keys),
    )
    delivered = {(chat, key) for chat, key in await cur.fetchall()}
    topics = sorted({alert.told[0] for alert in alerts if alert.told is not None})
    told: dict[tuple[int, str], str] = {}
    if topics:
        await cur.execute(
            "SELECT chat_id, topic, value FROM told WHERE chat_id = ANY(%s) AND topic = ANY(%s)"
            " ORDER BY told_at",
            (chats, topics),
        )
        told |= {(chat, topic): value for chat, topic, value in await cur.fetchall()}
        await cur.execute(
            "SELECT chat_id, told_topic, told_value FROM deliveries"
            " WHERE chat_id = ANY(%s) AND told_topic = ANY(%s) ORDER BY id",
            (chats, topics),
        )
        told |= {(chat, topic): value for chat, topic, value in await cur.fetchall()}
    return delivered, told


async def _pending_of(cur: Cursor, chat_id: int) -> list[Delivery]:
    await cur.execute(
        f"SELECT {_DELIVERY} FROM deliveries d LEFT JOIN chats c USING (chat_id)"
        " WHERE d.chat_id = %s AND d.status = 'pending' ORDER BY d.id",
        (chat_id,),
    )
    return [_delivery(row) for row in await cur.fetchall()]


async def _finish(cur: Cursor, ids: list[int], now: datetime) -> None:
    """The deliveries `ids` went out (or were folded into another message): gone, their keys
    and told values kept."""
    if not ids:
        return
    await cur.execute(
        "DELETE FROM deliveries WHERE id = ANY(%s)"
        " RETURNING chat_id, target, key, same_as, told_topic, told_value, created_at",
        (ids,),
    )
    day = now.date()
    keys, told = [], []
    for chat_id, target, key, same_as, topic, value, created in await cur.fetchall():
        if not target:  # a digest or a summary: no keys worth keeping
            continue
        keys += [(chat_id, target, k, day) for k in (key, *same_as)]
        if topic is not None:
            told.append((chat_id, target, topic, value, created))
    if keys:
        await cur.executemany(
            "INSERT INTO sent_keys VALUES (%s, %s, %s, %s)"
            " ON CONFLICT (chat_id, key, target) DO UPDATE SET day = excluded.day",
            keys,
        )
    if told:
        await cur.executemany(
            "INSERT INTO told VALUES (%s, %s, %s, %s, %s) ON CONFLICT (chat_id, target, topic)"
            " DO UPDATE SET value = excluded.value, told_at = excluded.told_at"
            " WHERE excluded.told_at >= told.told_at",
            told,
        )


async def _forget_follows(cur: Cursor, chat_id: int, targets: list[str]) -> None:
    """What the chat's follows of `targets` no longer need."""
    if targets:
        for table in ("sent_keys", "told"):
            await cur.execute(
                f"DELETE FROM {table} WHERE chat_id = %s AND target = ANY(%s)", (chat_id, targets)
            )
        await _forget_unfollowed(cur, targets)


async def _forget_unfollowed(cur: Cursor, targets: list[str]) -> None:
    """A later follower of a target nobody follows starts from a fresh baseline and history."""
    for table in ("targets", "history"):
        await cur.execute(
            f"DELETE FROM {table} t WHERE t.target = ANY(%s)"
            " AND NOT EXISTS (SELECT 1 FROM follows f WHERE f.target = t.target)",
            (targets,),
        )


async def _digest_done(cur: Cursor, chat_id: int, due: datetime) -> None:
    await cur.execute(
        "INSERT INTO digests (chat_id, due) VALUES (%s, %s)"
        " ON CONFLICT (chat_id) DO UPDATE SET due = excluded.due",
        (chat_id, due),
    )


def _new_delivery(queued: fanout.Queued, target: str, now: datetime) -> dict[str, Any]:
    alert = queued.alert
    row = _message(queued.chat_id, alert.key, queued.text, now, target, alert.same_as)
    if alert.told is not None:
        row["told_topic"], row["told_value"] = alert.told
    if alert.bundle is not None:
        row["bundle"] = Jsonb(bundle_to_doc(alert.bundle))
    return row


def _message(
    chat_id: int, key: str, text: str, now: datetime, target: str = "", same_as: Any = ()
) -> dict[str, Any]:
    """A delivery row; with no target, a message of the bot's own (a digest, a summary)."""
    return {
        "chat_id": chat_id,
        "target": target,
        "key": key,
        "same_as": list(same_as),
        "text": text,
        "status": PENDING,
        "told_topic": None,
        "told_value": None,
        "bundle": None,
        "created_at": now,
    }


def _record(row: Sequence[Any]) -> DeliveryRecord:
    chat, target, key, same_as, text, status, unsure, topic, value, bundle, created, sent = row
    told = (topic, value) if topic is not None else None
    return DeliveryRecord(
        chat, target, key, tuple(same_as), text, status, unsure, told, bundle, created, sent
    )


def _record_row(record: DeliveryRecord) -> dict[str, Any]:
    row = _message(
        record.chat_id, record.key, record.text, record.created_at, record.target, record.same_as
    )
    row["told_topic"], row["told_value"] = record.told or (None, None)
    row["bundle"] = Jsonb(record.bundle) if record.bundle is not None else None
    return row | {"status": record.status, "unsure": record.unsure, "sent_at": record.sent_at}


async def _copy(cur: Cursor, table: str, rows: Iterable[Iterable[Any]]) -> None:
    """Many rows at once, with COPY (a year of history is millions of samples)."""
    async with cur.copy(f"COPY {table} FROM STDIN") as copy:
        for row in rows:
            await copy.write_row(row)


async def _queue(cur: Cursor, rows: list[dict[str, Any]]) -> None:
    """New deliveries (rows of one shape), with COPY: a cycle can queue tens of thousands."""
    if rows:
        columns = list(rows[0])
        await _copy(cur, f"deliveries ({', '.join(columns)})", (row.values() for row in rows))


def _delivery(row: Sequence[Any]) -> Delivery:
    delivery_id, chat_id, target, key, text, unsure, bundle, created, _ = row
    return Delivery(
        delivery_id, chat_id, target, key, text, unsure, bundle_from_doc(bundle), created
    )
