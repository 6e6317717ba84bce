"""A consultation as the bot keeps it, what a follow asks for, and the storage forms.

Pure: no I/O. A follow is a department's consultations (ident: its GOV.UK slug) or one
consultation (`page:<slug>`, the end of its `/government/consultations/<slug>` path).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from bot.sources.values import instant_of

KIND = "consultations"
PAGE = "page"
PATH = "/government/consultations/"
SITE = "https://www.gov.uk"
# The government's own target: an outcome within 12 weeks of closing.
OUTCOME_WITHIN_WEEKS = 12
OPEN, CLOSED, OUTCOME = "open_consultation", "closed_consultation", "consultation_outcome"
DOCUMENT_TYPES = (OPEN, CLOSED, OUTCOME)


@dataclass(frozen=True)
class Consultation:
    slug: str  # the end of its path
    title: str
    stamp: str  # its search `public_timestamp`: moves when it is updated (an outcome, say)
    document_type: str  # open_consultation | closed_consultation | consultation_outcome
    departments: tuple[str, ...]  # GOV.UK slugs, current ones, the lead first
    department_name: str
    opens: datetime | None
    closes: datetime | None
    outcome_at: datetime | None  # when the outcome was published, if it has been
    summary: str  # one plain line

    @property
    def url(self) -> str:
        return f"{SITE}{PATH}{self.slug}"

    @property
    def has_outcome(self) -> bool:
        return self.document_type == OUTCOME


_INSTANTS = ("opens", "closes", "outcome_at")


def consultation_to_dict(consultation: Consultation) -> dict[str, Any]:
    stored = {f.name: getattr(consultation, f.name) for f in fields(consultation)}
    for name in _INSTANTS:
        stored[name] = stored[name].isoformat() if stored[name] else None
    stored["departments"] = list(consultation.departments)
    return stored


def consultation_from_dict(stored: dict[str, Any]) -> Consultation:
    values = {f.name: stored.get(f.name) for f in fields(Consultation)}
    for name in _INSTANTS:
        values[name] = instant_of(values[name])
    values["departments"] = tuple(values["departments"] or ())
    return Consultation(**values)


@dataclass(frozen=True)
class ConsultationsFollow:
    department: str | None = None  # a GOV.UK slug
    page: str = ""  # one consultation's slug

    @property
    def ident(self) -> str:
        return self.department if self.department is not None else f"{PAGE}:{self.page}"

    @classmethod
    def from_ident(cls, ident: str) -> ConsultationsFollow:
        head, _, rest = ident.partition(":")
        return cls(page=rest) if head == PAGE and rest else cls(department=ident)

    def matches(self, consultation: Consultation) -> bool:
        if self.department is None:
            return consultation.slug == self.page
        return self.department in consultation.departments
