"""Telegram update handlers: thin adapters from updates to the services in `bot/`.

`register` wires them in the order a reader meets them; `COMMANDS` is the one list that feeds
both Telegram's command menu and /help.
"""

from __future__ import annotations

from telegram import Update
from telegram.ext import Application, CommandHandler, TypeHandler, filters

from handlers.chats import resume_chat
from handlers.commands import (
    COMMANDS,
    follow,
    help_command,
    list_follows,
    start,
    start_with_petition,
    status,
    unfollow,
)
from handlers.errors import report_error

__all__ = ["COMMANDS", "register"]


def register(application: Application) -> None:
    # Any update from a chat shows it can hear us again; group -1 runs before the commands.
    application.add_handler(TypeHandler(Update, resume_chat), group=-1)
    application.add_handler(
        CommandHandler("start", start_with_petition, filters.Regex(r"^/start\s+p_\d+\s*$"))
    )
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler(["follow", "watch"], follow))
    application.add_handler(CommandHandler(["unfollow", "unwatch"], unfollow))
    application.add_handler(CommandHandler("list", list_follows))
    application.add_handler(CommandHandler("status", status))
    application.add_error_handler(report_error)
