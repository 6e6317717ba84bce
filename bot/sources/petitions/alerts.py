"""A petition's alerts: each event rendered and put in its alert group, plus the surge alert.

Pure: no I/O. The groups are what a follow's settings switch on and off (bot.preferences); the
signature counts come once per granularity, each alert for the follows that chose it. News that
replaces what was said before carries its told value, and a closing at a dissolution is bundled
with the other petitions that closed then (bot.sources.base.Bundle), so a chat hears it once. The
count alerts carry the line for a chat's constituency, when the petition's document was read.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from bot.sources.base import Alert, AlertGroup, Bundle
from bot.sources.petitions.detect import EventKind, PetitionEvent
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.petitions.places import place_line
from bot.sources.petitions.render import (
    dissolution_bundle_line,
    dissolution_bundle_text,
    render_event,
    render_surge,
)
from bot.sources.petitions.trend import pace, surge

SIGNATURES = AlertGroup("signatures", "Signatures")
RESPONSE = AlertGroup("response", "Government response")
DEBATE = AlertGroup("debate", "Debate")
STATE = AlertGroup("state", "Petition state")
SURGE = AlertGroup("surge", "Surges", default=False)
GROUPS = (SIGNATURES, RESPONSE, DEBATE, STATE, SURGE)

_GROUP_OF = {
    EventKind.MILESTONE: SIGNATURES,
    EventKind.RESPONSE_THRESHOLD: SIGNATURES,
    EventKind.DEBATE_THRESHOLD: SIGNATURES,
    EventKind.RESPONSE_PUBLISHED: RESPONSE,
    EventKind.RESPONSE_EDITED: RESPONSE,
    EventKind.RESPONSE_OVERDUE: RESPONSE,
    EventKind.DEBATE_SCHEDULING: DEBATE,
    EventKind.DEBATE_REMINDER: DEBATE,
    EventKind.DEBATE_HELD: DEBATE,
    EventKind.NOT_DEBATED: DEBATE,
    EventKind.DEBATE_LINKS: DEBATE,
    EventKind.OTHER_BUSINESS: DEBATE,
    EventKind.CLOSING_SOON: STATE,
    EventKind.CLOSED: STATE,
    EventKind.CLOSING_DATE_CHANGED: STATE,
    EventKind.REJECTED: STATE,
    EventKind.REMOVED: STATE,
    EventKind.RESTORED: STATE,
    EventKind.ARCHIVED: STATE,
}


def petition_alerts(
    events: list[PetitionEvent], petition: PetitionSnapshot, history: Any, now: datetime
) -> list[Alert]:
    """The alerts for `events`, and a surge alert when `history` (trend.record's) shows one."""
    alerts = [
        Alert(
            event.key,
            render_event(event),
            group=_GROUP_OF[event.kind],
            granularity=event.detail.granularity if event.kind is EventKind.MILESTONE else "",
            dated=partial(render_event, event),
            told=event.told,
            bundle=_bundle(event),
            local=partial(place_line, petition.constituencies) if event.kind in _COUNTS else None,
        )
        for event in events
    ]
    if petition.state == "open" and not petition.removed:
        recent = pace(history, now, petition.signature_count)
        times = surge(recent)
        if times is not None:
            key = f"petition:{petition.id}:surge:{now.date().isoformat()}"  # one a day at most
            alerts.append(Alert(key, render_surge(petition, recent, times), group=SURGE))
    return alerts


# The alerts that say how many signed: each chat hears how its own constituency did too.
_COUNTS = {EventKind.MILESTONE, EventKind.RESPONSE_THRESHOLD, EventKind.DEBATE_THRESHOLD}


def _bundle(event: PetitionEvent) -> Bundle | None:
    if event.kind is not EventKind.CLOSED or event.detail is None:
        return None
    title, head, foot = dissolution_bundle_text(event.detail)
    key = f"petition:dissolution:{event.detail.day.isoformat()}"
    return Bundle(key, title, head, dissolution_bundle_line(event.petition), foot)
