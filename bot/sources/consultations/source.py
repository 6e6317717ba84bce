"""The GOV.UK consultations source: one search a cycle serves every consultations follow.

Each cycle searches GOV.UK for the newest consultations (open, closed, with an outcome) of every
followed department (and of the departments of followed consultations), newest first. A
consultation's dates and outcome are on its page, read through the content API only when the
search shows it new, or changed (its document type or timestamp moved: an outcome published);
what was read is remembered in the follows' states, so a restart reads nothing again. At most
READS_A_CYCLE pages a cycle; the rest wait for the next. A followed consultation no search shows
is read on its own once, for its baseline. Clock events (closing, overdue) need no request.
Requests grow with consultations, never with follows or chats.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from bot.http import UpstreamError
from bot.slices import in_slices
from bot.sources.base import Alert, AlertGroup, Refresh
from bot.sources.consultations.detect import ConsultationEventKind, detect_consultations
from bot.sources.consultations.model import (
    DOCUMENT_TYPES,
    KIND,
    PATH,
    Consultation,
    ConsultationsFollow,
    consultation_from_dict,
)
from bot.sources.consultations.parse import Listed, parse_content, parse_listed
from bot.sources.consultations.render import render_alert
from bot.sources.departments.directory import Directory
from bot.sources.govuk.client import GovukClient

log = logging.getLogger(__name__)
SEARCH_COUNT = 100
READS_A_CYCLE = 20
FIELDS = ("title", "link", "public_timestamp", "content_store_document_type", "organisations")

NEW = AlertGroup("opened", "New consultations")
CLOSING = AlertGroup("closing", "Closing soon and closed")
OUTCOMES = AlertGroup("outcome", "Outcomes, and outcomes overdue")
GROUPS = (NEW, CLOSING, OUTCOMES)
_GROUP_OF = {
    ConsultationEventKind.OPENED: NEW,
    ConsultationEventKind.CLOSING_WEEK: CLOSING,
    ConsultationEventKind.CLOSING_TOMORROW: CLOSING,
    ConsultationEventKind.CLOSED: CLOSING,
    ConsultationEventKind.OUTCOME: OUTCOMES,
    ConsultationEventKind.OVERDUE: OUTCOMES,
}


class ConsultationsSource:
    name = KIND
    kind = KIND
    site = "GOV.UK"

    def __init__(self, client: GovukClient, directory: Directory) -> None:
        self._client = client
        self._directory = directory

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        follows = {ident: ConsultationsFollow.from_ident(ident) for ident in targets}
        remembered = _remembered(targets.values())
        listed = await self.search(self._organisations(follows.values(), remembered))
        wanted = {entry.slug: entry for entry in listed}
        for follow in follows.values():
            if follow.department is None and follow.page not in wanted | remembered:
                wanted[follow.page] = Listed(follow.page, "", "")
        fresh: list[Consultation] = []
        reads = 0
        for entry in wanted.values():
            known = remembered.get(entry.slug)
            if known is not None and (known.stamp, known.document_type) == (
                entry.stamp,
                entry.document_type,
            ):
                fresh.append(known)
            elif reads < READS_A_CYCLE:
                reads += 1
                read = await self._read(entry)
                if read is not None:
                    fresh.append(read)
        return await in_slices(self._refresh(follows, targets, fresh, now))

    def _refresh(
        self,
        follows: Mapping[str, ConsultationsFollow],
        targets: Mapping[str, dict[str, Any] | None],
        fresh: list[Consultation],
        now: datetime,
    ) -> Iterator[tuple[str, Refresh]]:
        for ident, follow in follows.items():
            stored = targets[ident]
            state, events = detect_consultations(follow, stored, fresh, now)
            alerts = [
                Alert(event.key, render_alert(event, follow), group=_GROUP_OF[event.kind])
                for event in events
            ]
            yield ident, Refresh(state, alerts)

    async def search(self, organisations: list[str]) -> list[Listed]:
        if not organisations:
            return []
        document = await self._client.search(
            organisations, count=SEARCH_COUNT, document_types=DOCUMENT_TYPES, fields=FIELDS
        )
        return parse_listed(document)

    async def find(self, slug: str) -> Consultation | None:
        """One consultation by its slug; None when GOV.UK has no such consultation."""
        return await self._read(Listed(slug, "", ""), quietly=False)

    async def _read(self, entry: Listed, quietly: bool = True) -> Consultation | None:
        try:
            document = await self._client.content(f"{PATH}{entry.slug}")
        except UpstreamError as exc:
            if not quietly:
                raise
            log.warning("consultation %s not read: %s", entry.slug, exc)
            return None
        return parse_content(document, entry, self._directory)

    def _organisations(self, follows: Any, remembered: Mapping[str, Consultation]) -> list[str]:
        """Every GOV.UK slug the followed departments have had, and the followed
        consultations' departments."""
        slugs: list[str] = []
        for follow in follows:
            if follow.department is not None:
                department = self._directory.get(follow.department)
                slugs += department.slugs if department else [follow.department]
            elif follow.page in remembered:
                slugs += remembered[follow.page].departments
        return sorted(set(slugs))


def _remembered(states: Any) -> dict[str, Consultation]:
    """What the follows know of each consultation: a read a restart need not repeat."""
    known: dict[str, Consultation] = {}
    for state in states:
        for slug, record in (state or {}).get("known", {}).items():
            known.setdefault(slug, consultation_from_dict(record))
    return known


def recent(state: Mapping[str, Any], shown: int = 8) -> list[Consultation]:
    """The follow's consultations, the latest closing first."""
    found = [consultation_from_dict(record) for record in state.get("known", {}).values()]
    found.sort(key=lambda c: c.closes.isoformat() if c.closes else "", reverse=True)
    return found[:shown]
