"""A fake WhatDoTheyKnow (an Alaveteli site) on 127.0.0.1, built from Alaveteli's source code.

No real capture exists (the shared reference's whatdotheyknow/SOURCES.md); the shapes are
Alaveteli's own, mysociety/alaveteli @ 351eb61e: an authority's feed, `/feed/body/<url_name>.json`,
is the JSON twin of its Atom feed: its latest 25 events, newest first, each
`InfoRequestEvent#json_for_api(true)` (the event's keys, `display_status` on messages, `snippet`,
and the request, authority and user). A request's page, `/request/<url_title>.json`, is
`InfoRequest#json_for_api(true)`. Like a Rails site behind a cache, a feed carries an ETag and
answers If-None-Match with a 304. Every request's User-Agent is kept.
"""

from __future__ import annotations

import hashlib
import itertools
from datetime import datetime
from typing import Any

import orjson
from aiohttp import web

from tests.fakes.server import FakeServer

STATUS = {
    "waiting_response": "Awaiting response",
    "waiting_clarification": "Waiting clarification",
    "rejected": "Refused",
    "internal_review": "Awaiting internal review",
    "successful": "Successful",
    "partially_successful": "Partially successful",
    "not_held": "Information not held",
}
BODIES = {
    "home_office": "Home Office",
    "department_for_education": "Department for Education",
}
FEED_SIZE = 25


def _at(moment: datetime) -> str:
    return moment.isoformat(timespec="milliseconds")


class FakeWhatDoTheyKnow(FakeServer):
    FEED = "/feed/body/{url_name}.json"

    def __init__(self) -> None:
        super().__init__()
        self.requests: dict[str, dict[str, Any]] = {}
        self.events: list[dict[str, Any]] = []  # every event, oldest first
        self.user_agents: list[str] = []
        self.not_modified = 0  # 304s served
        self._ids = itertools.count(100001)
        self._event_ids = itertools.count(900001)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/feed/body/{file}", self._feed)
        app.router.add_get("/request/{file}", self._request)

    def feed_path(self, url_name: str) -> str:
        return f"/feed/body/{url_name}.json"

    # --- what a test does ---------------------------------------------------------------------

    def make_request(self, title: str, at: datetime, body: str = "home_office") -> str:
        """A request sent to `body` at `at`; returns its url_title."""
        url_title = "_".join(title.lower().split())[:60]
        self.requests[url_title] = {
            "id": next(self._ids),
            "url_title": url_title,
            "title": title,
            "created_at": _at(at),
            "updated_at": _at(at),
            "described_state": "waiting_response",
            "display_status": STATUS["waiting_response"],
            "awaiting_description": False,
            "prominence": "normal",
            "law_used": "foi",
            "tags": [],
            "body": body,
        }
        self._event(url_title, "sent", at, "waiting_response", outgoing=True)
        return url_title

    def respond(self, url_title: str, at: datetime, state: str = "successful") -> None:
        """The authority's response, then the requester's classification of it as `state`."""
        self._event(url_title, "response", at, None, incoming=True)
        self.classify(url_title, state, at)

    def classify(self, url_title: str, state: str, at: datetime) -> None:
        request = self.requests[url_title]
        request.update(described_state=state, display_status=STATUS[state], updated_at=_at(at))
        self._event(url_title, "status_update", at, state)

    def ask_review(self, url_title: str, at: datetime) -> None:
        self.requests[url_title].update(
            described_state="internal_review", display_status=STATUS["internal_review"]
        )
        self._event(url_title, "followup_sent", at, "internal_review", outgoing=True)

    def _event(
        self,
        url_title: str,
        kind: str,
        at: datetime,
        state: str | None,
        *,
        incoming: bool = False,
        outgoing: bool = False,
    ) -> None:
        event = {
            "id": next(self._event_ids),
            "event_type": kind,
            "created_at": _at(at),
            "described_state": state,
            "calculated_state": state,
            "last_described_at": _at(at) if state else None,
            "incoming_message_id": next(self._ids) if incoming else None,
            "outgoing_message_id": next(self._ids) if outgoing else None,
            "comment_id": None,
            "url_title": url_title,
        }
        if incoming or outgoing:
            event["display_status"] = self.requests[url_title]["display_status"]
        self.events.append(event)

    # --- the site -----------------------------------------------------------------------------

    def _public_body(self, url_name: str) -> dict[str, Any]:
        return {"id": 7, "url_name": url_name, "name": BODIES[url_name], "short_name": "",
                "home_page": "", "notes": "", "publication_scheme": "", "tags": []}  # fmt: skip

    def _info_request(self, url_title: str) -> dict[str, Any]:
        return {k: v for k, v in self.requests[url_title].items() if k != "body"}

    async def _feed(self, request: web.Request) -> web.Response:
        self.user_agents.append(request.headers.get("User-Agent", ""))
        url_name = request.match_info["file"].removesuffix(".json")
        if url_name not in BODIES:
            return web.Response(status=404, text="Not found")
        mine = [e for e in self.events if self.requests[e["url_title"]]["body"] == url_name]
        latest = sorted(mine, key=lambda e: (e["created_at"], e["id"]), reverse=True)[:FEED_SIZE]
        document = [
            {
                **{k: v for k, v in e.items() if k != "url_title"},
                "snippet": "",
                "info_request": self._info_request(e["url_title"]),
                "public_body": self._public_body(url_name),
                "user": {"id": 1, "url_name": "a_requester", "name": "A Requester"},
            }
            for e in latest
        ]
        body = orjson.dumps(document)
        etag = f'W/"{hashlib.md5(body).hexdigest()}"'
        if request.headers.get("If-None-Match") == etag:
            self.not_modified += 1
            return web.Response(status=304, headers={"ETag": etag})
        return web.Response(body=body, content_type="application/json", headers={"ETag": etag})

    async def _request(self, request: web.Request) -> web.Response:
        self.user_agents.append(request.headers.get("User-Agent", ""))
        url_title = request.match_info["file"].removesuffix(".json")
        if url_title not in self.requests:
            return web.Response(status=404, text="Not found")
        found = self.requests[url_title]
        events = [
            {k: v for k, v in e.items() if k != "url_title"}
            for e in self.events
            if e["url_title"] == url_title
        ]
        return web.json_response(
            {
                **self._info_request(url_title),
                "user": {"id": 1, "url_name": "a_requester", "name": "A Requester"},
                "public_body": self._public_body(found["body"]),
                "info_request_events": events,
            }
        )
