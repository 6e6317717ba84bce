"""The late-list source: the petitions site's awaiting-response list serves every late-list follow.

Each cycle reads the `awaiting_response` list (every petition past 10,000 signatures with no
response; a few pages, read at most once a minute and shared with /overdue) and works out which
are past their deadline (bot.sources.petitions.lists.late_list). A petition that left the late
list is read once, on its own, to learn whether the response came and when: one request per
petition answered, whoever follows. Requests grow with late petitions, never with follows.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from dataclasses import replace
from datetime import date, datetime
from typing import Any

from bot.http import UpstreamError
from bot.slices import in_slices
from bot.sources.base import Alert, AlertGroup, Refresh
from bot.sources.departments.directory import Directory
from bot.sources.latelist.detect import LateEventKind, detect_late
from bot.sources.latelist.model import KIND, LateEntry, LateFollow
from bot.sources.latelist.render import render_alert
from bot.sources.petitions.deadline import due_day, london_day
from bot.sources.petitions.lists import late_list
from bot.sources.petitions.source import LookupProblem, PetitionSource

log = logging.getLogger(__name__)
FELL_LATE = AlertGroup("late", "Petitions falling overdue")
ANSWERED = AlertGroup("answered", "Late responses")
WEEKLY = AlertGroup("weekly", "The weekly late list")
GROUPS = (FELL_LATE, ANSWERED, WEEKLY)
_GROUP_OF = {
    LateEventKind.LATE: FELL_LATE,
    LateEventKind.ANSWERED: ANSWERED,
    LateEventKind.WEEKLY: WEEKLY,
}


class LateListSource:
    name = KIND
    kind = KIND
    site = "the petitions site"

    def __init__(self, petitions: PetitionSource, directory: Directory) -> None:
        self._petitions = petitions
        self._directory = directory

    async def late(self, now: datetime) -> list[LateEntry]:
        """The late list now, most overdue first; each department by its current GOV.UK slug,
        so a follow matches across a rename."""
        awaiting = await self._petitions.awaiting_response(now)
        entries = []
        for late in late_list(awaiting, now):
            reached = late.petition.response_threshold_reached_at
            if reached is None:
                continue
            entry = LateEntry.of(late, due_day(reached))
            departments = tuple(
                (self._directory.canonical(slug), name) for slug, name in entry.departments
            )
            entries.append(replace(entry, departments=departments))
        return entries

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        late = await self.late(now)
        listed = {entry.id for entry in late}
        left = {
            int(petition_id)
            for state in targets.values()
            for petition_id in (state or {}).get("late", {})
        } - listed
        answered, gone = await self._why_left(left, now)
        return await in_slices(self._refresh(targets, late, answered, gone, now))

    def _refresh(
        self,
        targets: Mapping[str, dict[str, Any] | None],
        late: list[LateEntry],
        answered: Mapping[int, date],
        gone: set[int],
        now: datetime,
    ) -> Iterator[tuple[str, Refresh]]:
        for ident, stored in targets.items():
            follow = LateFollow.from_ident(ident)
            department = self._directory.get(follow.department) if follow.department else None
            state, events = detect_late(follow, stored, late, answered, gone, now)
            alerts = [
                Alert(
                    _key(ident, event),
                    render_alert(event, follow, department.name if department else None),
                    _same_as(event),
                    _GROUP_OF[event.kind],
                    weekday=event.day.weekday() if event.day else None,
                )
                for event in events
            ]
            yield ident, Refresh(state, alerts)

    async def _why_left(self, left: set[int], now: datetime) -> tuple[dict[int, date], set[int]]:
        """Of the petitions that left the late list: those answered (and when), and those gone
        for another reason. One that can't be read now is in neither: asked again next time."""
        answered: dict[int, date] = {}
        gone: set[int] = set()
        for petition_id in sorted(left):
            try:
                looked = await self._petitions.look_up(petition_id, now)
            except UpstreamError as exc:
                log.warning("petition %s, off the late list, not read: %s", petition_id, exc)
                continue
            petition = looked.snapshot
            if petition is None:
                if looked.problem is not LookupProblem.UNAVAILABLE:
                    gone.add(petition_id)
                continue
            responded = petition.response.responded_on if petition.response else None
            if responded is None and petition.government_response_at is not None:
                responded = london_day(petition.government_response_at)
            if responded is not None:
                answered[petition_id] = responded
            else:
                gone.add(petition_id)
        return answered, gone


def _key(ident: str, event: Any) -> str:
    if event.kind is LateEventKind.WEEKLY:
        return f"{KIND}:{ident}:weekly:{event.day.isoformat()}"
    return f"{KIND}:petition:{event.entry.id}:{event.kind.value}:{event.entry.due.isoformat()}"


def _same_as(event: Any) -> tuple[str, ...]:
    """The petition's own key for the same news, for a chat that follows the petition too."""
    entry = event.entry
    if event.kind is LateEventKind.LATE:
        return (f"petition:{entry.id}:overdue:{entry.reached.isoformat()}:0",)
    if event.kind is LateEventKind.ANSWERED:
        return (f"petition:{entry.id}:response:{event.responded_on.isoformat()}",)
    return ()
