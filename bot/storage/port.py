"""The storage port: what the services, the poller, the sender and the handlers ask of a store.

Two adapters keep this contract: bot.storage.tinydb_store (the embedded default, one process)
and bot.storage.postgres (several processes on one database). tests/test_storage_contract.py
runs every behaviour below against both. Nothing outside the adapters knows which one runs.

Which chat gets which alert is not the adapters' to decide: they call bot.fanout with the
follows and settings they hold.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Protocol

from bot.preferences import ChatSettings, FollowSettings
from bot.sources.base import Bundle

PENDING, SENT, FAILED, DROPPED, UNSURE = "pending", "sent", "failed", "dropped", "unsure"
# Detection is state-based, so a key only has to outlive the few days in which two sources can
# report the same news; two months is a wide margin.
DEDUP_DAYS = 60
FAILED_KEPT_DAYS = 30  # a refused message's text, for an operator to look at


class SaveError(Exception):
    """A change could not be stored; it has been undone."""


class StoreError(Exception):
    """The store cannot be used; the message is one line naming it and what to do."""

    def __init__(self, where: object, problem: str, hint: str) -> None:
        super().__init__(f"{where}: {problem}; {hint}")


@dataclass(frozen=True)
class Delivery:
    id: int
    chat_id: int
    target: str
    key: str
    text: str
    unsure: bool = False  # an earlier send of it timed out after the request was written
    bundle: Bundle | None = None  # heard with the other alerts of its bundle, as one message
    created: datetime | None = None


@dataclass(frozen=True)
class FollowCounts:
    follows: dict[str, int]  # kind -> follows of its targets
    chats: dict[str, int]  # kind -> chats that follow one of its targets at least


class Storage(Protocol):
    """Chats, their follows and settings; each target's state and history; alerts to send."""

    # --- lifecycle: `start` on the running event loop, `close` when the bot stops
    async def start(self) -> None: ...
    async def close(self) -> None: ...
    async def send_slot(self, gap: float) -> float:
        """Reserve the next slot of a grid of Telegram sends, `gap` seconds apart, shared by
        every process on this store; returns how many seconds until it (0: now)."""
        ...

    async def lead(self) -> bool:
        """Whether this process runs the poll cycles, the digests and the sending now: one
        process at a time among those sharing the store; when it stops or dies, the next one to
        ask takes over. Asked before each cycle and each sending pass."""
        ...

    # --- chats and follows
    async def follows_of(self, chat_id: int) -> list[str]: ...
    async def followers_of(self, target: str) -> set[int]: ...
    async def followed_targets(self) -> list[str]:
        """The targets worth polling: followed by at least one chat that is not paused."""
        ...

    async def add_follow(self, chat_id: int, target: str, baseline: dict[str, Any] | None) -> None:
        """Follow `target`; `baseline` becomes its state when nobody else followed it."""
        ...

    async def remove_follow(self, chat_id: int, target: str) -> bool: ...
    async def remove_follows(self, chat_id: int, targets: set[str]) -> int:
        """Unfollow those of `targets` the chat follows, all or none; returns how many."""
        ...

    async def is_muted(self, chat_id: int, target: str) -> bool: ...
    async def set_muted(self, chat_id: int, target: str, muted: bool) -> None: ...
    async def chat_settings(self, chat_id: int) -> ChatSettings: ...
    async def set_chat_settings(
        self, chat_id: int, settings: ChatSettings, now: datetime | None = None
    ) -> None:
        """A digest switched on or moved at `now` starts at its next hour, never at once."""
        ...

    async def follow_settings(self, chat_id: int, target: str) -> FollowSettings: ...
    async def set_follow_settings(
        self, chat_id: int, target: str, settings: FollowSettings
    ) -> bool:
        """False when the chat does not follow `target`."""
        ...

    async def silent(self, chat_id: int, target: str, now: datetime) -> bool:
        """The follow is set silent, or it is the chat's quiet hours."""
        ...

    async def is_paused(self, chat_id: int) -> bool: ...
    async def set_paused(self, chat_id: int, paused: bool) -> None: ...
    async def hold(self, chat_id: int) -> None:
        """Keep the chat's deliveries back until `release` (it is catching up)."""
        ...

    async def release(self, chat_id: int) -> None: ...
    async def forget_chat(self, chat_id: int) -> None:
        """Delete everything about the chat, its delivery history included."""
        ...

    async def migrate_chat(self, old_id: int, new_id: int) -> None:
        """A group became a supergroup: its follows, settings, deliveries and keys move."""
        ...

    async def counts(self) -> dict[str, int]: ...
    async def follow_counts(self) -> FollowCounts:
        """Follows, and chats following something, by target kind."""
        ...

    # --- targets
    async def target_state(self, target: str) -> dict[str, Any] | None: ...
    async def target_states(self, targets: list[str]) -> dict[str, dict[str, Any] | None]:
        """Each of `targets` with its state, in one read (a cycle's)."""
        ...

    async def record_cycle(self, refreshes: Mapping[str, Any], now: datetime) -> int:
        """Each target's new state and its alerts' deliveries (bot.fanout), at once; returns
        how many deliveries were queued."""
        ...

    async def history_of(self, target: str) -> list[tuple[int, int]]: ...

    # --- deliveries
    async def has_pending(self) -> bool: ...
    async def pending_deliveries(self, now: datetime | None = None) -> list[Delivery]:
        """Oldest first, less paused and held chats, alerts held for a digest, and at `now` a
        bundle that is still gathering."""
        ...

    async def pending_of(self, chat_id: int) -> list[Delivery]: ...
    async def note_outcome(self, delivery_id: int, outcome: str) -> None:
        """Durable before it returns: a SENT delivery is never sent again."""
        ...

    async def fold_outcomes(self, now: datetime) -> None: ...
    async def fold_pending(self, chat_id: int, text: str, now: datetime) -> None:
        """Replace the chat's pending deliveries by one message, at once."""
        ...

    async def queue_notice(
        self, chat_ids: Iterable[int], key: str, text: str, now: datetime
    ) -> int:
        """A message of the bot's own (about no one target) to each of `chat_ids` that has not
        had `key`, in one write; returns how many were queued."""
        ...

    # --- daily digests
    async def digests_due(self, now: datetime) -> list[tuple[int, datetime]]:
        """The chats whose digest is due (by chat id), each with its latest instant due."""
        ...

    async def held_for_digest(self, chat_id: int) -> list[Delivery]: ...
    async def send_digest(
        self, chat_id: int, messages: list[str], due: datetime, now: datetime
    ) -> None:
        """Replace the held alerts by the digest and mark `due` done, at once."""
        ...

    # --- moving between adapters (python -m bot migrate)
    async def snapshot(self) -> Snapshot: ...
    async def load(self, snapshot: Snapshot) -> None:
        """Take everything in `snapshot` into this store, which must be empty."""
        ...


@dataclass(frozen=True)
class FollowRecord:
    target: str
    muted: bool
    settings: dict[str, Any] | None  # a FollowSettings doc; None: the defaults


@dataclass(frozen=True)
class ChatRecord:
    paused: bool
    settings: dict[str, Any] | None  # a ChatSettings doc; None: the defaults
    follows: tuple[FollowRecord, ...]  # in the order followed


@dataclass(frozen=True)
class DeliveryRecord:
    chat_id: int
    target: str
    key: str
    same_as: tuple[str, ...]
    text: str
    status: str  # PENDING or FAILED: a sent one is kept as its keys
    unsure: bool
    told: tuple[str, str] | None
    bundle: dict[str, Any] | None
    created_at: datetime
    sent_at: datetime | None


@dataclass
class Snapshot:
    """Everything a store holds, the same whichever adapter holds it: what `python -m bot
    migrate` copies from one store to another, and compares after."""

    chats: dict[int, ChatRecord]
    targets: dict[str, Any]  # target -> state
    deliveries: list[DeliveryRecord]  # oldest first
    sent_keys: set[tuple[int, str, str, date]]  # chat, target, key, day sent
    told: dict[tuple[int, str, str], tuple[str, datetime]]  # chat, target, topic -> value, when
    digests: dict[int, datetime]  # chat -> the digest instant it last had
    history: dict[str, list[tuple[int, int]]]  # target -> (Unix seconds, value), oldest first

    def counts(self) -> dict[str, int]:
        return {
            "chats": len(self.chats),
            "follows": sum(len(chat.follows) for chat in self.chats.values()),
            "target states": len(self.targets),
            "deliveries": len(self.deliveries),
            "sent keys": len(self.sent_keys),
            "told values": len(self.told),
            "digests": len(self.digests),
            "history samples": sum(len(samples) for samples in self.history.values()),
        }
