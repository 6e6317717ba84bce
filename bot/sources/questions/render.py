"""Written-question messages: alerts, the /status card, the /list line and the follow reply.

Pure: no I/O. Every piece of upstream text passes through `quote`. Parliament dates questions by
the day, so their days are shown as London has them, whatever a chat's time zone.
"""

from __future__ import annotations

import html
from datetime import date, datetime

from bot.sources.departments.directory import Directory
from bot.sources.questions.detect import QuestionEvent, QuestionEventKind, days_late, is_late
from bot.sources.questions.model import KIND, Question, QuestionsFollow
from bot.sources.text import LONDON, days, format_date, quote

WHAT_COMES = (
    "each question tabled, its answer (with how late it came), a holding answer, a correction "
    "or a withdrawal, and when one is overdue: past its named day, or the day an ordinary "
    "question is expected by, without a full answer"
)
EXCERPT = 300


def describe(follow: QuestionsFollow, directory: Directory) -> str:
    """The follow in words (HTML), at the start of a sentence or within one: "Home Office
    written questions on “grooming gangs”", "written question HL12792"."""
    if follow.department is None:
        return f"written question {html.escape(follow.uin)}"
    department = directory.get(follow.department)
    name = html.escape(department.name if department else follow.department)
    keywords = f" on “{html.escape(' '.join(follow.keywords))}”" if follow.keywords else ""
    return f"{name} written questions{keywords}"


def reference(follow: QuestionsFollow) -> str:
    """How commands name the follow (plain text): `questions home-office grooming gangs`,
    `questions HL12792`, `questions 2021-02-01/146793`."""
    if follow.department is None:
        day = f"{follow.tabled.isoformat()}/" if follow.tabled else ""
        return f"{KIND} {day}{follow.uin}"
    return f"{KIND} {follow.department} {' '.join(follow.keywords)}".strip()


def _stop(follow: QuestionsFollow) -> str:
    return f"\n\n<i>Stop these alerts: /unfollow {html.escape(reference(follow))}</i>"


def render_alert(event: QuestionEvent, follow: QuestionsFollow) -> str:
    question = event.question
    heading = quote(question.heading, 200)
    render = _ALERTS[event.kind]
    return render(event, heading) + "\n" + html.escape(question.url, quote=True) + _stop(follow)


def _where(question: Question) -> str:
    uin = quote(question.uin, 12)
    return f"{quote(question.department_name, 120)} · {question.house} question {uin}"


def _tabled(event: QuestionEvent, heading: str) -> str:
    return "\n".join(
        [f"✍️ <b>New written question: {heading}</b>", *_question_lines(event.question)]
    )


def _question_lines(question: Question) -> list[str]:
    """Where it was tabled, who asked, what, and when it is due."""
    lines = [f"{_where(question)} · tabled {format_date(question.tabled)}"]
    if question.asker:
        lines.append(f"👤 Asked by {quote(question.asker, 150)}")
    if question.text:
        lines.append(f"“{quote(question.text, EXCERPT)}”")
    if question.due:
        lines.append(f"📅 {_due_words(question)}")
    return lines


def _due_words(question: Question) -> str:
    if question.named_day:
        return f"Named day: to be answered on {format_date(question.due)}"
    return f"Answer expected by {format_date(question.due)}"


def _answered(event: QuestionEvent, heading: str) -> str:
    question = event.question
    assert question.answered is not None
    return _with_answer(
        f"✅ <b>Answered: {heading}</b>",
        f"{_where(question)} · answered {format_date(question.answered)}, {_timeliness(event)}",
        question,
        f"👤 {quote(question.answerer, 150)}" if question.answerer else "",
    )


def _with_answer(headline: str, where: str, question: Question, by: str = "", now: str = "") -> str:
    """An alert that quotes the answer: `now` says it replaced an earlier one."""
    lines = [headline, where, by]
    if question.answer:
        lines.append(f"💬 {now}“{quote(question.answer, EXCERPT)}”")
    return "\n".join(line for line in lines if line)


def _timeliness(event: QuestionEvent) -> str:
    question = event.question
    day = "its named day" if question.named_day else "the day it was expected by"
    if event.days_late == 0:
        return "on time" if question.due else "with no due day given"
    return f"{days(event.days_late)} after {day} ({format_date(question.due)})"


def _holding(event: QuestionEvent, heading: str) -> str:
    question = event.question
    assert question.answered is not None
    return (
        f"⏳ <b>Holding answer: {heading}</b>\n"
        f"{_where(question)}\n"
        f"On {format_date(question.answered)} the department said it will answer in full later: "
        "no answer yet." + (f" {_due_words(question)}." if question.due else "")
    )


def _corrected(event: QuestionEvent, heading: str) -> str:
    question = event.question
    assert question.corrected is not None
    return _with_answer(
        f"✏️ <b>Answer corrected: {heading}</b>",
        f"{_where(question)} · corrected {format_date(question.corrected)}",
        question,
        now="Now: ",
    )


def _withdrawn(event: QuestionEvent, heading: str) -> str:
    return (
        f"🗑 <b>Withdrawn: {heading}</b>\n{_where(event.question)}\n"
        "The member withdrew this question; it will not be answered."
    )


def _overdue(event: QuestionEvent, heading: str) -> str:
    question = event.question
    assert question.due is not None
    day = "its named day" if question.named_day else "the day it was expected by"
    holding = (
        f" It has only a holding answer (given {format_date(question.answered)})."
        if question.holding and question.answered
        else ""
    )
    asker = f" by {quote(question.asker, 150)}" if question.asker else ""
    return (
        f"⏰ <b>Written question overdue: {heading}</b>\n"
        f"{_where(question)}\n"
        f"Asked{asker} on {format_date(question.tabled)}; no answer by {day}, "
        f"{format_date(question.due)}: {days(event.days_late)} late.{holding}"
    )


_ALERTS = {
    QuestionEventKind.TABLED: _tabled,
    QuestionEventKind.ANSWERED: _answered,
    QuestionEventKind.HOLDING: _holding,
    QuestionEventKind.CORRECTED: _corrected,
    QuestionEventKind.WITHDRAWN: _withdrawn,
    QuestionEventKind.OVERDUE: _overdue,
}


def standing(question: Question, now: datetime) -> str:
    """Where a question stands, in a few words."""
    today = now.astimezone(LONDON).date()
    if question.withdrawn:
        return "withdrawn"
    if question.full_answer:
        late = days_late(question.due, question.full_answer)
        return f"answered {format_date(question.full_answer)}" + (
            f", {days(late)} late" if late else ""
        )
    if is_late(question, now):
        assert question.due is not None
        holding = ", holding answer only" if question.holding else ""
        late = days(days_late(question.due, today))
        return f"⏰ overdue: due {format_date(question.due)}, {late} late{holding}"
    if question.holding:
        return "holding answer; full answer to come"
    return f"due {format_date(question.due)}" if question.due else "awaiting an answer"


def render_questions(questions: list[Question], now: datetime) -> str:
    if not questions:
        return "None in the last few days: I'll tell you when one is tabled."
    return "\n".join(
        f"• {format_date(q.tabled)} · "
        f'<a href="{html.escape(q.url, quote=True)}">{quote(q.heading, 120)}</a> '
        f"({quote(q.uin, 12)}): {standing(q, now)}"
        for q in questions
    )


def render_single(question: Question, now: datetime) -> str:
    lines = [f"✍️ <b>{quote(question.heading, 200)}</b>", *_question_lines(question)]
    lines.append(f"Now: {standing(question, now)}")
    if question.answer and not question.holding:
        lines.append(f"💬 “{quote(question.answer, EXCERPT)}”")
    lines.append(html.escape(question.url, quote=True))
    return "\n".join(lines)


def render_card(
    follow: QuestionsFollow,
    questions: list[Question],
    late: list[Question],
    directory: Directory,
    now: datetime,
) -> str:
    if follow.department is None and questions:
        return render_single(questions[0], now)
    lines = [
        f"✍️ <b>{describe(follow, directory)}</b>",
        "From Parliament's written questions. The latest:",
        render_questions(questions, now),
    ]
    if late:
        oldest = max(late, key=lambda q: days_late(q.due, now.astimezone(LONDON).date()))
        lines.append(
            f"\n⏰ {len(late)} past {'its' if len(late) == 1 else 'their'} due day without a full "
            f"answer; the longest wait: “{quote(oldest.heading, 100)}”, due "
            f"{format_date(oldest.due or oldest.tabled)}."
        )
    return "\n".join(lines)


def render_follow_reply(
    follow: QuestionsFollow,
    questions: list[Question],
    late: list[Question],
    directory: Directory,
    now: datetime,
) -> str:
    return (
        f"🔔 Following <b>{describe(follow, directory)}</b>. I'll tell this chat about "
        f"{WHAT_COMES}.\n\n{render_card(follow, questions, late, directory, now)}\n\n"
        f"<i>Stop: /unfollow {html.escape(reference(follow))}</i>"
    )


def render_list_line(name: str, follow: QuestionsFollow) -> str:
    """`name`: the follow as the kind names it (HTML)."""
    return f"✍️ <b>{name}</b>\n    /unfollow {html.escape(reference(follow))}"


def late_section(late_by_department: list[tuple[str, int, date]], total: int) -> str:
    """The /overdue section: departments with written questions past their due day (name,
    how many, the oldest due day), most first."""
    if not late_by_department:
        return "✍️ <b>Written questions</b>: none past its due day without an answer."
    lines = [
        f"✍️ <b>Written questions past their due day without an answer</b> ({total} in all, "
        "due in the last four weeks):"
    ]
    for name, count, oldest in late_by_department:
        lines.append(f"• {quote(name, 80)}: {count} (oldest due {format_date(oldest)})")
    lines.append("Follow a department's: <code>/questions home-office</code>")
    return "\n".join(lines)
