"""Fetching petitions' JSON from the configured petitions site: one petition, or a list page.

I/O only: classifies the answer (JSON, not modified, 404, 410, not public; anything else is an
upstream fault) and picks the
conditional-request validator for next time. Follows exactly one kind of redirect, the site's
move of a petition to `/archived/petitions/N.json` on the same origin; any other redirect means
the petition is not public (moderation pages, the home page).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import orjson

from bot.http import HttpClient, HttpResponse, UpstreamError

# The site floors Last-Modified to 10 s: a change inside the bucket of a previous fetch would be
# hidden by a 304, so If-Modified-Since is only safe once that bucket had closed.
LAST_MODIFIED_BUCKET = timedelta(seconds=10)
_REDIRECTS = {301, 302, 303, 307, 308}
LIST_PAGE_SIZE = 50  # the site's largest page
_ARCHIVED_PATH = re.compile(r"^/archived/petitions/(\d+)\.json$")


class FetchStatus(StrEnum):
    OK = "ok"
    NOT_MODIFIED = "not-modified"
    NOT_FOUND = "not-found"  # 404: never public, or an unknown number
    GONE = "gone"  # 410: taken down after it was open
    NOT_PUBLIC = "not-public"  # redirected to an HTML page: in moderation, or stopped


@dataclass(frozen=True)
class PetitionFetch:
    status: FetchStatus
    document: Any = None
    archived: bool = False
    # The Last-Modified to send as If-Modified-Since next time, when that is safe.
    validator: str | None = None


class PetitionClient:
    def __init__(self, http: HttpClient, base_url: str) -> None:
        self._http = http
        self._base_url = base_url.rstrip("/")

    async def fetch(
        self, petition_id: int, *, archived: bool = False, if_modified_since: str | None = None
    ) -> PetitionFetch:
        prefix = "/archived" if archived else ""
        url = f"{self._base_url}{prefix}/petitions/{petition_id}.json"
        headers = {"If-Modified-Since": if_modified_since} if if_modified_since else None
        response = await self._http.get(url, headers)
        if response.status in _REDIRECTS and not archived:
            target = urljoin(url, response.headers.get("Location", ""))
            moved = _ARCHIVED_PATH.match(urlsplit(target).path)
            if moved and int(moved.group(1)) == petition_id and self._http.is_allowed(target):
                return await self.fetch(petition_id, archived=True)
            return PetitionFetch(FetchStatus.NOT_PUBLIC)
        return _classify(response, archived)

    async def fetch_list(self, facet: str, page: int = 1, query: str = "") -> dict[str, Any]:
        """One page of 50 of a list facet (`awaiting_debate`, `open`, ...), optionally searched
        (`q`): `{links, data: [...]}`."""
        params: dict[str, str | int] = {"state": facet, "page": page, "count": LIST_PAGE_SIZE}
        if query:
            params["q"] = query
        url = f"{self._base_url}/petitions.json?{urlencode(params)}"
        document = await self._http.get_json(url)
        if not isinstance(document, dict) or not isinstance(document.get("data"), list):
            raise UpstreamError(f"{url} sent no list of petitions")
        return document


def _classify(response: HttpResponse, archived: bool) -> PetitionFetch:
    status = response.status
    if status == 304:
        return PetitionFetch(FetchStatus.NOT_MODIFIED, archived=archived)
    if status == 404:
        return PetitionFetch(FetchStatus.NOT_FOUND, archived=archived)
    if status == 410:
        return PetitionFetch(FetchStatus.GONE, archived=archived)
    if status in _REDIRECTS:
        return PetitionFetch(FetchStatus.NOT_PUBLIC, archived=archived)
    if status != 200:
        raise UpstreamError(f"{response.url} answered HTTP {status}")
    if response.content_type != "application/json":
        # Petitions that aren't public redirect; a page served in place is the site's own
        # trouble (maintenance, an error page), not news about the petition.
        raise UpstreamError(f"{response.url} sent {response.content_type or 'no type'}, not JSON")
    try:
        document = orjson.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        raise UpstreamError(f"{response.url} sent malformed JSON") from None
    return PetitionFetch(FetchStatus.OK, document, archived, _safe_validator(response))


def _safe_validator(response: HttpResponse) -> str | None:
    last_modified = response.headers.get("Last-Modified")
    served = response.headers.get("Date")
    if not last_modified or not served:
        return None
    try:
        bucket_closed = parsedate_to_datetime(served) - parsedate_to_datetime(last_modified)
    except (TypeError, ValueError):
        return None
    return last_modified if bucket_closed >= LAST_MODIFIED_BUCKET else None
