"""Inline-button taps, and plain messages: the answer to a question a kind asked, or (in a private
chat) something pasted to look up.

A `b:` tap (browsing a kind's menu) edits its message in place; an `f:` tap (follow) answers in
a new message, so the listing it came from stays readable.
"""

from __future__ import annotations

from telegram import Chat, Update
from telegram.ext import ContextTypes

from bot.following import BROWSE_PREFIX
from bot.runtime import runtime
from handlers.commands import AWAITING_KEY, keyboard, may_change_follows, remember_question, send


async def press(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Run the tapped button's action."""
    query = update.callback_query
    await query.answer()
    data = query.data or ""
    reply = await runtime(context).follows.press(
        update.effective_chat.id, data, await may_change_follows(update, context)
    )
    if data.startswith(BROWSE_PREFIX):
        await query.edit_message_text(reply.text, reply_markup=keyboard(reply))
        remember_question(update, context, reply)
    else:
        await send(update, context, reply)


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
