"""Logging set-up, with the bot token (and the webhook's secret) scrubbed from every line,
tracebacks included; a readable line each, or one JSON object a line (`[logging] format`).

python-telegram-bot and httpx put the token in request URLs; httpx logs every request at INFO,
so it is held at WARNING, and the formatter replaces the token wherever it still appears. The
scheduler's line per job run (nearly all of an INFO log) is held at WARNING too.

Where a line comes from is known by `log_context`: the poller names the source, a read the target,
a user's action and a sending pass the chat; every record made inside carries them, and the JSON
lines give them as fields.
"""

from __future__ import annotations

import contextlib
import logging
from collections.abc import Iterator
from contextvars import ContextVar
from datetime import UTC, datetime

import orjson

REDACTED = "[bot-token]"
TEXT_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
CONTEXT_FIELDS = ("chat", "target", "source")
_CONTEXT: ContextVar[dict[str, object] | None] = ContextVar("log_context", default=None)


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


@contextlib.contextmanager
def log_context(**fields: object) -> Iterator[None]:
    """Every record made inside (tasks started inside included) says it is about `fields`
    (`chat`, `target`, `source`)."""
    token = _CONTEXT.set({**(_CONTEXT.get() or {}), **fields})
    try:
        yield
    finally:
        _CONTEXT.reset(token)


class RedactingFormatter(logging.Formatter):
    def __init__(self, secrets: tuple[str, ...], fmt: str = TEXT_FORMAT) -> None:
        super().__init__(fmt)
        self._secrets = secrets

    def format(self, record: logging.LogRecord) -> str:
        return redact(super().format(record), *self._secrets)


class JsonFormatter(RedactingFormatter):
    """One JSON object a line: time (UTC), level, logger, message, the context's chat, target and
    source where known, and the traceback as `exception`."""

    def format(self, record: logging.LogRecord) -> str:
        line: dict[str, object] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        context = _CONTEXT.get() or {}
        line |= {name: context[name] for name in CONTEXT_FIELDS if name in context}
        if record.exc_info:
            line["exception"] = self.formatException(record.exc_info)
        # Redacted as encoded: JSON escapes none of a token's characters, and the mask has no
        # quote to break the line.
        text = orjson.dumps(line, default=str).decode()
        return redact(text, *self._secrets)


def configure_logging(token: str, level: str = "INFO", *others: str, form: str = "text") -> None:
    """Log to stderr at `level`, as text or JSON (`form`), with `token` and the `others` secrets
    never shown."""
    handler = logging.StreamHandler()
    secrets = (token, *others)
    handler.setFormatter(JsonFormatter(secrets) if form == "json" else RedactingFormatter(secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    for noisy in ("httpx", "httpcore", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
