"""A fake GOV.UK search API (`/api/search.json`) and content API (`/api/content/…`) on 127.0.0.1.

Holds statement-type documents in the real result shape (organisations expanded as in the
captured sample), answers the bot's queries like search-api: validates its parameters (an
unknown parameter or field, or `count` over 1,500, is a 422 with `{"error": …}`), filters by
organisation and document type (values of one filter OR-ed), matches `q` on title and
description, orders by `-public_timestamp`, and pages with `start`/`count`. Like search-api it
leaves withdrawn documents out unless asked with `debug=include_withdrawn`, and keeps each
document's time of indexing (`updated_at`, moved by every change) for `filter_updated_at=from:…`.
`clock` is the site's time, which a test can script. Consultations are listed by the search like
any document (as `open_consultation`, `closed_consultation` or `consultation_outcome`) and served
by the content API in the shape of GOV.UK's own examples (tests/fixtures/consultation_*).
"""

from __future__ import annotations

import itertools
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from aiohttp import web

from tests.fakes.server import FakeServer

_PARAMETERS = {"q", "order", "count", "start", "fields", "filter_organisations", "debug"}
_PARAMETERS |= {"filter_content_store_document_type", "filter_updated_at"}
_KNOWN_FIELDS = {
    "title", "link", "content_id", "description", "public_timestamp", "first_published_at",
    "content_store_document_type", "display_type", "organisations", "people",
    "latest_change_note", "is_withdrawn", "format", "slug",
}  # fmt: skip
DISPLAY_TYPES = {
    "written_statement": "Written statement to Parliament",
    "oral_statement": "Oral statement to Parliament",
    "speech": "Speech",
    "press_release": "Press release",
    "news_story": "News story",
    "government_response": "Government response",
    "open_consultation": "Open consultation",
    "closed_consultation": "Closed consultation",
    "consultation_outcome": "Consultation outcome",
}
ORGANISATIONS = {
    "home-office": ("Home Office", "HO"),
    "department-for-education": ("Department for Education", "DfE"),
    "hm-treasury": ("HM Treasury", "HMT"),
    "uk-visas-and-immigration": ("UK Visas and Immigration", "UKVI"),
}


def stamp(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


class FakeGovuk(FakeServer):
    SEARCH = "/api/search.json"

    def __init__(self) -> None:
        super().__init__()
        self.documents: list[dict[str, Any]] = []
        self.refusal: str | None = None  # when set, every search answers 422 with it
        self.failing = False  # when set, every search answers 503
        self.clock = lambda: datetime.now(UTC)
        self.searches: list[dict[str, list[str]]] = []  # every query, by parameter
        self._indexed: dict[str, datetime] = {}  # content_id -> when last indexed
        self._slugs = itertools.count(1)
        self.pages: dict[str, dict[str, Any]] = {}  # base path -> content item

    CONTENT = "/api/content"

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get(self.SEARCH, self._search)
        app.router.add_get(self.CONTENT + "/{path:.*}", self._content)

    # --- what a test does ---------------------------------------------------------------------

    def publish(
        self,
        title: str,
        *,
        organisations: tuple[str, ...] = ("home-office",),
        kind: str = "written_statement",
        description: str = "",
        at: datetime | None = None,
        people: tuple[str, ...] = (),
    ) -> dict[str, Any]:
        """A new document, published `at` (default now); returns it for later changes."""
        moment = at or self.clock()
        document = {
            "title": title,
            "link": f"/government/speeches/item-{next(self._slugs)}",
            "content_id": str(uuid.uuid4()),
            "description": description,
            "public_timestamp": stamp(moment),
            "first_published_at": stamp(moment),
            "content_store_document_type": kind,
            "display_type": DISPLAY_TYPES[kind],
            "format": "speech",
            "organisations": [_organisation(slug) for slug in organisations],
            "people": [{"title": name, "slug": name.lower().replace(" ", "-")} for name in people],
            "latest_change_note": None,
            "is_withdrawn": False,
        }
        self.documents.append(document)
        self._indexed[document["content_id"]] = self.clock()
        return document

    def consult(
        self, title: str, opens: datetime, closes: datetime, organisation: str = "home-office"
    ) -> dict[str, Any]:
        """A consultation published at `opens`; returns its search document."""
        views = f"We'd like your views on {title.lower()}."
        kind = "open_consultation"
        document = self.publish(
            title, organisations=(organisation,), kind=kind, at=opens, description=views
        )
        slug = title.lower().replace(" ", "-").replace(":", "")
        document["link"] = f"/government/consultations/{slug}"
        name = ORGANISATIONS[organisation][0]
        self.pages[document["link"]] = {
            "base_path": document["link"],
            "title": title,
            "description": document["description"],
            "public_updated_at": stamp(opens),
            "schema_name": "consultation",
            "document_type": "open_consultation",
            "details": {"opening_date": stamp(opens), "closing_date": stamp(closes)},
            "links": {
                "organisations": [
                    {"title": name, "base_path": f"/government/organisations/{organisation}"}
                ]
            },
        }
        return document

    def publish_outcome(self, document: dict[str, Any], at: datetime) -> None:
        """The consultation's outcome, published at `at`: a major update."""
        for item in (document, self.pages[document["link"]]):
            key = "content_store_document_type" if item is document else "document_type"
            item[key] = "consultation_outcome"
        document["public_timestamp"] = stamp(at)
        self.pages[document["link"]]["public_updated_at"] = stamp(at)
        self._indexed[document["content_id"]] = self.clock()

    def publish_backlog(self, title: str, count: int, **kwargs: Any) -> None:
        """`count` older documents, one a day back from yesterday."""
        now = datetime.now(UTC)
        for day in range(1, count + 1):
            self.publish(f"{title} {day}", at=now - timedelta(days=day), **kwargs)

    def update(self, document: dict[str, Any], change_note: str) -> None:
        """A major update: a new public timestamp and change note."""
        document["public_timestamp"] = stamp(self.clock())
        document["latest_change_note"] = change_note
        self._indexed[document["content_id"]] = self.clock()

    def withdraw(self, document: dict[str, Any]) -> None:
        """Withdrawn: its timestamps stay, it is indexed again with `is_withdrawn`."""
        document["is_withdrawn"] = True
        self._indexed[document["content_id"]] = self.clock()

    # --- the API ------------------------------------------------------------------------------

    async def _search(self, request: web.Request) -> web.Response:
        if self.failing:
            return web.Response(status=503, text="Service Unavailable")
        query = request.query
        for name in query:
            if name not in _PARAMETERS:
                return _refuse(f"Unexpected parameters: {name}")
        unknown = [f for f in query.getall("fields", []) if f not in _KNOWN_FIELDS]
        if unknown:
            return _refuse(f"Some requested fields are not valid return fields: {unknown}")
        count, start = int(query.get("count", 10)), int(query.get("start", 0))
        if count > 1500:
            return _refuse("Maximum result set size (as specified in 'count') is 1500")
        if self.refusal is not None:
            return _refuse(self.refusal)
        self.searches.append({name: query.getall(name) for name in query})
        organisations = set(query.getall("filter_organisations", []))
        types = set(query.getall("filter_content_store_document_type", []))
        words = query.get("q", "").lower().split()
        withdrawn = "include_withdrawn" in query.get("debug", "").split(",")
        indexed_from = query.get("filter_updated_at", "from:").partition(":")[2]
        since = (
            datetime.fromisoformat(indexed_from.replace("Z", "+00:00")) if indexed_from else None
        )
        found = [
            document
            for document in self.documents
            if (not organisations or organisations & {o["slug"] for o in document["organisations"]})
            and (not types or document["content_store_document_type"] in types)
            and all(w in f"{document['title']} {document['description']}".lower() for w in words)
            and (withdrawn or not document["is_withdrawn"])
            and (since is None or self._indexed[document["content_id"]] >= since)
        ]
        found.sort(key=lambda d: d["public_timestamp"], reverse=True)
        fields = query.getall("fields", [])
        results = [
            {k: v for k, v in d.items() if k in fields} for d in found[start : start + count]
        ]
        return web.json_response(
            {
                "results": results,
                "total": len(found),
                "start": start,
                "aggregates": {},
                "suggested_queries": [],
                "suggested_autocomplete": [],
                "es_cluster": "A",
            }
        )

    async def _content(self, request: web.Request) -> web.Response:
        page = self.pages.get("/" + request.match_info["path"])
        if page is None:
            return web.json_response({"error": {"code": "not_found"}}, status=404)
        return web.json_response(page)


def _organisation(slug: str) -> dict[str, Any]:
    title, acronym = ORGANISATIONS[slug]
    return {
        "organisation_type": "ministerial_department",
        "organisation_state": "live",
        "acronym": acronym,
        "content_id": str(uuid.uuid5(uuid.NAMESPACE_URL, slug)),
        "link": f"/government/organisations/{slug}",
        "title": title,
        "slug": slug,
    }


def _refuse(message: str) -> web.Response:
    return web.json_response({"error": message}, status=422)
