"""Outbound HTTP to the upstream sources: one aiohttp session for the whole bot.

Owns timeouts, the User-Agent, the per-host connection limit, retries with exponential backoff
and jitter on 5xx, 429, timeouts and connection errors, and the rule that only the configured
source origins are ever contacted. Redirects are never followed here: a source decides which
redirect targets it trusts. Knows nothing about what the sources serve.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from tenacity import (
    AsyncRetrying,
    RetryError,
    retry_if_exception_type,
    stop_after_attempt,
    wait_random_exponential,
)

from bot.config import HttpConfig

log = logging.getLogger(__name__)
USER_AGENT = (
    "AccountabilityAlerts/0.1 (Telegram bot that alerts followers of UK Parliament petitions)"
)


class UpstreamError(Exception):
    """The source could not be read this time (down, slow, throttled or garbled)."""


class _Retryable(Exception):
    """A response or failure worth trying again."""


@dataclass(frozen=True)
class HttpResponse:
    url: str
    status: int
    headers: Mapping[str, str]
    body: bytes

    @property
    def content_type(self) -> str:
        return self.headers.get("Content-Type", "").split(";")[0].strip().lower()


class HttpClient:
    """GETs from the configured origins; create it inside the running event loop."""

    def __init__(self, config: HttpConfig, allowed_origins: Iterable[str]) -> None:
        self._config = config
        self._allowed = {_origin(url) for url in allowed_origins}
        self._session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=config.timeout_seconds),
            headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
            connector=aiohttp.TCPConnector(limit_per_host=config.connections_per_host),
        )

    async def close(self) -> None:
        await self._session.close()

    def is_allowed(self, url: str) -> bool:
        return _origin(url) in self._allowed

    async def get(self, url: str, headers: Mapping[str, str] | None = None) -> HttpResponse:
        """One GET with retries; 2xx, 3xx and 4xx other than 429 come back as they are."""
        if not self.is_allowed(url):
            raise UpstreamError(f"refusing to fetch {url}: not a configured source")
        retrying = AsyncRetrying(
            stop=stop_after_attempt(self._config.retries + 1),
            wait=wait_random_exponential(
                multiplier=self._config.backoff_seconds, max=self._config.backoff_seconds * 16
            ),
            retry=retry_if_exception_type(_Retryable),
        )
        try:
            async for attempt in retrying:
                with attempt:
                    return await self._get_once(url, headers)
        except RetryError as exc:
            cause = exc.last_attempt.exception()
            raise UpstreamError(f"{url}: {cause}") from None
        raise AssertionError("unreachable: tenacity either returns or raises")

    async def _get_once(self, url: str, headers: Mapping[str, str] | None) -> HttpResponse:
        try:
            async with self._session.get(url, headers=headers, allow_redirects=False) as response:
                body = await response.read()
                result = HttpResponse(str(response.url), response.status, response.headers, body)
        except (TimeoutError, aiohttp.ClientError) as exc:
            log.info("fetch %s failed (%s), may retry", url, type(exc).__name__)
            raise _Retryable(type(exc).__name__) from None
        if result.status == 429 or result.status >= 500:
            log.info("fetch %s answered %s, may retry", url, result.status)
            raise _Retryable(f"HTTP {result.status}")
        return result


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port
