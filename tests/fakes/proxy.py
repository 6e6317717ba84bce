"""A reverse proxy on 127.0.0.1, as operators put in front of several bot processes: each request
goes to the next backend in turn, and to the one after it when that one does not answer (a
process that died), so Telegram's webhook reaches whichever processes are up."""

from __future__ import annotations

import itertools

import aiohttp
from aiohttp import web

from tests.fakes.server import FakeServer

FORWARDED = ("Content-Type", "X-Telegram-Bot-Api-Secret-Token")


class Balancer(FakeServer):
    def __init__(self, backends: list[str]) -> None:
        super().__init__()
        self.backends = backends  # base URLs, such as http://127.0.0.1:8081
        self.served_by: list[str] = []  # the backend that answered each request
        self._turn = itertools.count()

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/{path:.*}", self._forward)

    async def _forward(self, request: web.Request) -> web.Response:
        body = await request.read()
        headers = {name: request.headers[name] for name in FORWARDED if name in request.headers}
        first = next(self._turn)
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            for n in range(len(self.backends)):
                backend = self.backends[(first + n) % len(self.backends)]
                try:
                    async with session.request(
                        request.method, backend + request.path_qs, data=body, headers=headers
                    ) as answer:
                        self.served_by.append(backend)
                        return web.Response(status=answer.status, body=await answer.read())
                except (aiohttp.ClientError, TimeoutError):
                    continue
        return web.Response(status=502, text="no backend answered")
