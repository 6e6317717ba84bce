"""Querying the What's On calendar API for the Commons' events in a window of days.

I/O only. `GET /calendar/events/list.json` with the `queryParameters.*` names answers a flat
array of events; one call covers at most 31 days.
"""

from __future__ import annotations

from datetime import date
from typing import Any
from urllib.parse import urlencode

from bot.http import HttpClient, UpstreamError

MAX_DAYS_PER_CALL = 31


class WhatsOnClient:
    def __init__(self, http: HttpClient, base_url: str) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/calendar/events/list.json"

    async def commons_events(self, start: date, end: date) -> list[dict[str, Any]]:
        if (end - start).days >= MAX_DAYS_PER_CALL:
            raise ValueError(f"What's On answers at most {MAX_DAYS_PER_CALL} days per call")
        params = {
            "queryParameters.startDate": start.isoformat(),
            "queryParameters.endDate": end.isoformat(),
            "queryParameters.house": "Commons",
        }
        events = await self._http.get_json(f"{self._url}?{urlencode(params)}")
        if not isinstance(events, list):
            raise UpstreamError(f"{self._url} sent no list of events")
        return [event for event in events if isinstance(event, dict)]
