"""The poll cycle: one fetch per petition however many chats follow it; one bad target never
stops the others."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.config import HttpConfig
from bot.http import HttpClient
from bot.poller import Poller
from bot.sender import Sender
from bot.sources.petitions.client import PetitionClient
from bot.sources.petitions.source import PetitionSource
from bot.store import Store
from tests.samples import OPEN_BELOW_10K


class RecordingBot:
    def __init__(self) -> None:
        self.sent: list[tuple[int, str]] = []

    async def send_message(self, chat_id: int, text: str) -> None:
        self.sent.append((chat_id, text))


async def test_fetch_once_fan_out_and_isolate_failures(petitions, tmp_path):
    petitions.add(1, OPEN_BELOW_10K)
    petitions.add(2, OPEN_BELOW_10K)
    http = HttpClient(HttpConfig(retries=0), [petitions.base_url])
    source = PetitionSource(PetitionClient(http, petitions.base_url))
    store = Store(tmp_path / "alerts.json")
    bot = RecordingBot()

    def now() -> datetime:
        return datetime.now(UTC)

    poller = Poller(store, {"petitions": source}, Sender(bot, store, now), now)  # type: ignore[arg-type]
    try:
        for chat in (10, 11, 12):
            store.add_follow(chat, "petition:1", None)
        store.add_follow(10, "petition:2", None)
        baseline = await poller.run_cycle("petitions")
        assert (baseline.targets, baseline.refreshed, baseline.queued) == (2, 2, 0)

        petitions.update(1, signature_count=5_000)
        petitions.update(2, signature_count=5_000)
        petitions.faults[2] = "malformed"
        before = dict(petitions.requests)
        report = await poller.run_cycle("petitions")
        assert petitions.requests[1] - before[1] == 1  # three followers, one fetch
        assert (report.refreshed, report.skipped, report.queued, report.sent) == (1, 1, 3, 3)
        assert sorted(chat for chat, _ in bot.sent) == [10, 11, 12]
        assert all("5,000 signatures" in text for _, text in bot.sent)
    finally:
        store.close()
        await http.close()
