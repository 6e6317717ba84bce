"""The petitions source: read the followed petitions, carry memory, detect, render.

Glue between the client (I/O) and the pure model, planning, detection and rendering. Each cycle
reads the list pages that pay (plan.py: a facet read whole when it holds more followed petitions
than it has pages) and fetches a show document for each petition the lists cannot tell about;
with a few petitions followed, that is one show request each. What's On's calendar (shared with
the debates source) gives the time and place of a followed petition's debate. A 404 or 410 is
told as a removal only when a read CONFIRM_MISSING_AFTER later agrees. The dissolutions known
grow by those the petitions closed at (dissolutions.py). The stored state of a petition target is
`{"snapshot": <snapshot_to_dict>, "validator": <Last-Modified or null>, "history":
<trend.record: recent counts>, "unshown": <whether the lists have shown a count change since the
show document was last read>}`.
"""

from __future__ import annotations

import asyncio
import logging
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Any

from bot.http import UpstreamError, budget, budget_left
from bot.slices import in_slices
from bot.sources.base import Refresh, refresh_each
from bot.sources.petitions.alerts import petition_alerts
from bot.sources.petitions.client import (
    LIST_PAGE_SIZE,
    FetchStatus,
    PetitionClient,
    PetitionFetch,
)
from bot.sources.petitions.debating import Sitting, remembered, sitting_of
from bot.sources.petitions.detect import carry_forward, detect_events
from bot.sources.petitions.dissolutions import KNOWN, Dissolution, dissolution_of, merge
from bot.sources.petitions.model import (
    PetitionParseError,
    PetitionSnapshot,
    has_next_page,
    mark_observed,
    parse_list,
    parse_petition,
    snapshot_from_dict,
    snapshot_to_dict,
)
from bot.sources.petitions.places import Counts
from bot.sources.petitions.plan import (
    FIRST_PAGE_FACETS,
    SCANNED_FACETS,
    Plan,
    facet_of,
    facets_to_scan,
    first_pages_pay,
    from_list,
    last_page,
    needs_show,
    pages_pay,
    read_entries,
)
from bot.sources.petitions.trend import record
from bot.sources.whatson.calendar import DebateCalendar
from bot.sources.whatson.parse import ListedDebate

log = logging.getLogger(__name__)
KIND = "petition"
AWAITING_RESPONSE_FOR = timedelta(minutes=1)
AWAITING_RESPONSE_PAGES = 10
PLACES_KEPT = 100
PAGES_RELEARNED_AFTER = timedelta(hours=1)
LISTS_SHARE_OF_BUDGET = 0.5
LISTS_REST_AFTER_A_FAULT = timedelta(minutes=10)
MAX_PAGES = 2_000  # a list that never ends is a broken site, not 100,000 petitions
# A petition answering 404 or 410 is told as removed only when a read this much later agrees.
CONFIRM_MISSING_AFTER = timedelta(minutes=5)


class LookupProblem(StrEnum):
    NOT_FOUND = "not-found"
    NOT_PUBLIC = "not-public"
    REMOVED = "removed"
    UNAVAILABLE = "unavailable"


@dataclass(frozen=True)
class PetitionLookup:
    """A fresh look at one petition: its snapshot and storable state, or why there is none."""

    snapshot: PetitionSnapshot | None = None
    state: dict[str, Any] | None = None
    problem: LookupProblem | None = None


def snapshot_from_state(state: dict[str, Any]) -> PetitionSnapshot:
    return snapshot_from_dict(state["snapshot"])


def _state(
    snapshot: PetitionSnapshot,
    validator: str | None,
    stored: Mapping[str, Any] | None,
    *,
    listed_change: bool | None = None,
    snapshot_dict: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The storable state. `listed_change` is None when the snapshot comes from the show document
    (or a 304 for it), else whether the list entry showed a count change. `snapshot_dict` is the
    snapshot's storage form when the caller has it already."""
    stored = stored or {}
    history = record(stored.get("history", ()), snapshot.observed_at, snapshot.signature_count)
    return {
        "snapshot": snapshot_dict or snapshot_to_dict(snapshot),
        "validator": validator,
        "history": history,
        "unshown": listed_change is not None and (bool(stored.get("unshown")) or listed_change),
    }


class PetitionSource:
    name = "petitions"
    kind = KIND
    site = "the petitions site"

    def __init__(
        self,
        client: PetitionClient,
        plan: Plan = Plan.CHEAPEST,
        calendar: DebateCalendar | None = None,
        read_seconds: float = math.inf,
        awaiting_for: timedelta = AWAITING_RESPONSE_FOR,
    ) -> None:
        """`read_seconds`: how long reading one petition's document may take in a cycle (one
        request's timeout), so a petition that hangs holds the others' alerts no longer;
        `awaiting_for`: how long the awaiting-response list is kept (the poll interval, when
        that is shorter)."""
        self._client = client
        self._awaiting_for = min(awaiting_for, AWAITING_RESPONSE_FOR)
        self._read_seconds = read_seconds
        self._plan = plan
        self._calendar = calendar  # What's On, for debate times and places
        self._dissolutions: tuple[Dissolution, ...] = KNOWN
        self._scanned = False  # whether the followed petitions were read for dissolutions
        self._awaiting: tuple[datetime, list[PetitionSnapshot]] | None = None
        self._places: dict[int, tuple[datetime, Counts]] = {}  # oldest asked first
        self._pages: dict[str, tuple[datetime, int]] = {}  # facet -> (learned at, its pages)
        # The states the last cycle made from the lists, and their snapshots: parsing 10,000
        # stored snapshots again each cycle would cost more than reading the lists.
        self._remembered: dict[str, tuple[dict[str, Any], PetitionSnapshot]] = {}
        self._list_faults = 0  # pages not read this cycle
        self._list_fault_at: datetime | None = None  # the last cycle a page was not read

    async def awaiting_response(self, now: datetime) -> list[PetitionSnapshot]:
        """Every petition awaiting a government response (the site's `awaiting_response` list,
        oldest threshold first), read afresh at most once a minute (or a poll interval)."""
        if self._awaiting is not None and now - self._awaiting[0] < self._awaiting_for:
            return self._awaiting[1]
        petitions: list[PetitionSnapshot] = []
        for page in range(1, AWAITING_RESPONSE_PAGES + 1):
            document = await self._client.fetch_list("awaiting_response", page)
            petitions += parse_list(document, observed_at=now)
            if not has_next_page(document):
                break
        self._awaiting = (now, petitions)
        return petitions

    async def constituencies(self, petition_id: int, now: datetime) -> Counts:
        """Its signatures by constituency, from its document, read at most once a minute for
        the cards that show them (the last PLACES_KEPT petitions asked); none when it can't
        be read."""
        known = self._places.get(petition_id)
        if known is None or now - known[0] >= AWAITING_RESPONSE_FOR:
            looked = await self.look_up(petition_id, now)
            counts = looked.snapshot.constituencies if looked.snapshot else ()
            known = (now, counts)
            self._places[petition_id] = known
            while len(self._places) > PLACES_KEPT:
                del self._places[next(iter(self._places))]
        return known[1]

    async def search(
        self, words: str, facet: str, offset: int, count: int, now: datetime
    ) -> tuple[list[PetitionSnapshot], bool]:
        """`count` petitions of list `facet` (`open`, `closed`) matching `words` from `offset`,
        most signed first, and whether there are more."""
        document = await self._client.fetch_list(facet, offset // LIST_PAGE_SIZE + 1, words)
        found = parse_list(document, observed_at=now)
        start = offset % LIST_PAGE_SIZE
        more = len(found) > start + count or has_next_page(document)
        return found[start : start + count], more

    @property
    def dissolutions(self) -> tuple[Dissolution, ...]:
        """The dissolutions known, and any noticed from the petitions that closed at one."""
        return self._dissolutions

    async def poll(
        self, targets: Mapping[str, dict[str, Any] | None], now: datetime
    ) -> dict[str, Refresh]:
        # Thousands of stored states to read: commands are answered meanwhile.
        previous = await in_slices(
            (ident, self._snapshot_of(ident, stored)) for ident, stored in targets.items()
        )
        if not self._scanned:  # a restart forgets the dissolutions it noticed: read them again
            self._notice(snapshot for snapshot in previous.values() if snapshot is not None)
            self._scanned = True
        listing = await self._debate_listing(previous.values(), now)
        # A list that hangs must leave the petitions' own documents time to be read instead.
        with budget(budget_left() * LISTS_SHARE_OF_BUDGET):
            documents = await self._read_lists(list(previous.values()), now)
        known = {int(ident): snapshot for ident, snapshot in previous.items() if snapshot}
        listed = read_entries(documents, known, now) if documents else {}
        refreshes: dict[str, Refresh] = {}
        remembered: dict[str, tuple[dict[str, Any], PetitionSnapshot]] = {}
        shows: dict[str, dict[str, Any] | None] = {}
        for ident, stored in targets.items():
            before = previous[ident]
            if stored is None or before is None or before.id not in listed:
                shows[ident] = stored
                continue
            entry = listed[before.id]
            if entry is not None and needs_show(before, entry):
                shows[ident] = stored
                continue
            if stored.get("unshown"):  # an edit may hide behind last cycle's count change
                shows[ident] = stored
                continue
            counted = entry is not None and entry.updated_at != before.updated_at
            if entry is None:  # as we know it: only the clock moves
                new = mark_observed(before, now)
                unchanged = {**stored["snapshot"], "observed_at": now.isoformat()}
            else:
                new = mark_observed(carry_forward(before, from_list(before, entry)), now)
                unchanged = None
            read = _Read(before, new, stored.get("validator"), stored, counted, unchanged)
            refreshes[ident], snapshot = self._concluded(read, listing, now)
            remembered[ident] = (refreshes[ident].state, snapshot)
        self._remembered = remembered
        shown = await refresh_each(
            KIND,
            shows,
            lambda i, s: self._read_one(i, s, previous[i], listing, now),
            self._read_seconds,
        )
        return refreshes | shown

    def _concluded(
        self, read: _Read, listing: Mapping[int, ListedDebate] | None, now: datetime
    ) -> tuple[Refresh, PetitionSnapshot]:
        """What a read of one petition makes: its debate with What's On's time and place, its
        state, and its alerts (none for a first look: the silent baseline). Each read is
        concluded at once, so a cycle never holds every petition's documents."""
        new, snapshot_dict = read.new, read.snapshot_dict
        sitting = _sitting_of(new, read.previous, listing)
        if sitting != new.sitting:
            new, snapshot_dict = replace(new, sitting=sitting), None
        state = _state(
            new,
            read.validator,
            read.stored,
            listed_change=read.listed_change,
            snapshot_dict=snapshot_dict,
        )
        if read.previous is None:
            return Refresh(state), new
        if read.previous.state != "closed":
            self._notice([new])
        events = detect_events(read.previous, new, now, self._dissolutions)
        alerts = petition_alerts(events, new, state["history"], now)
        return Refresh(state, alerts, sample=new.signature_count), new

    def _notice(self, snapshots: Iterable[PetitionSnapshot]) -> None:
        """Add the dissolutions that these petitions closed at to those known."""
        noticed = [
            dissolution_of(snapshot.dissolved_at, self._dissolutions)
            for snapshot in snapshots
            if snapshot.dissolved_at is not None
        ]
        if noticed:
            self._dissolutions = merge(self._dissolutions, noticed)

    async def _debate_listing(
        self, snapshots: Iterable[PetitionSnapshot | None], now: datetime
    ) -> dict[int, ListedDebate] | None:
        """What's On's listing, when a petition is in line for a debate (a debate day or the
        debate threshold, and no outcome yet); None when none is, or What's On could not be
        read (the sittings then stay as they were)."""
        if self._calendar is None or not any(
            snapshot is not None
            and snapshot.debate_outcome_at is None
            and (snapshot.scheduled_debate_date or snapshot.debate_threshold_seen)
            for snapshot in snapshots
        ):
            return None
        try:
            return await self._calendar.listing(now)
        except UpstreamError as exc:
            log.warning("What's On not read for the petitions' debates: %s", exc)
            return None

    def _snapshot_of(self, ident: str, stored: dict[str, Any] | None) -> PetitionSnapshot | None:
        """The stored snapshot, without parsing it again when this source wrote that state."""
        if stored is None:
            return None
        remembered = self._remembered.get(ident)
        if remembered is not None and remembered[0] is stored:
            return remembered[1]
        return snapshot_from_state(stored)

    async def _read_lists(
        self, followed: list[PetitionSnapshot | None], now: datetime
    ) -> list[dict[str, Any]]:
        """The list pages worth reading this cycle (plan.py); a page that fails is left out, so
        its petitions are fetched one by one, and so are all of them for LISTS_REST_AFTER_A_FAULT
        (a list the site refuses or holds must not starve the petitions' own documents)."""
        if self._plan is Plan.EACH or (
            self._list_fault_at is not None and now - self._list_fault_at < LISTS_REST_AFTER_A_FAULT
        ):
            return []
        try:
            return await self._read_pages(followed, now)
        finally:
            if self._list_faults:
                self._list_fault_at, self._list_faults = now, 0

    async def _read_pages(
        self, followed: list[PetitionSnapshot | None], now: datetime
    ) -> list[dict[str, Any]]:
        first: dict[str, dict[str, Any] | None] = {}  # page 1 of a facet, read to count pages
        for facet in SCANNED_FACETS:
            learned = self._pages.get(facet)
            listed = sum(1 for snapshot in followed if facet_of(snapshot) == facet)
            stale = learned is None or now - learned[0] >= PAGES_RELEARNED_AFTER
            if pages_pay(listed, 1) and stale:
                first[facet] = page = await self._list_page(facet, 1)
                if page is not None:
                    self._pages[facet] = (now, last_page(page))
        pages = {facet: learned[1] for facet, learned in self._pages.items()}
        scanned = facets_to_scan(followed, pages, self._plan)
        documents = await self._scan(scanned, first, now)
        unlisted_closed = sum(
            1 for snapshot in followed if facet_of(snapshot) == "closed" and "closed" not in scanned
        )
        if first_pages_pay(unlisted_closed, self._plan):
            found = await asyncio.gather(*(self._list_page(f, 1) for f in FIRST_PAGE_FACETS))
            documents += [page for page in found if page is not None]
        return documents

    async def _scan(
        self, facets: list[str], first: dict[str, dict[str, Any] | None], now: datetime
    ) -> list[dict[str, Any]]:
        """Every page of each facet: the pages known at once, then on while a page says there are
        more (the list grew since its pages were counted)."""
        documents: list[dict[str, Any]] = []
        for facet in facets:
            page_one = first[facet] if facet in first else await self._list_page(facet, 1)
            if page_one is None:
                continue  # its petitions are read one by one this time
            known = last_page(page_one)
            self._pages[facet] = (now, known)
            rest = await asyncio.gather(*(self._list_page(facet, n) for n in range(2, known + 1)))
            pages = [page_one, *rest]
            while pages[-1] is not None and has_next_page(pages[-1]) and len(pages) < MAX_PAGES:
                pages.append(await self._list_page(facet, len(pages) + 1))
            documents += [page for page in pages if page is not None]
        return documents

    async def _list_page(self, facet: str, page: int) -> dict[str, Any] | None:
        try:
            return await self._client.fetch_list(facet, page)
        except UpstreamError as exc:
            log.warning("petitions list %s page %s not read: %s", facet, page, exc)
            self._list_faults += 1
            return None

    async def look_up(self, petition_id: int, now: datetime) -> PetitionLookup:
        """Fetch a petition afresh, for a command; upstream faults become UNAVAILABLE."""
        try:
            fetched = await self._client.fetch(petition_id)
            if fetched.status is FetchStatus.OK:
                snapshot = carry_forward(None, self._parse(petition_id, fetched, now))
                listing = await self._debate_listing([snapshot], now)
                snapshot = replace(snapshot, sitting=_sitting_of(snapshot, None, listing))
                return PetitionLookup(snapshot, _state(snapshot, fetched.validator, None))
        except UpstreamError as exc:
            log.warning("petition %s could not be looked up: %s", petition_id, exc)
            return PetitionLookup(problem=LookupProblem.UNAVAILABLE)
        problems = {
            FetchStatus.NOT_FOUND: LookupProblem.NOT_FOUND,
            FetchStatus.GONE: LookupProblem.REMOVED,
        }
        return PetitionLookup(problem=problems.get(fetched.status, LookupProblem.NOT_PUBLIC))

    async def _read_one(
        self,
        ident: str,
        stored: dict[str, Any] | None,
        previous: PetitionSnapshot | None,
        listing: Mapping[int, ListedDebate] | None,
        now: datetime,
    ) -> Refresh | None:
        """One petition from its show document; `previous` is `stored`'s snapshot."""
        petition_id = int(ident)
        if stored is None:
            looked = await self.look_up(petition_id, now)
            if looked.problem is LookupProblem.UNAVAILABLE:
                raise UpstreamError(f"petition {petition_id} is unavailable")
            if looked.snapshot is None or looked.state is None:
                return None
            return Refresh(looked.state)  # a first look: the silent baseline

        assert previous is not None
        validator = stored.get("validator")
        fetched = await self._client.fetch(
            petition_id, archived=previous.archived, if_modified_since=validator
        )
        if fetched.status is FetchStatus.OK:
            new = carry_forward(previous, self._parse(petition_id, fetched, now))
            validator = fetched.validator
        elif fetched.status is FetchStatus.NOT_MODIFIED:
            # Nothing new upstream, but the clock still moves: overdue and closing-soon checks.
            new = mark_observed(previous, now)
        elif fetched.status in _MISSING:
            new, validator = _missing(previous, _MISSING[fetched.status], now), None
        else:
            log.warning("petition %s is %s now; keeping what we had", petition_id, fetched.status)
            return None
        return self._concluded(_Read(previous, new, validator, stored), listing, now)[0]

    @staticmethod
    def _parse(petition_id: int, fetched: PetitionFetch, now: datetime) -> PetitionSnapshot:
        try:
            parsed = parse_petition(fetched.document, observed_at=now, archived=fetched.archived)
        except PetitionParseError as exc:
            raise UpstreamError(f"petition {petition_id}: not a petition document: {exc}") from None
        if parsed.id != petition_id:
            # A mixed-up cache or proxy: the other petition's facts are not this one's news.
            raise UpstreamError(f"petition {petition_id}: the site sent petition {parsed.id}")
        return parsed


@dataclass(frozen=True)
class _Read:
    """What a cycle read of one petition, before detection: `previous` None for a first look.
    `listed_change` is None when read from the show document, else whether the list entry
    showed a count change; `snapshot_dict` the new snapshot's storage form, when at hand."""

    previous: PetitionSnapshot | None
    new: PetitionSnapshot
    validator: str | None
    stored: Mapping[str, Any] | None
    listed_change: bool | None = None
    snapshot_dict: dict[str, Any] | None = None


_MISSING = {FetchStatus.GONE: "gone", FetchStatus.NOT_FOUND: "not-found"}


def _missing(previous: PetitionSnapshot, status: str, now: datetime) -> PetitionSnapshot:
    """The petition, read as gone or not found: removed once a read CONFIRM_MISSING_AFTER the
    first one still finds it missing; a miss the next read contradicts is never told."""
    if previous.removed:
        return mark_observed(previous, now, missing_status=status)
    if previous.missing_since is None:
        return mark_observed(previous, now, missing_since=now, missing_status=status)
    if now - previous.missing_since >= CONFIRM_MISSING_AFTER:
        return mark_observed(previous, now, removed=True, missing_status=status)
    return mark_observed(previous, now)


def _sitting_of(
    new: PetitionSnapshot,
    previous: PetitionSnapshot | None,
    listing: Mapping[int, ListedDebate] | None,
) -> Sitting | None:
    """The petition's debate as scheduled: its day with What's On's time and place; without a
    fresh listing, what was known of that day."""
    day = new.scheduled_debate_date
    known = previous.sitting if previous is not None else new.sitting
    if listing is not None:
        return remembered(known, sitting_of(day, listing.get(new.id)))
    if day is not None and known is not None and known.day == day:
        return known
    return remembered(known, sitting_of(day, None))
