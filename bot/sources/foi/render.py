"""FOI messages: alerts, the /status card, the /list line and the follow reply.

Pure: no I/O. Upstream text passes through `quote`. Days are London's (the Act's working days
are England's).
"""

from __future__ import annotations

import html
from datetime import date, datetime
from typing import Any

from bot.sources.foi.detect import FoiEvent, FoiEventKind
from bot.sources.foi.model import KIND, FoiFollow
from bot.sources.foi.workdays import WORKING_DAYS, working_days_between
from bot.sources.text import LONDON, format_date, quote

WHAT_COMES = (
    "each new request, each response, a clarification asked for, a refusal, an internal "
    f"review, and when a request goes past its {WORKING_DAYS} working days without a response"
)
SITE = "https://www.whatdotheyknow.com"
SHOWN = 8


def describe(follow: FoiFollow, body_name: str = "", title: str = "") -> str:
    if follow.request:
        return f"the FOI request “{quote(title, 150)}”" if title else "an FOI request"
    who = html.escape(body_name or follow.body.replace("_", " ").title())
    keywords = f" on “{html.escape(' '.join(follow.keywords))}”" if follow.keywords else ""
    return f"FOI requests to {who}{keywords}"


def reference(follow: FoiFollow) -> str:
    if follow.request:
        return f"{KIND} {SITE}/request/{follow.request}"
    return f"{KIND} {SITE}/body/{follow.body} {' '.join(follow.keywords)}".strip()


def working(count: int) -> str:
    return f"{count} working day{'s' * (count != 1)}"


def request_url(url_title: str) -> str:
    return f"{SITE}/request/{url_title}"


def _day(value: Any) -> date | None:
    return date.fromisoformat(value) if isinstance(value, str) and value else None


def render_alert(event: FoiEvent, follow: FoiFollow) -> str:
    request = event.request
    title = quote(str(request.get("title", "")), 200)
    body = quote(str(request.get("body_name") or request.get("body", "")), 120)
    on = format_date(event.on) if event.on else ""
    sent, due = _day(request.get("sent")), _day(request.get("due"))
    deadline = f" Response due by {format_date(due)}." if due else ""
    if event.kind is FoiEventKind.NEW:
        text = f"📨 <b>New FOI request: {title}</b>\nTo {body}, sent {on}.{deadline}"
    elif event.kind is FoiEventKind.RESPONSE:
        late = ""
        if due and event.on and event.on > due:
            late = f", {working(working_days_between(due, event.on))} late"
        status = f" Status: {quote(event.status, 80)}." if event.status else ""
        text = f"📬 <b>Response received: {title}</b>\nFrom {body}, {on}{late}.{status}"
    elif event.kind is FoiEventKind.CLARIFICATION:
        text = (
            f"❓ <b>Clarification asked: {title}</b>\n{body} asked the requester to clarify the "
            f"request ({on}); the clock restarts when they do."
        )
    elif event.kind is FoiEventKind.REFUSED:
        text = f"🚫 <b>Refused: {title}</b>\n{body} refused the request ({on})."
    elif event.kind is FoiEventKind.INTERNAL_REVIEW:
        text = (
            f"🔁 <b>Internal review: {title}</b>\nThe requester asked {body} for an internal "
            f"review ({on})."
        )
    else:
        assert sent and due and event.on
        late = working_days_between(due, event.on)
        text = (
            f"⏰ <b>FOI response overdue: {title}</b>\n{body} had {WORKING_DAYS} working days "
            f"from {format_date(sent)}, until {format_date(due)}, to respond, and has not"
            + (f": {working(late)} late." if late else ".")
        )
    return (
        f"{text}\n{html.escape(request_url(event.url_title), quote=True)}\n\n"
        f"<i>Stop these alerts: /unfollow {html.escape(reference(follow))}</i>"
    )


# A request's state in words (Alaveteli's described states).
STATE_WORDS = {
    "waiting_clarification": "clarification asked",
    "rejected": "refused",
    "internal_review": "internal review",
    "successful": "successful",
    "partially_successful": "partially successful",
    "not_held": "information not held",
    "gone_postal": "handled by post",
    "user_withdrawn": "withdrawn by the requester",
}


def standing(request: dict[str, Any], now: datetime) -> str:
    today = now.astimezone(LONDON).date()
    due = _day(request.get("due"))
    state = str(request.get("state") or "")
    if state in STATE_WORDS:
        return STATE_WORDS[state]
    if request.get("responded"):
        return "response received"
    if due and today > due:
        late = working(working_days_between(due, today))
        return f"⏰ overdue: due {format_date(due)}, {late} late"
    return f"awaiting a response, due {format_date(due)}" if due else "awaiting a response"


def render_card(name: str, requests: dict[str, dict[str, Any]], now: datetime) -> str:
    lines = [f"📨 <b>{name[:1].upper()}{name[1:]}</b>"]
    latest = sorted(requests.items(), key=lambda item: str(item[1].get("last", "")), reverse=True)
    if not latest:
        lines.append("Nothing yet: I'll tell you when a request is made or answered.")
    for url_title, request in latest[:SHOWN]:
        lines.append(
            f'• <a href="{html.escape(request_url(url_title), quote=True)}">'
            f"{quote(str(request.get('title', url_title)), 100)}</a>: {standing(request, now)}"
        )
    return "\n".join(lines)


def render_follow_reply(
    name: str, follow: FoiFollow, requests: dict[str, dict[str, Any]], now: datetime
) -> str:
    return (
        f"🔔 Following <b>{name}</b>. I'll tell this chat about {WHAT_COMES}.\n\n"
        f"{render_card(name, requests, now)}\n\n"
        f"<i>Stop: /unfollow {html.escape(reference(follow))}</i>"
    )
