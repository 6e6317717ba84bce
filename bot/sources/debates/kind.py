"""All petition debates as a target kind: `/debates`, `/follow debates`, and its card and line.

There is one target, `debates:all`. Looking it up reads the listing afresh (a handful of
requests), which is both the /debates answer and the follow's silent baseline.
"""

from __future__ import annotations

import logging
from datetime import datetime, tzinfo
from typing import Any

from bot.http import UpstreamError
from bot.sources.base import Button, Command, FollowThis, Lookup, Reply
from bot.sources.debates.detect import GROUPS
from bot.sources.debates.model import ALL, KIND, listing_from_state, listing_to_state
from bot.sources.debates.render import WHAT_COMES, render_list_line, render_listing
from bot.sources.debates.source import DebatesSource, london_day
from bot.sources.text import LONDON

log = logging.getLogger(__name__)
_NAMES = {"debates", "debate", "all debates", "petition debates", "all petition debates"}


class DebatesKind:
    kind = KIND
    example = "debates"
    commands = (
        Command(KIND, "Petition debates in the next four weeks; follow them all", "/debates"),
    )
    alert_groups = GROUPS
    granularities: tuple[str, ...] = ()

    def __init__(self, source: DebatesSource) -> None:
        self._source = source

    def read_reference(self, text: str) -> str | None:
        return ALL if " ".join(text.lower().split()) in _NAMES else None

    def reference(self, ident: str) -> str:
        return KIND

    def deep_link(self, ident: str) -> str | None:
        return KIND

    def read_deep_link(self, payload: str) -> str | None:
        return ALL if payload == KIND else None

    def name(self, ident: str, state: dict[str, Any] | None) -> str:
        return "all petition debates"

    def label(self, ident: str, state: dict[str, Any] | None) -> str:
        return "All petition debates"

    async def look_up(self, ident: str, now: datetime) -> Lookup:
        try:
            listing = await self._source.read(now)
        except UpstreamError as exc:
            log.warning("debate listing look-up failed: %s", exc)
            return Lookup(
                problem="I couldn't read the debate listings just now. Please try again in a "
                "minute."
            )
        return Lookup(listing_to_state(listing, now))

    def card(
        self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo, shared: bool = False
    ) -> str:
        # `zone` changes nothing: a debate's day and time are Westminster's, for every chat;
        # nothing depends on when it is read, so a shared card is the same.
        return render_listing(listing_from_state(state), london_day(now))

    def list_line(self, ident: str, state: dict[str, Any] | None, now: datetime) -> str:
        return render_list_line(listing_from_state(state or {}), london_day(now))

    def follow_reply(self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo) -> str:
        listing = render_listing(listing_from_state(state), london_day(now))
        return (
            f"🔔 Following <b>all petition debates</b>. {WHAT_COMES}\n\n{listing}\n\n"
            "<i>Stop: /unfollow debates</i>"
        )

    async def browse(self, command: str, args: str, now: datetime) -> Reply | FollowThis:
        looked = await self.look_up(ALL, now)
        if looked.state is None:
            return Reply(looked.problem or "")
        return Reply(
            self.card(ALL, looked.state, now, LONDON),
            ((Button("🔔 Follow all petition debates", f"fc:{KIND}:{ALL}"),),),
        )
