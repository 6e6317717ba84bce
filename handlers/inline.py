"""Inline mode: `@bot 300412` or `@bot climate` in any chat offers status cards to send.

Each card carries a "Follow in the bot" button, the deep link that follows it in one tap. An
empty query shows a button that opens the bot, which explains inline mode. Inline mode is
switched on with BotFather's /setinline.
"""

from __future__ import annotations

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode
from telegram.ext import ContextTypes

from bot.callbacks import markup
from bot.runtime import runtime
from bot.sources.base import Button

CACHE_SECONDS = 30
INLINE_HINT = "Type a petition's number, link or a few words"
INLINE_HELP = "inline-help"  # the /start payload of the hint button


async def inline_cards(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Answer an inline query with the cards it names or matches."""
    query = update.inline_query
    if not query.query.strip():
        # Nothing typed yet: a button that explains, rather than an empty list.
        hint = InlineQueryResultsButton(text=INLINE_HINT, start_parameter=INLINE_HELP)
        await query.answer([], cache_time=CACHE_SECONDS, button=hint)
        return
    cards = await runtime(context).sharing.inline(query.query)
    results = [
        InlineQueryResultArticle(
            id=card.ident,
            title=card.title[:100],
            description=card.description,
            input_message_content=InputTextMessageContent(
                card.text,
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            ),
            reply_markup=markup(((Button("🔔 Follow in the bot", url=link),),) if link else ()),
        )
        for card, link in cards
    ]
    await query.answer(results, cache_time=CACHE_SECONDS)
