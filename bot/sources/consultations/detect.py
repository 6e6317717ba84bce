"""Change detection for a consultations follow: (stored state, consultations read, now) to events.

Pure: no I/O. A follow remembers each matching consultation it has seen, with what it has told
of it, until a year after its outcome (or its closing, with none). Events: opened (one first seen
that opened after the follow began), closing in 7 days, closing tomorrow (the London day before
its closing day), closed, the outcome published (with how long it took after the closing), and
**overdue**: once, when 12 weeks have passed since the closing with no outcome (the government's
own target). Clock events come whenever a cycle runs after their moment, even with nothing read.
The first look is a silent baseline: what already happened is where it stands, not news.

State: `{"since": <ISO>, "known": {<slug>: consultation_to_dict + "told": [...]}}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.sources.consultations.model import (
    OUTCOME_WITHIN_WEEKS,
    Consultation,
    ConsultationsFollow,
    consultation_from_dict,
    consultation_to_dict,
)
from bot.sources.text import LONDON
from bot.sources.values import instant_of

WEEK_BEFORE = timedelta(days=7)
TOMORROW_AT = time(8)  # London time, the day before the closing day
KEEP = timedelta(days=365)


class ConsultationEventKind(StrEnum):
    OPENED = "opened"
    CLOSING_WEEK = "closing-week"
    CLOSING_TOMORROW = "closing-tomorrow"
    CLOSED = "closed"
    OUTCOME = "outcome"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class ConsultationEvent:
    kind: ConsultationEventKind
    consultation: Consultation

    @property
    def key(self) -> str:
        return f"consultation:{self.consultation.slug}:{self.kind.value}"


def due_moments(consultation: Consultation) -> dict[ConsultationEventKind, datetime]:
    """When each clock event of a consultation falls (none without a closing date)."""
    closes = consultation.closes
    if closes is None:
        return {}
    day_before = closes.astimezone(LONDON).date() - timedelta(days=1)
    return {
        ConsultationEventKind.CLOSING_WEEK: closes - WEEK_BEFORE,
        ConsultationEventKind.CLOSING_TOMORROW: datetime.combine(
            day_before, TOMORROW_AT, tzinfo=LONDON
        ),
        ConsultationEventKind.CLOSED: closes,
        ConsultationEventKind.OVERDUE: closes + timedelta(weeks=OUTCOME_WITHIN_WEEKS),
    }


def detect_consultations(
    follow: ConsultationsFollow,
    stored: Mapping[str, Any] | None,
    seen: Iterable[Consultation],
    now: datetime,
) -> tuple[dict[str, Any], list[ConsultationEvent]]:
    since = instant_of((stored or {}).get("since")) or now
    known = {slug: dict(record) for slug, record in (stored or {}).get("known", {}).items()}
    events: list[ConsultationEvent] = []
    for consultation in seen:
        if not follow.matches(consultation):
            continue
        record = known.get(consultation.slug)
        told = set(record["told"]) if record else set()
        if record is None:
            if stored is not None and (consultation.opens or now) >= since:
                events.append(ConsultationEvent(ConsultationEventKind.OPENED, consultation))
            told.add(ConsultationEventKind.OPENED.value)
            if stored is None or consultation.has_outcome:
                told.add(ConsultationEventKind.OUTCOME.value)  # where it stood
        if consultation.has_outcome and ConsultationEventKind.OUTCOME.value not in told:
            events.append(ConsultationEvent(ConsultationEventKind.OUTCOME, consultation))
            told.add(ConsultationEventKind.OUTCOME.value)
        known[consultation.slug] = {**consultation_to_dict(consultation), "told": sorted(told)}
    for record in known.values():
        consultation = consultation_from_dict(record)
        told = set(record["told"])
        for kind, moment in due_moments(consultation).items():
            if kind.value in told or now < moment:
                continue
            told.add(kind.value)
            late = kind is ConsultationEventKind.OVERDUE and consultation.has_outcome
            # Past by the time the follow began, or overtaken (a week's notice on the last day):
            # where it stands, not news.
            overtaken = _overtaken(kind, consultation, now)
            if stored is not None and moment >= since and not late and not overtaken:
                events.append(ConsultationEvent(kind, consultation))
        record["told"] = sorted(told)
    state = {
        "since": since.isoformat(),
        "known": {slug: r for slug, r in known.items() if _kept(consultation_from_dict(r), now)},
    }
    return state, events


def _overtaken(kind: ConsultationEventKind, consultation: Consultation, now: datetime) -> bool:
    moments = due_moments(consultation)
    later = {
        ConsultationEventKind.CLOSING_WEEK: ConsultationEventKind.CLOSING_TOMORROW,
        ConsultationEventKind.CLOSING_TOMORROW: ConsultationEventKind.CLOSED,
    }.get(kind)
    return later is not None and now >= moments[later]


def _kept(consultation: Consultation, now: datetime) -> bool:
    last = consultation.outcome_at or consultation.closes
    return last is None or now - last <= KEEP + timedelta(weeks=OUTCOME_WITHIN_WEEKS)
