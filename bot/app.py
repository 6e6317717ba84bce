"""Building the Telegram application: configuration in, a ready `Application` out.

Wires python-telegram-bot (HTML defaults, its AIORateLimiter with retries behind the pace all
messages share, the JobQueue polls) to the services: the store is opened here, the HTTP session,
the sources, the target kinds and the rest in post_init, inside the event loop; the background
work stops in post_stop (while the Bot API client is still open) and everything is closed in
post_shutdown. `serve_webhook` runs it in webhook mode, the same steps around bot.server; in
polling mode with `[server] listen` set, post_init starts bot.server for the health checks alone.
This is the one place that names every source and kind.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import signal
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.ext import Application, ApplicationBuilder, ContextTypes, Defaults

import handlers
from bot.alertsettings import SettingsService
from bot.background import Background
from bot.charting import Charts
from bot.collector import COLLECT_EVERYTHING_EVERY, collect_everything, freeze_loaded
from bot.config import Config
from bot.digesting import Digests
from bot.following import FollowService
from bot.health import Health
from bot.http import HttpClient
from bot.operating import Operations
from bot.outages import Outages
from bot.pacing import PacedRateLimiter, Pacer
from bot.poller import Poller
from bot.portability import Portability
from bot.presses import ButtonService
from bot.returning import Returns
from bot.runtime import RUNTIME_KEY, Runtime, runtime
from bot.sender import Sender
from bot.server import BotServer
from bot.sharing import Sharing
from bot.slices import switch_threads_often
from bot.sources.base import Source, TargetKind
from bot.sources.constituencies.client import ConstituencyFinder
from bot.sources.consultations.kind import ConsultationsKind
from bot.sources.consultations.source import ConsultationsSource
from bot.sources.debates.kind import DebatesKind
from bot.sources.debates.source import DebatesSource
from bot.sources.departments.client import MembersClient, refresh_directory
from bot.sources.departments.directory import Directory
from bot.sources.foi.client import WhatDoTheyKnowClient
from bot.sources.foi.kind import FoiKind
from bot.sources.foi.source import WhatDoTheyKnowSource
from bot.sources.govuk.client import GovukClient
from bot.sources.govuk.source import GovukStatementsSource
from bot.sources.latelist.kind import LateListKind
from bot.sources.latelist.source import LateListSource
from bot.sources.petitions.client import PetitionClient
from bot.sources.petitions.kind import PetitionKind
from bot.sources.petitions.plan import Plan
from bot.sources.petitions.source import PetitionSource
from bot.sources.questions.client import QuestionsClient
from bot.sources.questions.kind import QuestionsKind
from bot.sources.questions.source import WrittenQuestionsSource
from bot.sources.statements.kind import StatementsKind
from bot.sources.whatson.calendar import DebateCalendar
from bot.sources.whatson.client import WhatsOnClient
from bot.sources.written_statements.client import WrittenStatementsClient
from bot.sources.written_statements.source import WrittenStatementsSource
from bot.storage import open_storage
from bot.storage.port import Storage
from bot.throttle import Throttle
from handlers.commands import command_menus

log = logging.getLogger(__name__)
SEND_RETRIES = 3
CONFIG_KEY = "config"
STORE_KEY = "store"
CLOCK_KEY = "clock"
SERVER_KEY = "server"  # the health server in polling mode
DIGESTS_CHECK_EVERY = 60.0  # seconds; or the petitions' poll interval, if shorter
# The kinds' own commands, routed by the handlers.
KIND_COMMANDS = tuple(
    command.name
    for kind in (
        StatementsKind,
        LateListKind,
        QuestionsKind,
        ConsultationsKind,
        FoiKind,
        DebatesKind,
        PetitionKind,
    )
    for command in kind.commands
)
DEPARTMENTS_REFRESH_EVERY = timedelta(days=1).total_seconds()
STOP_WAIT_SECONDS = 5.0  # for cancelled work to unwind; SIGTERM must exit well within 10 s
CONCURRENT_UPDATES = 32  # updates handled at once: a slow look-up never queues the others


def utc_now() -> datetime:
    return datetime.now(UTC)


def build_application(config: Config, clock: Callable[[], datetime] = utc_now) -> Application:
    """The application for `config`; opens the store (raises bot.storage.port.StoreError).
    `clock` is the bot's time (tests script it for quiet hours, digests and paces)."""
    store = open_storage(config.storage)  # first: it is local and quick, and may refuse
    application = (
        ApplicationBuilder()
        .token(config.telegram.token)
        .base_url(config.telegram.api_base_url)
        # Files (an export sent back) come from the same server: `…/bot` becomes `…/file/bot`.
        .base_file_url(config.telegram.api_base_url.removesuffix("/bot") + "/file/bot")
        .defaults(
            Defaults(
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        )
        .rate_limiter(PacedRateLimiter(Pacer(store.send_slot), max_retries=SEND_RETRIES))
        .concurrent_updates(CONCURRENT_UPDATES)
        .post_init(start_services)
        .post_stop(stop_background)
        .post_shutdown(stop_services)
        .build()
    )
    application.bot_data[CONFIG_KEY] = config
    application.bot_data[CLOCK_KEY] = clock
    application.bot_data[STORE_KEY] = store
    handlers.register(application, KIND_COMMANDS)
    return application


@dataclass(frozen=True)
class Wiring:
    """The sources and kinds of a running bot, built on one HTTP client."""

    http: HttpClient
    # Each source with its poll interval; a new source is one more entry here.
    schedule: list[tuple[Source, float]]
    # The order in which kinds read a reference: petitions last, as they read whatever is left.
    kinds: list[TargetKind]
    refresh_departments: Callable[[], Awaitable[None]]
    finder: ConstituencyFinder  # a chat's constituency, for /settings


def wire(config: Config) -> Wiring:
    """Every source and kind, for `config`; call it inside the running event loop."""
    parliament = config.parliament
    # GOV.UK, Parliament and WhatDoTheyKnow get one request at a time, at most one a second,
    # per host.
    polite = (
        config.govuk.base_url,
        parliament.statements_base_url,
        parliament.whatson_base_url,
        parliament.members_base_url,
        config.whatdotheyknow.base_url,
    )
    http = HttpClient(config.http, [config.petitions.base_url], polite)
    directory = Directory()
    petition_client = PetitionClient(http, config.petitions.base_url)
    # What's On, read at most twice an interval of Parliament's, whichever source asks.
    calendar = DebateCalendar(
        WhatsOnClient(http, parliament.whatson_base_url),
        timedelta(seconds=parliament.poll_interval_seconds / 2),
    )
    petitions = PetitionSource(
        petition_client,
        Plan(config.petitions.plan),
        calendar,
        config.http.timeout_seconds,
        timedelta(seconds=config.petitions.poll_interval_seconds),
    )
    govuk_client = GovukClient(http, config.govuk.base_url)
    govuk = GovukStatementsSource(govuk_client, directory)
    consultations = ConsultationsSource(govuk_client, directory)
    written = WrittenStatementsSource(
        WrittenStatementsClient(http, parliament.statements_base_url), directory
    )
    debates = DebatesSource(petition_client, calendar)
    late = LateListSource(petitions, directory)
    foi = WhatDoTheyKnowSource(WhatDoTheyKnowClient(http, config.whatdotheyknow.base_url))
    questions = WrittenQuestionsSource(
        QuestionsClient(http, parliament.statements_base_url), directory
    )
    base_host = urlsplit(config.petitions.base_url).hostname or ""
    members = MembersClient(http, parliament.members_base_url)
    return Wiring(
        http,
        [
            (petitions, config.petitions.poll_interval_seconds),
            # The awaiting-response list is read at most once a minute, whichever asks.
            (late, config.petitions.poll_interval_seconds),
            (govuk, config.govuk.poll_interval_seconds),
            (consultations, config.govuk.poll_interval_seconds),
            (written, parliament.poll_interval_seconds),
            (questions, parliament.poll_interval_seconds),
            (foi, config.whatdotheyknow.poll_interval_seconds),
            (debates, parliament.poll_interval_seconds),
        ],
        [
            StatementsKind(govuk, written, directory),
            LateListKind(late, directory),
            QuestionsKind(questions, directory),
            ConsultationsKind(consultations, directory),
            FoiKind(foi, directory),
            DebatesKind(debates),
            PetitionKind(petitions, frozenset({base_host})),
        ],
        functools.partial(refresh_directory, members, directory),
        ConstituencyFinder(http, parliament.members_base_url),
    )


async def start_services(application: Application) -> None:
    """Create the HTTP session, sources and kinds, publish the command menu, schedule the polls."""
    config: Config = application.bot_data[CONFIG_KEY]
    store: Storage = application.bot_data[STORE_KEY]
    await store.start()
    clock: Callable[[], datetime] = application.bot_data[CLOCK_KEY]
    wiring = wire(config)
    http, schedule, kinds = wiring.http, wiring.schedule, wiring.kinds
    health = Health({source.name: interval for source, interval in schedule}, clock())
    sources_of_kind: dict[str, list[str]] = {}
    for source, _ in schedule:
        sources_of_kind.setdefault(source.kind, []).append(source.name)
    outages = Outages(
        health, sources_of_kind, {source.name: source.site for source, _ in schedule}, clock
    )
    sender = Sender(application.bot, store, clock, health)
    poller = Poller(
        store,
        {source.name: source for source, _ in schedule},
        sender,
        clock,
        # A cycle's fetches get its interval, but never less than a request and its retry.
        {
            source.name: max(interval, 2 * config.http.timeout_seconds)
            for source, interval in schedule
        },
        health,
        outages,
    )
    background = Background()
    follows = FollowService(store, kinds, config.limits.follows_per_chat, clock, outages.lines)
    settings = SettingsService(store, follows, clock, wiring.finder)
    charts = Charts(store, follows, clock)
    sharing = Sharing(store, follows, clock, application.bot.username)
    digests = Digests(store, follows.name_of, clock, sender.wake)
    application.bot_data[RUNTIME_KEY] = Runtime(
        store=store,
        http=http,
        follows=follows,
        buttons=ButtonService(store, follows, settings, charts, sharing),
        settings=settings,
        charts=charts,
        sharing=sharing,
        portability=Portability(store, follows, clock),
        returns=Returns(store, poller, sources_of_kind, background, clock, sender.wake),
        poller=poller,
        operator_ids=config.telegram.admin_ids,
        operations=Operations(store, poller, health, clock),
        background=background,
        throttle=Throttle(config.limits.actions_per_minute),
        command_budget_seconds=config.http.command_budget_seconds,
        health=health,
    )
    for scope, commands in command_menus(follows.commands(), config.telegram.admin_ids):
        await application.bot.set_my_commands(commands, scope=scope)
    # The JobQueue says when; each job only starts its work in `background` (see there).
    jobs = application.job_queue
    periodic: list[tuple[str, Callable[[], Awaitable[object]], float]] = [
        (f"poll-{source.name}", functools.partial(poller.run_cycle, source.name), interval)
        for source, interval in schedule
    ]
    # Parliament's answering-body ids stay current: departments are renamed and merged.
    periodic.append(("departments", wiring.refresh_departments, DEPARTMENTS_REFRESH_EVERY))
    digest_every = min(DIGESTS_CHECK_EVERY, config.petitions.poll_interval_seconds)
    periodic.append(("digests", digests.send_due, digest_every))
    if config.server.listen and not config.telegram.webhook_url:  # webhook mode serves its own
        server = BotServer(application, clock)
        await server.start(*config.server.address)
        application.bot_data[SERVER_KEY] = server
    freeze_loaded()  # the store and the wiring are loaded: the collector need never walk them
    switch_threads_often()
    for name, work, interval in periodic:
        background.start(name, work)  # now: a restart is not blind for an interval
        jobs.run_repeating(
            start_in_background, interval=interval, first=interval, data=(name, work), name=name
        )
    background.start("sender", sender.run)
    # Not at start: freeze_loaded has just collected everything.
    jobs.run_repeating(
        start_in_background,
        interval=COLLECT_EVERYTHING_EVERY,
        first=COLLECT_EVERYTHING_EVERY,
        data=("collector", collect_everything),
        name="collector",
    )
    name = application.bot.username
    log.info("Running as @%s: open https://t.me/%s and send /start", name, name)


async def stop_background(application: Application) -> None:
    """Stop polling and sending while the Bot API client is still open, so that a message in
    flight is answered and noted rather than cut off (and sent again at the next start)."""
    running = application.bot_data.get(RUNTIME_KEY)
    if running is not None:
        await running.background.stop(STOP_WAIT_SECONDS)


async def stop_services(application: Application) -> None:
    """Close the health server, the HTTP session and the store (which saves); the background
    work is stopped."""
    server = application.bot_data.pop(SERVER_KEY, None)
    if server is not None:
        await server.stop()
    await stop_background(application)
    running = application.bot_data.pop(RUNTIME_KEY, None)
    if running is not None:
        await running.http.close()
    await application.bot_data[STORE_KEY].close()


async def serve_webhook(application: Application, config: Config) -> None:
    """Webhook mode, until SIGTERM or SIGINT: Telegram posts updates to `webhook_url`, a reverse
    proxy forwards them to `[server] listen` (bot.server). python-telegram-bot's custom-webhook
    pattern, with the same start and stop steps run_polling takes."""
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(signum, stopping.set)
    server = BotServer(
        application,
        application.bot_data[CLOCK_KEY],
        config.telegram.webhook_url,
        config.telegram.webhook_secret,
    )
    await application.initialize()
    try:
        await application.post_init(application)
        await server.start(*config.server.address)  # first: a failure leaves Telegram as it was
        await application.start()
        await application.bot.set_webhook(
            config.telegram.webhook_url,
            secret_token=config.telegram.webhook_secret,
            allowed_updates=Update.ALL_TYPES,
        )
        await stopping.wait()
        await application.stop()
        await application.post_stop(application)
    finally:
        await server.stop()
        await application.shutdown()
        await application.post_shutdown(application)


def close_store(application: Application) -> None:
    """Close the store of an application that will not run (saves what it holds)."""
    asyncio.run(application.bot_data[STORE_KEY].close())


async def start_in_background(context: ContextTypes.DEFAULT_TYPE) -> None:
    """A job's run: start its work, unless the previous run of it is still going."""
    name, work = context.job.data
    if not runtime(context).background.start(name, work):
        log.debug("%s is still running; skipped this turn", name)
