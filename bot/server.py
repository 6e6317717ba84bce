"""The bot's own HTTP server on `[server] listen` (aiohttp): health checks, and Telegram's updates
in webhook mode.

`/healthz` answers 200 with a small JSON when every source has been read within three of its poll
intervals and sending drains, else 503 with the JSON naming what is stale or failing (bot.health).
`/readyz` answers 200 once the process has loaded its store, reached Telegram and started, and
503 before that and while it stops. `/metrics` gives bot.metrics in Prometheus's text format. In
polling mode the server serves only these three.

Updates follow python-telegram-bot's custom-webhook pattern: the server checks a request and has
the Application handle its update as it handles a polled one, then answers 200: an update is
acknowledged only once it has been handled, so one whose process died is sent again. A
request without the configured secret (`X-Telegram-Bot-Api-Secret-Token`) is refused (403), so
nobody but Telegram can make the bot act; a body that is not an update is refused (400) without
a traceback. The path is the one of `webhook_url`: a reverse proxy maps the public URL to here.
"""

from __future__ import annotations

import hmac
import logging
from collections.abc import Callable
from datetime import datetime
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

from bot.metrics import scrape
from bot.runtime import RUNTIME_KEY, Runtime

log = logging.getLogger(__name__)
HEALTH_PATH = "/healthz"
READY_PATH = "/readyz"
METRICS_PATH = "/metrics"
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20  # an update is a few KB; Telegram never sends more


class ListenError(Exception):
    """The server cannot listen where it was told (the message says where and why)."""


class BotServer:
    def __init__(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        clock: Callable[[], datetime],
        webhook_url: str = "",
        secret: str = "",
    ) -> None:
        """With a `webhook_url`, the server receives updates there (with `secret`)."""
        self._application = application
        self._clock = clock
        self._secret = secret.encode()
        self._path = (urlsplit(webhook_url).path or "/") if webhook_url else None
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
        app.router.add_get(HEALTH_PATH, self._health)
        app.router.add_get(READY_PATH, self._ready)
        app.router.add_get(METRICS_PATH, self._metrics)
        if self._path is not None:
            app.router.add_post(self._path, self._receive)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        try:
            await web.TCPSite(self._runner, host, port).start()
        except OSError as exc:
            await self.stop()
            raise ListenError(
                f"cannot listen on {host}:{port} ({exc.strerror or exc}): check server.listen"
            ) from None
        if self._path is not None:
            log.info("Receiving updates on http://%s:%s%s", host, port, self._path)
        log.info("Health checks and metrics on http://%s:%s (%s, %s, %s)", host, port,
                 HEALTH_PATH, READY_PATH, METRICS_PATH)  # fmt: skip

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def _health(self, request: web.Request) -> web.Response:
        running: Runtime | None = self._application.bot_data.get(RUNTIME_KEY)
        if running is None:
            return web.json_response({"status": "starting"}, status=503)
        healthy, report = running.health.report(self._clock())
        return web.json_response(report, status=200 if healthy else 503)

    async def _ready(self, request: web.Request) -> web.Response:
        ready = RUNTIME_KEY in self._application.bot_data and self._application.running
        return web.json_response(
            {"status": "ready" if ready else "not ready"}, status=200 if ready else 503
        )

    async def _metrics(self, request: web.Request) -> web.Response:
        running: Runtime | None = self._application.bot_data.get(RUNTIME_KEY)
        if running is None:
            return web.Response(status=503, text="starting")
        body, content_type = await scrape(running.store, self._clock())
        return web.Response(body=body, headers={"Content-Type": content_type})

    async def _receive(self, request: web.Request) -> web.Response:
        given = request.headers.get(SECRET_HEADER, "").encode()
        if not hmac.compare_digest(given, self._secret):
            return web.Response(status=403, text="wrong or missing secret token")
        try:
            data = await request.json()
            update = Update.de_json(data, self._application.bot)
        except (ValueError, TypeError, KeyError):
            return web.Response(status=400, text="not a Telegram update")
        if update is None:
            return web.Response(status=400, text="not a Telegram update")
        # Handled before the answer: a process that dies meanwhile never answers, and Telegram
        # sends the update again (to whichever process is up), so none is lost.
        await self._application.process_update(update)
        return web.Response(text="ok")
