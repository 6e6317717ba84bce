"""Change detection for a written-questions follow: (stored state, questions seen, now) to events.

Pure: no I/O. A follow remembers every matching question it has seen (`watch`, by id, in its
storage form, with what it has told of it): so an answer, a holding answer, a correction or a
withdrawal that comes weeks later is told once, and a question still without a full answer is
told **overdue** once the clock passes its due day. A source's first look is a silent baseline,
and so is anything dated before the follow began.

Late means: no substantive answer (none at all, or only a holding one) by noon on the day after
its due day (a named day, or the day an ordinary question is expected by), London time. Answers
are published during the day they are dated, so the half day keeps a slow feed from turning an
answer given on time into a false "overdue".

State: `{"since": <ISO>, "read_at": <ISO of the source's last read>, "watch": {<id>:
<question_to_dict + "told": [what was told]>}, "recent": [<id>, newest first]}`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.sources.questions.model import (
    Question,
    QuestionsFollow,
    question_from_dict,
    question_to_dict,
)
from bot.sources.text import LONDON
from bot.sources.values import instant_of

LATE_AFTER = time(12)  # on the day after the due day
KEEP_ANSWERED = timedelta(days=60)  # a fully answered question is watched this long for corrections
KEEP_OPEN = timedelta(days=400)  # an unanswered one: a session rarely runs longer
RECENT = 5


class QuestionEventKind(StrEnum):
    TABLED = "tabled"
    HOLDING = "holding"
    ANSWERED = "answered"
    CORRECTED = "corrected"
    WITHDRAWN = "withdrawn"
    OVERDUE = "overdue"


@dataclass(frozen=True)
class QuestionEvent:
    kind: QuestionEventKind
    question: Question
    days_late: int = 0  # ANSWERED, OVERDUE: whole days past its due day

    @property
    def key(self) -> str:
        """The same news for every follow that sees it: a chat hears it once."""
        base = f"question:{self.question.id}:{self.kind.value}"
        if self.kind is QuestionEventKind.CORRECTED and self.question.corrected:
            return f"{base}:{self.question.corrected.isoformat()}"
        return base


def late_from(due: date) -> datetime:
    """When a question due on `due` without a full answer is overdue."""
    return datetime.combine(due + timedelta(days=1), LATE_AFTER, tzinfo=LONDON)


def days_late(due: date | None, day: date) -> int:
    return max((day - due).days, 0) if due else 0


def is_late(question: Question, now: datetime) -> bool:
    return (
        question.due is not None
        and question.full_answer is None
        and not question.withdrawn
        and now >= late_from(question.due)
    )


def detect_questions(
    follow: QuestionsFollow,
    stored: Mapping[str, Any] | None,
    seen: Iterable[Question],
    now: datetime,
) -> tuple[dict[str, Any], list[QuestionEvent]]:
    """The follow's new state and the events since `stored` (None: a silent baseline)."""
    since = instant_of((stored or {}).get("since")) or now
    first_day = since.astimezone(LONDON).date()
    watch: dict[str, dict[str, Any]] = {
        k: dict(v) for k, v in (stored or {}).get("watch", {}).items()
    }
    recent = list((stored or {}).get("recent", []))
    events: list[QuestionEvent] = []
    for question in seen:
        if not _is_followed(follow, watch, question):
            continue
        key = str(question.id)
        known = watch.get(key)
        told = set(known["told"]) if known else set()
        news = _news(question, known, first_day) if stored is not None else []
        events += news
        told |= {event.kind.value for event in news}
        # What it already shows on first sight, or before the follow began, is not news later.
        if known is None or stored is None:
            told |= _shown(question, first_day if stored is not None else None)
        if question.corrected and QuestionEventKind.CORRECTED in told:
            told.add(f"corrected:{question.corrected.isoformat()}")
        watch[key] = {**question_to_dict(question), "told": sorted(told)}
        if key not in recent:
            recent.insert(0, key)
    for record in watch.values():
        question = question_from_dict(record)
        if "overdue" in record["told"] or not is_late(question, now):
            continue
        record["told"] = sorted({*record["told"], QuestionEventKind.OVERDUE.value})
        # Late before the follow began (or on its first look) is where it stood, not news.
        if stored is not None and question.due and late_from(question.due) >= since:
            events.append(
                QuestionEvent(
                    QuestionEventKind.OVERDUE,
                    question,
                    days_late(question.due, now.astimezone(LONDON).date()),
                )
            )
    watch = {key: record for key, record in watch.items() if _kept(record, now)}
    recent = [key for key in recent if key in watch]
    recent.sort(key=lambda key: (watch[key]["tabled"], int(key)), reverse=True)
    state = {
        "since": since.isoformat(),
        "read_at": (stored or {}).get("read_at"),
        "watch": watch,
        "recent": recent[:RECENT],
    }
    return state, events


def _is_followed(follow: QuestionsFollow, watch: Mapping[str, Any], question: Question) -> bool:
    if follow.department is None and watch:
        return str(question.id) in watch  # the one question it found first
    return follow.matches(question)


def _news(
    question: Question, known: Mapping[str, Any] | None, first_day: date
) -> list[QuestionEvent]:
    """What is new about a question since the follow last saw it (or began)."""
    told = set(known["told"]) if known else set()
    events = []
    if known is None and question.tabled >= first_day:
        events.append(QuestionEvent(QuestionEventKind.TABLED, question))
    if question.withdrawn:
        if "withdrawn" not in told and known is not None:
            events.append(QuestionEvent(QuestionEventKind.WITHDRAWN, question))
        return events
    answered = question.answered
    if question.holding and "holding" not in told and answered and answered >= first_day:
        events.append(QuestionEvent(QuestionEventKind.HOLDING, question))
    full = question.full_answer
    if full and "answered" not in told and full >= first_day:
        events.append(
            QuestionEvent(QuestionEventKind.ANSWERED, question, days_late(question.due, full))
        )
    corrected = question.corrected
    if corrected and f"corrected:{corrected.isoformat()}" not in told and corrected >= first_day:
        events.append(QuestionEvent(QuestionEventKind.CORRECTED, question))
    return events


def _shown(question: Question, first_day: date | None) -> set[str]:
    """What a question already showed before the follow could tell it: on a baseline
    (`first_day` None) everything, else what is dated before the follow began."""

    def before(day: date | None) -> bool:
        return day is not None and (first_day is None or day < first_day)

    shown = {"tabled"}
    if question.withdrawn and first_day is None:
        shown.add("withdrawn")
    if question.holding and before(question.answered):
        shown.add("holding")
    if before(question.full_answer):
        shown.add("answered")
    if before(question.corrected):
        shown.add(f"corrected:{question.corrected.isoformat()}")
    return shown


def _kept(record: Mapping[str, Any], now: datetime) -> bool:
    today = now.astimezone(LONDON).date()
    question = question_from_dict(record)
    if question.full_answer is not None or question.withdrawn:
        last = max(day for day in (question.answered, question.corrected, question.tabled) if day)
        return today - last <= KEEP_ANSWERED
    return today - question.tabled <= KEEP_OPEN
