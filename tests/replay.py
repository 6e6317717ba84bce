"""Replaying a target's real documents through the bot: sources, detection, the store's dedupe
and the sender's bundling, with no network and no Telegram.

A `Replay` keeps a real Store in a temporary folder; each `cycle` hands one source the targets
of its kind, as the poller does, records the cycle, and takes what the sender would send to each
chat (bundles joined), marking it sent. The sites are documents in memory that a case changes
field by field, as the real site would.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping
from datetime import date, datetime
from pathlib import Path
from typing import Any

from bot.bundles import gather
from bot.http import UpstreamError
from bot.sources.base import Source, split_target, target_key
from bot.sources.petitions.client import FetchStatus, PetitionFetch
from bot.sources.whatson.parse import ListedDebate, petition_debates
from bot.storage.port import SENT
from bot.storage.tinydb_store import TinyDBStore
from tests.fakes.petitions import load_fixture


class ReplaySite:
    """The petitions site as documents a case changes: `fetch` and `fetch_list` of the client."""

    def __init__(self) -> None:
        self.documents: dict[int, dict[str, Any]] = {}
        self.status: dict[int, FetchStatus] = {}

    def add(self, petition_id: int, fixture: str, **attributes: Any) -> None:
        document = copy.deepcopy(load_fixture(fixture))
        document["data"]["id"] = petition_id
        self.documents[petition_id] = document
        self.update(petition_id, **attributes)

    def update(self, petition_id: int, **attributes: Any) -> None:
        self.documents[petition_id]["data"]["attributes"].update(attributes)

    def attributes(self, petition_id: int) -> dict[str, Any]:
        return self.documents[petition_id]["data"]["attributes"]

    async def fetch(self, petition_id: int, **_: Any) -> PetitionFetch:
        status = self.status.get(petition_id, FetchStatus.OK)
        if status is not FetchStatus.OK:
            return PetitionFetch(status)
        document = self.documents[petition_id]
        archived = document["data"].get("type") == "archived-petition"
        return PetitionFetch(FetchStatus.OK, copy.deepcopy(document), archived)

    async def fetch_list(self, facet: str, page: int = 1, query: str = "") -> dict[str, Any]:
        """The debate facets, as the site derives them from each petition's fields."""
        items = []
        for document in self.documents.values():
            attributes = document["data"]["attributes"]
            debate = attributes.get("debate") or {}
            facets = {
                "debated": bool(debate.get("debated_on")),
                "not_debated": bool(attributes.get("debate_outcome_at"))
                and not debate.get("debated_on"),
                "awaiting_debate": not attributes.get("debate_outcome_at")
                and bool(
                    attributes.get("scheduled_debate_date")
                    or attributes.get("debate_threshold_reached_at")
                ),
            }
            if facets.get(facet):
                items.append({**document["data"], "links": {}})
        return {"links": {"next": None}, "data": copy.deepcopy(items)}


class ReplayCalendar:
    """What's On, as a list of events a case changes."""

    def __init__(self) -> None:
        self.events: list[dict[str, Any]] = []
        self.last: dict[int, ListedDebate] | None = None

    async def listing(self, now: datetime) -> dict[int, ListedDebate]:
        self.last = petition_debates(self.events)
        return self.last


class ReplayGovuk:
    """GOV.UK search: `search` of the client, answering every query with the same results (the
    sources match locally), less the withdrawn unless asked for them, as search-api does."""

    def __init__(self) -> None:
        self.results: list[dict[str, Any]] = []
        self.searches = 0

    async def search(self, organisations: Any, keywords: Any = (), **_: Any) -> dict[str, Any]:
        self.searches += 1
        return {"results": copy.deepcopy(self.results)}


class ReplayParliament:
    """The written statements API: `list_page` and `statement` of the client, serving the
    statements a case has `made` (a captured statement, with the fields it changed)."""

    def __init__(self, fixture: str) -> None:
        self.captured = {r["value"]["id"]: r["value"] for r in load_fixture(fixture)["results"]}
        self.values: list[dict[str, Any]] = []
        self.links: dict[int, list[dict[str, Any]]] = {}  # statement id -> its linked statements
        self.failing = False

    def make(self, statement_id: int, **changes: Any) -> None:
        """The captured statement is now listed, as it was or with `changes`."""
        value = {**copy.deepcopy(self.captured[statement_id]), **changes}
        self.values = [v for v in self.values if v["id"] != statement_id] + [value]

    async def list_page(self, made_from: Any, made_to: Any, **_: Any) -> dict[str, Any]:
        if self.failing:
            raise UpstreamError("Parliament is down")
        listed = [v for v in self.values if made_from <= date.fromisoformat(v["dateMade"][:10])]
        results = [{"value": {**copy.deepcopy(v), "linkedStatements": []}} for v in listed]
        return {"totalResults": len(results), "results": results}

    async def statement(self, statement_id: int) -> dict[str, Any]:
        value = next(v for v in self.values if v["id"] == statement_id)
        return {**copy.deepcopy(value), "linkedStatements": self.links.get(statement_id, [])}


class Replay:
    """One store, chats following targets, and the messages each chat was sent."""

    def __init__(self, folder: Path) -> None:
        self.store = TinyDBStore(folder / "alerts.json")
        self.sent: dict[int, list[str]] = defaultdict(list)

    def close(self) -> None:
        self.store.close_now()

    async def follow(self, chat_id: int, target: str, state: dict[str, Any]) -> None:
        await self.store.add_follow(chat_id, target, state)

    async def cycle(self, source: Source, now: datetime) -> dict[int, list[str]]:
        """One poll of `source`, as the poller runs it; returns what each chat was sent."""
        targets = {
            ident: await self.store.target_state(target)
            for target in await self.store.followed_targets()
            for kind, ident in [split_target(target)]
            if kind == source.kind
        }
        refreshes = await source.poll(targets, now)
        await self.store.record_cycle(
            {target_key(source.kind, ident): r for ident, r in refreshes.items()}, now
        )
        return await self.send(now)

    async def send(self, now: datetime) -> dict[int, list[str]]:
        by_chat: dict[int, list[Any]] = defaultdict(list)
        for delivery in await self.store.pending_deliveries():
            by_chat[delivery.chat_id].append(delivery)
        sent: dict[int, list[str]] = {}
        for chat_id, deliveries in by_chat.items():
            messages = gather(deliveries)
            sent[chat_id] = [message.text for message in messages]
            self.sent[chat_id] += sent[chat_id]
            for message in messages:
                for delivery in message.deliveries:
                    await self.store.note_outcome(delivery.id, SENT)
        await self.store.fold_outcomes(now)
        return sent


def bodies(messages: Mapping[int, list[str]], chat_id: int) -> list[str]:
    """A chat's messages without their last paragraph (the link and how to stop)."""
    return [text.rpartition("\n\n")[0] or text for text in messages.get(chat_id, [])]
