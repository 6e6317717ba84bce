"""Command line: `python -m bot --config PATH` (or `accountability-alerts`) runs the bot."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from telegram import Update
from telegram.error import InvalidToken, NetworkError

from bot.app import build_application
from bot.config import ConfigError, load_config
from bot.logs import configure_logging
from bot.store import StoreError

PROG = "accountability-alerts"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog=PROG,
        description="Telegram bot that alerts chats about the UK Parliament petitions they follow.",
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
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    configure_logging(config.telegram.token, args.log_level)
    try:
        application = build_application(config)
    except StoreError as exc:
        print(f"{PROG}: {exc}", file=sys.stderr)
        return 2
    try:
        application.run_polling(allowed_updates=Update.ALL_TYPES)
    except InvalidToken:
        print(f"{PROG}: Telegram rejected the bot token (telegram.token)", file=sys.stderr)
        return 2
    except NetworkError as exc:
        where = config.telegram.api_base_url
        print(f"{PROG}: cannot reach the Telegram Bot API at {where}: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
