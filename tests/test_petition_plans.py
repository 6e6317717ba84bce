"""The two ways of polling petitions agree: one show request per petition, and the list pages with
show requests only where a list entry cannot tell the news. Both run on the same scripted timeline
of 200 petitions with every kind of event and must send the same alerts at the same cycle, while the
list plan makes a fraction of the requests.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.config import HttpConfig
from bot.http import HttpClient
from bot.sources.petitions.client import PetitionClient
from bot.sources.petitions.detect import EventKind
from bot.sources.petitions.plan import (
    Plan,
    facets_to_scan,
    first_pages_pay,
    last_page,
)
from bot.sources.petitions.source import PetitionSource
from tests.fakes.petitions import FakePetitions, iso
from tests.samples import (
    CLOSED_DEBATE_SCHEDULED,
    CLOSED_NOT_DEBATED,
    OPEN_BELOW_10K,
    OPEN_DEBATED,
    OPEN_WITH_RESPONSE,
    snapshot,
)

START = datetime(2026, 6, 1, 22, 50, tzinfo=UTC)  # 23:50 in London
STEP = timedelta(minutes=1)
PLANS = (Plan.EACH, Plan.LISTS, Plan.CHEAPEST)


class Timeline:
    """The fake site on a scripted clock, and each plan's own stored states, polled in turn."""

    def __init__(self, site: FakePetitions) -> None:
        self.site = site
        self.now = START
        site.clock = lambda: self.now
        self.http = HttpClient(HttpConfig(retries=0), [site.base_url])
        client = PetitionClient(self.http, site.base_url)
        self.sources = {plan: PetitionSource(client, plan) for plan in PLANS}
        self.states: dict[Plan, dict[str, Any]] = {plan: {} for plan in PLANS}
        self.requests: dict[Plan, int] = dict.fromkeys(PLANS, 0)
        self.shows: dict[Plan, Counter[int]] = {plan: Counter() for plan in PLANS}

    def follow(self, idents: list[str]) -> None:
        for states in self.states.values():
            states.update(dict.fromkeys(idents))

    async def cycle(self) -> dict[Plan, list[tuple[str, str, str]]]:
        """One cycle of every plan at the same moment: the alerts of each, sorted."""
        alerts = {}
        for plan, source in self.sources.items():
            before, shown = len(self.site.paths), Counter(self.site.requests)
            refreshes = await source.poll(self.states[plan], self.now)
            self.requests[plan] += len(self.site.paths) - before
            self.shows[plan] += self.site.requests - shown
            assert set(refreshes) == set(self.states[plan]), plan  # none skipped
            for ident, refresh in refreshes.items():
                self.states[plan][ident] = refresh.state
            alerts[plan] = sorted(
                (ident, alert.key, alert.text)
                for ident, refresh in refreshes.items()
                for alert in refresh.alerts
            )
        return alerts


def _site_with_200_petitions(site: FakePetitions) -> None:
    shapes = [
        (range(1, 121), OPEN_BELOW_10K),
        (range(121, 151), OPEN_WITH_RESPONSE),
        (range(151, 171), CLOSED_DEBATE_SCHEDULED),
        (range(171, 186), OPEN_DEBATED),
        (range(186, 201), CLOSED_NOT_DEBATED),
    ]
    for idents, fixture in shapes:
        for ident in idents:
            extra = (
                {"closing_date": "2026-12-01"}
                if fixture in (OPEN_BELOW_10K, OPEN_WITH_RESPONSE)
                else {}
            )
            site.add(ident, fixture, action=f"Petition number {ident}", **extra)
    # Time-based news inside the timeline: an overdue response, a petition closing soon.
    site.update(
        5,
        signature_count=12_000,
        response_threshold_reached_at=iso(START - timedelta(days=21) + 5 * STEP),
    )
    site.update(10, closing_date="2026-06-02")  # signing ends at midnight in London on 2 June
    site.update(7, signature_count=150_000, scheduled_debate_date="2026-07-01")
    site.update(
        8, signature_count=110_000, debate_threshold_reached_at=iso(START - timedelta(days=9))
    )


def _attributes(site: FakePetitions, ident: int) -> dict[str, Any]:
    return site.documents[ident]["data"]["attributes"]


def _scripted(site: FakePetitions, now: datetime) -> dict[int, Callable[[], None]]:
    """What happens at each step: every kind of event, on petitions the lists show and don't."""
    at = iso(now)

    def response(ident: int) -> None:
        site.update(
            ident,
            government_response_at=at,
            government_response={
                "responded_on": "2026-06-02",
                "summary": "We agree.",
                "details": "In full.",
                "created_at": at,
                "updated_at": at,
            },
        )

    def edit_response() -> None:
        edited = dict(
            _attributes(site, 121)["government_response"],
            details="Corrected.",
            updated_at=iso(site.clock()),
        )
        site.update(121, government_response=edited)

    def add_business(ident: int) -> Callable[[], None]:
        def add() -> None:
            items = list(_attributes(site, ident).get("other_parliamentary_business") or [])
            items.append(
                {
                    "subject": "Committee news",
                    "body": "A hearing.",
                    "created_at": iso(site.clock()),
                    "updated_at": iso(site.clock()),
                }
            )
            site.update(ident, other_parliamentary_business=items)

        return add

    def respond_to_4() -> None:
        site.update(4, signature_count=11_000, response_threshold_reached_at=iso(site.clock()))
        response(4)

    def add_links() -> None:
        debate = dict(
            _attributes(site, 171)["debate"],
            debate_summary_url="https://example.org/summary",
            public_engagement_url="https://example.org/engage",
        )
        site.update(171, debate=debate)

    return {
        1: lambda: site.update(1, signature_count=5_000),
        2: lambda: site.update(
            2, signature_count=10_050, response_threshold_reached_at=iso(site.clock())
        ),
        3: lambda: site.update(
            3,
            signature_count=100_100,
            response_threshold_reached_at=iso(site.clock()),
            debate_threshold_reached_at=iso(site.clock()),
        ),
        4: edit_response,
        6: respond_to_4,
        7: lambda: site.update(6, signature_count=101_000, scheduled_debate_date="2026-07-01"),
        8: lambda: site.update(6, scheduled_debate_date="2026-07-08"),
        9: lambda: site.update(7, scheduled_debate_date=None),
        11: lambda: site.update(
            151,
            debate_outcome_at=iso(site.clock()),
            debate={
                "debated_on": "2023-01-09",
                "overview": "Debated.",
                "transcript_url": "https://example.org/t",
                "video_url": "",
                "debate_pack_url": "",
            },
        ),
        12: lambda: site.update(
            8,
            debate_outcome_at=iso(site.clock()),
            debate={
                "debated_on": None,
                "overview": "Not debated.",
                "transcript_url": "",
                "video_url": "",
                "debate_pack_url": "",
            },
        ),
        13: add_links,
        14: add_business(9),
        15: lambda: site.update(11, state="closed", closed_at=iso(site.clock())),
        16: lambda: site.update(12, closing_date="2026-12-15"),
        17: lambda: site.update(
            13, state="rejected", rejection={"code": "duplicate", "details": "Already asked."}
        ),
        18: lambda: site.gone.add(14),
        19: lambda: site.archived.add(186),
        21: lambda: site.update(1, signature_count=4_900),  # a dip ...
        22: lambda: site.update(1, signature_count=5_100),  # ... and a re-crossing: no news
        23: lambda: site.update(121, government_response_at=None, government_response=None),
        # Gone since step 18: told once a read five minutes after the first agrees (step 23).
        24: lambda: site.gone.discard(14),
    }


def _kinds(alerts: list[tuple[str, str, str]]) -> set[str]:
    """The kinds of news, from the keys (`petition:<id>:<kind>[:<detail>]`)."""
    parts = [key.split(":") for _, key, _ in alerts]
    return {":".join(p[2:4]) if p[2] == "threshold" else p[2] for p in parts}


async def test_both_plans_send_the_same_alerts_on_a_timeline_with_every_event(petitions):
    timeline = Timeline(petitions)
    _site_with_200_petitions(petitions)
    try:
        timeline.follow([str(ident) for ident in range(1, 201)])
        await timeline.cycle()  # the baseline: silent
        noise = random.Random(8)
        seen: set[str] = set()
        for step in range(1, 26):
            timeline.now = START + step * STEP
            for ident in noise.sample(range(15, 121), 30):  # signing goes on everywhere
                count = _attributes(petitions, ident)["signature_count"] + noise.randint(1, 400)
                petitions.update(ident, signature_count=count)
            action = _scripted(petitions, timeline.now).get(step)
            if action:
                action()
            alerts = await timeline.cycle()
            assert alerts[Plan.LISTS] == alerts[Plan.EACH], f"step {step}"
            assert alerts[Plan.CHEAPEST] == alerts[Plan.EACH], f"step {step}"
            # And what each plan stored: the same petitions, as the cards and /list show them.
            for plan in (Plan.LISTS, Plan.CHEAPEST):
                assert {i: s["snapshot"] for i, s in timeline.states[plan].items()} == {
                    i: s["snapshot"] for i, s in timeline.states[Plan.EACH].items()
                }, f"step {step}"
            seen |= _kinds(alerts[Plan.EACH])
    finally:
        await timeline.http.close()

    every_kind = {
        "milestone", "count-1000", "count-10000", "count-10pct",
        "threshold:response", "threshold:debate", "response", "response-edited",
        "overdue", "debate-scheduled",
        "debate-rescheduled", "debate-cancelled", "debate-held", "not-debated", "debate-links",
        "business", "closing-soon", "closed", "closing-date", "rejected", "removed", "restored",
        "archived",
    }  # fmt: skip
    # A milestone comes in every granularity (+3); debate scheduling news come here as scheduled,
    # moved and cancelled (+2); debate reminders are time-based, tested in test_detect (-1).
    assert len(every_kind) == len(EventKind) + 3 + 2 - 1
    assert seen == every_kind
    # 26 cycles of 200 petitions: one request each, against the lists and a few documents.
    assert timeline.requests[Plan.EACH] >= 26 * 200
    assert timeline.requests[Plan.LISTS] < timeline.requests[Plan.EACH] / 5
    assert timeline.requests[Plan.CHEAPEST] <= timeline.requests[Plan.LISTS]


async def test_an_edit_hidden_by_a_count_change_comes_the_cycle_after(petitions):
    """The one thing a list entry can't tell: a business item posted in the same cycle as a count
    change. The list plan reads the petition whole the cycle after, tells the item once, and reads
    a petition whose count keeps moving every other cycle, not every cycle."""
    timeline = Timeline(petitions)
    for ident in (1, 2, 3):  # three: a page that shows them weighs less than their documents
        petitions.add(
            ident, OPEN_BELOW_10K, action=f"Petition number {ident}", closing_date="2026-12-01"
        )
    try:
        timeline.follow(["1", "2", "3"])
        await timeline.cycle()
        for shows in timeline.shows.values():
            shows.clear()
        timeline.now += STEP
        items = [
            {"subject": "Committee news", "body": "A hearing.", "created_at": iso(timeline.now)}
        ]
        petitions.update(1, signature_count=2_100, other_parliamentary_business=items)
        business = {plan: -1 for plan in PLANS}
        for step in range(10):
            alerts = await timeline.cycle()
            for plan, found in alerts.items():
                if any(":business:" in key for _, key, _ in found):
                    assert business[plan] == -1  # told once
                    business[plan] = step
            timeline.now += STEP
            petitions.update(1, signature_count=2_200 + step)
    finally:
        await timeline.http.close()
    assert business[Plan.EACH] == 0
    assert business[Plan.LISTS] == business[Plan.CHEAPEST] == 1
    assert timeline.shows[Plan.EACH][1] == 10
    assert timeline.shows[Plan.LISTS][1] == timeline.shows[Plan.CHEAPEST][1] == 5


@pytest.mark.parametrize(
    ("followed", "pages", "plan", "scanned"),
    [
        (1, 1, Plan.CHEAPEST, []),  # one petition: its own document is one request
        (2, 1, Plan.CHEAPEST, []),  # a page weighs two documents: no gain
        (3, 1, Plan.CHEAPEST, ["open"]),
        (100, 60, Plan.CHEAPEST, []),  # fewer requests, but 60 pages outweigh 100 documents
        (121, 60, Plan.CHEAPEST, ["open"]),
        (121, 60, Plan.EACH, []),
        (1, 60, Plan.LISTS, ["open"]),
    ],
)
def test_a_facet_is_read_whole_only_when_it_takes_fewer_requests_and_bytes(
    followed, pages, plan, scanned
):
    petitions = [snapshot(OPEN_BELOW_10K)] * followed
    assert facets_to_scan(petitions, {"open": pages}, plan) == scanned


def test_a_facet_whose_pages_are_unknown_is_not_read_whole_unless_asked():
    petitions = [snapshot(OPEN_BELOW_10K)] * 500
    assert facets_to_scan(petitions, {}, Plan.CHEAPEST) == []
    assert facets_to_scan(petitions, {}, Plan.LISTS) == ["open"]


def test_the_first_pages_are_read_when_they_can_spare_more_requests_than_they_cost():
    assert not first_pages_pay(10, Plan.CHEAPEST)
    assert first_pages_pay(11, Plan.CHEAPEST)
    assert first_pages_pay(1, Plan.LISTS)
    assert not first_pages_pay(100, Plan.EACH)


def test_the_page_count_is_read_from_the_last_link():
    assert (
        last_page(
            {"links": {"last": "https://petition.parliament.uk/petitions.json?page=17&state=open"}}
        )
        == 17
    )
    assert (
        last_page({"links": {"last": "https://petition.parliament.uk/petitions.json?state=open"}})
        == 1
    )
    assert last_page({"links": {}}) == 1
