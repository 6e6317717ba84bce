"""The GOV.UK statements source: one search per cycle serves every statements follow.

The query asks for the statement document types of every department anyone follows (or of all
departments, when a follow is for any), newest first, and pages back until it reaches what
every follow has already read (its `checked_to`), or the page limit. Matching departments and
keywords is local (statements.follows), so requests don't grow with follows or chats.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.sources.base import Refresh
from bot.sources.departments.directory import Directory
from bot.sources.govuk.client import GovukClient
from bot.sources.govuk.parse import SOURCE, parse_results
from bot.sources.statements.follows import refresh_follows
from bot.sources.statements.model import StatementItem
from bot.sources.statements.query import KIND, StatementQuery
from bot.sources.values import instant_of

PAGE_SIZE = 50
MAX_PAGES = 5
# Reading back a little before the watermark catches items GOV.UK indexed late.
OVERLAP = timedelta(hours=1)


class GovukStatementsSource:
    name = SOURCE
    kind = KIND

    def __init__(self, client: GovukClient, directory: Directory) -> None:
        self._client = client
        self._directory = directory

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        queries = [StatementQuery.from_ident(ident) for ident in targets]
        departments = (
            None
            if any(q.department is None for q in queries)
            else sorted({q.department for q in queries if q.department})
        )
        items = await self.read_back(departments, _watermark(targets.values()))
        newest = max((item.stamp for item in items), default=None)
        return refresh_follows(targets, items, SOURCE, now, newest)

    async def read_back(
        self, departments: list[str] | None, watermark: datetime | None
    ) -> list[StatementItem]:
        """The newest page always (withdrawals don't move an item), then further pages while
        they are newer than `watermark`."""
        items: list[StatementItem] = []
        for page in range(MAX_PAGES):
            document = await self._client.search(
                departments, start=page * PAGE_SIZE, count=PAGE_SIZE
            )
            found = parse_results(document, self._directory)
            items += found
            results = document.get("results")
            if watermark is None or not isinstance(results, list) or len(results) < PAGE_SIZE:
                break
            if not found or min(instant_of(i.stamp) or watermark for i in found) <= watermark:
                break
        return items

    async def look_up(self, query: StatementQuery) -> list[StatementItem]:
        """The latest items for one follow, for its first reply and baseline."""
        departments = [query.department] if query.department else None
        document = await self._client.search(departments, query.keywords, count=20)
        return parse_results(document, self._directory)


def _watermark(states: Any) -> datetime | None:
    """How far back every follow has read already, less the overlap; None: only the first page."""
    read = [
        instant_of(state.get("checked_to", {}).get(SOURCE)) for state in states if state is not None
    ]
    if not read or None in read:
        return None
    return min(read) - OVERLAP  # type: ignore[type-var,operator]
