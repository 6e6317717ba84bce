"""The petitions source: fetch each followed petition once, parse, carry memory, detect, render.

Glue between the client (I/O) and the pure model, detection and rendering. The stored state of
a petition target is `{"snapshot": <snapshot_to_dict>, "validator": <Last-Modified or null>,
"history": <trend.record: recent counts>}`.
Petitions are still polled one request each (behind the per-source interface).
"""

from __future__ import annotations

import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.http import UpstreamError
from bot.sources.base import Alert, Refresh, refresh_each
from bot.sources.petitions.client import (
    LIST_PAGE_SIZE,
    FetchStatus,
    PetitionClient,
    PetitionFetch,
)
from bot.sources.petitions.detect import carry_forward, detect_events
from bot.sources.petitions.model import (
    PetitionParseError,
    PetitionSnapshot,
    has_next_page,
    mark_observed,
    parse_list,
    parse_petition,
    snapshot_from_dict,
    snapshot_to_dict,
)
from bot.sources.petitions.render import render_event
from bot.sources.petitions.trend import record

log = logging.getLogger(__name__)
KIND = "petition"
AWAITING_RESPONSE_FOR = timedelta(minutes=1)
AWAITING_RESPONSE_PAGES = 10


class LookupProblem(StrEnum):
    NOT_FOUND = "not-found"
    NOT_PUBLIC = "not-public"
    REMOVED = "removed"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class PetitionLookup:
    """A fresh look at one petition: its snapshot and storable state, or why there is none."""

    snapshot: PetitionSnapshot | None = None
    state: dict[str, Any] | None = None
    problem: LookupProblem | None = None


def snapshot_from_state(state: dict[str, Any]) -> PetitionSnapshot:
    return snapshot_from_dict(state["snapshot"])


def _state(snapshot: PetitionSnapshot, validator: str | None, history: Any = ()) -> dict[str, Any]:
    history = record(history, snapshot.observed_at, snapshot.signature_count)
    return {"snapshot": snapshot_to_dict(snapshot), "validator": validator, "history": history}


class PetitionSource:
    name = "petitions"
    kind = KIND

    def __init__(self, client: PetitionClient) -> None:
        self._client = client
        self._awaiting: tuple[datetime, list[PetitionSnapshot]] | None = None

    async def awaiting_response(self, now: datetime) -> list[PetitionSnapshot]:
        """Every petition awaiting a government response (the site's `awaiting_response` list,
        oldest threshold first), read afresh at most once a minute."""
        if self._awaiting is not None and now - self._awaiting[0] < AWAITING_RESPONSE_FOR:
            return self._awaiting[1]
        petitions: list[PetitionSnapshot] = []
        for page in range(1, AWAITING_RESPONSE_PAGES + 1):
            document = await self._client.fetch_list("awaiting_response", page)
            petitions += parse_list(document, observed_at=now)
            if not has_next_page(document):
                break
        self._awaiting = (now, petitions)
        return petitions

    async def search(
        self, words: str, offset: int, count: int, now: datetime
    ) -> tuple[list[PetitionSnapshot], bool]:
        """`count` open petitions matching `words` from `offset`, most signed first, and whether
        there are more."""
        document = await self._client.fetch_list("open", offset // LIST_PAGE_SIZE + 1, words)
        found = parse_list(document, observed_at=now)
        start = offset % LIST_PAGE_SIZE
        more = len(found) > start + count or has_next_page(document)
        return found[start : start + count], more

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        return await refresh_each(KIND, targets, lambda ident, s: self.refresh(ident, s, now))

    async def look_up(self, petition_id: int, now: datetime) -> PetitionLookup:
        """Fetch a petition afresh, for a command; upstream faults become UNAVAILABLE."""
        try:
            fetched = await self._client.fetch(petition_id)
            if fetched.status is FetchStatus.OK:
                snapshot = carry_forward(None, self._parse(petition_id, fetched, now))
                return PetitionLookup(snapshot, _state(snapshot, fetched.validator))
        except UpstreamError as exc:
            log.warning("petition %s could not be looked up: %s", petition_id, exc)
            return PetitionLookup(problem=LookupProblem.UNAVAILABLE)
        problems = {
            FetchStatus.NOT_FOUND: LookupProblem.NOT_FOUND,
            FetchStatus.GONE: LookupProblem.REMOVED,
        }
        return PetitionLookup(problem=problems.get(fetched.status, LookupProblem.NOT_PUBLIC))

    async def refresh(
        self, ident: str, stored: dict[str, Any] | None, now: datetime
    ) -> Refresh | None:
        petition_id = int(ident)
        if stored is None:
            looked = await self.look_up(petition_id, now)
            if looked.problem is LookupProblem.UNAVAILABLE:
                raise UpstreamError(f"petition {petition_id} is unavailable")
            return None if looked.state is None else Refresh(looked.state)

        previous = snapshot_from_state(stored)
        validator = stored.get("validator")
        fetched = await self._client.fetch(
            petition_id, archived=previous.archived, if_modified_since=validator
        )
        if fetched.status is FetchStatus.OK:
            new = carry_forward(previous, self._parse(petition_id, fetched, now))
            validator = fetched.validator
        elif fetched.status is FetchStatus.NOT_MODIFIED:
            # Nothing new upstream, but the clock still moves: overdue and closing-soon checks.
            new = mark_observed(previous, now)
        elif fetched.status is FetchStatus.GONE:
            new, validator = mark_observed(previous, now, removed=True), None
        else:
            log.warning("petition %s is %s now; keeping what we had", petition_id, fetched.status)
            return None
        events = detect_events(previous, new, now)
        alerts = [Alert(event.key, render_event(event)) for event in events]
        return Refresh(_state(new, validator, stored.get("history")), alerts)

    @staticmethod
    def _parse(petition_id: int, fetched: PetitionFetch, now: datetime) -> PetitionSnapshot:
        try:
            parsed = parse_petition(fetched.document, observed_at=now, archived=fetched.archived)
        except PetitionParseError as exc:
            raise UpstreamError(f"petition {petition_id}: not a petition document: {exc}") from None
        if parsed.id != petition_id:
            # A mixed-up cache or proxy: the other petition's facts are not this one's news.
            raise UpstreamError(f"petition {petition_id}: the site sent petition {parsed.id}")
        return parsed
