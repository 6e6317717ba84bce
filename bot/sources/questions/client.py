"""Querying Parliament's Written Questions API (the host of the written statements).

I/O only. The list (`/api/writtenquestions/questions`) is read by date windows (tabled, answered,
corrected, due) and answering bodies, paged with `skip`/`take`; one question by its tabled day and
UIN is `/questions/{date}/{uin}`, whose envelope is `{value, links}`. Like the statements, there
is no ETag or Last-Modified, so conditional requests are impossible.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import quote, urlencode

from bot.http import HttpClient, UpstreamError

# Both Houses table 300 to 500 questions a sitting day; a question with its answer is 1 to 3 KB,
# so a page stays well under the HTTP client's 4 MB cap.
PAGE_SIZE = 200


class QuestionsClient:
    def __init__(self, http: HttpClient, base_url: str) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/api/writtenquestions/questions"

    async def list_page(
        self, filters: list[tuple[str, str | int]], *, skip: int = 0, take: int = PAGE_SIZE
    ) -> dict[str, Any]:
        params: list[tuple[str, str | int]] = [
            ("house", "Bicameral"),
            ("expandMember", "true"),
            ("includeWithdrawn", "true"),
            *filters,
            ("skip", skip),
            ("take", take),
        ]
        document = await self._http.get_json(f"{self._url}?{urlencode(params)}")
        if not isinstance(document, dict):
            raise UpstreamError(f"{self._url} sent no questions envelope")
        return document

    async def question(self, tabled: date, uin: str) -> dict[str, Any]:
        """One question, by the day it was tabled and its UIN: the `value` of `{value, links}`."""
        url = f"{self._url}/{tabled.isoformat()}/{quote(uin, safe='')}?expandMember=true"
        document = await self._http.get_json(url)
        value = document.get("value") if isinstance(document, dict) else None
        if not isinstance(value, dict):
            raise UpstreamError(f"question {uin} of {tabled} came without a value")
        return value
