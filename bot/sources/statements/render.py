"""Statement messages: alerts, the /status card, the /list line and the follow reply, in HTML.

Pure: no I/O. Every piece of upstream text passes through `quote` (clipped, escaped). Dates are
on the chat's zone's calendar, except an item the source dates by day only, which keeps its day.
A list of items links each one, marks the withdrawn, and shows a statement laid in both Houses
(or on GOV.UK as well) once.
"""

from __future__ import annotations

import html
from datetime import tzinfo

from bot.sources.departments.directory import Directory
from bot.sources.statements.detect import CATCH_UP, StatementEvent, StatementEventKind
from bot.sources.statements.model import StatementItem
from bot.sources.statements.query import StatementQuery
from bot.sources.statements.words import same_story
from bot.sources.text import LONDON, format_date, quote
from bot.sources.values import instant_of

WHAT_COMES = (
    "new written and oral statements, speeches, press releases, news stories and government "
    "responses on GOV.UK, written statements laid in Parliament, and when one is updated, "
    "corrected or withdrawn, for a year after it came"
)
CATCH_UP_SHOWN = 25  # items listed in a catch-up summary; the rest counted


def describe(query: StatementQuery, directory: Directory) -> str:
    """The follow in words: "Home Office statements on “grooming gangs”"."""
    department = directory.get(query.department) if query.department else None
    if query.department is None:
        who = "Statements from every department"
    elif department is not None:
        who = f"{html.escape(department.name)} statements"
    else:
        who = f"{html.escape(query.department)} statements"
    if not query.keywords:
        return who
    return f"{who} on “{html.escape(' '.join(query.keywords))}”"


def reference(query: StatementQuery) -> str:
    """How commands name the follow: `statements home-office grooming gangs` (plain text)."""
    return f"statements {query.department or 'any'} {' '.join(query.keywords)}".strip()


def command_reference(query: StatementQuery) -> str:
    return html.escape(reference(query))


def render_alert(event: StatementEvent, query: StatementQuery, zone: tzinfo = LONDON) -> str:
    if event.kind is StatementEventKind.CATCH_UP:
        return _render_catch_up(event, query, zone)
    item = event.item
    if event.kind is StatementEventKind.UPDATED:
        headline = f"✏️ <b>Updated: {quote(item.title, 250)}</b>"
    elif event.kind is StatementEventKind.WITHDRAWN:
        headline = f"🗑 <b>Withdrawn: {quote(item.title, 250)}</b>"
    elif item.corrects:
        headline = f"✏️ <b>Correction: {quote(item.title, 250)}</b>"
    else:
        headline = f"🏛 <b>{quote(item.title, 250)}</b>"
    lines = [headline, f"{quote(item.department_name, 120)} · {quote(item.kind_label, 80)}"]
    if item.minister:
        lines.append(f"👤 {quote(item.minister, 150)}")
    if event.kind is StatementEventKind.UPDATED and item.change_note:
        lines.append(f"What changed: “{quote(item.change_note, 400)}”")
    elif event.kind is StatementEventKind.WITHDRAWN:
        lines.append("The government has withdrawn this item; it stays on record as withdrawn.")
    elif event.kind is StatementEventKind.CORRECTED:
        lines.append(
            "Parliament now lists this statement as a correction of an earlier written statement."
        )
    elif item.corrects:
        lines.append("This corrects an earlier written statement.")
    excerpt = f": {quote(item.excerpt, 300)}" if item.excerpt else ""
    updated = instant_of(item.stamp) if event.kind is StatementEventKind.UPDATED else None
    when = _published(item, zone) + (f", updated {format_date(updated, zone)}" if updated else "")
    lines.append(f"🗓 {when}{excerpt}")
    lines.append(html.escape(item.url, quote=True))
    return "\n".join(lines) + _stop(query)


def _render_catch_up(event: StatementEvent, query: StatementQuery, zone: tzinfo) -> str:
    missed = event.missed
    lines = [
        f"📚 <b>{len(missed)} older item{'s' * (len(missed) != 1)} you missed</b>",
        "While I couldn't read the source, these matching items came out more than "
        f"{CATCH_UP.days} days ago:",
        render_items(list(missed[:CATCH_UP_SHOWN]), zone),
    ]
    if len(missed) > CATCH_UP_SHOWN:
        lines.append(f"…and {len(missed) - CATCH_UP_SHOWN} more.")
    return "\n".join(lines) + _stop(query)


def _stop(query: StatementQuery) -> str:
    return f"\n\n<i>Stop these alerts: /unfollow {command_reference(query)}</i>"


def render_items(items: list[StatementItem], zone: tzinfo) -> str:
    """One line an item, linked; a withdrawn one marked; a statement laid in both Houses (or
    also on GOV.UK) once."""
    if not items:
        return "Nothing matching in the last few weeks yet: I'll tell you when something comes."
    once: list[StatementItem] = []
    for item in items:
        if not any(_twins(item, kept) for kept in once):
            once.append(item)
    return "\n".join(
        f"• {_published(item, zone)} · {quote(item.kind_label, 60)} · "
        f'<a href="{html.escape(item.url, quote=True)}">{quote(item.title, 160)}</a>'
        + (" (withdrawn)" if item.withdrawn else "")
        for item in once
    )


def _twins(item: StatementItem, other: StatementItem) -> bool:
    return (
        item.departments[:1] == other.departments[:1]
        and item.day == other.day
        and same_story(item.title, other.title)
    )


def render_card(
    query: StatementQuery, items: list[StatementItem], directory: Directory, zone: tzinfo
) -> str:
    return (
        f"🏛 <b>{describe(query, directory)}</b>\n"
        "From GOV.UK and Parliament's written statements. The latest:\n"
        f"{render_items(items, zone)}"
    )


def render_follow_reply(
    query: StatementQuery, items: list[StatementItem], directory: Directory, zone: tzinfo
) -> str:
    return (
        f"🔔 Following <b>{describe(query, directory)}</b>. I'll tell this chat about "
        f"{WHAT_COMES}.\n\nThe latest matching:\n{render_items(items[:3], zone)}\n\n"
        f"<i>Stop: /unfollow {command_reference(query)}</i>"
    )


def _published(item: StatementItem, zone: tzinfo) -> str:
    return format_date(item.published, LONDON if item.day_only else zone)


def render_list_line(query: StatementQuery, directory: Directory) -> str:
    return f"🏛 <b>{describe(query, directory)}</b>\n    /unfollow {command_reference(query)}"
