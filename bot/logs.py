"""Logging set-up, with the bot token scrubbed from every line (tracebacks included).

python-telegram-bot and httpx put the token in request URLs; httpx logs every request at INFO,
so it is held at WARNING, and the formatter replaces the token wherever it still appears.
"""

from __future__ import annotations

import logging

REDACTED = "[bot-token]"


class RedactingFormatter(logging.Formatter):
    def __init__(self, secret: str, fmt: str) -> None:
        super().__init__(fmt)
        self._secret = secret

    def format(self, record: logging.LogRecord) -> str:
        return super().format(record).replace(self._secret, REDACTED)


def configure_logging(token: str, level: str = "INFO") -> None:
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter(token, "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    logging.getLogger("httpx").setLevel(logging.WARNING)
    logging.getLogger("httpcore").setLevel(logging.WARNING)
