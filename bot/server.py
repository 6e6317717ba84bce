"""The bot's own HTTP server on `[server] listen` (aiohttp): Telegram's updates in webhook mode.

python-telegram-bot's custom-webhook pattern: the server checks a request and has the
Application handle its update as it handles a polled one, then answers 200: an update is
acknowledged only once it has been handled, so one whose process died is sent again. A
request without the configured secret (`X-Telegram-Bot-Api-Secret-Token`) is refused (403), so
nobody but Telegram can make the bot act; a body that is not an update is refused (400) without
a traceback. The path is the one of `webhook_url`: a reverse proxy maps the public URL to here.
"""

from __future__ import annotations

import hmac
import logging
from typing import Any
from urllib.parse import urlsplit

from aiohttp import web
from telegram import Update
from telegram.ext import Application

log = logging.getLogger(__name__)
SECRET_HEADER = "X-Telegram-Bot-Api-Secret-Token"
MAX_UPDATE_BYTES = 1 << 20  # an update is a few KB; Telegram never sends more


class ListenError(Exception):
    """The server cannot listen where it was told (the message says where and why)."""


class UpdateServer:
    def __init__(
        self, application: Application[Any, Any, Any, Any, Any, Any], webhook_url: str, secret: str
    ) -> None:
        self._application = application
        self._secret = secret.encode()
        self._path = urlsplit(webhook_url).path or "/"
        self._runner: web.AppRunner | None = None

    async def start(self, host: str, port: int) -> None:
        app = web.Application(client_max_size=MAX_UPDATE_BYTES)
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
        log.info("Receiving updates on http://%s:%s%s", host, port, self._path)

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

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
