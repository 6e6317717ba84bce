"""What a late-list follow asks for, and a late petition as the follow remembers it.

Pure: no I/O. A follow is every petition past its response deadline (ident `all`), only those
with at least N signatures (`100000`), or only those one department answers for (its GOV.UK
slug, `home-office`, as the petitions site names the department).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.sources.petitions.deadline import london_day
from bot.sources.petitions.lists import Late

KIND = "overdue"
ALL = "all"


@dataclass(frozen=True)
class LateFollow:
    min_signatures: int = 0
    department: str | None = None  # a GOV.UK slug

    @property
    def ident(self) -> str:
        if self.department is not None:
            return self.department
        return str(self.min_signatures) if self.min_signatures else ALL

    @classmethod
    def from_ident(cls, ident: str) -> LateFollow:
        if ident == ALL:
            return cls()
        if ident.isdecimal():
            return cls(int(ident))
        return cls(department=ident)

    def matches(self, entry: LateEntry) -> bool:
        if entry.signatures < self.min_signatures:
            return False
        return self.department is None or self.department in (s for s, _ in entry.departments)


@dataclass(frozen=True)
class LateEntry:
    """A petition past its response deadline, as the late list showed it."""

    id: int
    title: str
    signatures: int
    reached: date  # the London day it reached the response threshold
    due: date
    departments: tuple[tuple[str, str], ...]  # (GOV.UK slug, name)

    @classmethod
    def of(cls, late: Late, due: date) -> LateEntry:
        petition = late.petition
        assert petition.response_threshold_reached_at is not None
        return cls(
            petition.id,
            petition.title,
            petition.signature_count,
            london_day(petition.response_threshold_reached_at),
            due,
            petition.departments,
        )

    @property
    def department_names(self) -> str:
        return ", ".join(name for _, name in self.departments)

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "title": self.title,
            "signatures": self.signatures,
            "reached": self.reached.isoformat(),
            "due": self.due.isoformat(),
            "departments": [list(pair) for pair in self.departments],
        }

    @classmethod
    def from_dict(cls, stored: dict[str, Any]) -> LateEntry:
        return cls(
            int(stored["id"]),
            str(stored["title"]),
            int(stored["signatures"]),
            date.fromisoformat(stored["reached"]),
            date.fromisoformat(stored["due"]),
            tuple((str(slug), str(name)) for slug, name in stored.get("departments", ())),
        )
