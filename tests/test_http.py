"""Politeness towards the sources: one request at a time per polite host, spaced, and a 429's
Retry-After honoured for every request to any host; refusals come back as what they said; a
budget cuts fetches short; a runaway body is cut off."""

from __future__ import annotations

import asyncio
import itertools
import time

import pytest
from aiohttp import web

from bot.config import HttpConfig
from bot.http import HttpClient, UpstreamError, UpstreamRefused, budget
from tests.fakes.server import FakeServer


class Host(FakeServer):
    """Answers /ok, counts requests in flight, and can throttle or refuse."""

    def __init__(self) -> None:
        super().__init__()
        self.started: list[float] = []
        self.in_flight = self.most_in_flight = 0
        self.throttle: list[str] = []  # Retry-After values to answer 429 with, in turn

    def add_routes(self, app: web.Application) -> None:
        app.router.add_get("/ok", self._ok)
        app.router.add_get("/refuse", self._refuse)

    async def _ok(self, request: web.Request) -> web.Response:
        self.started.append(time.monotonic())
        self.in_flight += 1
        self.most_in_flight = max(self.most_in_flight, self.in_flight)
        try:
            await asyncio.sleep(0.02)
            if self.throttle:
                return web.Response(status=429, headers={"Retry-After": self.throttle.pop(0)})
            return web.json_response({"ok": True})
        finally:
            self.in_flight -= 1

    async def _refuse(self, request: web.Request) -> web.Response:
        return web.json_response({"error": "Unexpected parameters: foo"}, status=422)


@pytest.fixture
async def host():
    fake = Host()
    await fake.start()
    yield fake
    await fake.stop()


async def test_a_polite_host_gets_one_request_at_a_time_spaced_by_the_interval(host):
    config = HttpConfig(polite_interval_seconds=0.2, retries=0)
    http = HttpClient(config, [], [host.base_url])
    try:
        await asyncio.gather(*(http.get_json(f"{host.base_url}/ok") for _ in range(4)))
    finally:
        await http.close()
    gaps = [later - earlier for earlier, later in itertools.pairwise(host.started)]
    assert host.most_in_flight == 1
    assert min(gaps) >= 0.19


async def test_retry_after_is_honoured_and_holds_the_host(host):
    host.throttle = ["1"]
    config = HttpConfig(polite_interval_seconds=0.01, retries=2, backoff_seconds=0.01)
    http = HttpClient(config, [], [host.base_url])
    try:
        assert await http.get_json(f"{host.base_url}/ok") == {"ok": True}
    finally:
        await http.close()
    assert len(host.started) == 2 and host.started[1] - host.started[0] >= 0.95


@pytest.mark.parametrize("polite", [True, False])
async def test_a_retry_after_too_long_to_wait_fails_now_and_keeps_the_host_quiet(host, polite):
    host.throttle = ["3600"]
    config = HttpConfig(polite_interval_seconds=0.01, retries=3, backoff_seconds=0.01)
    origins = ([], [host.base_url]) if polite else ([host.base_url], [])
    http = HttpClient(config, *origins)
    try:
        with pytest.raises(UpstreamError):
            await http.get_json(f"{host.base_url}/ok")
        with pytest.raises(UpstreamError, match="asked us to wait"):
            await http.get_json(f"{host.base_url}/ok")
    finally:
        await http.close()
    assert len(host.started) == 1


async def test_a_refusal_says_what_the_host_said(host):
    http = HttpClient(HttpConfig(retries=0), [], [host.base_url])
    try:
        with pytest.raises(UpstreamRefused) as refused:
            await http.get_json(f"{host.base_url}/refuse")
    finally:
        await http.close()
    assert (refused.value.status, refused.value.detail) == (422, "Unexpected parameters: foo")


async def test_a_budget_cuts_every_fetch_inside_it_short(host):
    host.fail("/ok", "hang")
    http = HttpClient(HttpConfig(timeout_seconds=30, retries=3), [host.base_url])
    started = time.monotonic()
    try:
        with budget(0.3), pytest.raises(UpstreamError, match="did not answer in time"):
            await asyncio.gather(http.get_json(f"{host.base_url}/ok"), asyncio.sleep(0))
    finally:
        await http.close()
    assert time.monotonic() - started < 1.0


async def test_a_runaway_body_is_cut_off_at_the_limit(host):
    host.fail("/ok", "huge")  # 50 MB, streamed
    http = HttpClient(HttpConfig(retries=0), [host.base_url])
    try:
        with pytest.raises(UpstreamError, match="over 4194304 bytes"):
            await http.get(f"{host.base_url}/ok")
    finally:
        await http.close()
