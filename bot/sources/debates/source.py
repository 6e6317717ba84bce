"""The debates source: the petitions site's debate lists and What's On's calendar, once a cycle.

Reads the `awaiting_debate` facet (scheduled debates come first, so a few pages hold them all),
the newest page of `debated` and `not_debated`, and the Commons' events of the next four weeks
(the calendar the petitions source shares); joins them into the listing and compares it with the
stored one, and says the reminders due since the last read. Any fault in any of them skips the
cycle, so a half-read listing never looks like a cancellation.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from bot.sources.base import Alert, Refresh
from bot.sources.debates.detect import detect_debates, group_of
from bot.sources.debates.model import (
    KIND,
    Debate,
    checked_at,
    join,
    listing_from_state,
    listing_to_state,
)
from bot.sources.debates.render import render_alert
from bot.sources.petitions.client import PetitionClient
from bot.sources.petitions.debating import remembered
from bot.sources.petitions.model import PetitionSnapshot, has_next_page, parse_list
from bot.sources.text import LONDON
from bot.sources.whatson.calendar import DebateCalendar

AWAITING_PAGES = 4


class DebatesSource:
    name = KIND
    kind = KIND
    site = "Parliament's debate listings"

    def __init__(self, petitions: PetitionClient, calendar: DebateCalendar) -> None:
        self._petitions = petitions
        self._calendar = calendar

    async def read(self, now: datetime) -> dict[int, Debate]:
        """The listing as the sources say it is now."""
        awaiting = await self._facet("awaiting_debate", AWAITING_PAGES, now)
        debated = await self._facet("debated", 1, now)
        not_debated = await self._facet("not_debated", 1, now)
        return join(awaiting, debated, not_debated, await self._calendar.listing(now))

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        listing = await self.read(now)
        refreshes = {}
        for ident, stored in targets.items():
            before = listing_from_state(stored) if stored is not None else {}
            new = {
                pid: replace(debate, sitting=remembered(before[pid].sitting, debate.sitting))
                if pid in before
                else debate
                for pid, debate in listing.items()
            }
            events = (
                []
                if stored is None
                else detect_debates(before, new, london_day(now), checked_at(stored), now)
            )
            state = listing_to_state(new, now)
            alerts = [
                Alert(
                    e.key,
                    render_alert(e),
                    group=group_of(e.news),
                    told=(e.topic, e.told) if e.told is not None else None,
                )
                for e in events
            ]
            refreshes[ident] = Refresh(state, alerts)
        return refreshes

    async def _facet(self, facet: str, pages: int, now: datetime) -> list[PetitionSnapshot]:
        snapshots: list[PetitionSnapshot] = []
        for page in range(1, pages + 1):
            document = await self._petitions.fetch_list(facet, page)
            snapshots += parse_list(document, observed_at=now)
            if not has_next_page(document):
                break
        return snapshots


def london_day(now: datetime) -> date:
    return now.astimezone(LONDON).date()
