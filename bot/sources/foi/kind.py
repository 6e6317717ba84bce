"""FOI requests on WhatDoTheyKnow as a target kind: `/foi`, an authority's requests (optionally on
keywords) or one request by its link.

An authority is named by its WhatDoTheyKnow page (`https://www.whatdotheyknow.com/body/home_office`),
its address there (`home_office`), or a department's name, which becomes that address (Home
Office: `home_office`); looking it up reads its feed, so a name the site doesn't know is told so.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, tzinfo
from typing import Any

from bot.http import UpstreamError, UpstreamRefused
from bot.sources.base import BadReference, Command, FollowThis, Lookup, Reply
from bot.sources.departments.directory import Directory, normalise
from bot.sources.departments.picking import read_department
from bot.sources.foi.detect import detect_foi
from bot.sources.foi.model import KIND, FoiFollow
from bot.sources.foi.render import describe, reference, render_card, render_follow_reply
from bot.sources.foi.source import GROUPS, WhatDoTheyKnowSource
from bot.sources.payloads import WordsInDeepLinks
from bot.sources.statements.query import read_keywords
from bot.sources.text import plain_text

log = logging.getLogger(__name__)
_WORDS = {"foi", "wdtk"}
EXAMPLE = "/foi home office asylum"
_SITE = r"(?:https?://)?(?:www\.)?whatdotheyknow\.com"
_REQUEST = re.compile(_SITE + r"/request/([a-z0-9_]{1,200})\b")
_BODY = re.compile(_SITE + r"/body/([a-z0-9_]{1,100})\b")
_ADDRESS = re.compile(r"[a-z0-9]+(?:_[a-z0-9]+)+")


class FoiKind(WordsInDeepLinks):
    DEEP_LINK_PREFIX = "foi_"
    kind = KIND
    example = "foi home office"
    commands = (
        Command(
            KIND,
            "Follow Freedom of Information requests on WhatDoTheyKnow: an authority's, or one",
            EXAMPLE,
        ),
    )
    paste_hint = "a WhatDoTheyKnow request's link"
    alert_groups = GROUPS
    granularities: tuple[str, ...] = ()

    def __init__(self, source: WhatDoTheyKnowSource, directory: Directory) -> None:
        self._source = source
        self._directory = directory

    def read_reference(self, text: str) -> str | None:
        first, _, rest = text.strip().partition(" ")
        if first.lower() not in _WORDS:
            found = _REQUEST.fullmatch(text.strip().rstrip("/"))
            return None if found is None else FoiFollow(request=found.group(1)).ident
        return self._read_follow(rest.strip()).ident

    def _read_follow(self, text: str) -> FoiFollow:
        if (found := _REQUEST.search(text)) is not None:
            return FoiFollow(request=found.group(1))
        if (found := _BODY.search(text)) is not None:
            return FoiFollow(found.group(1), read_keywords(text[found.end() :]))
        first, _, rest = text.partition(" ")
        if _ADDRESS.fullmatch(first):
            return FoiFollow(first, read_keywords(rest))
        department, rest = read_department(text, self._directory, KIND, EXAMPLE)
        return FoiFollow(normalise(department.name).replace(" ", "_"), read_keywords(rest))

    def find_in_text(self, text: str) -> str | None:
        found = _REQUEST.search(text)
        return None if found is None else FoiFollow(request=found.group(1)).ident

    def reference(self, ident: str) -> str:
        return reference(FoiFollow.from_ident(ident))

    def name(self, ident: str, state: dict[str, Any] | None) -> str:
        follow = FoiFollow.from_ident(ident)
        requests = (state or {}).get("requests", {})
        if follow.request:
            return describe(follow, title=str(requests.get(follow.request, {}).get("title", "")))
        names = [str(r.get("body_name")) for r in requests.values() if r.get("body_name")]
        return describe(follow, next(iter(names), ""))

    def label(self, ident: str, state: dict[str, Any] | None) -> str:
        return plain_text(self.name(ident, state)).capitalize()

    async def look_up(self, ident: str, now: datetime) -> Lookup:
        follow = FoiFollow.from_ident(ident)
        try:
            if follow.request:
                events = await self._source.request_events(follow.request)
            else:
                events = await self._source.body_events(follow.body)
        except UpstreamRefused as exc:
            log.info("WhatDoTheyKnow refused %s: %s", ident, exc)
            what = "request" if follow.request else f"authority at /body/{follow.body}"
            return Lookup(
                problem=f"WhatDoTheyKnow has no such {what}. Paste the link to its page on "
                "whatdotheyknow.com."
            )
        except UpstreamError as exc:
            log.warning("WhatDoTheyKnow look-up for %s failed: %s", ident, exc)
            return Lookup(
                problem="I couldn't reach WhatDoTheyKnow just now. Please try again later."
            )
        state, _ = detect_foi(follow, None, events, now)
        if follow.request:
            state["body"] = next((e.body for e in events), "")
        return Lookup(state)

    def card(
        self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo, shared: bool = False
    ) -> str:
        return render_card(self.name(ident, state), state.get("requests", {}), now)

    def list_line(self, ident: str, state: dict[str, Any] | None, now: datetime) -> str:
        name = self.name(ident, state)
        return f"📨 <b>{name[:1].upper()}{name[1:]}</b>\n    /unfollow {self.reference(ident)}"

    def follow_reply(self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo) -> str:
        follow = FoiFollow.from_ident(ident)
        return render_follow_reply(self.name(ident, state), follow, state.get("requests", {}), now)

    async def browse(self, command: str, args: str, now: datetime) -> Reply | FollowThis:
        if not args:
            raise BadReference(
                "Which authority, or which request? For example <code>/foi home office</code>, "
                "<code>/foi home office asylum</code>, or paste a request's link from "
                "whatdotheyknow.com."
            )
        return FollowThis(self._read_follow(args).ident)
