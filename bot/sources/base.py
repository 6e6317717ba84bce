"""What every source (petitions now; GOV.UK and Parliament statements next) gives the engine.

A source turns a target's stored state into a fresh state plus alerts. The scheduler, storage,
deliveries and sender only see these types, so a new source plugs in without touching them.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol


@dataclass(frozen=True)
class Alert:
    """One piece of news about a target: `key` is stable, `text` is ready-to-send Telegram HTML."""

    key: str
    text: str


@dataclass(frozen=True)
class Refresh:
    """A target's new stored state (JSON-ready) and the alerts that the change produced."""

    state: dict[str, Any]
    alerts: list[Alert] = field(default_factory=list)


class Source(Protocol):
    kind: str

    async def refresh(
        self, ident: str, stored: dict[str, Any] | None, now: datetime
    ) -> Refresh | None:
        """Fetch the target once and compare with `stored` (None: take a silent baseline).

        Returns None when there is nothing to store this time (the target is not public now).
        Raises bot.http.UpstreamError when the upstream could not be read; nothing is stored then.
        """
        ...


def target_key(kind: str, ident: str | int) -> str:
    return f"{kind}:{ident}"


def split_target(target: str) -> tuple[str, str]:
    kind, _, ident = target.partition(":")
    return kind, ident
