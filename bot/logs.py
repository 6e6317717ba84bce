"""Logging set-up, with the bot token (and the webhook's secret) scrubbed from every line,
tracebacks included.

python-telegram-bot and httpx put the token in request URLs; httpx logs every request at INFO,
so it is held at WARNING, and the formatter replaces the token wherever it still appears. The
scheduler's line per job run (nearly all of an INFO log) is held at WARNING too.
"""

from __future__ import annotations

import logging

REDACTED = "[bot-token]"


def redact(text: str, secret: str, *others: str) -> str:
    """`text` with the token, its secret part alone, and `others` (other secrets) masked."""
    for other in others:
        if other:
            text = text.replace(other, "[secret]")
    if not secret:
        return text
    text = text.replace(secret, REDACTED)
    _, _, private = secret.partition(":")
    return text.replace(private, REDACTED) if len(private) >= 8 else text


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: tuple[str, ...], fmt: str) -> None:
        super().__init__(fmt)
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), *self._secrets)


def configure_logging(token: str, level: str = "INFO", *others: str) -> None:
    """Log to stderr at `level`, with `token` and the `others` secrets never shown."""
    handler = logging.StreamHandler()
    handler.setFormatter(
        RedactingFormatter((token, *others), "%(asctime)s %(levelname)s %(name)s: %(message)s")
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
