"""Chat-level bookkeeping that runs before any command."""

from __future__ import annotations

from telegram import Update
from telegram.ext import ContextTypes

from bot.runtime import runtime


async def resume_chat(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A chat whose alerts were held (it blocked us) gets them again once it talks to us."""
    if isinstance(update, Update) and update.effective_chat is not None:
        runtime(context).follows.resume(update.effective_chat.id)
