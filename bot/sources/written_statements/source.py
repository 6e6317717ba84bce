"""The written statements source: one date-window query per cycle serves every statements follow.

Reads the statements made in the last few days (both Houses, every department: a few dozen),
pages with `skip`, and matches them to each follow locally; after an outage, the window reaches
back to the day before the last read of every follow (up to CATCH_UP_DAYS), so nothing made
meanwhile is missed. A statement with linked statements is fetched on its own to learn whether
it corrects an earlier one, again every LINKS_RECHECK while it stays in the window (a correction
link can be added after the statement was first read: it is then told as a correction). A
statement of an answering body the directory has never seen is logged once and placed by its
name. Requests grow with statements, never with follows or chats.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import date, datetime, timedelta
from typing import Any

from bot.http import UpstreamError
from bot.slices import in_slices
from bot.sources.base import Refresh
from bot.sources.departments.directory import Directory
from bot.sources.notes import note_unparsed
from bot.sources.statements.follows import refresh_follows
from bot.sources.statements.model import StatementItem
from bot.sources.statements.query import KIND, StatementQuery
from bot.sources.text import LONDON
from bot.sources.values import instant_of
from bot.sources.written_statements.client import PAGE_SIZE, WrittenStatementsClient
from bot.sources.written_statements.parse import (
    NEEDED,
    SOURCE,
    UNKNOWN_BODY,
    corrected_ids,
    has_links,
    parse_statement,
    statement_values,
)

log = logging.getLogger(__name__)
WINDOW_DAYS = 3
CATCH_UP_DAYS = 60
LOOK_UP_DAYS = 30
MAX_PAGES = 10
LINKS_RECHECK = timedelta(hours=6)


class WrittenStatementsSource:
    name = SOURCE
    kind = KIND
    site = "Parliament's written statements site"

    def __init__(self, client: WrittenStatementsClient, directory: Directory) -> None:
        self._client = client
        self._directory = directory
        # statement id -> (when its links were read, the ids it corrects)
        self._corrections: dict[int, tuple[datetime, tuple[str, ...]]] = {}
        self._unknown_bodies: set[str] = set()

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        today = now.astimezone(LONDON).date()
        reads = (
            instant_of((state or {}).get("read_at", {}).get(SOURCE)) for state in targets.values()
        )
        values = await self._read(window_start(reads, today), today)
        in_window = {value.get("id") for value in values}
        self._corrections = {k: v for k, v in self._corrections.items() if k in in_window}
        items = [item for value in values if (item := await self._item(value, now)) is not None]
        note_unparsed("written statements", len(values) - len(items), len(values), NEEDED)
        return await in_slices(refresh_follows(targets, items, SOURCE, now, self._directory))

    async def look_up(self, query: StatementQuery, now: datetime) -> list[StatementItem]:
        """The last weeks' statements for one follow, for its first reply and baseline."""
        today = now.astimezone(LONDON).date()
        department = self._directory.get(query.department) if query.department else None
        values = await self._read(
            today - timedelta(days=LOOK_UP_DAYS),
            today,
            answering_bodies=department.answering_bodies if department else (),
            search=" ".join(query.keywords),
        )
        items = (parse_statement(value, self._directory) for value in values)
        return [item for item in items if item is not None]

    async def _read(self, made_from: date, made_to: date, **filters: Any) -> list[dict[str, Any]]:
        values: list[dict[str, Any]] = []
        for page in range(MAX_PAGES):
            document = await self._client.list_page(
                made_from, made_to, skip=page * PAGE_SIZE, **filters
            )
            found = statement_values(document)
            values += found
            total = document.get("totalResults")
            if not found or not isinstance(total, int) or (page + 1) * PAGE_SIZE >= total:
                break
        return values

    async def _item(self, value: dict[str, Any], now: datetime) -> StatementItem | None:
        statement_id = value.get("id")
        corrects: tuple[str, ...] = ()
        if has_links(value) and isinstance(statement_id, int):
            known = self._corrections.get(statement_id)
            if known is None or now - known[0] >= LINKS_RECHECK:
                try:
                    single = await self._client.statement(statement_id)
                except UpstreamError as exc:
                    # Not remembered: the next cycle asks again.
                    log.warning("links of statement %s not read: %s", statement_id, exc)
                else:
                    known = (now, corrected_ids(single))
                    self._corrections[statement_id] = known
            corrects = known[1] if known is not None else ()
        item = parse_statement(value, self._directory, corrects)
        unknown = item.departments[0] if item is not None else ""
        if unknown.startswith(UNKNOWN_BODY) and unknown not in self._unknown_bodies:
            self._unknown_bodies.add(unknown)
            log.warning(
                "answering body %s (%r) is not in the department directory: its statements "
                "match only follows of every department",
                value.get("answeringBodyId"),
                value.get("answeringBodyName"),
            )
        return item


def window_start(
    reads: Iterable[datetime | None], today: date, window_days: int = WINDOW_DAYS
) -> date:
    """The first day to read: the last `window_days` days, or back to the day before the
    earliest of the follows' last reads (`reads`: a catch-up after an outage), at most
    CATCH_UP_DAYS back. Parliament's questions are read by the same windows."""
    start = today - timedelta(days=window_days - 1)
    last = min((moment for moment in reads if moment is not None), default=None)
    if last is not None:
        start = min(start, last.astimezone(LONDON).date() - timedelta(days=1))
    return max(start, today - timedelta(days=CATCH_UP_DAYS))
