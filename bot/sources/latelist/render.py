"""Late-list messages: a petition fallen overdue, a late response, the weekly list, the card.

Pure: no I/O. Every piece of upstream text passes through `quote`. Days are London's: the
deadline is on the London calendar (bot.sources.petitions.deadline).
"""

from __future__ import annotations

import html
from collections import defaultdict
from datetime import date

from bot.sources.latelist.detect import LateEvent, LateEventKind
from bot.sources.latelist.model import KIND, LateEntry, LateFollow
from bot.sources.petitions.deadline import RESPONSE_WITHIN_DAYS
from bot.sources.petitions.model import DEFAULT_RESPONSE_THRESHOLD
from bot.sources.petitions.render import PUBLIC_SITE
from bot.sources.text import days, format_count, format_date, quote

WHAT_COMES = (
    "each petition that falls past its 21-day response deadline, each late response when it "
    "finally comes (with how late), and a weekly late list by department on this chat's digest "
    "day (/settings day)"
)
WEEKLY_SHOWN = 25  # petitions listed in a weekly message; the rest counted
NO_DEPARTMENT = "No department named yet"


def scope(follow: LateFollow, department_name: str | None = None) -> str:
    """Which petitions the follow is about (HTML), to follow "petitions": "" for all,
    " with 100,000 signatures or more", " for the Home Office"."""
    if follow.department is not None:
        return f" for the {html.escape(department_name or follow.department)}"
    if follow.min_signatures:
        return f" with {format_count(follow.min_signatures)} signatures or more"
    return ""


def describe(follow: LateFollow, department_name: str | None = None) -> str:
    """The follow in words (HTML): "the late list", "the late list: petitions with 100,000
    signatures or more", "the late list: petitions for the Home Office"."""
    narrowed = scope(follow, department_name)
    return f"the late list: petitions{narrowed}" if narrowed else "the late list"


def reference(follow: LateFollow) -> str:
    """How commands name it (plain text): `overdue`, `overdue 100000`, `overdue home-office`."""
    return KIND if follow.ident == "all" else f"{KIND} {follow.ident}"


def _stop(follow: LateFollow) -> str:
    return f"\n\n<i>Stop these alerts: /unfollow {html.escape(reference(follow))}</i>"


def _named(entry: LateEntry) -> str:
    return (
        f"“{quote(entry.title, 200)}” (petition {entry.id}, "
        f"{format_count(entry.signatures)} signatures)"
    )


def _department_line(entry: LateEntry) -> str:
    return f"\n🏛 {quote(entry.department_names, 200)}" if entry.departments else ""


def _url(entry: LateEntry) -> str:
    return f"{PUBLIC_SITE}/petitions/{entry.id}"


def render_alert(event: LateEvent, follow: LateFollow, department_name: str | None) -> str:
    """`department_name`: the name of the follow's department, if it has one."""
    if event.kind is LateEventKind.WEEKLY:
        return render_weekly(event, follow, department_name)
    entry = event.entry
    assert entry is not None
    if event.kind is LateEventKind.LATE:
        text = (
            f"⏰ <b>Government response overdue</b>\n{_named(entry)} reached "
            f"{format_count(DEFAULT_RESPONSE_THRESHOLD)} signatures on "
            f"{format_date(entry.reached)}. "
            f"The government agreed to respond within {RESPONSE_WITHIN_DAYS} days, by "
            f"{format_date(entry.due)}, and has not: {days(event.days_late)} late."
        )
    else:
        assert event.responded_on is not None
        lateness = (
            f"{days(event.days_late)} after the deadline ({format_date(entry.due)})"
            if event.days_late > 0
            else f"by the deadline ({format_date(entry.due)})"
        )
        text = (
            f"📝 <b>Late response published</b>\n{_named(entry)}: the government responded on "
            f"{format_date(event.responded_on)}, {lateness}."
        )
    return f"{text}{_department_line(entry)}\n{_url(entry)}{_stop(follow)}"


def render_weekly(event: LateEvent, follow: LateFollow, department_name: str | None) -> str:
    assert event.day is not None
    heading = f"📋 <b>The late list, {format_date(event.day)}</b>"
    listed, narrowed = event.listed, scope(follow, department_name)
    if not listed:
        return (
            f"{heading}\nNo petition{narrowed} is past its {RESPONSE_WITHIN_DAYS}-day response "
            "deadline today: the government has answered each in time, or is still within it."
            + _stop(follow)
        )
    count = len(listed)
    lines = [
        heading,
        f"{count} petition{'s' * (count != 1)}{narrowed} past the {RESPONSE_WITHIN_DAYS}-day "
        "response deadline with no response, by department, most overdue first:",
    ]
    shown = 0
    for name, entries in by_department(listed):
        if shown >= WEEKLY_SHOWN:
            break
        lines.append(f"\n<b>{quote(name, 120)}</b> ({len(entries)})")
        for entry in entries[: WEEKLY_SHOWN - shown]:
            late = days(max((event.day - entry.due).days, 0))
            lines.append(
                f'• <a href="{_url(entry)}">{quote(entry.title, 90)}</a>: {late} late, '
                f"{format_count(entry.signatures)} signatures"
            )
            shown += 1
    if count > shown:
        lines.append(f"\n…and {count - shown} more: /overdue lists them all.")
    return "\n".join(lines) + _stop(follow)


def by_department(
    entries: tuple[LateEntry, ...] | list[LateEntry],
) -> list[tuple[str, list[LateEntry]]]:
    """The entries by their first department, the departments with the most first; within
    each, the most overdue first."""
    groups: dict[str, list[LateEntry]] = defaultdict(list)
    for entry in entries:
        groups[entry.departments[0][1] if entry.departments else NO_DEPARTMENT].append(entry)
    for group in groups.values():
        group.sort(key=lambda e: (e.due, e.id))
    return sorted(
        groups.items(), key=lambda item: (-len(item[1]), item[0] == NO_DEPARTMENT, item[0])
    )


def render_card(follow: LateFollow, entries: list[LateEntry], today: date, name: str) -> str:
    """The follow's card: the petitions on its late list now, by department."""
    if not entries:
        return f"⏰ <b>{name[:1].upper()}{name[1:]}</b>\nNo petition on it is late right now."
    lines = [f"⏰ <b>{name[:1].upper()}{name[1:]}</b>", f"{len(entries)} late now:"]
    for department, group in by_department(entries)[:8]:
        oldest = days(max((today - group[0].due).days, 0))
        lines.append(f"• {quote(department, 100)}: {len(group)} (longest wait {oldest} late)")
    return "\n".join(lines)


def render_follow_reply(
    follow: LateFollow, entries: list[LateEntry], today: date, name: str
) -> str:
    return (
        f"🔔 Following <b>{name}</b>. I'll tell this chat about {WHAT_COMES}.\n\n"
        f"{render_card(follow, entries, today, name)}\n\n"
        f"<i>Stop: /unfollow {html.escape(reference(follow))}</i>"
    )
