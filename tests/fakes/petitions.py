"""A fake petition.parliament.uk on 127.0.0.1 that serves the real sample shapes.

Each petition is a real captured document (from tests/fixtures) that a test can change while the
bot runs. Like the real site it floors Last-Modified to 10 s and answers If-Modified-Since with
304, redirects archived petitions to /archived/, answers 404 and 410, and redirects petitions in
moderation to an HTML page. A test can also make a petition fail: 500, a timeout, malformed
JSON or an HTML page served as 200. The list facets (`open`, `awaiting_response`,
`awaiting_debate`, `debated`, `not_debated`, `with_response`, `closed`, `rejected`) are derived
from the petitions' fields, in the site's order, leave out archived, removed and unpublished
petitions, are searched with `q` (every word in the title) and paged with `page` and `count`, with
`next` and `last` links. `clock` is the site's time, which a test can script.
"""

from __future__ import annotations

import asyncio
import copy
import json
from collections import Counter
from datetime import UTC, datetime
from email.utils import format_datetime, parsedate_to_datetime
from pathlib import Path
from typing import Any

from aiohttp import web

from tests.fakes.server import FakeServer

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
HTML_PAGE = "<!DOCTYPE html><html><body><h1>Petitions</h1></body></html>"


def load_fixture(name: str) -> dict[str, Any]:
    return json.loads((FIXTURES / name).read_text(encoding="utf-8"))


_SHOW_ONLY = {
    "signatures_by_country",
    "signatures_by_constituency",
    "signatures_by_region",
    "other_parliamentary_business",
}


def _facets(attributes: dict[str, Any]) -> set[str]:
    """The list facets a petition is listed under, from its fields, as the site decides."""
    facets = {"all", attributes.get("state", "open")}
    if attributes.get("government_response_at"):
        facets.add("with_response")
    debate = attributes.get("debate") or {}
    if debate.get("debated_on"):
        facets.add("debated")
    elif attributes.get("debate_outcome_at"):
        facets.add("not_debated")
    elif attributes.get("scheduled_debate_date") or attributes.get("debate_threshold_reached_at"):
        facets.add("awaiting_debate")
    if attributes.get("response_threshold_reached_at") and not attributes.get(
        "government_response_at"
    ):
        facets.add("awaiting_response")
    return facets


def _field(name: str, missing: str = "") -> Any:
    return lambda p: p["attributes"].get(name) or missing


# facet -> (sort key, latest first); any other facet: most signed first.
_ORDER = {
    "awaiting_debate": (_field("scheduled_debate_date", "9999"), False),
    "awaiting_response": (_field("response_threshold_reached_at"), False),
    "with_response": (_field("government_response_at"), True),
    "debated": (_field("scheduled_debate_date"), True),
    "not_debated": (_field("debate_outcome_at"), True),
    "rejected": (_field("created_at"), True),
}
_MOST_SIGNED = (lambda p: p["attributes"]["signature_count"], True)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class FakePetitions(FakeServer):
    def __init__(self) -> None:
        super().__init__()
        self.documents: dict[int, dict[str, Any]] = {}
        self.archived: set[int] = set()
        self.gone: set[int] = set()
        self.in_moderation: set[int] = set()
        self.faults: dict[int, str] = {}  # "500" | "timeout" | "malformed" | "html"
        self.errors_before_success: Counter[int] = Counter()  # 503s to answer, then recover
        self.requests: Counter[int] = Counter()
        self.conditional_requests: Counter[int] = Counter()
        self.hang_seconds = 5.0
        self.clock = lambda: datetime.now(UTC)  # the site's time: `updated_at`, `Date`

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/petitions.json", self._list)
        app.router.add_get("/petitions/{id}.json", self._show)
        app.router.add_get("/archived/petitions/{id}.json", self._show_archived)
        app.router.add_get("/petitions/{id}/moderation-info", self._html)

    # --- what a test does ---------------------------------------------------------------------

    def add(self, petition_id: int, fixture: str, **attributes: Any) -> dict[str, Any]:
        """Serve `fixture` as petition `petition_id`, with `attributes` changed."""
        document = load_fixture(fixture)
        data = document["data"][0] if isinstance(document["data"], list) else document["data"]
        data["id"] = petition_id
        document = {"links": {"self": f"{self.base_url}/petitions/{petition_id}.json"}}
        document["data"] = data
        self.documents[petition_id] = document
        self.update(petition_id, **attributes)
        return document

    def update(self, petition_id: int, **attributes: Any) -> None:
        """Change a petition the way the site does: new values and a new `updated_at`."""
        data = self.documents[petition_id]["data"]
        data["attributes"].update(copy.deepcopy(attributes))
        data["attributes"]["updated_at"] = iso(self.clock())

    async def wait_for_petition_requests(
        self, petition_id: int, count: int, timeout: float = 10
    ) -> None:
        await self.wait_until(lambda: self.requests[petition_id] >= count, timeout)

    # --- the site -----------------------------------------------------------------------------

    async def _show(self, request: web.Request) -> web.StreamResponse:
        petition_id = int(request.match_info["id"])
        if petition_id in self.archived:
            raise web.HTTPFound(f"/archived/petitions/{petition_id}.json")
        if petition_id in self.in_moderation:
            raise web.HTTPFound(f"/petitions/{petition_id}/moderation-info")
        return await self._serve(request, petition_id)

    async def _show_archived(self, request: web.Request) -> web.StreamResponse:
        petition_id = int(request.match_info["id"])
        if petition_id not in self.archived:
            raise web.HTTPFound(f"/petitions/{petition_id}")
        return await self._serve(request, petition_id)

    async def _list(self, request: web.Request) -> web.Response:
        facet = request.query.get("state", "all")
        words = request.query.get("q", "").lower().split()
        hidden = self.archived | self.gone | self.in_moderation
        found = [
            d["data"]
            for petition_id, d in self.documents.items()
            if petition_id not in hidden
            and facet in _facets(d["data"]["attributes"])
            and all(w in d["data"]["attributes"]["action"].lower() for w in words)
        ]
        key, latest_first = _ORDER.get(facet, _MOST_SIGNED)
        found.sort(key=key, reverse=latest_first)
        page, size = int(request.query.get("page", 1)), min(int(request.query.get("count", 25)), 50)
        items = [
            {
                "type": "petition",
                "id": p["id"],
                "links": {"self": f"{self.base_url}/petitions/{p['id']}.json"},
                "attributes": {k: v for k, v in p["attributes"].items() if k not in _SHOW_ONLY},
            }
            for p in found[(page - 1) * size : page * size]
        ]
        pages = max(1, -(-len(found) // size))
        link = f"{self.base_url}/petitions.json?count={size}&page={{}}&state={facet}"
        links = {
            "self": str(request.url),
            "last": link.format(pages),
            "next": link.format(page + 1) if page < pages else None,
        }
        return web.json_response({"links": links, "data": items})

    async def _html(self, request: web.Request) -> web.Response:
        return web.Response(text=HTML_PAGE, content_type="text/html")

    async def _serve(self, request: web.Request, petition_id: int) -> web.StreamResponse:
        try:
            return await self._answer(request, petition_id)
        finally:
            self.requests[petition_id] += 1

    async def _answer(self, request: web.Request, petition_id: int) -> web.StreamResponse:
        if self.errors_before_success[petition_id] > 0:
            self.errors_before_success[petition_id] -= 1
            return web.Response(status=503, text="Service Unavailable")
        fault = self.faults.get(petition_id)
        if fault == "500":
            return web.Response(status=500, text="Internal Server Error")
        if fault == "timeout":
            await asyncio.sleep(self.hang_seconds)
        if fault == "malformed":
            return web.Response(text='{"data": {"id": 1, "attri', content_type="application/json")
        if fault == "html":
            return web.Response(text=HTML_PAGE, content_type="text/html")
        if petition_id in self.gone:
            return web.Response(
                status=410, text='{"error":"gone"}', content_type="application/json"
            )
        if petition_id not in self.documents:
            return web.Response(
                status=404, text='{"error":"not found"}', content_type="application/json"
            )
        document = copy.deepcopy(self.documents[petition_id])
        if petition_id in self.archived:
            document["data"]["type"] = "archived-petition"
        updated = datetime.fromisoformat(document["data"]["attributes"]["updated_at"])
        last_modified = updated.replace(second=updated.second // 10 * 10, microsecond=0)
        headers = {
            "Last-Modified": format_datetime(last_modified, usegmt=True),
            "Date": format_datetime(self.clock(), usegmt=True),
            "Cache-Control": "max-age=10, public",
        }
        since = request.headers.get("If-Modified-Since")
        if since:
            self.conditional_requests[petition_id] += 1
            if parsedate_to_datetime(since) >= last_modified:
                return web.Response(status=304, headers=headers)
        return web.json_response(document, headers=headers)
