"""Inline-button taps, and plain messages: the answer to a question the bot asked, or (in a
private chat) something pasted to look up, words to search for, or an exported file.

Every tap is answered (with the Reply's toast, if any), even when the change fails; the Reply's
placement says whether it is a new message, replaces the tapped message, only its buttons or only
the tapped button, or is the toast alone (a refusal leaves the message, and its buttons, to
those who may use them).
"""

from __future__ import annotations

from telegram import Chat, Update
from telegram.error import BadRequest
from telegram.ext import ContextTypes

from bot.callbacks import markup, with_button_replaced
from bot.runtime import runtime
from bot.sources.base import Placement
from handlers.commands import AWAITING_KEY, may_change_follows, remember_question, restore, send


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run the tapped button's action."""
    query = update.callback_query
    reply = await runtime(context).buttons.press(
        update.effective_chat.id, query.data or "", await may_change_follows(update, context)
    )
    try:
        if reply.placement is Placement.EDIT:
            await query.edit_message_text(reply.text, reply_markup=markup(reply.buttons))
            remember_question(update, context, reply)
        elif reply.placement is Placement.BUTTONS:
            await query.edit_message_reply_markup(markup(reply.buttons))
        elif reply.placement is Placement.MARK:
            keyboard = query.message.reply_markup if query.message else None
            marked = with_button_replaced(keyboard, query.data or "", reply.buttons[0][0])
            await query.edit_message_reply_markup(marked)
        elif reply.placement is Placement.NEW:
            await send(update, context, reply)
    except BadRequest as exc:
        # Tapping twice edits a message to what it already says; Telegram calls that an error.
        if "not modified" not in exc.message.lower():
            raise
    finally:
        # Answered once the change is made, so the button's spinner stops as the result shows.
        await query.answer(reply.toast or None)


async def document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A file sent in a private chat: an export to bring back."""
    await restore(update, context, update.effective_message.document)


async def message(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A plain message: the answer to what a kind asked this user; else, in a private chat,
    whatever it names (a pasted petition link) or a hint. Group chatter is left alone."""
    follows = runtime(context).follows
    chat, text = update.effective_chat, update.effective_message.text or ""
    asked = context.chat_data.get(AWAITING_KEY, {})
    awaiting = asked.pop(update.effective_user.id, None) if update.effective_user else None
    if awaiting is not None:
        may_follow = await may_change_follows(update, context)
        await send(update, context, await follows.answer(chat.id, awaiting, text, may_follow))
    elif chat.type == Chat.PRIVATE:
        await send(update, context, await follows.read_message(chat.id, text))
