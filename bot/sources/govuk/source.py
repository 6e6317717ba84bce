"""The GOV.UK statements source: two searches per cycle serve every statements follow.

The first asks for the statement document types of every department anyone follows (or of all
departments, when a follow is for any; a department under every slug it has had), newest first,
and pages back until it reaches what every follow has already read (its `checked_to`), or the page
limit: new items, and items with a major update. The second asks for the items GOV.UK indexed
again since the last read (any change re-indexes an item): so an update or a withdrawal of an
item published months ago, long off the first page, is seen within a cycle. Matching departments
and keywords is local (statements.follows), so requests don't grow with follows or chats.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.slices import in_slices
from bot.sources.base import Refresh
from bot.sources.departments.directory import Directory
from bot.sources.govuk.client import GovukClient
from bot.sources.govuk.parse import SOURCE, parse_results
from bot.sources.statements.follows import refresh_follows
from bot.sources.statements.model import StatementItem
from bot.sources.statements.query import KIND, StatementQuery
from bot.sources.values import instant_of

PAGE_SIZE = 100
# Back to the watermark, at most this many pages: 2,000 items, two weeks of every department's.
MAX_PAGES = 20
# Reading back a little before the watermark catches items GOV.UK indexed late.
OVERLAP = timedelta(hours=1)
# The re-indexed items of the last day at most: a longer gap is the catch-up's.
REINDEXED_AT_MOST = timedelta(days=1)


class GovukStatementsSource:
    name = SOURCE
    kind = KIND
    site = "GOV.UK"

    def __init__(self, client: GovukClient, directory: Directory) -> None:
        self._client = client
        self._directory = directory

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        queries = [StatementQuery.from_ident(ident) for ident in targets]
        departments = self._organisations(queries)
        items = await self.read_back(departments, _watermark(targets.values()))
        last_read = _last_read(targets.values())
        if last_read is not None:
            since = max(last_read - OVERLAP, now - REINDEXED_AT_MOST)
            items += await self._pages(departments, reindexed_since=since)
        unique = list({item.id: item for item in items}.values())
        newest = max((item.stamp for item in unique), default=None)
        return await in_slices(
            refresh_follows(targets, unique, SOURCE, now, self._directory, newest)
        )

    def _organisations(self, queries: list[StatementQuery]) -> list[str] | None:
        """The slugs to ask for (a department under each it has had); None: every one."""
        if any(q.department is None for q in queries):
            return None
        return sorted({slug for q in queries if q.department for slug in self._slugs(q.department)})

    def _slugs(self, slug: str) -> tuple[str, ...]:
        department = self._directory.get(slug)
        return department.slugs if department is not None else (slug,)

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

    async def _pages(
        self, departments: list[str] | None, *, reindexed_since: datetime
    ) -> list[StatementItem]:
        items: list[StatementItem] = []
        for page in range(MAX_PAGES):
            document = await self._client.search(
                departments,
                start=page * PAGE_SIZE,
                count=PAGE_SIZE,
                reindexed_since=reindexed_since,
            )
            items += parse_results(document, self._directory)
            results = document.get("results")
            if not isinstance(results, list) or len(results) < PAGE_SIZE:
                break
        return items

    async def look_up(self, query: StatementQuery) -> list[StatementItem]:
        """The latest items for one follow, for its first reply and baseline."""
        department = self._directory.get(query.department) if query.department else None
        slugs = (
            list(department.slugs)
            if department
            else ([query.department] if query.department else None)
        )
        document = await self._client.search(slugs, query.keywords, count=20)
        return parse_results(document, self._directory)


def _watermark(states: Iterable[dict[str, Any] | None]) -> datetime | None:
    """How far back every follow has read already, less the overlap; None: only the first page."""
    read = [
        instant_of(state.get("checked_to", {}).get(SOURCE)) for state in states if state is not None
    ]
    if not read or None in read:
        return None
    return min(read) - OVERLAP  # type: ignore[type-var,operator]


def _last_read(states: Iterable[dict[str, Any] | None]) -> datetime | None:
    """When every follow was last read from GOV.UK; None while one never was."""
    read = [instant_of((state or {}).get("read_at", {}).get(SOURCE)) for state in states]
    if not read or None in read:
        return None
    return min(read)  # type: ignore[type-var]
