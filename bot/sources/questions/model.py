"""A written question as the bot keeps it, what a follow asks for, and their storage forms.

Pure: no I/O. A follow is a department's questions, optionally on keywords (ident
`<GOV.UK slug>:<keywords>`, as statements), or one question (`uin:<UIN>`, or
`uin:<tabled day>/<UIN>` when it was named by its link, which says which session's UIN it is).
A question is remembered by a follow in its storage form (`question_to_dict`): everything but
its full texts, which only alerts and cards use, clipped.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from bot.sources.departments.directory import Directory
from bot.sources.statements.words import has_all

KIND = "questions"
PUBLIC_SITE = "https://questions-statements.parliament.uk"
SINGLE = "uin"  # the department part of a one-question follow's ident
UIN = re.compile(r"(?:HL)?\d{1,7}", re.IGNORECASE)
EXCERPT = 300  # characters of a question or an answer kept for cards


@dataclass(frozen=True)
class Question:
    id: int
    uin: str
    house: str  # "Commons" | "Lords"
    heading: str
    text: str  # the question, one plain line
    asker: str  # "Lord Empey (Ulster Unionist Party, Life peer)"
    department: str  # a GOV.UK slug, or answering-body-<id> for a body the directory lacks
    department_name: str
    body: int  # Parliament's answering-body id
    tabled: date
    due: date | None  # the named day, or the day an ordinary question is expected by
    named_day: bool
    answered: date | None  # the day of the latest answer, holding or not
    answer: str  # one plain line
    holding: bool  # the answer given so far only says a full one will follow
    holding_day: date | None
    corrected: date | None
    withdrawn: bool
    answerer: str

    @property
    def url(self) -> str:
        return f"{PUBLIC_SITE}/written-questions/detail/{self.tabled.isoformat()}/{self.uin}"

    @property
    def full_answer(self) -> date | None:
        """The day of its substantive answer; None while it has none (or only a holding one)."""
        return None if self.holding else self.answered


_DAYS = ("tabled", "due", "answered", "holding_day", "corrected")


def question_to_dict(question: Question) -> dict[str, Any]:
    stored = {f.name: getattr(question, f.name) for f in fields(question)}
    for name in _DAYS:
        stored[name] = stored[name].isoformat() if stored[name] else None
    stored["text"] = question.text[:EXCERPT]
    stored["answer"] = question.answer[:EXCERPT]
    return stored


def question_from_dict(stored: dict[str, Any]) -> Question:
    values = {f.name: stored.get(f.name) for f in fields(Question)}
    for name in _DAYS:
        values[name] = date.fromisoformat(values[name]) if values[name] else None
    return Question(**values)


@dataclass(frozen=True)
class QuestionsFollow:
    department: str | None  # a GOV.UK slug; None for one question
    keywords: tuple[str, ...] = ()
    uin: str = ""  # one question: its UIN, upper case
    tabled: date | None = None  # ... and the day it was tabled, when known

    @property
    def ident(self) -> str:
        if self.department is not None:
            return f"{self.department}:{' '.join(self.keywords)}"
        day = f"{self.tabled.isoformat()}/" if self.tabled else ""
        return f"{SINGLE}:{day}{self.uin}"

    @classmethod
    def from_ident(cls, ident: str) -> QuestionsFollow:
        head, _, rest = ident.partition(":")
        if head != SINGLE:
            return cls(head, tuple(rest.split()))
        day, _, uin = rest.rpartition("/")
        return cls(None, uin=uin, tabled=date.fromisoformat(day) if day else None)

    def canonical(self, directory: Directory) -> QuestionsFollow:
        """The same follow, its department by its current slug."""
        if self.department is None:
            return self
        return replace(self, department=directory.canonical(self.department))

    def matches(self, question: Question) -> bool:
        """Whether a question is this follow's: the one it names (by UIN, and tabled day if
        known), or one to its department with every keyword in its heading or text."""
        if self.department is None:
            return question.uin.upper() == self.uin and self.tabled in (None, question.tabled)
        return question.department == self.department and has_all(
            self.keywords, f"{question.heading}\n{question.text}"
        )
