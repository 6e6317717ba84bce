"""Debate messages: alerts, the upcoming-debates listing, the /list line, in Telegram HTML.

Pure: no I/O. Every piece of upstream text passes through `quote` (clipped, escaped).
"""

from __future__ import annotations

from datetime import date, timedelta

from bot.sources.debates.detect import DebateEvent, DebateEventKind
from bot.sources.debates.model import Debate
from bot.sources.petitions.render import render_debate_links
from bot.sources.text import format_count, format_date, quote
from bot.sources.whatson.parse import PUBLIC_EVENT_URL

PETITION_URL = "https://petition.parliament.uk/petitions/{id}"
UPCOMING = timedelta(days=28)
# Room left under Telegram's 4,096 characters for a card's follow reply around the listing.
LISTING_BUDGET = 3_300
FOOTER = "<i>Stop these alerts: /unfollow debates</i>"
WHAT_COMES = (
    "I'll tell this chat when any petition debate is scheduled, moved or cancelled, when it is "
    "held (with the transcript and video once they're up), and when the Petitions Committee "
    "decides not to debate a petition."
)


def when(debate: Debate) -> str:
    """ "Monday 7 December 2026 at 16:30"."""
    if debate.day is None:
        return "a date to be set"
    at = f" at {debate.time}" if debate.time else ""
    return f"{debate.day:%A} {format_date(debate.day)}{at}"


def petition_line(debate: Debate) -> str:
    signatures = (
        f", {format_count(debate.signatures)} signatures" if debate.signatures is not None else ""
    )
    return f"“{quote(debate.title, 250)}” (petition {debate.petition_id}{signatures})"


def render_alert(event: DebateEvent) -> str:
    debate, old = event.debate, event.previous
    if event.kind is DebateEventKind.SCHEDULED:
        body = (
            f"🗓 <b>Debate scheduled</b>\nParliament will debate {petition_line(debate)} on "
            f"{when(debate)}."
        )
    elif event.kind is DebateEventKind.RESCHEDULED:
        assert old is not None
        body = (
            f"🗓 <b>Debate moved</b>\n{petition_line(debate)} will now be debated on "
            f"{when(debate)} (it was set for {when(old)})."
        )
    elif event.kind is DebateEventKind.TIME_CHANGED:
        assert old is not None
        body = (
            f"🗓 <b>Debate time changed</b>\nThe debate on {petition_line(debate)} is now at "
            f"{debate.time} on {when(debate).rsplit(' at ', 1)[0]} (it was {old.time})."
        )
    elif event.kind is DebateEventKind.CANCELLED:
        assert old is not None
        body = (
            f"🗓 <b>Debate cancelled</b>\nThe debate on {petition_line(debate)} set for "
            f"{when(old)} is no longer scheduled."
        )
    elif event.kind is DebateEventKind.HELD:
        body = f"🏛 <b>Parliament debated</b> {petition_line(debate)} on {when(debate)}."
        if debate.overview:
            body += f"\n{quote(debate.overview, 1200)}"
        if debate.links:
            body += f"\n{render_debate_links(debate.links)}"
    elif event.kind is DebateEventKind.NOT_DEBATED:
        body = (
            "🏛 <b>No debate</b>\nThe Petitions Committee decided not to debate "
            f"{petition_line(debate)}."
        )
        if debate.overview:
            body += f"\nTheir reason: {quote(debate.overview, 1200)}"
    else:
        added = {n: u for n, u in debate.links.items() if old is None or n not in old.links}
        body = (
            f"🔗 <b>New debate links</b> for {petition_line(debate)}\n{render_debate_links(added)}"
        )
    return f"{body}\n\n{_where(debate)}\n{FOOTER}"


def upcoming(debates: dict[int, Debate], today: date) -> list[Debate]:
    """The debates scheduled in the next four weeks, soonest first."""
    return sorted(
        (
            d
            for d in debates.values()
            if d.scheduled and d.day and today <= d.day < today + UPCOMING
        ),
        key=lambda d: (d.day, d.time or "99", d.petition_id),
    )


def render_listing(debates: dict[int, Debate], today: date) -> str:
    """The petition debates in the next four weeks, soonest first."""
    coming = upcoming(debates, today)
    if not coming:
        waiting = sum(1 for d in debates.values() if not (d.day or d.held or d.not_debated))
        more = f" {waiting} petitions are waiting for a date." if waiting else ""
        return f"🗓 No petition debates are scheduled in the next four weeks.{more}"
    lines = ["🗓 <b>Petition debates in the next four weeks</b>"]
    size = len(lines[0])
    for shown, debate in enumerate(coming):
        line = (
            f"• <b>{when(debate)}</b>: {petition_line(debate)}\n  "
            f"{PETITION_URL.format(id=debate.petition_id)}"
        )
        size += len(line) + 1
        if size > LISTING_BUDGET:
            lines.append(f"…and {len(coming) - shown} more.")
            break
        lines.append(line)
    return "\n".join(lines)


def render_list_line(debates: dict[int, Debate], today: date) -> str:
    coming = len(upcoming(debates, today))
    return (
        f"🗓 <b>All petition debates</b> · {coming} in the next four weeks\n"
        "    /debates · /unfollow debates"
    )


def _where(debate: Debate) -> str:
    links = [PETITION_URL.format(id=debate.petition_id)]
    if debate.event_id is not None and not debate.held:
        links.append(PUBLIC_EVENT_URL.format(id=debate.event_id))
    return "\n".join(links)
