"""Change detection for a statements follow: (stored state, items a source saw, now) to events.

Pure: no I/O. The state of a follow remembers each matching item it has seen (by id, with its
update stamp) and the latest few for /status. An item is news when the follow has not seen it
and it was published after the follow began (a little earlier for GOV.UK's indexing lag), and
within the catch-up window, so a source that was down does not replay old items as new. A
source's first look at a follow is a silent baseline.

State: `{"since": <ISO>, "baselined": [<source name>], "checked_to": {<source>: <ISO>},
"seen": {<item id>: {"at": <published ISO>, "stamp": str, "withdrawn": bool}},
"recent": [<item_to_dict>, newest first]}`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.sources.statements.model import LONDON, StatementItem, item_from_dict, item_to_dict
from bot.sources.statements.query import StatementQuery
from bot.sources.values import instant_of

# GOV.UK indexes an item a little after its public timestamp: one published just before the
# follow, but not yet searchable then, is still news.
INDEXING_GRACE = timedelta(hours=1)
CATCH_UP = timedelta(days=3)
KEEP_SEEN = timedelta(days=30)
RECENT_ITEMS = 5


class StatementEventKind(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    WITHDRAWN = "withdrawn"


@dataclass(frozen=True)
class StatementEvent:
    kind: StatementEventKind
    item: StatementItem

    @property
    def key(self) -> str:
        base = f"statement:{self.item.id}"
        if self.kind is StatementEventKind.NEW:
            return base
        if self.kind is StatementEventKind.UPDATED:
            return f"{base}:updated:{self.item.stamp}"
        return f"{base}:withdrawn"

    @property
    def same_as(self) -> tuple[str, ...]:
        """A new item is the same news as another source's (or House's) report of it."""
        return (
            (f"statement:story:{self.item.story}",) if self.kind is StatementEventKind.NEW else ()
        )


def new_state(now: datetime) -> dict[str, Any]:
    return {"since": now.isoformat(), "baselined": [], "checked_to": {}, "seen": {}, "recent": []}


def detect_statements(
    query: StatementQuery,
    state: dict[str, Any] | None,
    items: list[StatementItem],
    source: str,
    now: datetime,
) -> tuple[dict[str, Any], list[StatementEvent]]:
    """The follow's new state and its events, from the items one source saw this time."""
    state = _copy(state or new_state(now))
    silent = source not in state["baselined"]
    since = instant_of(state["since"]) or now
    seen: dict[str, dict[str, Any]] = state["seen"]
    recent = {stored["id"]: item_from_dict(stored) for stored in state["recent"]}
    events: list[StatementEvent] = []
    for item in sorted(items, key=lambda i: i.published):
        if not (query.matches(item) or any(old in seen for old in item.corrects)):
            continue
        entry = seen.get(item.id)
        if entry is None:
            if not silent and _is_news(item, since, now):
                events.append(StatementEvent(StatementEventKind.NEW, item))
        elif not silent and item.stamp > entry["stamp"]:
            events.append(StatementEvent(StatementEventKind.UPDATED, item))
        elif not silent and item.withdrawn and not entry["withdrawn"]:
            events.append(StatementEvent(StatementEventKind.WITHDRAWN, item))
        seen[item.id] = {
            "at": item.published.isoformat(),
            "stamp": item.stamp,
            "withdrawn": item.withdrawn,
        }
        recent[item.id] = item
    state["seen"] = {
        item_id: entry
        for item_id, entry in seen.items()
        if (instant_of(entry["at"]) or now) >= now - KEEP_SEEN
    }
    newest = sorted(recent.values(), key=lambda i: i.published, reverse=True)[:RECENT_ITEMS]
    state["recent"] = [item_to_dict(item) for item in newest]
    if silent:
        state["baselined"].append(source)
    return state, events


def recent_items(state: dict[str, Any]) -> list[StatementItem]:
    return [item_from_dict(stored) for stored in state.get("recent", [])]


def _is_news(item: StatementItem, since: datetime, now: datetime) -> bool:
    if item.published < now - CATCH_UP:
        return False
    if item.day_only:
        return item.published.astimezone(LONDON).date() >= since.astimezone(LONDON).date()
    return item.published >= since - INDEXING_GRACE


def _copy(state: dict[str, Any]) -> dict[str, Any]:
    return {
        **state,
        "baselined": list(state.get("baselined", [])),
        "checked_to": dict(state.get("checked_to", {})),
        "seen": dict(state.get("seen", {})),
        "recent": list(state.get("recent", [])),
    }
