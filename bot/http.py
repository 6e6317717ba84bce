"""Outbound HTTP to the upstream sources: one client for the whole bot, with two aiohttp
connection pools (one for polls, one for users' look-ups).

Owns timeouts (each request's, and the `budget` a command or a poll cycle sets for all its
fetches), the User-Agent, the per-host connection limit, the body size limit, retries with
exponential backoff and jitter on 5xx, 429, timeouts and connection errors (a 429's Retry-After
is honoured, and holds back every request to that host), the pacing of "polite" origins (one
request at a time, at most one per `polite_interval_seconds`), and the rule that only the
configured source origins are ever contacted. Redirects are never followed here: a source
decides which redirect targets it trusts. Knows nothing about what the sources serve.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import math
import time
from collections.abc import Iterable, Iterator, Mapping
from contextvars import ContextVar
from dataclasses import dataclass
from email.utils import parsedate_to_datetime
from typing import Any
from urllib.parse import urlsplit

import aiohttp
import orjson
from tenacity import (
    AsyncRetrying,
    RetryCallState,
    RetryError,
    retry_if_exception_type,
    stop_after_attempt,
    stop_any,
    wait_random_exponential,
)

from bot.config import HttpConfig
from bot.metrics import UPSTREAM_REQUESTS, UPSTREAM_SECONDS

log = logging.getLogger(__name__)
USER_AGENT = (
    "AccountabilityAlerts/0.1 (Telegram bot that alerts followers of UK Parliament petitions "
    "and government statements)"
)
# A Retry-After longer than this is not waited out inside a poll: the fetch fails for now, and
# the host is left alone until the time it named.
LONGEST_RETRY_AFTER_SECONDS = 60.0
# The largest answer read: the real documents are at most a few hundred KB, and a runaway body
# must not take the bot's memory with it.
MAX_BODY_BYTES = 4 * 2**20
Origin = tuple[str, str, int | None]


_DEADLINE: ContextVar[float | None] = ContextVar("upstream_deadline", default=None)
_FOR_A_USER: ContextVar[bool] = ContextVar("for_a_user", default=False)


@contextlib.contextmanager
def budget(seconds: float, *, for_a_user: bool = False) -> Iterator[None]:
    """Every fetch started inside (tasks included) gives up `seconds` from now, as an
    UpstreamError; a tighter budget already in force wins. Fetches `for_a_user` (a command's
    look-ups) use their own connections, so a poll cycle's queue never holds them up."""
    deadline = asyncio.get_running_loop().time() + seconds
    outer = _DEADLINE.get()
    token = _DEADLINE.set(deadline if outer is None else min(outer, deadline))
    user_token = _FOR_A_USER.set(for_a_user or _FOR_A_USER.get())
    try:
        yield
    finally:
        _FOR_A_USER.reset(user_token)
        _DEADLINE.reset(token)


def for_a_user() -> bool:
    """Whether the fetches made here are a command's (see `budget`)."""
    return _FOR_A_USER.get()


def budget_left() -> float:
    """Seconds left of the budget in force (infinite when there is none)."""
    deadline = _DEADLINE.get()
    return math.inf if deadline is None else deadline - asyncio.get_running_loop().time()


class UpstreamError(Exception):
    """The source could not be read this time (down, slow, throttled or garbled)."""


class UpstreamRefused(UpstreamError):
    """The source understood the request and refused it (a 4xx other than 429); `detail` is
    what it said, when it said something."""

    def __init__(self, url: str, status: int, detail: str) -> None:
        super().__init__(f"{url} answered HTTP {status}: {detail}")
        self.status = status
        self.detail = detail


class _Retryable(Exception):
    """A response or failure worth trying again; `retry_after` is the wait the host asked for."""

    def __init__(self, reason: str, retry_after: float | None = None) -> None:
        super().__init__(reason)
        self.retry_after = retry_after


class _Pace:
    """One origin's turn-taking: none before a Retry-After runs out and, for a polite origin
    (`interval` > 0), one at a time, `interval` apart."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.turn: contextlib.AbstractAsyncContextManager[Any] = (
            asyncio.Lock() if interval > 0 else contextlib.nullcontext()
        )
        self.next_start = 0.0  # time.monotonic() before which no request starts

    def hold_off(self, seconds: float) -> None:
        self.next_start = max(self.next_start, time.monotonic() + seconds)


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

    def __init__(
        self,
        config: HttpConfig,
        allowed_origins: Iterable[str],
        polite_origins: Iterable[str] = (),
    ) -> None:
        """Only `allowed_origins` (and `polite_origins`) are fetched from; `polite_origins` are
        paced, one request at a time, `config.polite_interval_seconds` apart."""
        self._config = config
        self._paces = {_origin(url): _Pace(0) for url in allowed_origins}
        self._paces |= {
            _origin(url): _Pace(config.polite_interval_seconds) for url in polite_origins
        }
        # Two pools: a user's look-up never queues behind a big poll cycle's fetches.
        self._sessions = {
            interactive: aiohttp.ClientSession(
                timeout=aiohttp.ClientTimeout(total=config.timeout_seconds),
                headers={"User-Agent": USER_AGENT, "Accept": "application/json"},
                connector=aiohttp.TCPConnector(limit_per_host=config.connections_per_host),
            )
            for interactive in (False, True)
        }

    async def close(self) -> None:
        for session in self._sessions.values():
            await session.close()

    def is_allowed(self, url: str) -> bool:
        return _origin(url) in self._paces

    async def get(self, url: str, headers: Mapping[str, str] | None = None) -> HttpResponse:
        """One GET with retries, within the current budget (see `budget`); 2xx, 3xx and 4xx
        other than 429 come back as they are."""
        if not self.is_allowed(url):
            raise UpstreamError(f"refusing to fetch {url}: not a configured source")
        try:
            async with asyncio.timeout_at(_DEADLINE.get()):
                return await self._get_retrying(url, headers)
        except TimeoutError:
            # Only the budget's own timeout gets here: the request's are retried or reported.
            raise UpstreamError(f"{url} did not answer in time") from None

    async def _get_retrying(self, url: str, headers: Mapping[str, str] | None) -> HttpResponse:
        backoff = wait_random_exponential(
            multiplier=self._config.backoff_seconds, max=self._config.backoff_seconds * 16
        )

        def wait(state: RetryCallState) -> float:
            return max(backoff(state), _asked_wait(state))

        retrying = AsyncRetrying(
            stop=stop_any(stop_after_attempt(self._config.retries + 1), _asked_to_wait_too_long),
            wait=wait,
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

    async def get_json(self, url: str) -> Any:
        """GET a JSON document; anything else (a refusal, an HTML page, garbage) raises."""
        return _json_of(url, await self.get(url))

    async def get_json_unless(self, url: str, etag: str | None) -> tuple[Any, str | None] | None:
        """GET a JSON document unless it still has the ETag `etag` (If-None-Match): None when
        unchanged, else the document and its ETag. A site that caches feeds answers a repeat
        read with a 304 and no body."""
        response = await self.get(url, {"If-None-Match": etag} if etag else None)
        if response.status == 304:
            return None
        return _json_of(url, response), response.headers.get("ETag")

    async def _get_once(self, url: str, headers: Mapping[str, str] | None) -> HttpResponse:
        deadline = _DEADLINE.get()
        if deadline is not None and asyncio.get_running_loop().time() >= deadline:
            # When a request's own timeout ends with the budget, aiohttp can take the budget's
            # cancellation for its own timeout and retry: no attempt starts past the deadline.
            raise UpstreamError(f"{url} did not answer in time")
        pace = self._paces[_origin(url)]
        async with pace.turn:
            wait = pace.next_start - time.monotonic()
            if wait > LONGEST_RETRY_AFTER_SECONDS:
                raise UpstreamError(f"{url}: the host asked us to wait {wait:.0f} s more")
            if wait > 0:
                await asyncio.sleep(wait)
            if pace.interval:
                pace.next_start = time.monotonic() + pace.interval
            try:
                return await self._request(url, headers)
            except _Retryable as exc:
                if exc.retry_after:
                    pace.hold_off(exc.retry_after)
                raise

    async def _request(self, url: str, headers: Mapping[str, str] | None) -> HttpResponse:
        host = _origin(url)[1]
        started = time.monotonic()
        status = "error"
        try:
            session = self._sessions[for_a_user()]
            async with session.get(url, headers=headers, allow_redirects=False) as response:
                status = str(response.status)
                body = await _read_capped(url, response)
                result = HttpResponse(str(response.url), response.status, response.headers, body)
        except (TimeoutError, aiohttp.ClientError) as exc:
            status = "timeout" if isinstance(exc, TimeoutError) else "error"
            log.info("fetch %s failed (%s), may retry", url, type(exc).__name__)
            raise _Retryable(type(exc).__name__) from None
        finally:
            UPSTREAM_REQUESTS.labels(host, status).inc()
            UPSTREAM_SECONDS.labels(host).observe(time.monotonic() - started)
        if result.status == 429 or result.status >= 500:
            log.info("fetch %s answered %s, may retry", url, result.status)
            retry_after = _retry_after(result.headers.get("Retry-After"))
            raise _Retryable(f"HTTP {result.status}", retry_after)
        return result


async def _read_capped(url: str, response: aiohttp.ClientResponse) -> bytes:
    """The body, or UpstreamError once it passes MAX_BODY_BYTES (declared or as it streams)."""
    if (response.content_length or 0) > MAX_BODY_BYTES:
        raise UpstreamError(f"{url} sent {response.content_length} bytes, over the limit")
    chunks: list[bytes] = []
    size = 0
    async for chunk in response.content.iter_chunked(2**16):
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise UpstreamError(f"{url} sent over {MAX_BODY_BYTES} bytes, the limit")
        chunks.append(chunk)
    return b"".join(chunks)


def _json_of(url: str, response: HttpResponse) -> Any:
    """The JSON document of a response; a refusal, an error, an HTML page or garbage raises."""
    if 400 <= response.status < 500:
        raise UpstreamRefused(url, response.status, _refusal(response.body))
    if response.status != 200:
        raise UpstreamError(f"{url} answered HTTP {response.status}")
    if "json" not in response.content_type:
        raise UpstreamError(f"{url} sent {response.content_type or 'no type'}, not JSON")
    try:
        return orjson.loads(response.body)
    except (ValueError, UnicodeDecodeError):
        raise UpstreamError(f"{url} sent malformed JSON") from None


def _refusal(body: bytes) -> str:
    """What a refusal says: GOV.UK's `{"error": …}`, Parliament's ProblemDetails, or its text."""
    try:
        document = orjson.loads(body)
    except (ValueError, UnicodeDecodeError):
        return body[:200].decode("utf-8", "replace").strip()
    if isinstance(document, dict):
        for key in ("error", "detail", "title", "message"):
            if isinstance(document.get(key), str):
                return document[key]
    return ""


def _asked_wait(state: RetryCallState) -> float:
    """The Retry-After of the failed attempt, in seconds (0 when none was given)."""
    failure = state.outcome.exception() if state.outcome else None
    return getattr(failure, "retry_after", None) or 0.0


def _asked_to_wait_too_long(state: RetryCallState) -> bool:
    return _asked_wait(state) > LONGEST_RETRY_AFTER_SECONDS


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds: a number of seconds or an HTTP date."""
    if not value:
        return None
    value = value.strip()
    if value.isdecimal():
        return float(value)
    try:
        return max(0.0, parsedate_to_datetime(value).timestamp() - time.time())
    except (TypeError, ValueError):
        return None


def _origin(url: str) -> Origin:
    parts = urlsplit(url)
    return parts.scheme, (parts.hostname or "").lower(), parts.port
