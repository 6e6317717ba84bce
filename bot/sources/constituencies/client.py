"""Finding a constituency by name or postcode through the Members API.

I/O: `GET /api/Location/Constituency/Search?searchText=…&take=20` and
`GET /api/Location/Constituency/{id}` on the Members API's host (a polite host, bot.http).
"""

from __future__ import annotations

from urllib.parse import urlencode

from bot.http import HttpClient
from bot.sources.constituencies.parse import Constituency, parse_one, parse_search

MOST = 20  # the API's own maximum a page


class ConstituencyFinder:
    def __init__(self, http: HttpClient, base_url: str) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/api/Location/Constituency"

    async def search(self, text: str) -> list[Constituency]:
        """The current constituencies whose name contains `text`, or that hold a postcode."""
        query = urlencode({"searchText": text, "take": MOST})
        return parse_search(await self._http.get_json(f"{self._url}/Search?{query}"))

    async def get(self, constituency_id: int) -> Constituency | None:
        return parse_one(await self._http.get_json(f"{self._url}/{constituency_id}"))
