"""Change detection for an FOI follow: (stored state, events read, now) to alerts' events.

Pure: no I/O. A follow remembers the requests it has seen (their title, authority, the day they
were sent, the deadline, the state and what it told) and the ids of the events it has read, so
each event is told once, whichever read brings it. Events: a new request (an authority's follow:
one sent after the follow began, its title holding the keywords), a response received, a
clarification asked for, a refusal, an internal review, and **overdue**: once, from the day after
the 20th working day after it was sent, while it awaits a response (bot.sources.foi.workdays).
The first look is a silent baseline; a request first seen by a response carries no sent day, so
no deadline.

State: `{"since": <ISO>, "requests": {<url_title>: {title, body, body_name, sent, due, state,
responded, told}}, "read": [<event ids, the latest READ_KEPT>]}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.sources.foi.model import FeedEvent, FoiFollow
from bot.sources.foi.workdays import due_day
from bot.sources.text import LONDON
from bot.sources.values import instant_of

READ_KEPT = 500
KEEP = timedelta(days=180)  # a request quiet this long is forgotten
WAITING = {"waiting_response", ""}


class FoiEventKind(StrEnum):
    NEW = "new"
    RESPONSE = "response"
    CLARIFICATION = "waiting_clarification"
    REFUSED = "rejected"
    INTERNAL_REVIEW = "internal_review"
    OVERDUE = "overdue"


_STATES = {
    FoiEventKind.CLARIFICATION.value: FoiEventKind.CLARIFICATION,
    FoiEventKind.REFUSED.value: FoiEventKind.REFUSED,
    FoiEventKind.INTERNAL_REVIEW.value: FoiEventKind.INTERNAL_REVIEW,
}


@dataclass(frozen=True)
class FoiEvent:
    kind: FoiEventKind
    url_title: str
    request: Mapping[str, Any]  # the request as remembered, after this event
    on: date | None = None  # the day it happened (London)
    status: str = ""  # RESPONSE: the request's status in words, as the site has it now
    event_id: int = 0

    @property
    def key(self) -> str:
        base = f"foi:{self.url_title}:{self.kind.value}"
        return f"{base}:{self.event_id}" if self.kind is FoiEventKind.RESPONSE else base


def detect_foi(
    follow: FoiFollow, stored: Mapping[str, Any] | None, seen: Iterable[FeedEvent], now: datetime
) -> tuple[dict[str, Any], list[FoiEvent]]:
    since = instant_of((stored or {}).get("since")) or now
    requests = {k: dict(v) for k, v in (stored or {}).get("requests", {}).items()}
    read = list((stored or {}).get("read", []))
    done = set(read)
    events: list[FoiEvent] = []
    for item in sorted(seen, key=lambda e: (e.created_at, e.id)):
        if item.id in done or not follow.matches(item.url_title, item.title, item.body):
            continue
        done.add(item.id)
        read.append(item.id)
        moment = instant_of(item.created_at) or now
        news = stored is not None and moment >= since
        request = requests.setdefault(item.url_title, _new(item))
        request.update(title=item.title, state=item.request_state or request["state"])
        told = set(request["told"])
        found = _found(item, request, told, moment)
        if news:
            events += [FoiEvent(kind, item.url_title, request, *rest) for kind, *rest in found]
        told |= {kind.value for kind, *_ in found if kind is not FoiEventKind.RESPONSE}
        request["told"] = sorted(told)
    today = now.astimezone(LONDON).date()
    for url_title, request in requests.items():
        due = date.fromisoformat(request["due"]) if request.get("due") else None
        late = due is not None and today > due and not request["responded"]
        if not late or request["state"] not in WAITING or "overdue" in request["told"]:
            continue
        request["told"] = sorted({*request["told"], "overdue"})
        if stored is not None and _late_from(due) >= since:
            events.append(FoiEvent(FoiEventKind.OVERDUE, url_title, request, today))
    state = {
        "since": since.isoformat(),
        "requests": {k: v for k, v in requests.items() if _kept(v, now)},
        "read": read[-READ_KEPT:],
    }
    return state, events


def _new(item: FeedEvent) -> dict[str, Any]:
    sent = instant_of(item.created_at) if item.event_type == "sent" else None
    day = sent.astimezone(LONDON).date() if sent else None
    return {
        "title": item.title,
        "body": item.body,
        "body_name": item.body_name,
        "sent": day.isoformat() if day else None,
        "due": due_day(day).isoformat() if day else None,
        "state": item.request_state,
        "responded": False,
        "told": [],
        "last": item.created_at,
    }


def _found(
    item: FeedEvent, request: dict[str, Any], told: set[str], moment: datetime
) -> list[tuple[Any, ...]]:
    """What this one event tells of the request: (kind, day, status, event id) each."""
    day = moment.astimezone(LONDON).date()
    request["last"] = item.created_at
    found: list[tuple[Any, ...]] = []
    if item.event_type == "sent" and "new" not in told:
        found.append((FoiEventKind.NEW, day))
    if item.event_type == "response":
        request["responded"] = True
        found.append((FoiEventKind.RESPONSE, day, item.display_status, item.id))
    state_kind = _STATES.get(item.described_state)
    if state_kind is not None and state_kind.value not in told:
        found.append((state_kind, day))
    return found


def _late_from(due: date) -> datetime:
    return datetime.combine(due + timedelta(days=1), datetime.min.time(), tzinfo=LONDON)


def _kept(request: Mapping[str, Any], now: datetime) -> bool:
    last = instant_of(request.get("last"))
    return last is None or now - last <= KEEP
