"""Applying what one statement source saw to every statements follow: match, detect, render.

Pure: no I/O. Both statement sources (GOV.UK and Parliament) end here, so a new source of
statements only has to fetch and parse.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from functools import partial
from typing import Any

from bot.sources.base import Alert, AlertGroup, Refresh
from bot.sources.statements.detect import StatementEventKind, detect_statements
from bot.sources.statements.model import StatementItem
from bot.sources.statements.query import StatementQuery
from bot.sources.statements.render import render_alert

NEW_ITEMS = AlertGroup("new", "New items")
UPDATES = AlertGroup("updates", "Updates and withdrawals")
GROUPS = (NEW_ITEMS, UPDATES)


def refresh_follows(
    targets: Mapping[str, dict[str, Any] | None],
    items: list[StatementItem],
    source: str,
    now: datetime,
    checked_to: str | None = None,
) -> dict[str, Refresh]:
    """Each follow's new state and alerts; `checked_to` is how far back the source has read."""
    refreshes = {}
    for ident, stored in targets.items():
        query = StatementQuery.from_ident(ident)
        state, events = detect_statements(query, stored, items, source, now)
        if checked_to is not None:
            state["checked_to"][source] = checked_to
        alerts = [
            Alert(
                e.key,
                render_alert(e, query),
                e.same_as,
                NEW_ITEMS if e.kind is StatementEventKind.NEW else UPDATES,
                dated=partial(render_alert, e, query),
            )
            for e in events
        ]
        refreshes[ident] = Refresh(state, alerts)
    return refreshes
