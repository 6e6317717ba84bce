"""Petition lists for chat: search results and the government's late list, paged, as Replies.

Pure: no I/O. Each page carries a Follow button per petition (numbered like its line) and ◀ ▶
buttons whose callback data stays under Telegram's 64 bytes: `b:petition:o:<page>` for the late
list, `b:petition:s:<offset>:<words>` for a search.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from bot.sources.base import Button, Reply
from bot.sources.petitions.deadline import days_between, due_day, london_day
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.petitions.render import petition_url
from bot.sources.petitions.source import KIND
from bot.sources.text import format_count, quote

OVERDUE_PAGE = 8
SEARCH_PAGE = 5
# Room for the search words in `b:petition:s:<offset>:` under Telegram's 64 bytes.
SEARCH_WORDS_BYTES = 40


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
    for number, entry in enumerate(shown, start=1):
        petition = entry.petition
        lines.append(
            f"{number}. <b>{quote(petition.title, 150)}</b>\n"
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


def render_search_page(words: str, found: list[PetitionSnapshot], offset: int, more: bool) -> Reply:
    if not found:
        again = "No more open petitions match" if offset else "No open petition matches"
        return Reply(
            f"🔎 {again} “{quote(words, 60)}”. Try fewer or different words, or /overdue for "
            "the petitions the government is late on."
        )
    lines = [f"🔎 <b>Open petitions matching “{quote(words, 60)}”</b>, most signed first", ""]
    for number, petition in enumerate(found, start=offset + 1):
        lines.append(
            f"{number}. <b>{quote(petition.title, 150)}</b>\n"
            f"    {format_count(petition.signature_count)} signatures · {petition_url(petition)}"
        )
    buttons = _follow_buttons(found, first=offset + 1)
    if more:
        buttons = (*buttons, (Button("More ▶", f"b:{KIND}:s:{offset + SEARCH_PAGE}:{words}"),))
    return Reply("\n".join(lines), buttons)


def _follow_buttons(
    petitions: list[PetitionSnapshot], first: int = 1
) -> tuple[tuple[Button, ...], ...]:
    buttons = [
        Button(f"🔔 {number}", f"f:{KIND}:{petition.id}")
        for number, petition in enumerate(petitions, start=first)
    ]
    return tuple(tuple(buttons[i : i + 4]) for i in range(0, len(buttons), 4))
