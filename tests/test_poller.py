"""The poll cycle: one fetch per petition however many chats follow it; one bad target never
stops the others; statement, written-question, late-list, consultation and FOI requests don't
grow with follows."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from bot.config import HttpConfig
from bot.http import HttpClient, UpstreamRefused
from bot.poller import Poller
from bot.sender import Sender
from bot.sources.consultations.source import ConsultationsSource
from bot.sources.departments.directory import Directory
from bot.sources.foi.client import WhatDoTheyKnowClient
from bot.sources.foi.source import WhatDoTheyKnowSource
from bot.sources.govuk.client import GovukClient
from bot.sources.govuk.source import GovukStatementsSource
from bot.sources.latelist.source import LateListSource
from bot.sources.petitions.client import PetitionClient
from bot.sources.petitions.plan import Plan
from bot.sources.petitions.source import PetitionSource
from bot.sources.questions.client import QuestionsClient
from bot.sources.questions.source import WrittenQuestionsSource
from bot.sources.text import LONDON
from bot.sources.written_statements.client import WrittenStatementsClient
from bot.sources.written_statements.source import WrittenStatementsSource
from bot.storage.tinydb_store import TinyDBStore
from tests.fakes.petitions import iso
from tests.samples import OPEN_BELOW_10K


class RecordingBot:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str, **_: object) -> None:
        self.sent.append((chat_id, text))


async def test_fetch_once_fan_out_and_isolate_failures(petitions, tmp_path):
    petitions.add(1, OPEN_BELOW_10K)
    petitions.add(2, OPEN_BELOW_10K)
    http = HttpClient(HttpConfig(retries=0), [petitions.base_url])
    source = PetitionSource(PetitionClient(http, petitions.base_url), Plan.EACH)
    store = TinyDBStore(tmp_path / "alerts.json")
    bot = RecordingBot()

    def now() -> datetime:
        return datetime.now(UTC)

    sender = Sender(bot, store, now)  # type: ignore[arg-type]
    poller = Poller(store, {"petitions": source}, sender, now)
    try:
        for chat in (10, 11, 12):
            await store.add_follow(chat, "petition:1", None)
        await store.add_follow(10, "petition:2", None)
        baseline = await poller.run_cycle("petitions")
        assert (baseline.targets, baseline.refreshed, baseline.queued) == (2, 2, 0)

        petitions.update(1, signature_count=5_000)
        petitions.update(2, signature_count=5_000)
        petitions.faults[2] = "malformed"
        before = dict(petitions.requests)
        report = await poller.run_cycle("petitions")
        assert petitions.requests[1] - before[1] == 1  # three followers, one fetch
        assert (report.refreshed, report.skipped, report.queued) == (1, 1, 3)
        assert await sender.send_pending() == 3
        assert sorted(chat for chat, _ in bot.sent) == [10, 11, 12]
        assert all("5,000 signatures" in text for _, text in bot.sent)
    finally:
        store.close_now()
        await http.close()


async def cycle_requests(follows: list[str], govuk, parliament, path) -> dict[str, list[int]]:
    """Upstream requests of three cycles of each statement source, for `follows`, on the same
    upstream content each time, with one new item on each source after each cycle."""
    govuk.documents.clear()
    parliament.statements.clear()
    govuk.publish_backlog("Grooming gangs inquiry update", 3)
    parliament.lay_in_both_houses("Asylum Accommodation", "<p>The plan.</p>")
    config = HttpConfig(retries=0, polite_interval_seconds=0.001)
    http = HttpClient(config, [], [govuk.base_url, parliament.base_url])
    directory = Directory()
    sources = {
        "govuk": GovukStatementsSource(GovukClient(http, govuk.base_url), directory),
        "wms": WrittenStatementsSource(
            WrittenStatementsClient(http, parliament.base_url), directory
        ),
    }
    store = TinyDBStore(path)
    bot = RecordingBot()

    def now() -> datetime:
        return datetime.now(UTC)

    poller = Poller(store, sources, Sender(bot, store, now), now)  # type: ignore[arg-type]
    counts: dict[str, list[int]] = {"govuk": [], "wms": []}
    try:
        for chat, follow in enumerate(follows):
            await store.add_follow(chat % 50, f"statements:{follow}", None)
        for _ in range(3):
            for name, fake in (("govuk", govuk), ("wms", parliament)):
                before = len(fake.paths)
                await poller.run_cycle(name)
                counts[name].append(len(fake.paths) - before)
            govuk.publish("Grooming gangs: a new statement")
            parliament.lay("Schools funding", "<p>Funding.</p>", body=(60, "DfE"), linked=True)
    finally:
        store.close_now()
        await http.close()
    return counts


async def test_statement_requests_do_not_grow_with_follows_or_chats(govuk, parliament, tmp_path):
    departments = ["home-office", "department-for-education", "hm-treasury", "any"]
    words = ["", "grooming", "grooming gangs", "schools", "asylum plan", "funding"]
    many = [f"{d}:{w}" for d in departments for w in words]
    many = (many * 9)[:200]
    one = await cycle_requests(["home-office:grooming"], govuk, parliament, tmp_path / "a.json")
    more = await cycle_requests(many, govuk, parliament, tmp_path / "b.json")
    assert one == more
    # Two searches a cycle once every follow has been read (the newest items; the items indexed
    # again since, for updates and withdrawals at any age), and one statements query; a
    # statement with links is read once (and again after LINKS_RECHECK).
    assert one["govuk"] == [1, 2, 2]
    assert one["wms"] == [1 + 2, 1 + 1, 1 + 1]


async def test_written_question_requests_do_not_grow_with_follows_or_chats(parliament, tmp_path):
    departments = ["home-office", "department-for-education", "hm-treasury"]
    words = ["", "grooming", "grooming gangs", "schools", "asylum hotels", "funding"]
    many = [f"{d}:{w}" for d in departments for w in words]
    counts = []
    for follows, path in ((["home-office:grooming"], "a.json"), ((many * 12)[:200], "b.json")):
        parliament.questions.clear()
        today = datetime.now(LONDON).date()
        http = HttpClient(
            HttpConfig(retries=0, polite_interval_seconds=0.001), [], [parliament.base_url]
        )
        source = WrittenQuestionsSource(QuestionsClient(http, parliament.base_url), Directory())
        store = TinyDBStore(tmp_path / path)
        bot = RecordingBot()

        def now() -> datetime:
            return datetime.now(UTC)

        poller = Poller(store, {"questions": source}, Sender(bot, store, now), now)  # type: ignore[dict-item]
        requests = []
        try:
            for chat, follow in enumerate(follows):
                await store.add_follow(chat % 50, f"questions:{follow}", None)
            for _ in range(3):
                before = len(parliament.paths)
                await poller.run_cycle("questions")
                requests.append(len(parliament.paths) - before)
                asked = parliament.table("Grooming gangs", "When?", tabled=today, due=today)
                parliament.answer(asked, "Soon.", today)
        finally:
            store.close_now()
            await http.close()
        counts.append(requests)
    # Tabled, answered and corrected: one query each a cycle, for every followed department.
    assert counts == [[3, 3, 3], [3, 3, 3]]


async def test_late_list_requests_do_not_grow_with_follows_or_chats(petitions, tmp_path):
    reached = datetime.now(UTC) - timedelta(days=30)
    for number in range(1, 61):  # two pages of the awaiting-response list
        at = iso(reached + timedelta(hours=number))
        count = 10_000 + 5_000 * number
        petitions.add(
            number, OPEN_BELOW_10K, signature_count=count, response_threshold_reached_at=at
        )
    kinds = ["all", "100000", "200000", "home-office", "department-for-transport"]
    counts = []
    for follows, path in ((["all"], "a.json"), ((kinds * 40)[:200], "b.json")):
        http = HttpClient(HttpConfig(retries=0), [petitions.base_url])
        source = LateListSource(
            PetitionSource(PetitionClient(http, petitions.base_url), awaiting_for=timedelta(0)),
            Directory(),
        )
        store = TinyDBStore(tmp_path / path)

        def now() -> datetime:
            return datetime.now(UTC)

        poller = Poller(store, {"overdue": source}, Sender(RecordingBot(), store, now), now)  # type: ignore[dict-item]
        requests = []
        try:
            for chat, follow in enumerate(follows):
                await store.add_follow(chat, f"overdue:{follow}", None)
            for cycle in range(3):
                before = len(petitions.paths)
                await poller.run_cycle("overdue")
                requests.append(len(petitions.paths) - before)
                petitions.update(
                    60 - cycle, government_response_at=iso(now()), government_response={}
                )
        finally:
            store.close_now()
            await http.close()
        counts.append(requests)
        for number in range(58, 61):
            petitions.update(number, government_response_at=None, government_response=None)
    # The two list pages a cycle; then one document for each petition that left the list.
    assert counts == [[2, 3, 3], [2, 3, 3]]


async def test_consultation_requests_do_not_grow_with_follows_or_chats(govuk, tmp_path):
    start = datetime.now(UTC) - timedelta(days=10)
    counts = []
    for follows, path in ((["home-office"], "a.json"), (None, "b.json")):
        govuk.documents.clear()
        govuk.pages.clear()
        made = [govuk.consult(f"Plan {n}", start, start + timedelta(days=n)) for n in range(1, 4)]
        pages = [f"page:{d['link'].rpartition('/')[2]}" for d in made]
        follows = follows or (["home-office", *pages] * 50)[:200]
        http = HttpClient(
            HttpConfig(retries=0, polite_interval_seconds=0.001), [], [govuk.base_url]
        )
        source = ConsultationsSource(GovukClient(http, govuk.base_url), Directory())
        store = TinyDBStore(tmp_path / path)

        def now() -> datetime:
            return datetime.now(UTC)

        poller = Poller(store, {"consultations": source}, Sender(RecordingBot(), store, now), now)  # type: ignore[dict-item]
        requests = []
        try:
            for chat, follow in enumerate(follows):
                await store.add_follow(chat, f"consultations:{follow}", None)
            for cycle in range(3):
                before = len(govuk.paths)
                await poller.run_cycle("consultations")
                requests.append(len(govuk.paths) - before)
                if cycle == 0:
                    govuk.consult("Plan 4", now(), now() + timedelta(days=20))
                else:
                    govuk.publish_outcome(made[0], now())
        finally:
            store.close_now()
            await http.close()
        counts.append(requests)
    # One search a cycle; a consultation's page read when it is new, or when it changed.
    assert counts == [[1 + 3, 1 + 1, 1 + 1], [1 + 3, 1 + 1, 1 + 1]]


async def test_foi_requests_do_not_grow_with_follows_or_chats(whatdotheyknow, tmp_path):
    words = ["", "asylum", "grooming gangs", "hotels", "visas", "police data"]
    counts, unchanged = [], []
    for follows, path in ((["home_office:"], "a.json"), ((words * 40)[:200], "b.json")):
        http = HttpClient(
            HttpConfig(retries=0, polite_interval_seconds=0.001), [], [whatdotheyknow.base_url]
        )
        source = WhatDoTheyKnowSource(WhatDoTheyKnowClient(http, whatdotheyknow.base_url))
        store = TinyDBStore(tmp_path / path)

        def now() -> datetime:
            return datetime.now(UTC)

        poller = Poller(store, {"foi": source}, Sender(RecordingBot(), store, now), now)  # type: ignore[dict-item]
        requests = []
        before_304 = whatdotheyknow.not_modified
        try:
            for chat, follow in enumerate(follows):
                keywords = follow.removeprefix("home_office:")
                await store.add_follow(chat, f"foi:body:home_office:{keywords}", None)
            for cycle in range(3):
                before = len(whatdotheyknow.paths)
                await poller.run_cycle("foi")
                requests.append(len(whatdotheyknow.paths) - before)
                if cycle == 0:
                    whatdotheyknow.make_request(f"Asylum hotels {path}", now())
        finally:
            store.close_now()
            await http.close()
        counts.append(requests)
        unchanged.append(whatdotheyknow.not_modified - before_304)
    # One read of the authority's feed a cycle, however many follow it; unchanged, a 304.
    assert counts == [[1, 1, 1], [1, 1, 1]]
    assert unchanged == [1, 1]


class RefusedSource:
    name, kind = "refused", "statements"

    def __init__(self) -> None:
        self.refusal: str | None = "no"

    async def poll(self, targets, now):
        if self.refusal is not None:
            raise UpstreamRefused("http://127.0.0.1/x", 422, self.refusal)
        return {}


async def test_a_source_failing_the_same_way_is_logged_once_per_streak(tmp_path, caplog):
    caplog.set_level(logging.DEBUG, logger="bot.poller")
    store = TinyDBStore(tmp_path / "alerts.json")
    source = RefusedSource()

    def now() -> datetime:
        return datetime.now(UTC)

    poller = Poller(store, {source.name: source}, Sender(RecordingBot(), store, now), now)  # type: ignore[arg-type,dict-item]
    await store.add_follow(1, "statements:home-office:", None)
    try:
        for _ in range(3):
            await poller.run_cycle(source.name)
        source.refusal = "something else"
        await poller.run_cycle(source.name)
        source.refusal = None
        await poller.run_cycle(source.name)
    finally:
        store.close_now()
    said = [r.getMessage() for r in caplog.records if r.name == "bot.poller" and r.levelno >= 20]
    assert [m for m in said if "not polled" in m] == [
        "refused not polled: http://127.0.0.1/x answered HTTP 422: no",
        "refused not polled: http://127.0.0.1/x answered HTTP 422: something else",
    ]
    assert "refused polled again" in said
