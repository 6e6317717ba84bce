"""Building the Telegram application: configuration in, a ready `Application` out.

Wires python-telegram-bot (HTML defaults, AIORateLimiter with retries, the JobQueue poll) to the
services: the store is opened here, the HTTP session and the rest in post_init, inside the
event loop, and everything is closed in post_shutdown.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.config import Config
from bot.following import FollowService
from bot.http import HttpClient
from bot.poller import Poller
from bot.runtime import RUNTIME_KEY, Runtime, runtime
from bot.sender import Sender
from bot.sources.base import Source
from bot.sources.petitions.client import PetitionClient
from bot.sources.petitions.source import KIND as PETITION
from bot.sources.petitions.source import PetitionSource
from bot.store import Store
from handlers.commands import BOT_COMMANDS

log = logging.getLogger(__name__)
SEND_RETRIES = 3
CONFIG_KEY = "config"
STORE_KEY = "store"


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_application(config: Config) -> Application:
    """The application for `config`; opens the store (raises bot.store.StoreError if unreadable)."""
    application = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(config.telegram.api_base_url)
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(AIORateLimiter(max_retries=SEND_RETRIES))
        .post_init(start_services)
        .post_shutdown(stop_services)
        .build()
    )
    application.bot_data[CONFIG_KEY] = config
    application.bot_data[STORE_KEY] = Store(config.storage.path)
    handlers.register(application)
    return application


async def start_services(application: Application) -> None:
    """Create the HTTP session and services, publish the command menu, schedule the poll."""
    config: Config = application.bot_data[CONFIG_KEY]
    store: Store = application.bot_data[STORE_KEY]
    http = HttpClient(config.http, [config.petitions.base_url])
    petitions = PetitionSource(PetitionClient(http, config.petitions.base_url))
    # Each source with its poll interval; a new source is one more entry here.
    schedule: dict[str, tuple[Source, float]] = {
        PETITION: (petitions, config.petitions.poll_interval_seconds),
    }
    sender = Sender(application.bot, store, utc_now)
    poller = Poller(
        store, {kind: source for kind, (source, _) in schedule.items()}, sender, utc_now
    )
    base_host = urlsplit(config.petitions.base_url).hostname or ""
    follows = FollowService(
        store, petitions, config.limits.follows_per_chat, frozenset({base_host}), utc_now
    )
    application.bot_data[RUNTIME_KEY] = Runtime(store, http, follows, poller)
    await application.bot.set_my_commands(BOT_COMMANDS)
    for kind, (_, interval) in schedule.items():
        application.job_queue.run_repeating(
            poll,
            interval=interval,
            first=0,
            data=kind,
            name=f"poll-{kind}",
            # A slow cycle is never overlapped by the next; missed runs collapse into one.
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )


async def stop_services(application: Application) -> None:
    running = application.bot_data.pop(RUNTIME_KEY, None)
    if running is not None:
        await running.http.close()
    application.bot_data[STORE_KEY].close()


async def poll(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One poll cycle of the source named in the job's data."""
    try:
        await runtime(context).poller.run_cycle(context.job.data)
    except Exception:
        # The schedule carries on regardless; make the failure visible.
        log.exception("poll cycle for %s failed", context.job.data)
