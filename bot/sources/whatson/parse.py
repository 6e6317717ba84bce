"""What's On events to the e-petition debates they list.

Pure: no I/O. A petition debate is an event whose description names "e-petition NNN" (usually a
Westminster Hall debate on a Monday at 16:30); one debate can be on several petitions ("e-petitions
600593 and 601234 relating to …"), and then it is each one's. Lenient: `Description` may be null,
`StartTime` null or "", times are London's 24-hour clock, and the list is in no particular order.
An event with a `CancelledDate` is cancelled. Its place is `Location`; a parliamentlive.tv link in
its `Metadata` is where to watch it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from typing import Any
from urllib.parse import urlsplit

from bot.sources.values import day_of, text_of

PUBLIC_EVENT_URL = "https://whatson.parliament.uk/event/cal{id}"
# "e-petition 600593", "e-petitions 600593 and 601234", "e-petitions 1, 2 and 3": the numbers.
_PETITIONS = re.compile(
    r"e-petitions?\s+(\d{1,9}(?:\s*(?:,|&|and)\s*(?:e-petition\s+)?\d{1,9})*)", re.IGNORECASE
)
_NUMBER = re.compile(r"\d{1,9}")
LIVE_HOST = "parliamentlive.tv"
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
    live_url: str = ""  # parliamentlive.tv, when What's On gives it

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
    numbers = (
        number for found in _PETITIONS.findall(description) for number in _NUMBER.findall(found)
    )
    return [
        ListedDebate(
            event_id=event_id,
            petition_id=int(number),
            day=day,
            time=_time(event.get("StartTime")),
            cancelled=bool(event.get("CancelledDate")),
            description=description,
            location=text_of(event.get("Location")) or text_of(event.get("Type")),
            live_url=_live_url(event.get("Metadata")),
        )
        for number in dict.fromkeys(numbers)
    ]


def _live_url(metadata: Any) -> str:
    for entry in metadata if isinstance(metadata, list) else ():
        url = text_of(entry.get("Url")) if isinstance(entry, dict) else ""
        if url.startswith("https://") and urlsplit(url).hostname in {LIVE_HOST, f"www.{LIVE_HOST}"}:
            return url
    return ""


def _time(value: Any) -> str:
    match = _TIME.match(value.strip()) if isinstance(value, str) else None
    return f"{int(match.group(1)):02d}:{match.group(2)}" if match else ""
