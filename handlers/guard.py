"""What every user action goes through first: the per-user throttle and the upstream budget.

Applied by `register` to commands, taps, messages and inline queries, so no handler can forget
it: a user over `limits.actions_per_minute` is told to slow down (once; later taps get a toast),
and every upstream fetch an action makes shares `http.command_budget_seconds` (after which the
kind's reply says the site is slow) and goes through the users' own connections, never queued
behind a poll cycle. Each handler's time is measured for the metrics (by its name).
"""

from __future__ import annotations

import functools
import time

from telegram import Update
from telegram.ext import ContextTypes

from bot.http import budget
from bot.logs import log_context
from bot.metrics import COMMAND_SECONDS
from bot.runtime import runtime
from bot.throttle import Verdict
from handlers.commands import Handler

SLOW_DOWN = "You're going a bit fast for me. Please wait a minute, then try again."


def guarded(handler: Handler) -> Handler:
    seconds = COMMAND_SECONDS.labels(handler.__name__)

    @functools.wraps(handler)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        running = runtime(context)
        user = update.effective_user
        verdict = running.throttle.check(user.id, time.monotonic()) if user else Verdict.ALLOW
        if verdict is not Verdict.ALLOW:
            await _slow_down(update, verdict)
            return
        started = time.monotonic()
        chat = update.effective_chat.id if update.effective_chat else None
        try:
            with budget(running.command_budget_seconds, for_a_user=True), log_context(chat=chat):
                await handler(update, context)
        finally:
            seconds.observe(time.monotonic() - started)

    return run


async def _slow_down(update: Update, verdict: Verdict) -> None:
    """Say so once; after that, only a tap is answered (its spinner would turn for ever), with a
    toast rather than a message."""
    if update.callback_query is not None:
        await update.callback_query.answer(SLOW_DOWN, show_alert=verdict is Verdict.WARN)
    elif verdict is Verdict.WARN and update.effective_message is not None:
        await update.effective_message.reply_text(SLOW_DOWN)
