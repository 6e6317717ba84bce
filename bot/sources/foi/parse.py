"""WhatDoTheyKnow's JSON, as Alaveteli's source code makes it, into feed events.

Pure: no I/O. No real capture exists; the shapes are Alaveteli's (mysociety/alaveteli @ 351eb61e):
an authority's feed, `/feed/body/<url_name>.json`, is a JSON array of its latest 25 events, each
`InfoRequestEvent#json_for_api(true)`: `{id, event_type, created_at, described_state,
calculated_state, last_described_at, incoming_message_id, outgoing_message_id, comment_id,
display_status?, snippet, info_request: {id, url_title, title, created_at, updated_at,
described_state, display_status, awaiting_description, prominence, law_used, tags},
public_body: {id, url_name, name, ...}, user}`. A request's page, `/request/<url_title>.json`, is
`InfoRequest#json_for_api(true)`: the request's own keys, `public_body`, and
`info_request_events` (each event's keys, without the request and body).
"""

from __future__ import annotations

from typing import Any

from bot.sources.foi.model import FeedEvent
from bot.sources.notes import note_drift, note_unparsed
from bot.sources.values import text_of

NEEDED = "an integer id, an event_type, a created_at and its request's url_title"


def parse_feed(document: Any) -> list[FeedEvent]:
    if not isinstance(document, list):
        note_drift("WhatDoTheyKnow feed: a JSON array of events")
        return []
    found = [
        event
        for item in document
        if isinstance(item, dict)
        and (event := _event(item, _dict(item.get("info_request")), _dict(item.get("public_body"))))
    ]
    note_unparsed("WhatDoTheyKnow feed", len(document) - len(found), len(document), NEEDED)
    return found


def parse_request(document: Any) -> list[FeedEvent]:
    """A request's events, oldest first; none when the document is not a request."""
    if not isinstance(document, dict) or not text_of(document.get("url_title")):
        note_drift("WhatDoTheyKnow request: an object with a url_title")
        return []
    body = _dict(document.get("public_body"))
    events = [
        event
        for item in document.get("info_request_events") or ()
        if isinstance(item, dict) and (event := _event(item, document, body))
    ]
    return sorted(events, key=lambda e: (e.created_at, e.id))


def _event(item: dict[str, Any], request: dict[str, Any], body: dict[str, Any]) -> FeedEvent | None:
    event_id, url_title = item.get("id"), text_of(request.get("url_title"))
    event_type, created = text_of(item.get("event_type")), text_of(item.get("created_at"))
    if not isinstance(event_id, int) or not url_title or not event_type or not created:
        return None
    return FeedEvent(
        id=event_id,
        event_type=event_type,
        created_at=created,
        described_state=text_of(item.get("described_state")),
        url_title=url_title,
        title=text_of(request.get("title")) or url_title,
        body=text_of(body.get("url_name")),
        body_name=text_of(body.get("name")),
        request_state=text_of(request.get("described_state")),
        display_status=text_of(request.get("display_status")),
    )


def _dict(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}
