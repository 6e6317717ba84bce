"""Schema drift is visible: a source answering in an unexpected shape (no results list, results
without what an item needs, an empty What's On) is noted by its parser, logged once per streak
at WARNING with what was expected, counted in /metrics, and shown in /healthz and /stats, until
the source answers as expected again. The parsers on real samples; GOV.UK, written statements
and What's On end to end (a petition list entry without a count is the parser's test: the fake
site's entries are its documents)."""

from __future__ import annotations

import copy
import json
import logging
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from prometheus_client import REGISTRY

from bot.sources.departments.directory import Directory
from bot.sources.govuk.parse import parse_results
from bot.sources.notes import noting
from bot.sources.petitions.plan import read_entries
from bot.sources.written_statements.parse import statement_values
from tests.conftest import running_bot
from tests.e2e import ask
from tests.processes import free_port
from tests.samples import OPEN_BELOW_10K, snapshot

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 12, 6, 12, 0, tzinfo=UTC)


def _govuk_sample() -> dict[str, Any]:
    """The captured search answer, its one result made three."""
    document = json.loads((FIXTURES / "govuk_search_q_tax_count_1.json").read_text())
    [result] = document["results"]
    document["results"] = [{**result, "link": f"{result['link']}-{n}"} for n in range(3)]
    return document


def test_a_govuk_answer_without_results_or_with_unusable_ones_is_noted():
    with noting() as notes:
        assert parse_results({"total": 3}, Directory()) == []
    assert notes.drift == ["GOV.UK search: a 'results' list"]

    document = _govuk_sample()
    total = len(document["results"])
    broken = copy.deepcopy(document)
    del broken["results"][0]["title"]
    broken["results"][1]["public_timestamp"] = 17
    with noting() as notes:
        items = parse_results(broken, Directory())
    assert len(items) == total - 2
    assert notes.drift == [
        "GOV.UK search results: an object with a link or content_id, a title and a "
        f"public_timestamp (2 of {total} had not)"
    ]
    with noting() as notes:
        parse_results(document, Directory())
    assert notes.drift == []


def test_a_written_statements_answer_without_results_is_noted_and_outside_a_cycle_nothing_is():
    with noting() as notes:
        assert statement_values({"items": []}) == []
        assert statement_values({"results": [{"value": 3}, {"value": {"id": 1}}]}) == [{"id": 1}]
    assert notes.drift == [
        "written statements: a 'results' list",
        "written statements: a 'value' object (1 of 2 had not)",
    ]
    assert statement_values({}) == []  # a command's look-up: no cycle collects it


def test_a_list_entry_of_a_followed_petition_without_a_count_is_noted():
    known = snapshot(OPEN_BELOW_10K)
    entry = {"type": "petition", "id": known.id, "attributes": {"action": "x", "state": "open"}}
    with noting() as notes:
        assert read_entries([{"data": [entry, {"id": "?"}]}], {known.id: known}, NOW) == {}
    assert notes.drift == [
        "petition list entries: an object with an integer id and attributes with an action, a "
        "state and a count (2 of 2 had not)"
    ]


def _drift_count(source: str) -> float:
    return REGISTRY.get_sample_value("alertbot_schema_drift_total", {"source": source}) or 0.0


async def _health(port: int) -> dict[str, Any]:
    url = f"http://127.0.0.1:{port}/healthz"
    async with aiohttp.ClientSession() as session, session.get(url) as response:
        return await response.json()


@pytest.mark.parametrize("source", ["govuk", "consultations", "wms", "questions", "foi", "debates"])
async def test_drift_is_logged_once_per_streak_counted_and_shown_until_it_ends(
    source, telegram, petitions, govuk, parliament, whatdotheyknow, make_config, caplog
):
    operator, port = 4444, free_port()
    config = make_config(
        telegram={"admin_ids": [operator]},
        server={"listen": f"127.0.0.1:{port}"},
    )
    fake, path, follow = {
        "govuk": (govuk, govuk.SEARCH, "/statements home-office"),
        "wms": (parliament, parliament.STATEMENTS, "/statements home-office"),
        "questions": (parliament, parliament.QUESTIONS, "/questions home-office"),
        "consultations": (govuk, govuk.SEARCH, "/consultations home-office"),
        "foi": (whatdotheyknow, whatdotheyknow.feed_path("home_office"), "/foi home office"),
        "debates": (parliament, parliament.EVENTS, "/follow debates"),
    }[source]
    for ident in (1, 2, 3):
        petitions.add(ident, OPEN_BELOW_10K, action=f"Petition number {ident}")
    if source == "debates":
        parliament.list_debate(1, datetime.now(UTC).date() + timedelta(days=7))
    caplog.set_level(logging.INFO, logger="bot.poller")
    async with running_bot(config):
        await ask(telegram, 1001, follow)
        counted = _drift_count(source)
        if source == "debates":
            parliament.events.clear()  # What's On lists nothing for four weeks
        else:
            fake.fail(path, "shape")
        requests = fake.count(path)
        await fake.wait_for_requests(path, requests + 8, timeout=20)  # several cycles
        warnings = [r.getMessage() for r in caplog.records if "unexpected shape" in r.getMessage()]
        assert len(warnings) == 1 and warnings[0].startswith(f"{source} answered in an unexpected")
        assert _drift_count(source) >= counted + 3
        health = await _health(port)
        assert health["status"] == "ok"  # it still reads what it can
        expected = health["sources"][source]["drift"]["expected"]
        assert expected in warnings[0]
        stats = await ask(telegram, operator, "/stats")
        line = next(line for line in stats.splitlines() if line.startswith(f"{source} ("))
        assert "⚠️ unexpected answers since" in line

        if source == "debates":
            parliament.list_debate(1, datetime.now(UTC).date() + timedelta(days=7))
        else:
            fake.heal(path)
        healed = time.monotonic()
        while "drift" in (await _health(port))["sources"][source]:
            assert time.monotonic() - healed < 10, "still drifting"
            await fake.wait_for_requests(path, fake.count(path) + 1, timeout=10)
    assert f"{source} answers in the expected shape again" in caplog.text
