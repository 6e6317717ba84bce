"""Building the Telegram application: configuration in, a ready `Application` out.

Wires python-telegram-bot (HTML defaults, AIORateLimiter with retries, the JobQueue polls) to the
services: the store is opened here, the HTTP session, the sources, the target kinds and the rest
in post_init, inside the event loop, and everything is closed in post_shutdown. This is the one
place that names every source and kind.
"""

from __future__ import annotations

import functools
import logging
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions
from telegram.constants import ParseMode
from telegram.ext import AIORateLimiter, Application, ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.config import Config
from bot.following import FollowService
from bot.http import HttpClient
from bot.poller import Poller
from bot.presses import ButtonService
from bot.runtime import RUNTIME_KEY, Runtime, runtime
from bot.sender import Sender
from bot.sources.base import Source, TargetKind
from bot.sources.debates.kind import DebatesKind
from bot.sources.debates.source import DebatesSource
from bot.sources.departments.client import MembersClient, refresh_directory
from bot.sources.departments.directory import Directory
from bot.sources.govuk.client import GovukClient
from bot.sources.govuk.source import GovukStatementsSource
from bot.sources.petitions.client import PetitionClient
from bot.sources.petitions.kind import PetitionKind
from bot.sources.petitions.source import PetitionSource
from bot.sources.statements.kind import StatementsKind
from bot.sources.whatson.client import WhatsOnClient
from bot.sources.written_statements.client import WrittenStatementsClient
from bot.sources.written_statements.source import WrittenStatementsSource
from bot.store import Store
from handlers.commands import command_menus

log = logging.getLogger(__name__)
SEND_RETRIES = 3
CONFIG_KEY = "config"
STORE_KEY = "store"
# The kinds' own commands, routed by the handlers.
KIND_COMMANDS = tuple(
    command.name
    for kind in (StatementsKind, DebatesKind, PetitionKind)
    for command in kind.commands
)
DEPARTMENTS_REFRESH_EVERY = timedelta(days=1)


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
    handlers.register(application, KIND_COMMANDS)
    return application


async def start_services(application: Application) -> None:
    """Create the HTTP session, sources and kinds, publish the command menu, schedule the polls."""
    config: Config = application.bot_data[CONFIG_KEY]
    store: Store = application.bot_data[STORE_KEY]
    parliament = config.parliament
    # GOV.UK and Parliament get one request at a time, at most one a second, per host.
    polite = (
        config.govuk.base_url,
        parliament.statements_base_url,
        parliament.whatson_base_url,
        parliament.members_base_url,
    )
    http = HttpClient(config.http, [config.petitions.base_url], polite)
    directory = Directory()
    petition_client = PetitionClient(http, config.petitions.base_url)
    petitions = PetitionSource(petition_client)
    govuk = GovukStatementsSource(GovukClient(http, config.govuk.base_url), directory)
    written = WrittenStatementsSource(
        WrittenStatementsClient(http, parliament.statements_base_url), directory
    )
    debates = DebatesSource(petition_client, WhatsOnClient(http, parliament.whatson_base_url))
    # Each source with its poll interval; a new source is one more entry here.
    schedule: list[tuple[Source, float]] = [
        (petitions, config.petitions.poll_interval_seconds),
        (govuk, config.govuk.poll_interval_seconds),
        (written, parliament.poll_interval_seconds),
        (debates, parliament.poll_interval_seconds),
    ]
    # The order in which kinds read a reference: petitions last, as they read whatever is left.
    base_host = urlsplit(config.petitions.base_url).hostname or ""
    kinds: list[TargetKind] = [
        StatementsKind(govuk, written, directory),
        DebatesKind(debates),
        PetitionKind(petitions, frozenset({base_host})),
    ]
    sender = Sender(application.bot, store, utc_now)
    poller = Poller(store, {source.name: source for source, _ in schedule}, sender, utc_now)
    follows = FollowService(
        store,
        kinds,
        config.limits.follows_per_chat,
        utc_now,
        bot_username=application.bot.username,
    )
    members = MembersClient(http, parliament.members_base_url)
    application.bot_data[RUNTIME_KEY] = Runtime(
        store,
        http,
        follows,
        ButtonService(store, follows),
        poller,
        functools.partial(refresh_directory, members, directory),
        config.telegram.admin_ids,
    )
    for scope, commands in command_menus(follows.commands(), config.telegram.admin_ids):
        await application.bot.set_my_commands(commands, scope=scope)
    jobs = application.job_queue
    for source, interval in schedule:
        jobs.run_repeating(
            poll,
            interval=interval,
            first=0,
            data=source.name,
            name=f"poll-{source.name}",
            # A slow cycle is never overlapped by the next; missed runs collapse into one.
            job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
        )
    jobs.run_repeating(
        refresh_departments, interval=DEPARTMENTS_REFRESH_EVERY, first=0, name="departments"
    )


async def stop_services(application: Application) -> None:
    running = application.bot_data.pop(RUNTIME_KEY, None)
    if running is not None:
        await running.http.close()
    application.bot_data[STORE_KEY].close()


async def refresh_departments(context: ContextTypes.DEFAULT_TYPE) -> None:
    """Keep Parliament's answering-body ids current (departments are renamed and merged)."""
    await runtime(context).refresh_departments()


async def poll(context: ContextTypes.DEFAULT_TYPE) -> None:
    """One poll cycle of the source named in the job's data."""
    try:
        await runtime(context).poller.run_cycle(context.job.data)
    except Exception:
        # The schedule carries on regardless; make the failure visible.
        log.exception("poll cycle for %s failed", context.job.data)
