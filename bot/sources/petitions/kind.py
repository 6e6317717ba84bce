"""Petitions as a target kind: what the follow service asks about a petition, answered.

Reads a petition number or link, looks it up through the petitions source, and words its card,
its /list line and its follow reply with the pure renderers, and draws its signature chart.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, tzinfo
from typing import Any

from bot.http import UpstreamError
from bot.preferences import GRANULARITIES
from bot.sources.base import (
    BadReference,
    Button,
    Chart,
    Command,
    FollowThis,
    InlineCard,
    Lookup,
    Reply,
    Suggestion,
)
from bot.sources.petitions.alerts import GROUPS
from bot.sources.petitions.chart import render_chart
from bot.sources.petitions.links import (
    BadPetitionReference,
    find_petition_reference,
    is_words,
    other_site,
    parse_petition_reference,
)
from bot.sources.petitions.lists import (
    SEARCH_PAGE,
    SearchPage,
    late_list,
    render_late_page,
    render_search_page,
    search_words,
)
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.petitions.places import place_line, top_line
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
_FACETS = {"o": "open", "c": "closed"}
_SEARCH_PLACE = re.compile(r"[oc]\d{1,5}")
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
        Command("search", "Find petitions by words, open ones first", "/search climate"),
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
        # The last kind asked: whatever no other kind claimed and is not words is read as a
        # petition, so a mistyped number or a link elsewhere is told what is wrong with it.
        if is_words(text):
            return None
        try:
            return str(parse_petition_reference(text, self._extra_hosts))
        except BadPetitionReference as exc:
            raise BadReference(str(exc)) from None

    def find_in_text(self, text: str) -> str | None:
        petition = find_petition_reference(text, self._extra_hosts)
        if petition is None and (elsewhere := other_site(text)) is not None:
            raise BadReference(elsewhere)
        return None if petition is None else str(petition)

    def suggest(self, words: str) -> Suggestion:
        wanted = search_words(words)
        return Suggestion(
            f"🔎 Petitions about it: <code>/search {quote(wanted, 60)}</code>",
            Button("🔎 Search petitions", f"b:{KIND}:s:o0:{wanted}"),
        )

    async def search(self, words: str, now: datetime) -> Reply:
        return await self._search_page(search_words(words), "o0", now)

    async def answer(self, context: str, text: str, now: datetime) -> Reply | FollowThis:
        """The words sent after "What should I look for?"."""
        words = search_words(text)
        if not words:
            return self._ask_for_words()
        return await self._search_page(words, "o0", now)

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

    def label(self, ident: str, state: dict[str, Any] | None) -> str:
        return snapshot_from_state(state).title if state else f"Petition {ident}"

    async def local_lines(self, ident: str, place: str, now: datetime) -> list[str]:
        """The most-signed constituencies, and the chat's own, from the petition's document."""
        counts = await self._source.constituencies(int(ident), now)
        return [line for line in (top_line(counts), place_line(counts, place)) if line]

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
            return self._ask_for_words()
        return await self._search_page(words, "o0", now)

    @staticmethod
    def _ask_for_words() -> Reply:
        return Reply(
            "What should I look for? Send a few words from the petition's title, such as "
            "<code>grooming gangs</code>.",
            awaiting=(KIND, "search"),
        )

    async def press(self, payload: str, now: datetime) -> Reply | FollowThis:
        which, _, rest = payload.partition(":")
        place, _, words = rest.partition(":")
        if which == "o" and place.isdecimal():
            return await self._late_page(int(place), now)
        if which == "s" and _SEARCH_PLACE.fullmatch(place) and words:
            return await self._search_page(words, place, now)
        return Reply("That button is out of date. Send /help to see what I can do.")

    async def inline(self, text: str, now: datetime) -> list[InlineCard]:
        """The petition the text names, else the open petitions that match its words."""
        named = self.find_in_text(text)
        if named is not None:
            looked = await self.look_up(named, now)
            found = [snapshot_from_state(looked.state)] if looked.state else []
        elif search_words(text):
            try:
                found, _ = await self._source.search(
                    search_words(text), "open", 0, SEARCH_PAGE, now
                )
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
                render_card(petition, now, checked=False),
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

    async def _search_page(self, words: str, place: str, now: datetime) -> Reply:
        """A page of results from `place` (`o10`: the open petitions from the 10th; `c0`: the
        closed ones from the first): open ones first, then closed ones to fill the page."""
        facet, offset = _FACETS[place[0]], int(place[1:])
        try:
            found, more = await self._source.search(words, facet, offset, SEARCH_PAGE, now)
            next_at = f"{place[0]}{offset + len(found)}" if more else None
            if facet == "open" and not more:
                closed, more = await self._source.search(
                    words, "closed", 0, SEARCH_PAGE - len(found), now
                )
                found += closed
                next_at = f"c{len(closed)}" if more else None
        except UpstreamError as exc:
            log.warning("search for %r failed: %s", words, exc)
            return Reply(_PROBLEMS[LookupProblem.UNAVAILABLE])
        return render_search_page(SearchPage(words, found, next_at, place == "o0"))

    def card(
        self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo, shared: bool = False
    ) -> str:
        snapshot = snapshot_from_state(state)
        if shared:  # no pace and no "checked …": they would be stale once forwarded
            return render_card(snapshot, now, None, zone, self._source.dissolutions, False)
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
