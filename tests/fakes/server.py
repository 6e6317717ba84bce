"""What every fake upstream shares: an aiohttp server on 127.0.0.1 on a free port, a request log,
and a way to wait for requests."""

from __future__ import annotations

import asyncio
from collections.abc import Callable

from aiohttp import web


class FakeServer:
    def __init__(self) -> None:
        self.base_url = ""
        self.paths: list[str] = []  # the path of every request served, in order
        self._runner: web.AppRunner | None = None
        self._changed = asyncio.Condition()

    def add_routes(self, app: web.Application) -> None:
        raise NotImplementedError

    async def start(self) -> None:
        app = web.Application(middlewares=[self._log])
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

    @web.middleware
    async def _log(self, request: web.Request, handler) -> web.StreamResponse:
        try:
            return await handler(request)
        finally:
            self.paths.append(request.path)
            await self.notify()
