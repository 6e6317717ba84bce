"""The written questions source: three date-window queries per cycle serve every questions follow.

Each cycle reads the questions tabled, answered and corrected in the last few days for every
answering body that any follow watches (a department's, or the one a single question is put to),
in one query each (paged with `skip`), and matches them to each follow locally; after an
outage the windows reach back to the day before the last read of every follow (up to
CATCH_UP_DAYS), so nothing answered meanwhile is missed. Overdue needs no request: each follow
remembers its open questions and their due days (bot.sources.questions.detect). A question
followed by its UIN is fetched on its own once, for its silent baseline, when no look-up took
it. Requests grow with questions, never with follows or chats.

The /overdue section reads the questions due in the last four weeks and still unanswered, across
every department, kept LATE_FOR so a busy command does not read it again and again.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from datetime import datetime, timedelta
from typing import Any

from bot.http import UpstreamError
from bot.slices import in_slices
from bot.sources.base import Alert, AlertGroup, Refresh
from bot.sources.departments.directory import Directory
from bot.sources.notes import note_unparsed
from bot.sources.questions.client import PAGE_SIZE, QuestionsClient
from bot.sources.questions.detect import QuestionEventKind, detect_questions, is_late
from bot.sources.questions.model import KIND, Question, QuestionsFollow, question_from_dict
from bot.sources.questions.parse import NEEDED, parse_question
from bot.sources.questions.render import render_alert
from bot.sources.text import LONDON
from bot.sources.values import instant_of
from bot.sources.written_statements.parse import statement_values
from bot.sources.written_statements.source import window_start

log = logging.getLogger(__name__)
# Yesterday too: an answer dated yesterday can be published after the last read of the day.
WINDOW_DAYS = 2
MAX_PAGES = 20  # of PAGE_SIZE: every department's questions of a busy fortnight's catch-up
LOOK_UP_DAYS = 7  # a new department follow's first reply shows the last week's questions
LATE_DAYS = 28  # how far back the /overdue section looks at due days
LATE_FOR = timedelta(minutes=30)
WINDOWS = ("tabledWhen", "answeredWhen", "correctedWhen")

NEW_QUESTIONS = AlertGroup("tabled", "New questions")
ANSWERS = AlertGroup("answers", "Answers, holding answers and corrections")
LATE = AlertGroup("overdue", "Overdue answers")
GROUPS = (NEW_QUESTIONS, ANSWERS, LATE)
_GROUP_OF = {
    QuestionEventKind.TABLED: NEW_QUESTIONS,
    QuestionEventKind.OVERDUE: LATE,
}


class WrittenQuestionsSource:
    name = KIND
    kind = KIND
    site = "Parliament's written questions site"

    def __init__(self, client: QuestionsClient, directory: Directory) -> None:
        self._client = client
        self._directory = directory
        self._late: tuple[datetime, list[Question]] | None = None

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        today = now.astimezone(LONDON).date()
        follows = {
            ident: QuestionsFollow.from_ident(ident).canonical(self._directory) for ident in targets
        }
        found: list[Question] = []
        for ident, follow in follows.items():
            if follow.department is None and not (targets[ident] or {}).get("watch"):
                try:
                    found.append(await self.find(follow))
                except (UpstreamError, LookupError) as exc:
                    log.warning("question %s not read: %s", follow.uin, exc)
        bodies = self._bodies(follows, targets, found)
        start = window_start(
            (instant_of((s or {}).get("read_at")) for s in targets.values()), today
        )
        for window in WINDOWS if bodies else ():
            found += await self._read(
                [
                    (f"{window}From", start.isoformat()),
                    (f"{window}To", today.isoformat()),
                    *(("answeringBodies", body) for body in sorted(bodies)),
                ]
            )
        # The same question can come in several windows: its last reading is as good as any.
        questions = list({question.id: question for question in found}.values())
        return await in_slices(self._refresh(follows, targets, questions, now))

    def _refresh(
        self,
        follows: Mapping[str, QuestionsFollow],
        targets: Mapping[str, dict[str, Any] | None],
        questions: list[Question],
        now: datetime,
    ) -> Iterable[tuple[str, Refresh]]:
        for ident, follow in follows.items():
            stored = targets[ident]
            if (
                follow.department is None
                and not (stored or {}).get("watch")
                and not any(follow.matches(question) for question in questions)
            ):
                continue  # one question not found this time: nothing to store yet
            state, events = detect_questions(follow, stored, questions, now)
            state["read_at"] = now.isoformat()
            alerts = [
                Alert(
                    event.key, render_alert(event, follow), group=_GROUP_OF.get(event.kind, ANSWERS)
                )
                for event in events
            ]
            yield ident, Refresh(state, alerts)

    def _bodies(
        self,
        follows: Mapping[str, QuestionsFollow],
        targets: Mapping[str, dict[str, Any] | None],
        found: list[Question],
    ) -> set[int]:
        """The answering bodies of every followed department and followed question."""
        bodies: set[int] = {question.body for question in found if question.body}
        for ident, follow in follows.items():
            if follow.department is not None:
                department = self._directory.get(follow.department)
                bodies.update(department.answering_bodies if department else ())
            for record in (targets[ident] or {}).get("watch", {}).values():
                if follow.department is None and record.get("body"):
                    bodies.add(record["body"])
        return bodies

    async def find(self, follow: QuestionsFollow) -> Question:
        """The one question a follow names: by its day and UIN, else the latest with that UIN.
        Raises LookupError when there is none."""
        if follow.tabled is not None:
            value = await self._client.question(follow.tabled, follow.uin)
            question = parse_question(value, self._directory)
            if question is None:
                raise LookupError(f"question {follow.uin} came without {NEEDED}")
            return question
        questions = await self._read([("uIN", follow.uin)])
        matching = [question for question in questions if follow.matches(question)]
        if not matching:
            raise LookupError(f"no question {follow.uin}")
        return max(matching, key=lambda question: question.tabled)

    async def look_up(self, follow: QuestionsFollow, now: datetime) -> list[Question]:
        """A department follow's questions of the last days, or the one question: for a first
        reply and the follow's baseline."""
        if follow.department is None:
            return [await self.find(follow)]
        department = self._directory.get(follow.department)
        today = now.astimezone(LONDON).date()
        return await self._read(
            [
                ("tabledWhenFrom", (today - timedelta(days=LOOK_UP_DAYS)).isoformat()),
                ("tabledWhenTo", today.isoformat()),
                *(
                    ("answeringBodies", body)
                    for body in (department.answering_bodies if department else ())
                ),
                *((("searchTerm", " ".join(follow.keywords)),) if follow.keywords else ()),
            ]
        )

    async def late(self, now: datetime) -> list[Question]:
        """Every question due in the last LATE_DAYS and now late, across departments."""
        if self._late is not None and now - self._late[0] < LATE_FOR:
            return self._late[1]
        today = now.astimezone(LONDON).date()
        questions = await self._read(
            [
                ("answered", "Unanswered"),
                ("dateForAnswerWhenFrom", (today - timedelta(days=LATE_DAYS)).isoformat()),
                ("dateForAnswerWhenTo", (today - timedelta(days=1)).isoformat()),
            ]
        )
        late = [question for question in questions if is_late(question, now)]
        self._late = (now, late)
        return late

    async def _read(self, filters: list[tuple[str, str | int]]) -> list[Question]:
        values: list[dict[str, Any]] = []
        for page in range(MAX_PAGES):
            document = await self._client.list_page(filters, skip=page * PAGE_SIZE)
            found = statement_values(document, "written questions")
            values += found
            total = document.get("totalResults")
            if not found or not isinstance(total, int) or (page + 1) * PAGE_SIZE >= total:
                break
        else:
            log.warning("written questions: read the first %d of more; the rest wait", len(values))
        questions = [q for value in values if (q := parse_question(value, self._directory))]
        note_unparsed("written questions", len(values) - len(questions), len(values), NEEDED)
        return questions


def recent_questions(state: Mapping[str, Any]) -> list[Question]:
    watch = state.get("watch", {})
    return [question_from_dict(watch[key]) for key in state.get("recent", []) if key in watch]


def late_questions(state: Mapping[str, Any], now: datetime) -> list[Question]:
    questions = (question_from_dict(record) for record in state.get("watch", {}).values())
    return [question for question in questions if is_late(question, now)]
