"""A petition's alerts: each event rendered and put in its alert group, plus the surge alert.

Pure: no I/O. The groups are what a follow's settings switch on and off (bot.preferences); the
signature counts come once per granularity, each alert for the follows that chose it.
"""

from __future__ import annotations

from datetime import datetime
from functools import partial
from typing import Any

from bot.sources.base import Alert, AlertGroup
from bot.sources.petitions.detect import EventKind, PetitionEvent
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.petitions.render import render_event, render_surge
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
    EventKind.DEBATE_SCHEDULED: DEBATE,
    EventKind.DEBATE_RESCHEDULED: DEBATE,
    EventKind.DEBATE_CANCELLED: DEBATE,
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
