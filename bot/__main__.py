"""Command line: `python -m bot --config PATH` (or `accountability-alerts`) runs the bot, by
long polling or, with `[telegram] webhook_url`, as a webhook (bot.app.serve_webhook);
`python -m bot migrate --from data/alerts.json --to postgresql://…` copies a TinyDB store into
PostgreSQL (bot.storage.migration).

Every way start-up can fail (the config, the store, Telegram) ends in one line on stderr and an
exit status, never a traceback, and never with the token in it.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application, close_store, serve_webhook
from bot.config import ConfigError, load_config
from bot.logs import configure_logging, redact
from bot.preflight import TelegramUnusable, reach_telegram
from bot.server import ListenError
from bot.storage.port import SaveError, StoreError

PROG = "accountability-alerts"


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["migrate"]:
        return migrate(argv[1:])
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Telegram bot that alerts chats about the UK Parliament petitions they follow.",
        epilog=f"{PROG} migrate --from PATH --to URL copies a stopped bot's TinyDB store into "
        f"PostgreSQL ({PROG} migrate --help).",
    )
    parser.add_argument(
        "--config",
        type=Path,
        default=Path("config.toml"),
        help="the TOML configuration file (default: config.toml; see config.example.toml)",
    )
    parser.add_argument(
        "--log-level",
        default="INFO",
        choices=["DEBUG", "INFO", "WARNING", "ERROR"],
        help="how much to log (default: INFO)",
    )
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
    except ConfigError as exc:
        return _fail(str(exc), 2)
    token = config.telegram.token
    configure_logging(
        token, args.log_level, config.telegram.webhook_secret, form=config.logging.format
    )
    try:
        application = build_application(config)  # the store first: it is local and quick
    except StoreError as exc:
        return _fail(str(exc), 2, token)
    try:
        asyncio.run(reach_telegram(config.telegram))
    except TelegramUnusable as exc:
        close_store(application)
        return _fail(str(exc), exc.status, token)
    try:
        if config.telegram.webhook_url:
            asyncio.run(serve_webhook(application, config))
        else:
            application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        return _fail("Telegram refused the bot token (telegram.token)", 2)
    except ListenError as exc:
        return _fail(str(exc), 2)
    except NetworkError as exc:
        where = config.telegram.api_base_url
        return _fail(f"cannot reach the Telegram Bot API at {where}: {exc}", 1, token)
    return 0


def migrate(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(
        prog=f"{PROG} migrate",
        description="Copy a TinyDB store (the bot stopped) into an empty PostgreSQL database.",
    )
    parser.add_argument(
        "--from",
        dest="source",
        type=Path,
        required=True,
        metavar="PATH",
        help="the stopped bot's storage.path, such as data/alerts.json",
    )
    parser.add_argument(
        "--to",
        dest="url",
        required=True,
        metavar="URL",
        help="the PostgreSQL database, postgresql://user@host:5432/name",
    )
    args = parser.parse_args(argv)  # fmt: skip
    from bot.storage.migration import CopyMismatch, describe, migrate_files

    try:
        counts = migrate_files(args.source, args.url)
    except (StoreError, SaveError, CopyMismatch) as exc:
        return _fail(str(exc), 2)
    print(f"{PROG}: {describe(counts, args.url)}", file=sys.stderr)
    return 0


def _fail(message: str, status: int, token: str = "") -> int:
    print(f"{PROG}: {redact(message, token)}", file=sys.stderr)
    return status


if __name__ == "__main__":
    sys.exit(main())
