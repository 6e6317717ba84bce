"""The WhatDoTheyKnow source: one read of each followed authority's feed serves every FOI follow.

Each cycle reads the feed of every authority a follow watches (an authority's follow, and the
authority of each followed request), conditionally: an unchanged feed is a 304 and the events
read last time serve again. The feed holds an authority's latest 25 events, plenty for a cycle of
half an hour. A followed request no look-up has taken is read once on its own, for its baseline.
Overdue needs no request: each follow remembers the day its requests were sent. Requests grow with
the authorities followed, never with follows or chats.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Mapping
from datetime import datetime
from typing import Any

from bot.http import UpstreamError
from bot.slices import in_slices
from bot.sources.base import Alert, AlertGroup, Refresh
from bot.sources.foi.client import WhatDoTheyKnowClient
from bot.sources.foi.detect import FoiEventKind, detect_foi
from bot.sources.foi.model import KIND, FeedEvent, FoiFollow
from bot.sources.foi.parse import parse_feed, parse_request
from bot.sources.foi.render import render_alert

log = logging.getLogger(__name__)
NEW = AlertGroup("new", "New requests")
PROGRESS = AlertGroup("progress", "Responses, clarifications, refusals, reviews")
LATE = AlertGroup("overdue", "Overdue responses")
GROUPS = (NEW, PROGRESS, LATE)
_GROUP_OF = {FoiEventKind.NEW: NEW, FoiEventKind.OVERDUE: LATE}


class WhatDoTheyKnowSource:
    name = KIND
    kind = KIND
    site = "WhatDoTheyKnow"

    def __init__(self, client: WhatDoTheyKnowClient) -> None:
        self._client = client
        self._feeds: dict[str, tuple[str | None, list[FeedEvent]]] = {}  # url_name -> read

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        follows = {ident: FoiFollow.from_ident(ident) for ident in targets}
        seen: list[FeedEvent] = []
        bodies: set[str] = set()
        for ident, follow in follows.items():
            stored = targets[ident] or {}
            if follow.body:
                bodies.add(follow.body)
            elif stored.get("body"):
                bodies.add(stored["body"])
            else:
                try:
                    seen += await self.request_events(follow.request)
                except UpstreamError as exc:
                    log.warning("FOI request %s not read: %s", follow.request, exc)
        for body in sorted(bodies):
            seen += await self.body_events(body)
        self._feeds = {body: read for body, read in self._feeds.items() if body in bodies}
        return await in_slices(self._refresh(follows, targets, seen, now))

    def _refresh(
        self,
        follows: Mapping[str, FoiFollow],
        targets: Mapping[str, dict[str, Any] | None],
        seen: list[FeedEvent],
        now: datetime,
    ) -> Iterator[tuple[str, Refresh]]:
        for ident, follow in follows.items():
            stored = targets[ident]
            if (
                follow.request
                and stored is None
                and not any(e.url_title == follow.request for e in seen)
            ):
                continue  # not read this time: its baseline waits
            state, events = detect_foi(follow, stored, seen, now)
            if follow.request:
                mine = [e.body for e in seen if e.url_title == follow.request]
                state["body"] = (stored or {}).get("body") or next(iter(mine), "")
            alerts = [
                Alert(
                    event.key,
                    render_alert(event, follow),
                    group=_GROUP_OF.get(event.kind, PROGRESS),
                )
                for event in events
            ]
            yield ident, Refresh(state, alerts)

    async def body_events(self, url_name: str) -> list[FeedEvent]:
        """The authority's latest events: read afresh, or last time's if the feed is
        unchanged."""
        etag, events = self._feeds.get(url_name, (None, []))
        read = await self._client.feed(url_name, etag)
        if read is not None:
            document, etag = read
            events = parse_feed(document)
            self._feeds[url_name] = (etag, events)
        return events

    async def request_events(self, url_title: str) -> list[FeedEvent]:
        return parse_request(await self._client.request(url_title))
