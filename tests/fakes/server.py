"""What every fake upstream shares: an aiohttp server on 127.0.0.1 on a free port, a request log,
a way to wait for requests, and the faults of the reliability matrix, injected by path.

`fail(path, fault)` makes every request to `path` fail one way until `heal(path)`:

- `reset`: the connection is dropped before any answer (as a refused or reset connection);
- `hang`: no answer at all; `stall`: the headers, then part of the body, then nothing;
- `500`, `502`, `503`; `429` (with a `Retry-After` of `retry_after` seconds);
- `html`: a 200 maintenance page; `malformed`: broken JSON; `shape`: JSON of another shape;
- `404`, `410`; `away`: a redirect to another host; `loop`: a redirect to itself;
- `huge`: a 50 MB JSON body, streamed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web

FAULTS = (
    "reset", "hang", "stall", "500", "502", "503", "429", "html", "malformed", "shape",
    "404", "410", "away", "loop", "huge",
)  # fmt: skip
HANG_SECONDS = 60.0


class FakeServer:
    def __init__(self) -> None:
        self.base_url = ""
        self.paths: list[str] = []  # the path of every request served, in order
        self.faults_by_path: dict[str, str] = {}
        self.retry_after = 120  # what a `429` fault asks for, in seconds
        self.delay_seconds = 0.0  # every answer waits this long (a slow but healthy site)
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application(middlewares=[self._log, self._inject_faults])
        self.add_routes(app)
        self._runner = web.AppRunner(app, shutdown_timeout=0.1)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.base_url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def count(self, path: str) -> int:
        return sum(1 for served in self.paths if served == path)

    async def wait_until(self, condition: Callable[[], bool], timeout: float = 10) -> None:
        async with self._changed:
            await asyncio.wait_for(self._changed.wait_for(condition), timeout)

    async def wait_for_requests(self, path: str, count: int, timeout: float = 10) -> None:
        """Until `path` has been served `count` times in all."""
        await self.wait_until(lambda: self.count(path) >= count, timeout)

    async def notify(self) -> None:
        async with self._changed:
            self._changed.notify_all()

    def fail(self, path: str, fault: str) -> None:
        assert fault in FAULTS, fault
        self.faults_by_path[path] = fault

    def heal(self, path: str) -> None:
        self.faults_by_path.pop(path, None)

    @web.middleware
    async def _inject_faults(self, request: web.Request, handler) -> web.StreamResponse:
        if self.delay_seconds:
            await asyncio.sleep(self.delay_seconds)
        fault = self.faults_by_path.get(request.path)
        if fault is None:
            return await handler(request)
        return await _faulty(request, fault, self.retry_after)

    @web.middleware
    async def _log(self, request: web.Request, handler) -> web.StreamResponse:
        try:
            return await handler(request)
        finally:
            self.paths.append(request.path)
            await self.notify()


async def _faulty(request: web.Request, fault: str, retry_after: int) -> web.StreamResponse:
    if fault == "reset":
        assert request.transport is not None
        request.transport.close()
        return web.Response(status=500)  # never reaches the client
    if fault == "hang":
        await asyncio.sleep(HANG_SECONDS)
    if fault in ("stall", "huge"):
        response = web.StreamResponse(headers={"Content-Type": "application/json"})
        await response.prepare(request)
        await response.write(b'{"data": {"id": 1, "attributes": {"action": "')
        if fault == "stall":
            await asyncio.sleep(HANG_SECONDS)
        for _ in range(50):
            await response.write(b"x" * 2**20)
        await response.write_eof()
        return response
    if fault.isdigit() and fault != "429":
        return web.Response(status=int(fault), text=f"HTTP {fault}")
    if fault == "429":
        return web.Response(status=429, text="slow down", headers={"Retry-After": str(retry_after)})
    if fault == "html":
        return web.Response(
            text="<html><h1>Down for maintenance</h1></html>", content_type="text/html"
        )
    if fault == "malformed":
        return web.Response(text='{"data": {"id": 1, "attri', content_type="application/json")
    if fault == "shape":
        return web.json_response({"data": {"id": 1, "attributes": {"signature_count": "abc"}}})
    if fault == "away":
        raise web.HTTPFound("https://evil.example.com" + request.path_qs)
    if fault == "loop":
        raise web.HTTPFound(request.path_qs)
    raise AssertionError(fault)
