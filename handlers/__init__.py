"""Telegram update handlers: thin adapters from updates to the services in `bot/`.

`register` wires them in the order a reader meets them. The command list behind Telegram's menu
and /help is built from the commands here plus each target kind's own (/statements, /debates),
which `register` is told about so that it can route them.
"""

from __future__ import annotations

from collections.abc import Iterable

from telegram import Update
from telegram.ext import (
    Application,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from handlers.buttons import message, press
from handlers.chats import resume_chat, track_membership
from handlers.commands import (
    browse,
    follow,
    help_command,
    list_follows,
    share,
    start,
    start_with_link,
    stats,
    status,
    stop,
    unfollow,
)
from handlers.errors import report_error
from handlers.inline import inline_cards

__all__ = ["register"]


def register(application: Application, kind_commands: Iterable[str]) -> None:
    # Any update from a chat shows it can hear us again; group -1 runs before the commands.
    application.add_handler(TypeHandler(Update, resume_chat), group=-1)
    application.add_handler(ChatMemberHandler(track_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    # Deep links: `/start p_300412`, and `/start@bot p_300412` as groups send it.
    application.add_handler(CommandHandler("start", start_with_link, has_args=1))
    application.add_handler(CommandHandler("start", start))
    application.add_handler(CommandHandler("help", help_command))
    application.add_handler(CommandHandler(["follow", "watch"], follow))
    application.add_handler(CommandHandler(["unfollow", "unwatch"], unfollow))
    application.add_handler(CommandHandler("list", list_follows))
    application.add_handler(CommandHandler("status", status))
    application.add_handler(CommandHandler("stop", stop))
    application.add_handler(CommandHandler("stats", stats))
    application.add_handler(CommandHandler("share", share))
    application.add_handler(CommandHandler(list(kind_commands), browse))
    application.add_handler(CallbackQueryHandler(press))
    application.add_handler(InlineQueryHandler(inline_cards))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, message))
    application.add_error_handler(report_error)
