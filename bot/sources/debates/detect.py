"""Change detection for the debate listing: (previous listing, new listing, now) to events.

Pure: no I/O. The keys are the petition's own (`petition:<id>:debate-scheduled:<date>`, …, the
same the petitions source gives), so a chat that follows a petition and all debates hears each
change once. Only a move within the same day (a new time) has a key of its own, naming What's On's
event. A debate that first appears already long past is history, not news.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from enum import StrEnum

from bot.sources.base import AlertGroup
from bot.sources.debates.model import Debate

# A held or refused debate that enters the listing older than this is history, not news.
NEWS_FOR = timedelta(days=14)


class DebateEventKind(StrEnum):
    SCHEDULED = "debate-scheduled"
    RESCHEDULED = "debate-rescheduled"
    TIME_CHANGED = "debate-time"
    CANCELLED = "debate-cancelled"
    HELD = "debate-held"
    NOT_DEBATED = "not-debated"
    LINKS_ADDED = "debate-links"


SCHEDULING = AlertGroup("scheduling", "Scheduled, moved, cancelled")
OUTCOMES = AlertGroup("outcomes", "Held, not debated, links")
GROUPS = (SCHEDULING, OUTCOMES)
_SCHEDULING = {
    DebateEventKind.SCHEDULED,
    DebateEventKind.RESCHEDULED,
    DebateEventKind.TIME_CHANGED,
    DebateEventKind.CANCELLED,
}


def group_of(kind: DebateEventKind) -> AlertGroup:
    return SCHEDULING if kind in _SCHEDULING else OUTCOMES


@dataclass(frozen=True)
class DebateEvent:
    kind: DebateEventKind
    debate: Debate
    previous: Debate | None
    suffix: str  # what follows `petition:<id>:` in the key

    @property
    def key(self) -> str:
        return f"petition:{self.debate.petition_id}:{self.suffix}"


def detect_debates(
    previous: dict[int, Debate], new: dict[int, Debate], today: date
) -> list[DebateEvent]:
    events: list[DebateEvent] = []
    for petition_id, debate in sorted(
        new.items(), key=lambda item: (item[1].day or today, item[0])
    ):
        events += _changes(previous.get(petition_id), debate, today)
    return events


def _changes(old: Debate | None, new: Debate, today: date) -> list[DebateEvent]:
    def event(kind: DebateEventKind, suffix: str) -> list[DebateEvent]:
        return [DebateEvent(kind, new, old, f"{kind.value}{suffix}")]

    day = new.day.isoformat() if new.day else ""
    recent = new.day is None or new.day >= today - NEWS_FOR
    if new.held:
        if old is None or not old.held:
            return event(DebateEventKind.HELD, f":{day}") if recent or old else []
        added = [name for name in new.links if name not in old.links]
        return event(DebateEventKind.LINKS_ADDED, ":" + "+".join(added)) if added else []
    if new.not_debated:
        if old is None or not old.not_debated:
            return event(DebateEventKind.NOT_DEBATED, "") if recent or old else []
        return []
    was = old.day.isoformat() if old is not None and old.scheduled and old.day else ""
    if new.scheduled and not was:
        return event(DebateEventKind.SCHEDULED, f":{day}")
    if new.scheduled and was != day:
        return event(DebateEventKind.RESCHEDULED, f":{was}:{day}")
    if new.scheduled and old is not None and old.time and new.time and old.time != new.time:
        return event(DebateEventKind.TIME_CHANGED, f":{day}:{new.event_id}:{new.time}")
    if was and not new.scheduled:
        return event(DebateEventKind.CANCELLED, f":{was}")
    return []
