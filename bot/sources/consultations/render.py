"""Consultation messages: alerts, the /status card, the /list line and the follow reply.

Pure: no I/O. Upstream text passes through `quote`. Dates and times are on the chat's zone's
clock (a consultation closes at an instant, often 11:45pm or 11:59pm London time).
"""

from __future__ import annotations

import html
from datetime import datetime, tzinfo

from bot.sources.consultations.detect import ConsultationEvent, ConsultationEventKind
from bot.sources.consultations.model import (
    KIND,
    OUTCOME_WITHIN_WEEKS,
    Consultation,
    ConsultationsFollow,
)
from bot.sources.text import LONDON, days, format_date, quote

WHAT_COMES = (
    "each new consultation, a week before it closes and the day before, when it closes, when the "
    f"outcome is published (with how long it took), and if the outcome is still missing "
    f"{OUTCOME_WITHIN_WEEKS} weeks after it closed, the government's own target"
)


def describe(follow: ConsultationsFollow, department_name: str | None, title: str = "") -> str:
    if follow.department is None:
        return f"the consultation “{quote(title, 150)}”" if title else "a GOV.UK consultation"
    return f"{html.escape(department_name or follow.department)} consultations"


def reference(follow: ConsultationsFollow) -> str:
    """How commands name it: `consultations home-office`, or the consultation's link."""
    if follow.department is None:
        return f"{KIND} https://www.gov.uk/government/consultations/{follow.page}"
    return f"{KIND} {follow.department}"


def _when(moment: datetime | None, zone: tzinfo) -> str:
    if moment is None:
        return "no date given"
    local = moment.astimezone(zone)
    return f"{local:%H:%M} on {format_date(local, zone)}"


def _took(consultation: Consultation) -> str:
    if consultation.closes is None or consultation.outcome_at is None:
        return ""
    taken = (
        consultation.outcome_at.astimezone(LONDON).date()
        - consultation.closes.astimezone(LONDON).date()
    ).days
    # Whole weeks and days, never rounded: 85 days is past a 12-week target, and says so.
    weeks, rest = divmod(taken, 7)
    span = f"{weeks} week{'s' * (weeks != 1)}" + (f" and {days(rest)}" if rest else "")
    target = (
        f"beyond the government's {OUTCOME_WITHIN_WEEKS}-week target"
        if taken > OUTCOME_WITHIN_WEEKS * 7
        else f"within the government's {OUTCOME_WITHIN_WEEKS}-week target"
    )
    return f"{days(taken)} ({span}) after it closed, {target}"


def render_alert(
    event: ConsultationEvent, follow: ConsultationsFollow, zone: tzinfo = LONDON
) -> str:
    consultation = event.consultation
    title = quote(consultation.title, 200)
    kind = event.kind
    if kind is ConsultationEventKind.OPENED:
        head = f"🗳 <b>New consultation: {title}</b>"
        body = (
            f"Open from {_when(consultation.opens, zone)} until {_when(consultation.closes, zone)}."
        )
        if consultation.summary:
            body += f"\n“{quote(consultation.summary, 300)}”"
    elif kind is ConsultationEventKind.CLOSING_WEEK:
        head = f"⌛ <b>Closing in 7 days: {title}</b>"
        body = f"It closes at {_when(consultation.closes, zone)}. Have your say before then."
    elif kind is ConsultationEventKind.CLOSING_TOMORROW:
        head = f"⌛ <b>Closing tomorrow: {title}</b>"
        body = f"It closes at {_when(consultation.closes, zone)}."
    elif kind is ConsultationEventKind.CLOSED:
        head = f"🔒 <b>Consultation closed: {title}</b>"
        body = (
            f"It closed at {_when(consultation.closes, zone)}. The government aims to publish "
            f"its outcome within {OUTCOME_WITHIN_WEEKS} weeks; I'll tell you when it does, and "
            "if it doesn't."
        )
    elif kind is ConsultationEventKind.OUTCOME:
        head = f"📝 <b>Outcome published: {title}</b>"
        taken = _took(consultation)
        when = format_date(consultation.outcome_at, zone) if consultation.outcome_at else "now"
        body = f"Published {when}" + (f", {taken}." if taken else ".")
    else:
        head = f"⏰ <b>Consultation outcome overdue: {title}</b>"
        body = (
            f"It closed at {_when(consultation.closes, zone)}, {OUTCOME_WITHIN_WEEKS} weeks ago, "
            "and the government has published no outcome: its own target was "
            f"{OUTCOME_WITHIN_WEEKS} weeks."
        )
    return (
        f"{head}\n{quote(consultation.department_name, 120)}\n{body}\n"
        f"{html.escape(consultation.url, quote=True)}\n\n"
        f"<i>Stop these alerts: /unfollow {html.escape(reference(follow))}</i>"
    )


def standing(consultation: Consultation, now: datetime, zone: tzinfo) -> str:
    if consultation.has_outcome:
        taken = _took(consultation)
        return "outcome published" + (f", {taken}" if taken else "")
    closes = consultation.closes
    if closes is None or now < closes:
        return f"open until {_when(closes, zone)}"
    waited = (now.astimezone(LONDON).date() - closes.astimezone(LONDON).date()).days
    late = " ⏰ past the 12-week target" if waited > OUTCOME_WITHIN_WEEKS * 7 else ""
    return f"closed {format_date(closes, zone)}, no outcome after {days(waited)}{late}"


def render_card(name: str, consultations: list[Consultation], now: datetime, zone: tzinfo) -> str:
    lines = [f"🗳 <b>{name[:1].upper()}{name[1:]}</b>"]
    if not consultations:
        lines.append("None on GOV.UK lately: I'll tell you when one opens.")
    for consultation in consultations:
        lines.append(
            f'• <a href="{html.escape(consultation.url, quote=True)}">'
            f"{quote(consultation.title, 120)}</a>: {standing(consultation, now, zone)}"
        )
    return "\n".join(lines)


def render_follow_reply(
    name: str,
    follow: ConsultationsFollow,
    consultations: list[Consultation],
    now: datetime,
    zone: tzinfo,
) -> str:
    return (
        f"🔔 Following <b>{name}</b>. I'll tell this chat about {WHAT_COMES}.\n\n"
        f"{render_card(name, consultations, now, zone)}\n\n"
        f"<i>Stop: /unfollow {html.escape(reference(follow))}</i>"
    )
