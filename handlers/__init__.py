"""Telegram update handlers: thin adapters from updates to the services in `bot/`.

`register` wires them in the order a reader meets them. The command list behind Telegram's menu
and /help is built from the commands here plus each target kind's own (/statements, /debates),
which `register` is told about so that it can route them. Every user action is `guarded`
(the per-user throttle and the upstream budget).
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

from handlers.buttons import document, message, press
from handlers.chats import resume_chat, track_membership
from handlers.commands import (
    browse,
    chart,
    export,
    follow,
    help_command,
    import_command,
    list_follows,
    privacy,
    settings,
    share,
    source,
    start,
    start_with_link,
    stats,
    status,
    stop,
    unfollow,
    unknown_command,
)
from handlers.errors import report_error
from handlers.guard import guarded
from handlers.inline import inline_cards

__all__ = ["register"]


def register(application: Application, kind_commands: Iterable[str]) -> None:
    # Any update from a chat shows it can hear us again; group -1 runs before the commands.
    application.add_handler(TypeHandler(Update, resume_chat), group=-1)
    application.add_handler(ChatMemberHandler(track_membership, ChatMemberHandler.MY_CHAT_MEMBER))
    # Deep links: `/start p_300412`, and `/start@bot p_300412` as groups send it.
    application.add_handler(CommandHandler("start", guarded(start_with_link), has_args=1))
    application.add_handler(CommandHandler("start", guarded(start)))
    application.add_handler(CommandHandler("help", guarded(help_command)))
    application.add_handler(CommandHandler(["follow", "watch"], guarded(follow)))
    application.add_handler(CommandHandler(["unfollow", "unwatch"], guarded(unfollow)))
    application.add_handler(CommandHandler("list", guarded(list_follows)))
    application.add_handler(CommandHandler("status", guarded(status)))
    application.add_handler(CommandHandler("stop", guarded(stop)))
    application.add_handler(CommandHandler("stats", guarded(stats)))
    application.add_handler(CommandHandler("source", guarded(source)))
    application.add_handler(CommandHandler("share", guarded(share)))
    application.add_handler(CommandHandler("chart", guarded(chart)))
    application.add_handler(CommandHandler("settings", guarded(settings)))
    application.add_handler(CommandHandler("export", guarded(export)))
    application.add_handler(CommandHandler("import", guarded(import_command)))
    application.add_handler(CommandHandler("privacy", guarded(privacy)))
    application.add_handler(CommandHandler(list(kind_commands), guarded(browse)))
    # Last of the commands: any other gets a hint rather than silence.
    application.add_handler(MessageHandler(filters.COMMAND, guarded(unknown_command)))
    application.add_handler(CallbackQueryHandler(guarded(press)))
    application.add_handler(InlineQueryHandler(guarded(inline_cards)))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.COMMAND, guarded(message)))
    exported = filters.Document.FileExtension("json") & filters.ChatType.PRIVATE
    application.add_handler(MessageHandler(exported, guarded(document)))
    application.add_error_handler(report_error)
