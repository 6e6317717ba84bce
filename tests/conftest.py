"""Shared fixtures: the fake Telegram, petitions, GOV.UK and Parliament servers, and the real bot
running on them.

End-to-end tests go in through the front door (Telegram updates, upstream HTTP) and assert what
comes out; `running_bot` starts the application the way run_polling does, minus the signals.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest

from bot.app import build_application, utc_now
from bot.config import Config, parse_config
from tests.fakes.govuk import FakeGovuk
from tests.fakes.parliament import FakeParliament
from tests.fakes.petitions import FakePetitions
from tests.fakes.server import FakeServer
from tests.fakes.telegram import FakeTelegram
from tests.fakes.whatdotheyknow import FakeWhatDoTheyKnow

TOKEN = "123456:TEST-token-never-logged"


@contextlib.asynccontextmanager
async def serving(fake: FakeServer) -> AsyncIterator[Any]:
    await fake.start()
    try:
        yield fake
    finally:
        await fake.stop()


@pytest.fixture(autouse=True)
def interpreter_as_found() -> Iterator[None]:
    """A started bot freezes what is alive, stops full collections (bot.collector) and switches
    threads more often (bot.slices); in the one test process, a test's leftovers must not stay
    frozen, nor the next test run with another's settings."""
    thresholds, switch = gc.get_threshold(), sys.getswitchinterval()
    yield
    gc.unfreeze()
    gc.set_threshold(*thresholds)
    sys.setswitchinterval(switch)


@pytest.fixture
async def telegram() -> AsyncIterator[FakeTelegram]:
    async with serving(FakeTelegram(TOKEN)) as fake:
        yield fake


@pytest.fixture
async def petitions() -> AsyncIterator[FakePetitions]:
    async with serving(FakePetitions()) as fake:
        yield fake


@pytest.fixture
async def govuk() -> AsyncIterator[FakeGovuk]:
    async with serving(FakeGovuk()) as fake:
        yield fake


@pytest.fixture
async def parliament() -> AsyncIterator[FakeParliament]:
    async with serving(FakeParliament()) as fake:
        yield fake


@pytest.fixture
async def whatdotheyknow() -> AsyncIterator[FakeWhatDoTheyKnow]:
    async with serving(FakeWhatDoTheyKnow()) as fake:
        yield fake


@pytest.fixture
def make_config(
    tmp_path: Path,
    telegram: FakeTelegram,
    petitions: FakePetitions,
    govuk: FakeGovuk,
    parliament: FakeParliament,
    whatdotheyknow: FakeWhatDoTheyKnow,
):
    def make(**sections: dict[str, Any]) -> Config:
        raw: dict[str, Any] = {
            "telegram": {"token": TOKEN, "api_base_url": telegram.base_url},
            "storage": {"path": str(tmp_path / "data" / "alerts.json")},
            "petitions": {"base_url": petitions.base_url, "poll_interval_seconds": 0.5},
            "govuk": {"base_url": govuk.base_url, "poll_interval_seconds": 0.5},
            "parliament": {
                "statements_base_url": parliament.base_url,
                "whatson_base_url": parliament.base_url,
                "members_base_url": parliament.base_url,
                "poll_interval_seconds": 0.5,
            },
            "whatdotheyknow": {"base_url": whatdotheyknow.base_url, "poll_interval_seconds": 0.5},
            "http": {
                "timeout_seconds": 1,
                "retries": 1,
                "backoff_seconds": 0.01,
                "polite_interval_seconds": 0.01,
                "command_budget_seconds": 1.5,
            },
            # Tests act faster than any person; the throttle has its own test.
            "limits": {"actions_per_minute": 10_000},
        }
        for name, values in sections.items():
            raw.setdefault(name, {}).update(values)
        return parse_config(raw, environ={})

    return make


@contextlib.asynccontextmanager
async def running_bot(
    config: Config, clock: Callable[[], datetime] = utc_now
) -> AsyncIterator[Any]:
    """The real Application against the fakes, started and stopped as run_polling would; on
    `clock`'s time, if a test scripts it."""
    application = build_application(config, clock)
    await application.initialize()
    await application.post_init(application)
    # As run_polling does: errors fetching updates go to the application's error handler.
    await application.updater.start_polling(
        poll_interval=0,
        timeout=1,
        error_callback=lambda exc: application.create_task(
            application.process_error(error=exc, update=None)
        ),
    )
    await application.start()
    try:
        yield application
    finally:
        await application.updater.stop()
        await application.stop()
        await application.post_stop(application)
        await application.shutdown()
        await application.post_shutdown(application)


# --- PostgreSQL ---------------------------------------------------------------------------------

POSTGRES_ENV = "TEST_POSTGRES_URL"  # a server's URL; each run makes and drops its own database
REQUIRE_ENV = "REQUIRE_POSTGRES"  # set by .ci/run: no server is a failure, not a skip
HOW_TO_RUN_POSTGRES = (
    f"PostgreSQL tests skipped: set {POSTGRES_ENV}=postgresql://postgres@127.0.0.1:5432/postgres "
    "to a running server to run them (docs/testing.md)"
)
TABLES = "chats, follows, targets, deliveries, sent_keys, told, digests, history"


@pytest.fixture(scope="session")
def postgres_server() -> str:
    """The URL of the server `TEST_POSTGRES_URL` names, once it answers (skipped when unset,
    failed when REQUIRE_POSTGRES is set)."""
    import psycopg

    server = os.environ.get(POSTGRES_ENV, "")
    try:
        if not server:
            raise psycopg.OperationalError(f"{POSTGRES_ENV} is not set")
        psycopg.connect(server, autocommit=True, connect_timeout=5).close()
    except psycopg.OperationalError as exc:
        if os.environ.get(REQUIRE_ENV):
            pytest.fail(f"PostgreSQL is required here and cannot be reached: {exc}")
        pytest.skip(HOW_TO_RUN_POSTGRES)
    return server


@pytest.fixture(scope="session")
def postgres_database(postgres_server: str) -> Iterator[str]:
    """A fresh database on the test server, migrated, for this run."""
    import psycopg

    from bot.storage.postgres import migrate

    server = postgres_server
    admin = psycopg.connect(server, autocommit=True, connect_timeout=5)
    name = f"accountability_test_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    with admin:
        admin.execute(f'CREATE DATABASE "{name}"')
        url = urlsplit(server)._replace(path=f"/{name}").geturl()
        try:
            migrate(url)
            yield url
        finally:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(postgres_database: str) -> str:
    """The run's database, emptied: each test starts from nothing."""
    import psycopg

    with psycopg.connect(postgres_database, autocommit=True) as conn:
        conn.execute(f"TRUNCATE {TABLES} RESTART IDENTITY")
    return postgres_database


def pytest_terminal_summary(terminalreporter: Any) -> None:
    skipped = terminalreporter.stats.get("skipped", [])
    if any(HOW_TO_RUN_POSTGRES in str(report.longrepr) for report in skipped):
        terminalreporter.write_line(HOW_TO_RUN_POSTGRES)
