"""Applying what one statement source saw to every statements follow: match, detect, render.

Pure: no I/O. Both statement sources (GOV.UK and Parliament) end here, so a new source of
statements only has to fetch and parse. An item gets its story key here, once for every follow:
the key of an item seen before (any follow's memory of it) if one of the same department and
London day has a title that tells the same story (words.same_story), else its own. So a
statement on GOV.UK and in Parliament, or laid in both Houses, is one alert however its titles
differ.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import datetime
from functools import partial
from typing import Any

from bot.sources.base import Alert, AlertGroup, Refresh
from bot.sources.departments.directory import Directory
from bot.sources.statements.detect import StatementEventKind, detect_statements, oldest_first
from bot.sources.statements.model import StatementItem
from bot.sources.statements.query import StatementQuery
from bot.sources.statements.render import render_alert
from bot.sources.statements.words import SAME_STORY, similarity

NEW_ITEMS = AlertGroup("new", "New items")
UPDATES = AlertGroup("updates", "Updates, withdrawals and corrections")
GROUPS = (NEW_ITEMS, UPDATES)


def refresh_follows(
    targets: Mapping[str, dict[str, Any] | None],
    items: list[StatementItem],
    source: str,
    now: datetime,
    directory: Directory,
    checked_to: str | None = None,
) -> Iterator[tuple[str, Refresh]]:
    """Each follow's new state and alerts, one follow at a time (a source takes them in slices,
    bot.slices); `checked_to` is how far back the source has read."""
    items = oldest_first(items)  # once, for every follow
    stories = match_stories(items, (state for state in targets.values() if state))
    for ident, stored in targets.items():
        query = StatementQuery.from_ident(ident)
        matching = query.canonical(directory)
        state, events = detect_statements(matching, stored, items, source, now, stories)
        if checked_to is not None:
            state["checked_to"][source] = checked_to
        alerts = [
            Alert(
                e.key,
                render_alert(e, query),
                e.same_as,
                NEW_ITEMS if e.kind in _NEWS else UPDATES,
                dated=partial(render_alert, e, query),
            )
            for e in events
        ]
        yield ident, Refresh(state, alerts)


_NEWS = {StatementEventKind.NEW, StatementEventKind.CATCH_UP}


def match_stories(
    items: list[StatementItem], states: Iterable[Mapping[str, Any]]
) -> dict[str, str]:
    """Each item's story key: the one it had before, else the key of a known item of the same
    department and day that tells the same story, else its own."""
    known: dict[str, list[str]] = {}  # item id -> [story key, department, London day, title]
    for state in states:
        known.update(state.get("stories") or {})
    stories = {}
    for item in sorted(items, key=lambda i: (i.published, i.id)):
        lead = item.departments[0] if item.departments else ""
        if item.id in known:
            stories[item.id] = known[item.id][0]
            continue
        alike = [
            (similarity(item.title, title), key)
            for other, (key, department, day, title) in known.items()
            if other != item.id and department == lead and day == item.day
        ]
        best = max(alike, default=(0.0, ""))
        stories[item.id] = best[1] if best[0] >= SAME_STORY else item.story
        known[item.id] = [stories[item.id], lead, item.day, item.title]
    return stories
