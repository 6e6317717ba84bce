"""Helpers shared by the end-to-end tests: talking to the bot, saying dates, a scripted clock."""

from __future__ import annotations

from datetime import date, datetime, timedelta
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


class ScriptedClock:
    """The bot's time, moved by the test: quiet hours and digest hours without waiting."""

    def __init__(self, start: datetime) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **elapsed: float) -> None:
        self.now += timedelta(**elapsed)
