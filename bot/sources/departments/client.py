"""Fetching Parliament's answering bodies from the Members API, to keep the directory current.

I/O only: `GET /api/Reference/AnsweringBodies` answers a flat JSON array of
`{id, name, shortName, target, department}`.
"""

from __future__ import annotations

import logging
from typing import Any

from bot.http import HttpClient, UpstreamError
from bot.sources.departments.directory import Directory

log = logging.getLogger(__name__)


class MembersClient:
    def __init__(self, http: HttpClient, base_url: str) -> None:
        self._http = http
        self._url = f"{base_url.rstrip('/')}/api/Reference/AnsweringBodies"

    async def answering_bodies(self) -> list[dict[str, Any]]:
        bodies = await self._http.get_json(self._url)
        if not isinstance(bodies, list):
            raise UpstreamError(f"{self._url} sent no list of answering bodies")
        return [body for body in bodies if isinstance(body, dict)]


async def refresh_directory(client: MembersClient, directory: Directory) -> None:
    """Fold the Members API's current answering bodies into `directory`; a fault keeps what
    it knew."""
    try:
        bodies = await client.answering_bodies()
    except UpstreamError as exc:
        log.warning("answering bodies not refreshed: %s", exc)
        return
    learned = directory.learn_answering_bodies(bodies)
    log.info("answering bodies refreshed: %d read, %d new ids", len(bodies), learned)
