"""Debate messages: alerts, the upcoming-debates listing, the /list line, in Telegram HTML.

Pure: no I/O. An alert's body is worded by bot.sources.petitions.debating, the same as a followed
petition's; this adds the all-debates footer. Every piece of upstream text passes through `quote`.
"""

from __future__ import annotations

from datetime import date

from bot.sources.debates.detect import DebateEvent
from bot.sources.debates.model import Debate
from bot.sources.petitions.debating import (
    DebateNews,
    petition_line,
    render_held,
    render_links_added,
    render_not_debated,
    render_sitting_news,
    when,
)
from bot.sources.whatson.calendar import WINDOW
from bot.sources.whatson.parse import PUBLIC_EVENT_URL

PETITION_URL = "https://petition.parliament.uk/petitions/{id}"
# Room left under Telegram's 4,096 characters for a card's follow reply around the listing.
LISTING_BUDGET = 3_300
FOOTER = "<i>Stop these alerts: /unfollow debates</i>"
WHAT_COMES = (
    "I'll tell this chat when any petition debate is scheduled, moved or cancelled, remind it the "
    "evening before and on the morning, and tell it when the debate is held (with the transcript "
    "and video once they're up) or when the Petitions Committee decides not to debate a petition."
)


def line_of(debate: Debate) -> str:
    return petition_line(debate.title, debate.petition_id, debate.signatures)


def render_alert(event: DebateEvent) -> str:
    debate, old = event.debate, event.previous
    line = line_of(debate)
    if event.news is DebateNews.HELD:
        body = render_held(line, debate.held_on, debate.overview, debate.links)
    elif event.news is DebateNews.NOT_DEBATED:
        body = render_not_debated(line, debate.overview)
    elif event.news is DebateNews.LINKS:
        added = {n: u for n, u in debate.links.items() if old is None or n not in old.links}
        body = render_links_added(line, added)
    else:
        body = render_sitting_news(
            event.news, line, debate.sitting, old.sitting if old is not None else None
        )
    return f"{body}\n\n{_where(debate)}\n{FOOTER}"


def upcoming(debates: dict[int, Debate], today: date) -> list[Debate]:
    """The debates scheduled in the next four weeks, soonest first."""
    coming = [
        d
        for d in debates.values()
        if d.scheduled and d.sitting and today <= d.sitting.day < today + WINDOW
    ]
    return sorted(coming, key=lambda d: (d.day, d.sitting.time or "99", d.petition_id))  # type: ignore[union-attr]


def render_listing(debates: dict[int, Debate], today: date) -> str:
    """The petition debates in the next four weeks, soonest first."""
    coming = upcoming(debates, today)
    if not coming:
        waiting = sum(1 for d in debates.values() if not (d.scheduled or d.held or d.not_debated))
        more = f" {waiting} petitions are waiting for a date." if waiting else ""
        return f"🗓 No petition debates are scheduled in the next four weeks.{more}"
    lines = ["🗓 <b>Petition debates in the next four weeks</b>"]
    size = len(lines[0])
    for shown, debate in enumerate(coming):
        assert debate.sitting is not None
        line = (
            f"• <b>{when(debate.sitting, place=False)}</b>: {line_of(debate)}\n  "
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
    event_id = debate.sitting.event_id if debate.sitting else None
    if event_id is not None and not debate.held:
        links.append(PUBLIC_EVENT_URL.format(id=event_id))
    return "\n".join(links)
