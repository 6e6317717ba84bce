"""Helpers shared by the end-to-end tests: talking to the bot and saying dates."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")


async def ask(telegram, chat_id: int, text: str, **kwargs) -> str:
    """Send `text` as a user of `chat_id` and return the bot's next message there."""
    seen = len(telegram.messages_to(chat_id))
    telegram.user_says(chat_id, text, **kwargs)
    return await telegram.next_message(chat_id, after=seen)


def say_date(moment: date | datetime) -> str:
    if isinstance(moment, datetime):
        moment = moment.astimezone(LONDON)
    return f"{moment.day} {moment:%B %Y}"
