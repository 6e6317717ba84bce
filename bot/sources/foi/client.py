"""Reading WhatDoTheyKnow: an authority's feed of events, and one request's page, as JSON.

I/O only. Every Atom feed of an Alaveteli site has a JSON twin (`/feed/body/<url_name>.json`);
a request's page is `/request/<url_title>.json`. A feed read again is conditional (its ETag, as
If-None-Match), so an unchanged feed costs the site a 304. The host is a polite one (bot.http:
one request at a time, a second apart, its Retry-After honoured) and every request carries the
bot's User-Agent.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import quote

from bot.http import HttpClient


class WhatDoTheyKnowClient:
    def __init__(self, http: HttpClient, base_url: str) -> None:
        self._http = http
        self._base = base_url.rstrip("/")

    async def feed(self, url_name: str, etag: str | None) -> tuple[Any, str | None] | None:
        """The authority's latest events, and the feed's ETag; None when unchanged."""
        url = f"{self._base}/feed/body/{quote(url_name, safe='')}.json"
        return await self._http.get_json_unless(url, etag)

    async def request(self, url_title: str) -> Any:
        return await self._http.get_json(f"{self._base}/request/{quote(url_title, safe='')}.json")
