"""Querying GOV.UK's search API (`/api/search.json`) for statement-type documents (or others, such
as consultations), and its content API (`/api/content<path>`) for one page.

I/O only. Always ordered newest first (`order=-public_timestamp`: without it the order is "most
viewed"), with the fields the parser needs named explicitly; several organisations in one query
are OR-ed by the API. Withdrawn items are asked for too (`debug=include_withdrawn`): search-api
leaves them out of every other search (its VisibilityFilter), so without it a withdrawal would
only look like an item falling out of the results. `reindexed_since` keeps the items GOV.UK
indexed again since then (`filter_updated_at`, its time of indexing, which any change moves: an
update, a withdrawal), at any age. A 422 (GOV.UK refused the query) comes back as
bot.http.UpstreamRefused.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any
from urllib.parse import quote, urlencode

from bot.http import HttpClient, UpstreamError

DOCUMENT_TYPES = (
    "written_statement",
    "oral_statement",
    "speech",
    "press_release",
    "news_story",
    "government_response",
)
FIELDS = (
    "title",
    "link",
    "content_id",
    "description",
    "public_timestamp",
    "first_published_at",
    "content_store_document_type",
    "display_type",
    "organisations",
    "people",
    "latest_change_note",
    "is_withdrawn",
)


class GovukClient:
    def __init__(self, http: HttpClient, base_url: str) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/api/search.json"
        self._content = f"{base_url.rstrip('/')}/api/content"

    async def search(
        self,
        organisations: Sequence[str] | None,
        keywords: Sequence[str] = (),
        *,
        start: int = 0,
        count: int = 50,
        reindexed_since: datetime | None = None,
        document_types: Sequence[str] = DOCUMENT_TYPES,
        fields: Sequence[str] = FIELDS,
    ) -> dict[str, Any]:
        """One page of documents of `document_types` (statement types unless told), newest
        first; `None`: every organisation."""
        params: list[tuple[str, str | int]] = [
            ("order", "-public_timestamp"),
            ("count", count),
            ("start", start),
            ("debug", "include_withdrawn"),
        ]
        if reindexed_since is not None:
            at = reindexed_since.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
            params.append(("filter_updated_at", f"from:{at}"))
        params += [("filter_content_store_document_type", t) for t in document_types]
        params += [("filter_organisations", slug) for slug in organisations or ()]
        if keywords:
            params.append(("q", " ".join(keywords)))
        params += [("fields", name) for name in fields]
        document = await self._http.get_json(f"{self._url}?{urlencode(params)}")
        return document if isinstance(document, dict) else {}

    async def content(self, base_path: str) -> dict[str, Any]:
        """A page's content item (`/api/content<base_path>`); raises UpstreamError when it is
        not a JSON object."""
        url = f"{self._content}{quote(base_path)}"
        document = await self._http.get_json(url)
        if not isinstance(document, dict):
            raise UpstreamError(f"{url} sent no content item")
        return document
