"""Reaching Telegram before anything starts: who the bot is, or one plain line saying why not.

I/O: one `getMe` with the configured token and Bot API, on a client of its own that is closed
again. python-telegram-bot would otherwise find a wrong token or an unreachable API during its
own start-up and log a traceback per retry; here each failure is one sentence an operator can
act on, and the token never appears in it (bot.logs.redact).
"""

from __future__ import annotations

from dataclasses import dataclass

from telegram import Bot
from telegram.error import InvalidToken, NetworkError, TelegramError, TimedOut

from bot.config import TOKEN_ENV, TelegramConfig
from bot.logs import redact


class TelegramUnusable(Exception):
    """Telegram can't be used with this configuration; the message says why, in one line."""

    def __init__(self, message: str, status: int) -> None:
        super().__init__(message)
        self.status = status  # the process's exit status


@dataclass(frozen=True)
class Identity:
    username: str

    @property
    def link(self) -> str:
        return f"https://t.me/{self.username}"


async def reach_telegram(config: TelegramConfig) -> Identity:
    """The bot's username, from Telegram; raises TelegramUnusable."""
    bot = Bot(config.token, base_url=config.api_base_url)
    where = config.api_base_url
    try:
        async with bot:
            me = await bot.get_me()
    except InvalidToken:
        raise TelegramUnusable(
            f"Telegram refused the bot token (telegram.token or {TOKEN_ENV}): copy it again "
            "from @BotFather, or send it /token to get a new one",
            2,
        ) from None
    except NetworkError as exc:  # a time-out too
        slow = isinstance(exc, TimedOut)
        reason = "it did not answer in time" if slow else redact(str(exc), config.token)
        raise TelegramUnusable(
            f"cannot reach the Telegram Bot API at {where} ({reason}): check the network, or "
            "telegram.api_base_url",
            1,
        ) from None
    except TelegramError as exc:
        reason = redact(str(exc), config.token)
        raise TelegramUnusable(f"Telegram answered an error at start: {reason}", 1) from None
    return Identity(me.username or "")
