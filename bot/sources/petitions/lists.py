"""Petition lists for chat: search results and the government's late list, paged, as Replies.

Pure: no I/O. Each page carries a Follow button per petition, named by its title, and ◀ ▶ or
More buttons whose callback data stays under Telegram's 64 bytes: `b:petition:o:<page>` for the
late list, `b:petition:s:<o|c><offset>:<words>` for a search (open petitions first, then closed
ones, each marked with where it stands).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.sources.base import Button, Reply
from bot.sources.petitions.deadline import days_between, due_day, london_day
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.petitions.render import petition_url
from bot.sources.petitions.source import KIND
from bot.sources.text import format_count, format_date, one_line, quote

OVERDUE_PAGE = 8
SEARCH_PAGE = 5
# Room for the search words in `b:petition:s:<offset>:` under Telegram's 64 bytes.
SEARCH_WORDS_BYTES = 40
BUTTON_TITLE = 32  # characters of a title on a button: a phone shows about that many


@dataclass(frozen=True)
class SearchPage:
    words: str
    found: list[PetitionSnapshot]
    next_at: str | None  # where More goes on: `o10` (open, from the 10th), `c5` (closed)
    first: bool  # nothing was shown before it


@dataclass(frozen=True)
class Late:
    petition: PetitionSnapshot
    days: int  # past the 21-day deadline, on the London calendar


def late_list(awaiting: list[PetitionSnapshot], now: datetime) -> list[Late]:
    """The petitions past their response deadline with no response, most overdue first: late
    from the day after the due day (bot.sources.petitions.deadline)."""
    late = []
    today = london_day(now)
    for petition in awaiting:
        reached = petition.response_threshold_reached_at
        overdue = days_between(due_day(reached), today) if reached else 0
        if overdue > 0 and petition.response is None:
            late.append(Late(petition, overdue))
    return sorted(late, key=lambda entry: (-entry.days, entry.petition.id))


def search_words(text: str) -> str:
    """The words of a search, cut to what a More button can carry."""
    words = " ".join(text.split()).lower()
    while len(words.encode()) > SEARCH_WORDS_BYTES:
        words = words.rsplit(" ", 1)[0] if " " in words else words[: SEARCH_WORDS_BYTES // 4]
    return words


def render_late_page(late: list[Late], page: int) -> Reply:
    if not late:
        return Reply(
            "⏰ No petition is past its 21-day response deadline right now: the government has "
            "answered every petition that reached 10,000 signatures in time, or is still within it."
        )
    pages = (len(late) + OVERDUE_PAGE - 1) // OVERDUE_PAGE
    page = min(max(page, 0), pages - 1)
    shown = late[page * OVERDUE_PAGE : (page + 1) * OVERDUE_PAGE]
    lines = [
        "⏰ <b>The government's late list</b>",
        f"{len(late)} petition{'s' * (len(late) != 1)} past the 21-day response deadline with no "
        f"response, most overdue first. Page {page + 1} of {pages}.",
        "",
    ]
    for entry in shown:
        petition = entry.petition
        lines.append(
            f"• <b>{quote(petition.title, 150)}</b>\n"
            f"    {format_count(petition.signature_count)} signatures · "
            f"<b>{entry.days} day{'s' * (entry.days != 1)} late</b> · {petition_url(petition)}"
        )
    buttons = _follow_buttons([entry.petition for entry in shown])
    nav = [
        Button(label, f"b:{KIND}:o:{target}")
        for label, target, shows in (("◀", page - 1, page > 0), ("▶", page + 1, page + 1 < pages))
        if shows
    ]
    return Reply("\n".join(lines), (*buttons, tuple(nav)) if nav else buttons)


def render_search_page(page: SearchPage) -> Reply:
    """A page of search results: open petitions first, then closed ones, each marked."""
    words = quote(page.words, 60)
    if not page.found:
        if not page.first:
            return Reply(f"🔎 No more petitions match “{words}”.")
        return Reply(
            f"🔎 No petition matches “{words}”. Try fewer or different words, or /overdue for "
            "the petitions the government is late on."
        )
    lines = [f"🔎 <b>Petitions matching “{words}”</b>: open ones first, most signed first", ""]
    for petition in page.found:
        lines.append(
            f"• <b>{quote(petition.title, 150)}</b>\n"
            f"    {format_count(petition.signature_count)} signatures · {_marks(petition)} · "
            f"{petition_url(petition)}"
        )
    buttons = _follow_buttons(page.found)
    if page.next_at is not None:
        more = Button("More ▶", f"b:{KIND}:s:{page.next_at}:{page.words}")
        buttons = (*buttons, (more,))
    return Reply("\n".join(lines), buttons)


def _marks(petition: PetitionSnapshot) -> str:
    """Where a petition stands, in a few words: open or closed, answered, debated."""
    marks = [petition.state if not petition.removed else "removed"]
    if petition.response is not None or petition.government_response_at is not None:
        marks.append("government responded")
    if petition.debate is not None and petition.debate.debated_on is not None:
        marks.append("debated")
    elif petition.sitting is not None and not petition.sitting.cancelled:
        marks.append(f"debate {format_date(petition.sitting.day)}")
    return " · ".join(marks)


def _follow_buttons(petitions: list[PetitionSnapshot]) -> tuple[tuple[Button, ...], ...]:
    """A Follow button for each petition, named by its title (the service marks those the chat
    follows already)."""
    return tuple(
        (Button(f"🔔 {one_line(petition.title, BUTTON_TITLE)}", f"f:{KIND}:{petition.id}"),)
        for petition in petitions
    )
