"""What's On events to the e-petition debates they list.

Pure: no I/O. A petition debate is an event whose description names "e-petition NNN" (usually a
Westminster Hall debate on a Monday at 16:30). Lenient: `Description` may be null, `StartTime`
null or "", times are London's 24-hour clock, and the list is in no particular order. An event
with a `CancelledDate` is cancelled.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.sources.values import day_of, text_of

PUBLIC_EVENT_URL = "https://whatson.parliament.uk/event/cal{id}"
_PETITION = re.compile(r"e-petitions?\s+(\d{1,9})", re.IGNORECASE)
_TIME = re.compile(r"^(\d{1,2}):(\d{2})")


@dataclass(frozen=True)
class ListedDebate:
    event_id: int
    petition_id: int
    day: date
    time: str  # "16:30", or "" when not given
    cancelled: bool
    description: str
    location: str

    @property
    def url(self) -> str:
        return PUBLIC_EVENT_URL.format(id=self.event_id)


def petition_debates(events: list[dict[str, Any]]) -> dict[int, ListedDebate]:
    """The debate listed for each petition; a live event wins over a cancelled one."""
    found: dict[int, ListedDebate] = {}
    for event in events:
        for debate in _debates(event):
            known = found.get(debate.petition_id)
            if known is None or (known.cancelled and not debate.cancelled):
                found[debate.petition_id] = debate
    return found


def _debates(event: dict[str, Any]) -> list[ListedDebate]:
    description = text_of(event.get("Description"))
    event_id, day = event.get("Id"), day_of(event.get("StartDate"))
    if not isinstance(event_id, int) or day is None:
        return []
    return [
        ListedDebate(
            event_id=event_id,
            petition_id=int(number),
            day=day,
            time=_time(event.get("StartTime")),
            cancelled=bool(event.get("CancelledDate")),
            description=description,
            location=text_of(event.get("Location")) or text_of(event.get("Type")),
        )
        for number in dict.fromkeys(_PETITION.findall(description))
    ]


def _time(value: Any) -> str:
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else ""
