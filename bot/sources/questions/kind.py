"""Written questions as a target kind: `/questions`, its department menu, one question by its UIN
or link, and the late answers it adds to `/overdue`.

A follow is a department's questions, optionally on keywords (`/questions home-office grooming
gangs`), or one question (`/questions HL12792`, `/questions 146793`, or its page's link). Looking
it up reads the department's questions of the last days (or the one question), which become the
follow's silent baseline and its first reply.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from datetime import date, datetime, tzinfo
from typing import Any

from bot.http import UpstreamError, UpstreamRefused
from bot.sources.base import BadReference, Button, Command, FollowThis, Lookup, Reply
from bot.sources.departments.directory import Directory
from bot.sources.departments.picking import pick_buttons, read_department
from bot.sources.payloads import WordsInDeepLinks
from bot.sources.questions.detect import detect_questions
from bot.sources.questions.model import KIND, PUBLIC_SITE, UIN, QuestionsFollow
from bot.sources.questions.render import (
    describe,
    late_section,
    reference,
    render_card,
    render_follow_reply,
    render_list_line,
)
from bot.sources.questions.source import (
    GROUPS,
    WrittenQuestionsSource,
    late_questions,
    recent_questions,
)
from bot.sources.statements.query import read_keywords
from bot.sources.text import plain_text, quote

log = logging.getLogger(__name__)
_WORDS = {"questions", "question", "wq"}
EXAMPLE = "/questions home-office grooming gangs"
LATE_DEPARTMENTS = 8  # shown in /overdue; the rest counted
_LINK = re.compile(
    re.escape(PUBLIC_SITE.removeprefix("https://"))
    + r"/written-questions/detail/(\d{4}-\d{2}-\d{2})/((?:HL)?\d{1,7})\b",
    re.IGNORECASE,
)
_DATED = re.compile(r"(\d{4}-\d{2}-\d{2})/((?:HL)?\d{1,7})", re.IGNORECASE)


class QuestionsKind(WordsInDeepLinks):
    DEEP_LINK_PREFIX = "wq_"
    kind = KIND
    example = "questions home-office"
    commands = (
        Command(
            KIND,
            "Follow written questions to a department, or one question by its number",
            EXAMPLE,
        ),
    )
    paste_hint = "a written question's link"
    alert_groups = GROUPS
    granularities: tuple[str, ...] = ()
    contributes_to = ("overdue",)

    def __init__(self, source: WrittenQuestionsSource, directory: Directory) -> None:
        self._source = source
        self._directory = directory

    def read_reference(self, text: str) -> str | None:
        first, _, rest = text.strip().partition(" ")
        if first.lower() not in _WORDS:
            return None
        return self._read_follow(rest.strip()).ident

    def _read_follow(self, text: str) -> QuestionsFollow:
        single = _single(text)
        if single is not None:
            return single
        if text and (_DATED.fullmatch(text) or "/" in text.split()[0]):
            raise BadReference(
                "That doesn't look like a written question's number or link. A question's "
                "number is like <code>146793</code> (Commons) or <code>HL12792</code> (Lords)."
            )
        department, rest = read_department(text, self._directory, KIND, EXAMPLE)
        return QuestionsFollow(department.slug, read_keywords(rest))

    def find_in_text(self, text: str) -> str | None:
        found = _LINK.search(text)
        return None if found is None else _linked(found).ident

    def reference(self, ident: str) -> str:
        return reference(QuestionsFollow.from_ident(ident))

    def name(self, ident: str, state: dict[str, Any] | None) -> str:
        follow = QuestionsFollow.from_ident(ident)
        described = describe(follow, self._directory)
        questions = recent_questions(state) if state and follow.department is None else []
        if questions:
            return f"{described} “{quote(questions[0].heading, 100)}”"
        return described

    def label(self, ident: str, state: dict[str, Any] | None) -> str:
        return plain_text(self.name(ident, state))

    async def look_up(self, ident: str, now: datetime) -> Lookup:
        follow = QuestionsFollow.from_ident(ident).canonical(self._directory)
        try:
            questions = await self._source.look_up(follow, now)
        except LookupError:
            return Lookup(
                problem=f"I can't find written question {follow.uin}. Check its number, or "
                "paste the link to its page on questions-statements.parliament.uk."
            )
        except UpstreamRefused as exc:
            log.warning("written questions look-up for %s refused: %s", ident, exc)
            return Lookup(problem="Parliament's questions site refused that. Try plainer keywords.")
        except UpstreamError as exc:
            log.warning("written questions look-up for %s failed: %s", ident, exc)
            return Lookup(
                problem="I couldn't reach Parliament's questions site just now. Please try again "
                "in a minute."
            )
        state, _ = detect_questions(follow, None, questions, now)
        return Lookup(state)

    def card(
        self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo, shared: bool = False
    ) -> str:
        # Parliament dates questions by the day: the card reads the same in every zone.
        follow = QuestionsFollow.from_ident(ident)
        return render_card(
            follow, recent_questions(state), late_questions(state, now), self._directory, now
        )

    def list_line(self, ident: str, state: dict[str, Any] | None, now: datetime) -> str:
        return render_list_line(self.name(ident, state), QuestionsFollow.from_ident(ident))

    def follow_reply(self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo) -> str:
        follow = QuestionsFollow.from_ident(ident)
        return render_follow_reply(
            follow, recent_questions(state)[:3], late_questions(state, now), self._directory, now
        )

    async def browse(self, command: str, args: str, now: datetime) -> Reply | FollowThis:
        if args:
            return FollowThis(self._read_follow(args).ident)
        return Reply(
            "✍️ <b>Follow written questions</b>\n"
            "Pick a department, then send keywords or take every question put to it. Or type it "
            f"in one go: <code>{EXAMPLE}</code>, or follow one question by its number: "
            "<code>/questions HL12792</code>",
            pick_buttons(list(self._directory.departments), KIND),
        )

    async def press(self, payload: str, now: datetime) -> Reply | FollowThis:
        department = self._directory.get(payload)
        if department is None:
            return Reply("That department is no longer listed. Send /questions to pick again.")
        return Reply(
            "Reply with keywords to look for in the written questions to the "
            f"<b>{quote(department.name, 100)}</b> (a question must contain all of them), or tap "
            "Every question.",
            ((Button("Every question", f"fc:{KIND}:{payload}:"),),),
            awaiting=(KIND, payload),
        )

    async def answer(self, context: str, text: str, now: datetime) -> Reply | FollowThis:
        return FollowThis(QuestionsFollow(context, read_keywords(text)).ident)

    async def contribute(self, command: str, args: str, now: datetime) -> str | None:
        """The /overdue section: departments late with answers to written questions."""
        try:
            late = await self._source.late(now)
        except UpstreamError as exc:
            log.warning("late written questions not read: %s", exc)
            return "✍️ I couldn't read Parliament's written questions just now to list late answers."
        counts = Counter(question.department_name for question in late)
        oldest: dict[str, date] = {}
        for question in late:
            if question.due is not None:
                name = question.department_name
                oldest[name] = min(oldest.get(name, question.due), question.due)
        ranked = sorted(counts, key=lambda name: (-counts[name], name))[:LATE_DEPARTMENTS]
        return late_section([(name, counts[name], oldest[name]) for name in ranked], len(late))


def _single(text: str) -> QuestionsFollow | None:
    """One question named by its link, `<tabled day>/<UIN>` or its UIN alone."""
    found = _LINK.search(text)
    if found is not None:
        return _linked(found)
    dated = _DATED.fullmatch(text)
    if dated is not None:
        return _linked(dated)
    if UIN.fullmatch(text):
        return QuestionsFollow(None, uin=text.upper())
    return None


def _linked(found: re.Match[str]) -> QuestionsFollow:
    try:
        tabled = date.fromisoformat(found.group(1))
    except ValueError:
        raise BadReference("That question's link has a date that doesn't exist.") from None
    return QuestionsFollow(None, uin=found.group(2).upper(), tabled=tabled)
