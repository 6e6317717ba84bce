"""The last line of defence: log what broke, tell the user kindly, never show a traceback.

A failure to fetch updates (no update, a network error) is one warning line: PTB retries it.
"""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import NetworkError, TelegramError
from telegram.ext import ContextTypes

from bot.storage.port import SaveError

log = logging.getLogger(__name__)
NOT_SAVED = (
    "Sorry, I couldn't save that: my storage is failing. Nothing was changed; please try again "
    "later."
)


async def report_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Log the exception with the update's chat, then apologise in that chat."""
    if update is None and isinstance(context.error, NetworkError):
        # Fetching updates failed (Telegram or the network is down); PTB retries on its own.
        log.warning("cannot reach Telegram for updates: %s", context.error)
        return
    chat = (
        update.effective_chat.id if isinstance(update, Update) and update.effective_chat else None
    )
    if isinstance(context.error, SaveError):
        # The store logged why (a full disk, most likely) and undid the change.
        text = NOT_SAVED
    else:
        log.error("error while handling an update for chat %s", chat, exc_info=context.error)
        text = "Sorry, something went wrong on my side. Please try again in a moment."
    if isinstance(update, Update) and update.effective_message is not None:
        try:
            await update.effective_message.reply_text(text)
        except TelegramError:
            log.warning("could not apologise to chat %s", chat)
