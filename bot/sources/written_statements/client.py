"""Querying Parliament's Written Statements API.

I/O only. The list (`/api/writtenstatements/statements`) is read by a date window, paged with
`skip`/`take`; its text is cut and its `linkedStatements` always empty, so a statement's links
(corrections) need the single-statement endpoint, whose envelope is `{value, links}`. There is no
ETag or Last-Modified, so conditional requests are impossible.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any
from urllib.parse import urlencode

from bot.http import HttpClient, UpstreamError

PAGE_SIZE = 100


class WrittenStatementsClient:
    def __init__(self, http: HttpClient, base_url: str) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/api/writtenstatements/statements"

    async def list_page(
        self,
        made_from: date,
        made_to: date,
        *,
        skip: int = 0,
        answering_bodies: Sequence[int] = (),
        search: str = "",
    ) -> dict[str, Any]:
        params: list[tuple[str, str | int]] = [
            ("madeWhenFrom", made_from.isoformat()),
            ("madeWhenTo", made_to.isoformat()),
            ("house", "Bicameral"),
            ("expandMember", "true"),
            # The window can cross a session boundary; the default session filter is unknown.
            ("sessionStatus", "Any"),
            ("skip", skip),
            ("take", PAGE_SIZE),
        ]
        params += [("answeringBodies", body) for body in answering_bodies]
        if search:
            params.append(("searchTerm", search))
        document = await self._http.get_json(f"{self._url}?{urlencode(params)}")
        if not isinstance(document, dict):
            raise UpstreamError(f"{self._url} sent no statements envelope")
        return document

    async def statement(self, statement_id: int) -> dict[str, Any]:
        """One statement, with its links filled in: the `value` of `{value, links}`."""
        document = await self._http.get_json(f"{self._url}/{statement_id}")
        value = document.get("value") if isinstance(document, dict) else None
        if not isinstance(value, dict):
            raise UpstreamError(f"statement {statement_id} came without a value")
        return value
