"""Change detection for a late-list follow: (stored state, the late list now, answers) to events.

Pure: no I/O. A petition on the late list that the follow had not seen there is news (it fell
overdue, or it now has the signatures the follow asks for); one that left it is news once its own
document shows the response, with how late it came. A petition that left for any other reason
(rejected, taken down, its threshold undone) leaves quietly. Once a day, from WEEKLY_AT London
time, the weekly late list is made: a message for the chats whose digest day it is
(`Alert.weekday`), so each chat gets it once a week, on its day. The first look is a silent
baseline.

State: `{"since": <ISO>, "late": {<petition id>: LateEntry.to_dict()}, "weekly": <the London day
the last weekly list was made>}`.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time
from enum import StrEnum
from typing import Any

from bot.sources.latelist.model import LateEntry, LateFollow
from bot.sources.petitions.deadline import days_between, london_day
from bot.sources.text import LONDON

WEEKLY_AT = time(8)


class LateEventKind(StrEnum):
    LATE = "late"
    ANSWERED = "answered"
    WEEKLY = "weekly"


@dataclass(frozen=True)
class LateEvent:
    kind: LateEventKind
    entry: LateEntry | None = None
    responded_on: date | None = None  # ANSWERED
    days_late: int = 0  # LATE: by today; ANSWERED: by the response
    listed: tuple[LateEntry, ...] = ()  # WEEKLY: the follow's late list, most overdue first
    day: date | None = None  # WEEKLY: the London day it was made


def detect_late(
    follow: LateFollow,
    stored: Mapping[str, Any] | None,
    late: list[LateEntry],
    answered: Mapping[int, date],
    gone: Collection[int],
    now: datetime,
) -> tuple[dict[str, Any], list[LateEvent]]:
    """`late`: the whole late list now; `answered`: petitions that left it with a response (the
    day it came); `gone`: petitions that left it without one."""
    today = london_day(now)
    mine = {entry.id: entry for entry in late if follow.matches(entry)}
    before = {int(k): LateEntry.from_dict(v) for k, v in (stored or {}).get("late", {}).items()}
    events: list[LateEvent] = []
    kept = dict(mine)
    for petition_id, entry in before.items():
        if petition_id in mine:
            continue
        if petition_id in answered:
            responded = answered[petition_id]
            events.append(
                LateEvent(
                    LateEventKind.ANSWERED,
                    entry,
                    responded,
                    days_between(entry.due, responded),
                )
            )
        elif petition_id not in gone:
            kept[petition_id] = entry  # not known yet why it left: asked again next cycle
    if stored is not None:
        events += [
            LateEvent(LateEventKind.LATE, entry, days_late=days_between(entry.due, today))
            for petition_id, entry in mine.items()
            if petition_id not in before
        ]
    weekly = (stored or {}).get("weekly")
    local = now.astimezone(LONDON)
    if local.time() >= WEEKLY_AT and weekly != today.isoformat():
        if stored is not None:
            listed = sorted(mine.values(), key=lambda e: (e.due, e.id))
            events.append(LateEvent(LateEventKind.WEEKLY, listed=tuple(listed), day=today))
        weekly = today.isoformat()
    state = {
        "since": (stored or {}).get("since") or now.isoformat(),
        "late": {str(k): v.to_dict() for k, v in sorted(kept.items())},
        "weekly": weekly,
    }
    return state, events
