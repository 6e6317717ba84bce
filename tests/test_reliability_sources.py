"""The fault matrix for the other sources, end to end: GOV.UK search (statements and
consultations), Parliament's written statements and questions, WhatDoTheyKnow, What's On and
the petitions site's list facets (the debate listings and the late list). Whatever one of them
does, no false alert, commands answered within 2 s, petitions still alerted on time, and
recovery: the next real item is told once.

The full matrix is marked slow; the README's test command runs a short form of it.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from bot.sources.text import LONDON
from tests.conftest import running_bot
from tests.e2e import ask
from tests.fakes.petitions import iso
from tests.fakes.server import FAULTS
from tests.samples import OPEN_BELOW_10K
from tests.test_e2e_debates import monday_after
from tests.test_reliability_petitions import quiet, since, told

ANN = 1001
INTERVAL = 0.5
FAST = {
    "petitions": {"poll_interval_seconds": INTERVAL},
    "govuk": {"poll_interval_seconds": INTERVAL},
    "parliament": {"poll_interval_seconds": INTERVAL},
    "http": {"timeout_seconds": INTERVAL / 2, "retries": 1},
}
SHORT = {"hang", "shape"}


@dataclass(frozen=True)
class Case:
    follow: str  # what Ann follows
    path: Callable[..., str]  # the path that fails, given the fakes
    news: Callable[..., str]  # makes real news on that source; returns how its alert begins


def _statement_on_govuk(govuk, parliament, petitions, whatdotheyknow) -> str:
    govuk.publish("Grooming gangs: the audit")
    return "🏛 <b>Grooming gangs: the audit</b>"


def _statement_in_parliament(govuk, parliament, petitions, whatdotheyknow) -> str:
    parliament.lay("Grooming gangs: the audit", "<p>The audit is published.</p>")
    return "🏛 <b>Grooming gangs: the audit</b>"


def _consultation_opened(govuk, parliament, petitions, whatdotheyknow) -> str:
    now = datetime.now(UTC)
    govuk.consult("Grooming gangs audit", now, now + timedelta(days=30))
    return "🗳 <b>New consultation: Grooming gangs audit</b>"


def _question_tabled(govuk, parliament, petitions, whatdotheyknow) -> str:
    today = datetime.now(LONDON).date()
    parliament.table("Grooming gangs: the audit", "When?", tabled=today, due=today)
    return "✍️ <b>New written question: Grooming gangs: the audit</b>"


def _petition_fell_late(govuk, parliament, petitions, whatdotheyknow) -> str:
    reached = datetime.now(UTC) - timedelta(days=23)
    petitions.add(300414, OPEN_BELOW_10K, action="Publish the audit", signature_count=20_000,
                  response_threshold_reached_at=iso(reached))  # fmt: skip
    return "⏰ <b>Government response overdue</b>"


def _foi_request_made(govuk, parliament, petitions, whatdotheyknow) -> str:
    whatdotheyknow.make_request("Grooming gangs audit data", datetime.now(UTC))
    return "📨 <b>New FOI request: Grooming gangs audit data</b>"


def _debate_scheduled(govuk, parliament, petitions, whatdotheyknow) -> str:
    day = monday_after(7)
    parliament.list_debate(300413, day, "16:30")
    petitions.update(300413, scheduled_debate_date=day.isoformat())
    return "🗓 <b>Debate scheduled</b>"


CASES = {
    "govuk": Case(
        "/statements home-office grooming", lambda g, p, pt, w: g.SEARCH, _statement_on_govuk
    ),
    "wms": Case(
        "/statements home-office grooming",
        lambda g, p, pt, w: p.STATEMENTS,
        _statement_in_parliament,
    ),
    "consultations": Case(
        "/consultations home-office", lambda g, p, pt, w: g.SEARCH, _consultation_opened
    ),
    "questions": Case(
        "/questions home-office grooming", lambda g, p, pt, w: p.QUESTIONS, _question_tabled
    ),
    "foi": Case(
        "/foi home office grooming",
        lambda g, p, pt, w: w.feed_path("home_office"),
        _foi_request_made,
    ),
    "whatson": Case("/follow debates", lambda g, p, pt, w: p.EVENTS, _debate_scheduled),
    "petition-lists": Case(
        "/follow debates", lambda g, p, pt, w: "/petitions.json", _debate_scheduled
    ),
    "late-list": Case(
        "/follow overdue", lambda g, p, pt, w: "/petitions.json", _petition_fell_late
    ),
}


@pytest.mark.parametrize(
    ("source", "fault"),
    [
        (source, fault) if fault in SHORT else pytest.param(source, fault, marks=pytest.mark.slow)
        for source in CASES
        for fault in FAULTS
    ],
)
async def test_a_source_fault_is_contained(
    source, fault, telegram, petitions, govuk, parliament, whatdotheyknow, make_config
):
    case = CASES[source]
    fakes = (govuk, parliament, petitions, whatdotheyknow)
    failing = parliament if source in ("wms", "questions", "whatson") else govuk
    failing = petitions if source in ("petition-lists", "late-list") else failing
    failing = whatdotheyknow if source == "foi" else failing
    failing.retry_after = 3
    held = failing.retry_after if fault == "429" else 0
    petitions.add(2, OPEN_BELOW_10K, signature_count=4_000, action="Plant more trees")
    # A debate already listed, which a half-read listing must not take for cancelled.
    listed = monday_after(14)
    for petition_id in (300412, 300413):
        petitions.add(
            petition_id,
            OPEN_BELOW_10K,
            signature_count=120_000,
            debate_threshold_reached_at=iso(datetime.now(UTC) - timedelta(days=60)),
        )
    petitions.update(300412, scheduled_debate_date=listed.isoformat())
    parliament.list_debate(300412, listed, "16:30")
    async with running_bot(make_config(**FAST)):
        await ask(telegram, ANN, case.follow)
        await ask(telegram, ANN, "/follow 2")
        start = len(telegram.messages_to(ANN))
        path = case.path(*fakes)
        failing.fail(path, fault)
        faulty = failing.count(path)

        changed = time.monotonic()
        petitions.update(2, signature_count=5_002)
        await told(telegram, ANN, start, "📈 <b>5,000 signatures</b> for “Plant more trees”")
        assert time.monotonic() - changed < 2 * INTERVAL + 1.0

        asked = time.monotonic()
        listing = await ask(telegram, ANN, "/list")
        assert time.monotonic() - asked < 2.0 and "Plant more trees" in listing

        if fault not in ("hang", "stall", "429"):  # a hanging request is logged when it ends
            await failing.wait_until(lambda: failing.count(path) >= faulty + 2)
        await quiet(telegram, ANN, 2 * INTERVAL)
        assert len(since(telegram, ANN, start)) == 2  # the milestone and the list

        start = len(telegram.messages_to(ANN))
        failing.heal(path)
        beginning = case.news(*fakes)
        await told(telegram, ANN, start, beginning, timeout=10 + held)
        await quiet(telegram, ANN, 3 * INTERVAL)
        assert [m.partition("\n")[0] for m in since(telegram, ANN, start)] == [beginning]
