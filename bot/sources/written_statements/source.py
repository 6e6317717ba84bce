"""The written statements source: one date-window query per cycle serves every statements follow.

Reads the statements made in the last few days (both Houses, every department: a few dozen),
pages with `skip`, and matches them to each follow locally. A statement with linked statements
is fetched once on its own (and remembered while it stays in the window) to learn whether it
corrects an earlier one. Requests grow with statements, never with follows or chats.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import Any

from bot.http import UpstreamError
from bot.sources.base import Refresh
from bot.sources.departments.directory import Directory
from bot.sources.statements.follows import refresh_follows
from bot.sources.statements.model import StatementItem
from bot.sources.statements.query import KIND, StatementQuery
from bot.sources.text import LONDON
from bot.sources.written_statements.client import PAGE_SIZE, WrittenStatementsClient
from bot.sources.written_statements.parse import (
    SOURCE,
    corrected_ids,
    has_links,
    parse_statement,
    statement_values,
)

log = logging.getLogger(__name__)
WINDOW_DAYS = 3
LOOK_UP_DAYS = 30
MAX_PAGES = 5


class WrittenStatementsSource:
    name = SOURCE
    kind = KIND

    def __init__(self, client: WrittenStatementsClient, directory: Directory) -> None:
        self._client = client
        self._directory = directory
        self._corrections: dict[int, tuple[str, ...]] = {}  # statement id -> ids it corrects

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        today = now.astimezone(LONDON).date()
        values = await self._read(today - timedelta(days=WINDOW_DAYS - 1), today)
        in_window = {value.get("id") for value in values}
        self._corrections = {k: v for k, v in self._corrections.items() if k in in_window}
        items = [item for value in values if (item := await self._item(value)) is not None]
        return refresh_follows(targets, items, SOURCE, now)

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

    async def _item(self, value: dict[str, Any]) -> StatementItem | None:
        statement_id = value.get("id")
        corrects: tuple[str, ...] = ()
        if has_links(value) and isinstance(statement_id, int):
            if statement_id not in self._corrections:
                try:
                    single = await self._client.statement(statement_id)
                except UpstreamError as exc:
                    # Not remembered: the next cycle asks again.
                    log.warning("links of statement %s not read: %s", statement_id, exc)
                else:
                    self._corrections[statement_id] = corrected_ids(single)
            corrects = self._corrections.get(statement_id, ())
        return parse_statement(value, self._directory, corrects)
