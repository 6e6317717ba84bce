"""Change detection for a statements follow: (stored state, items a source saw, now) to events.

Pure: no I/O. The state of a follow remembers each matching item it has seen (by id, with its
update stamp, whether it was withdrawn and whether it was told as a correction) for a year
(KEEP_SEEN), so an update, a withdrawal or a correction that comes months later is still told;
and the latest few items for /status. A source's first look at a follow is a silent baseline.

An unseen item is news when it was published after the follow began (a little earlier for
GOV.UK's indexing lag; a day-only item from that day) and after the source's last read of the
follow (`read_at`, less the same lag): so a source that was down for days catches up on what it
missed, and an old item that only now turns up in the results is not news. Missed items up to
CATCH_UP old come one alert each; older ones come as one summary with their links.

State: `{"since": <ISO>, "baselined": [<source name>], "checked_to": {<source>: <ISO>},
"read_at": {<source>: <ISO>}, "seen": {<item id>: [<published ISO>, <stamp>, <withdrawn>,
<told as a correction>]}, "stories": {<item id>: [<story key>, <department>, <London day>,
<title>]} (the last STORY_DAYS), "recent": [<item_to_dict>, newest first], "pruned": <the day
`seen` was last pruned>}`. Older states (`seen` entries as objects, no `read_at`) are read too.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
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
# Missed items this old or newer come one alert each after an outage; older, in one summary.
CATCH_UP = timedelta(days=14)
# A state from before `read_at` was kept: items older than this are history.
LEGACY_CATCH_UP = timedelta(days=3)
KEEP_SEEN = timedelta(days=400)  # an item told of is followed for at least a year
MOST_SEEN = 5_000  # a follow of every department's every item keeps its newest this many
STORY_DAYS = timedelta(days=3)  # how long an item's story is remembered, to match its twins
RECENT_ITEMS = 8  # a statement laid in both Houses takes two


class StatementEventKind(StrEnum):
    NEW = "new"
    UPDATED = "updated"
    WITHDRAWN = "withdrawn"
    CORRECTED = "corrected"
    CATCH_UP = "catch-up"  # items older than CATCH_UP, missed while a source was down


@dataclass(frozen=True)
class StatementEvent:
    kind: StatementEventKind
    item: StatementItem
    story: str = ""  # the story key of a new item: the same news from any source or House
    missed: tuple[StatementItem, ...] = ()  # CATCH_UP: the items, oldest first

    @property
    def key(self) -> str:
        base = f"statement:{self.item.id}"
        if self.kind is StatementEventKind.NEW:
            return base
        if self.kind is StatementEventKind.UPDATED:
            return f"{base}:updated:{self.item.stamp}"
        if self.kind is StatementEventKind.CATCH_UP:
            ids = "\n".join(item.id for item in self.missed).encode()
            return f"statement:catch-up:{hashlib.sha256(ids).hexdigest()[:16]}"
        return f"{base}:{self.kind.value}"

    @property
    def same_as(self) -> tuple[str, ...]:
        """A new item is the same news as another source's (or House's) report of it."""
        story = self.story or self.item.story
        return (f"statement:story:{story}",) if self.kind is StatementEventKind.NEW else ()


@dataclass(frozen=True)
class _Seen:
    published: str
    stamp: str
    withdrawn: bool
    corrected: bool

    @classmethod
    def read(cls, stored: Any) -> _Seen:
        if isinstance(stored, dict):  # the older layout
            withdrawn = stored.get("withdrawn") is True
            return cls(stored.get("at", ""), stored.get("stamp", ""), withdrawn, False)
        published, stamp, withdrawn, corrected = stored
        return cls(published, stamp, bool(withdrawn), bool(corrected))


def new_state(now: datetime) -> dict[str, Any]:
    return {
        "since": now.isoformat(),
        "baselined": [],
        "checked_to": {},
        "read_at": {},
        "seen": {},
        "stories": {},
        "recent": [],
    }


def detect_statements(
    query: StatementQuery,
    state: dict[str, Any] | None,
    items: list[StatementItem],
    source: str,
    now: datetime,
    stories: Mapping[str, str] | None = None,
) -> tuple[dict[str, Any], list[StatementEvent]]:
    """The follow's new state and its events, from the items one source saw this time, oldest
    first (`oldest_first`); `stories` gives an item's story key where it matched another's
    (follows.py)."""
    state = _copy(state or new_state(now))
    silent = source not in state["baselined"]
    since = instant_of(state["since"]) or now
    last_read = instant_of(state["read_at"].get(source))
    seen: dict[str, Any] = state["seen"]
    recent = {stored["id"]: item_from_dict(stored) for stored in state["recent"]}
    events: list[StatementEvent] = []
    missed: list[StatementItem] = []
    for item in items:
        if not (query.matches(item) or (item.corrects and any(c in seen for c in item.corrects))):
            continue
        story = (stories or {}).get(item.id, item.story)
        before = _Seen.read(seen[item.id]) if item.id in seen else None
        if silent:
            pass
        elif before is None:
            news = _news(item, since, last_read, now)
            if news is StatementEventKind.NEW:
                events.append(StatementEvent(StatementEventKind.NEW, item, story))
            elif news is StatementEventKind.CATCH_UP:
                missed.append(item)
        else:
            events += [
                StatementEvent(kind, item)
                for kind, happened in (
                    (StatementEventKind.UPDATED, item.stamp > before.stamp),
                    (StatementEventKind.WITHDRAWN, item.withdrawn and not before.withdrawn),
                    (StatementEventKind.CORRECTED, bool(item.corrects) and not before.corrected),
                )
                if happened
            ]
        corrected = bool(item.corrects) or (before is not None and before.corrected)
        seen[item.id] = [item.published.isoformat(), item.stamp, item.withdrawn, corrected]
        state["stories"][item.id] = [story, *(item.departments[:1] or [""]), item.day, item.title]
        recent[item.id] = item
    if missed:
        events.append(StatementEvent(StatementEventKind.CATCH_UP, missed[0], missed=tuple(missed)))
    today = now.date().isoformat()
    if state.get("pruned") != today or len(seen) > MOST_SEEN:  # a year of items: once a day
        state["seen"], state["pruned"] = _kept(seen, now), today
        oldest_story = (now - STORY_DAYS).astimezone(LONDON).date().isoformat()
        state["stories"] = {i: s for i, s in state["stories"].items() if s[2] >= oldest_story}
    newest = sorted(recent.values(), key=lambda i: i.published, reverse=True)[:RECENT_ITEMS]
    state["recent"] = [item_to_dict(item) for item in newest]
    state["read_at"][source] = now.isoformat()
    if silent:
        state["baselined"].append(source)
    return state, events


def oldest_first(items: list[StatementItem]) -> list[StatementItem]:
    return sorted(items, key=lambda item: item.published)


def recent_items(state: dict[str, Any]) -> list[StatementItem]:
    return [item_from_dict(stored) for stored in state.get("recent", [])]


def _news(
    item: StatementItem, since: datetime, last_read: datetime | None, now: datetime
) -> StatementEventKind | None:
    """NEW, CATCH_UP (missed long enough ago to be summed up) or None (history)."""
    if not _after(item, since):
        return None
    if last_read is None:
        fresh = item.published >= now - LEGACY_CATCH_UP
        return StatementEventKind.NEW if fresh else None
    if not _after(item, last_read - timedelta(days=1) if item.day_only else last_read):
        return None
    return (
        StatementEventKind.NEW if item.published >= now - CATCH_UP else StatementEventKind.CATCH_UP
    )


def _after(item: StatementItem, moment: datetime) -> bool:
    """Published at or after `moment` (less the indexing lag); a day-only item, on its day."""
    if item.day_only:
        return item.published.astimezone(LONDON).date() >= moment.astimezone(LONDON).date()
    return item.published >= moment - INDEXING_GRACE


def _kept(seen: dict[str, Any], now: datetime) -> dict[str, Any]:
    oldest = (now - KEEP_SEEN).isoformat()
    kept = {
        item_id: entry for item_id, entry in seen.items() if _Seen.read(entry).published >= oldest
    }
    if len(kept) > MOST_SEEN:
        newest = sorted(kept, key=lambda i: _Seen.read(kept[i]).published)[-MOST_SEEN:]
        kept = {item_id: kept[item_id] for item_id in newest}
    return kept


def _copy(state: dict[str, Any]) -> dict[str, Any]:
    return {
        **state,
        "baselined": list(state.get("baselined", [])),
        "checked_to": dict(state.get("checked_to", {})),
        "read_at": dict(state.get("read_at", {})),
        "seen": dict(state.get("seen", {})),
        "stories": dict(state.get("stories", {})),
        "recent": list(state.get("recent", [])),
    }
