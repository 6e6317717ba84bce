"""Petitions as a target kind: what the follow service asks about a petition, answered.

Reads a petition number or link, looks it up through the petitions source, and words its card,
its /list line and its follow reply with the pure renderers, and draws its signature chart.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from typing import Any

from bot.http import UpstreamError
from bot.preferences import GRANULARITIES
from bot.sources.base import BadReference, Chart, Command, FollowThis, InlineCard, Lookup, Reply
from bot.sources.petitions.alerts import GROUPS
from bot.sources.petitions.chart import render_chart
from bot.sources.petitions.links import (
    BadPetitionReference,
    find_petition_reference,
    parse_petition_reference,
)
from bot.sources.petitions.lists import (
    SEARCH_PAGE,
    late_list,
    render_late_page,
    render_search_page,
    search_words,
)
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.petitions.render import render_card
from bot.sources.petitions.source import (
    KIND,
    LookupProblem,
    PetitionSource,
    snapshot_from_state,
)
from bot.sources.petitions.trend import pace
from bot.sources.text import format_count, quote

log = logging.getLogger(__name__)
DEEP_LINK_PREFIX = "p_"
_PROBLEMS = {
    LookupProblem.NOT_FOUND: "There's no public petition number {id}. Check the number?",
    LookupProblem.NOT_PUBLIC: (
        "Petition {id} isn't public yet: it is still gathering sponsors or being checked by "
        "the petitions committee. Try again once it's published."
    ),
    LookupProblem.REMOVED: "Petition {id} has been removed from the site, so there's nothing to "
    "follow.",
    LookupProblem.UNAVAILABLE: (
        "I couldn't reach the petitions site just now. Please try again in a minute."
    ),
}


class PetitionKind:
    kind = KIND
    example = "300412"
    commands = (
        Command("search", "Open petitions that match some words", "/search climate"),
        Command(
            "overdue",
            "The government's late list: petitions past the response deadline",
            "/overdue",
        ),
    )
    paste_hint = "a petition's link or number (such as 300412)"
    alert_groups = GROUPS
    granularities = tuple(GRANULARITIES)

    def __init__(self, source: PetitionSource, extra_hosts: frozenset[str]) -> None:
        self._source = source
        self._extra_hosts = extra_hosts

    def read_reference(self, text: str) -> str | None:
        # The last kind asked: whatever no other kind claimed is read as a petition.
        try:
            return str(parse_petition_reference(text, self._extra_hosts))
        except BadPetitionReference as exc:
            raise BadReference(str(exc)) from None

    def find_in_text(self, text: str) -> str | None:
        petition = find_petition_reference(text, self._extra_hosts)
        return None if petition is None else str(petition)

    def reference(self, ident: str) -> str:
        return ident

    def deep_link(self, ident: str) -> str | None:
        return f"{DEEP_LINK_PREFIX}{ident}"

    def read_deep_link(self, payload: str) -> str | None:
        number = payload.removeprefix(DEEP_LINK_PREFIX)
        return number if payload.startswith(DEEP_LINK_PREFIX) and number.isdecimal() else None

    def name(self, ident: str, state: dict[str, Any] | None) -> str:
        title = f" “{quote(snapshot_from_state(state).title, 300)}”" if state else ""
        return f"petition {ident}{title}"

    async def look_up(self, ident: str, now: datetime) -> Lookup:
        looked = await self._source.look_up(int(ident), now)
        if looked.state is None:
            problem = _PROBLEMS[looked.problem or LookupProblem.UNAVAILABLE]
            return Lookup(problem=problem.format(id=ident))
        return Lookup(looked.state)

    async def browse(self, command: str, args: str, now: datetime) -> Reply | FollowThis:
        if command == "overdue":
            return await self._late_page(0, now)
        words = search_words(args)
        if not words:
            return Reply("What should I look for? For example: <code>/search climate</code>")
        return await self._search_page(words, 0, now)

    async def press(self, payload: str, now: datetime) -> Reply | FollowThis:
        which, _, rest = payload.partition(":")
        number, _, words = rest.partition(":")
        if not number.isdecimal() or which not in {"o", "s"}:
            return Reply("That button is out of date. Send /help to see what I can do.")
        if which == "o":
            return await self._late_page(int(number), now)
        return await self._search_page(words, int(number), now)

    async def inline(self, text: str, now: datetime) -> list[InlineCard]:
        """The petition the text names, else the open petitions that match its words."""
        named = self.find_in_text(text)
        if named is not None:
            looked = await self.look_up(named, now)
            found = [snapshot_from_state(looked.state)] if looked.state else []
        elif search_words(text):
            try:
                found, _ = await self._source.search(search_words(text), 0, SEARCH_PAGE, now)
            except UpstreamError as exc:
                log.warning("inline search for %r failed: %s", text, exc)
                found = []
        else:
            found = []
        return [
            InlineCard(
                str(petition.id),
                petition.title,
                f"{format_count(petition.signature_count)} signatures · petition {petition.id}",
                render_card(petition, now),
            )
            for petition in found
        ]

    async def _late_page(self, page: int, now: datetime) -> Reply:
        try:
            awaiting = await self._source.awaiting_response(now)
        except UpstreamError as exc:
            log.warning("the late list could not be read: %s", exc)
            return Reply(_PROBLEMS[LookupProblem.UNAVAILABLE])
        return render_late_page(late_list(awaiting, now), page)

    async def _search_page(self, words: str, offset: int, now: datetime) -> Reply:
        try:
            found, more = await self._source.search(words, offset, SEARCH_PAGE, now)
        except UpstreamError as exc:
            log.warning("search for %r failed: %s", words, exc)
            return Reply(_PROBLEMS[LookupProblem.UNAVAILABLE])
        return render_search_page(words, found, offset, more)

    def card(self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo) -> str:
        snapshot = snapshot_from_state(state)
        recent = pace(state.get("history"), now, snapshot.signature_count)
        return render_card(snapshot, now, recent, zone, self._source.dissolutions)

    def chart(
        self,
        ident: str,
        state: dict[str, Any],
        samples: list[tuple[int, int]],
        now: datetime,
        zone: tzinfo,
    ) -> Chart | str:
        return render_chart(snapshot_from_state(state), samples, now, zone)

    def list_line(self, ident: str, state: dict[str, Any] | None, now: datetime) -> str:
        if state is None:
            return f"Petition {ident}: checking…"
        snapshot = snapshot_from_state(state)
        return (
            f"<b>{quote(snapshot.title, 120)}</b>\n"
            f"    {format_count(snapshot.signature_count)} signatures · {snapshot.state} · "
            f"/status {ident} · /unfollow {ident}"
        )

    def follow_reply(self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo) -> str:
        card = self.card(ident, state, now, zone)
        return f"{card}\n\n🔔 {_what_comes(snapshot_from_state(state))}"


def _what_comes(snapshot: PetitionSnapshot) -> str:
    if snapshot.removed or snapshot.state == "rejected":
        return "Following. Rejected petitions rarely change, but I'll tell this chat if it does."
    if snapshot.state == "closed":
        return (
            "Following. It has closed, but I'll tell this chat when the government responds (or "
            "is late), when a debate is scheduled, moved or held, and about other business."
        )
    return (
        "Following. I'll tell this chat about signature milestones, the "
        f"{format_count(snapshot.response_threshold)} and {format_count(snapshot.debate_threshold)}"
        " thresholds, the government response (and if it is late), debates, and closing."
    )
