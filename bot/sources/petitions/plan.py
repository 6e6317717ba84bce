"""How a cycle reads the followed petitions: which list pages pay, and what a list entry can tell.

Pure: no I/O. The site shows a petition two ways. Its show document (30 to 80 KB, with the
geographic breakdowns) has everything. Its entry on a list page (2 to 4 KB, 50 to a page) has the
count, the state and every threshold, response and debate timestamp: most of the news. A page
weighs about two show documents, so when a facet holds more than twice as many followed petitions
as it has pages, the cycle reads the whole facet (`open`, `closed`): fewer requests, and no more
bytes than the documents it stands in for. It then fetches a show document only where the entry
shows a change it cannot tell alone:

- a response given, edited or withdrawn, or a debate outcome: the text and links come from the show
  document;
- a new state: rejection details, archiving;
- `updated_at` moved with the count unchanged: an edit or a new item of other parliamentary
  business, which only the show document lists;
- a milestone passed: its alert tells each chat how its constituency signed, which only the
  show document has.

A petition no list shows (archived, taken down, or moved on a page between two reads of a scan),
or one its own document last answered missing, is fetched on its own, as before; so is every
petition for a while after a list page fails (source.py). The first pages of the five activity
facets, where closed petitions with recent news are listed first, are read when they can spare
more show requests than they cost.

A list entry cannot tell an edit made in the same interval as a count change: both only move
`updated_at`. So a petition whose entry shows a count change is fetched whole the cycle after
(source.py): a business item posted with a count change comes one cycle later than one request per
petition would bring it, and the document read then covers every change until it. Nothing else
waits. That read is also why no plan can stay under a fixed number of requests as activity grows:
each petition whose count moved costs one document within a cycle (decision record 13).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import replace
from datetime import datetime
from enum import StrEnum
from typing import Any

from bot.sources.notes import note_unparsed
from bot.sources.petitions.detect import milestone_ladder
from bot.sources.petitions.model import PetitionParseError, PetitionSnapshot, parse_petition
from bot.sources.values import instant_of

SCANNED_FACETS = ("open", "closed")
LIST_ENTRY = "an object with an integer id and attributes with an action, a state and a count"
FIRST_PAGE_FACETS = (
    "awaiting_response",
    "with_response",
    "awaiting_debate",
    "debated",
    "not_debated",
)


# A page of 50 entries weighs about as much as two show documents (captured: 104 KB against
# 27 to 75 KB), so it must stand in for more than two of them to be worth its bytes.
PAGE_WEIGHS_IN_SHOWS = 2


class Plan(StrEnum):
    CHEAPEST = "cheapest"  # list pages where they outweigh the show documents they stand in for
    EACH = "each"  # one show request per petition
    LISTS = "lists"  # every list page that shows a followed petition, whatever it costs


def facet_of(snapshot: PetitionSnapshot | None) -> str | None:
    """The scanned facet that lists the petition, if any."""
    if snapshot is None or snapshot.archived or snapshot.removed:
        return None
    return snapshot.state if snapshot.state in SCANNED_FACETS else None


def facets_to_scan(
    followed: Iterable[PetitionSnapshot | None], pages: Mapping[str, int], plan: Plan
) -> list[str]:
    """The facets read whole this cycle: with `pages` per facet (unknown: not worth it yet)."""
    if plan is Plan.EACH:
        return []
    counts = {facet: 0 for facet in SCANNED_FACETS}
    for snapshot in followed:
        facet = facet_of(snapshot)
        if facet is not None:
            counts[facet] += 1
    return [
        facet
        for facet, count in counts.items()
        if count and (plan is Plan.LISTS or (facet in pages and pages_pay(count, pages[facet])))
    ]


def pages_pay(petitions: int, pages: int) -> bool:
    """Whether `pages` list pages are cheaper than the show documents of `petitions` they list:
    fewer requests and no more bytes."""
    return petitions > PAGE_WEIGHS_IN_SHOWS * pages


def first_pages_pay(unlisted_closed: int, plan: Plan) -> bool:
    """Whether to read the activity facets' first pages, for this many closed petitions that no
    scan shows."""
    if plan is Plan.LISTS:
        return unlisted_closed > 0
    return plan is Plan.CHEAPEST and pages_pay(unlisted_closed, len(FIRST_PAGE_FACETS))


def last_page(document: dict[str, Any]) -> int:
    """The number of pages of a list, from its first page's `last` link (1 when it has none)."""
    links = document.get("links")
    last = links.get("last") if isinstance(links, dict) else None
    if not isinstance(last, str):
        return 1
    for pair in last.partition("?")[2].split("&"):
        name, _, value = pair.partition("=")
        if name == "page" and value.isdecimal():
            return int(value)
    return 1


def read_entries(
    documents: Iterable[dict[str, Any]], previous: Mapping[int, PetitionSnapshot], now: datetime
) -> dict[int, PetitionSnapshot | None]:
    """What the list pages show of the petitions in `previous`: None where it is just what we know
    (the usual case, told without parsing the entry, or a cached page older than that), else the
    newest entry, parsed. A scan sees thousands of petitions to learn about a few."""
    found: dict[int, PetitionSnapshot | None] = {}
    unparsed = entries = 0
    for document in documents:
        for item in document.get("data") or ():
            entries += 1
            ident = item.get("id") if isinstance(item, dict) else None
            before = previous.get(ident) if isinstance(ident, int) else None
            if before is None or before.removed or before.archived or before.missing_since:
                unparsed += not isinstance(ident, int)
                continue  # its own document tells whether it is back, and how
            if _as_known(before, item):
                found.setdefault(before.id, None)
                continue
            try:
                listed = parse_petition(item, observed_at=now, archived=False)
            except PetitionParseError:
                unparsed += 1  # read from its own document instead
                continue
            seen = found.get(listed.id)
            if is_stale(before, listed):
                found.setdefault(listed.id, None)
            elif seen is None or _newer(listed, seen):
                found[listed.id] = listed
    note_unparsed("petition list entries", unparsed, entries, LIST_ENTRY)
    return found


def _as_known(previous: PetitionSnapshot, item: dict[str, Any]) -> bool:
    attributes = item.get("attributes")
    return (
        isinstance(attributes, dict)
        and previous.updated_at is not None
        and attributes.get("signature_count") == previous.signature_count
        and attributes.get("state") == previous.state
        and instant_of(attributes.get("updated_at")) == previous.updated_at
    )


def _newer(listed: PetitionSnapshot, seen: PetitionSnapshot) -> bool:
    if listed.updated_at is None or seen.updated_at is None:
        return seen.updated_at is None and listed.signature_count > seen.signature_count
    return listed.updated_at > seen.updated_at


def is_stale(previous: PetitionSnapshot, listed: PetitionSnapshot) -> bool:
    """Whether the entry is older than what we know (a cached list page)."""
    if previous.updated_at is None or listed.updated_at is None:
        return False
    return listed.updated_at < previous.updated_at


def needs_show(previous: PetitionSnapshot, listed: PetitionSnapshot) -> bool:
    """Whether the list entry shows a change that only the show document can tell."""
    return (
        previous.updated_at is None
        or listed.state != previous.state
        or listed.government_response_at != previous.government_response_at
        or listed.debate_outcome_at != previous.debate_outcome_at
        # The real site's entries carry the response and debate; compare them where they do.
        or (listed.response is not None and listed.response != previous.response)
        or (listed.debate is not None and listed.debate != previous.debate)
        or (
            listed.updated_at != previous.updated_at
            and listed.signature_count == previous.signature_count
        )
        # A milestone alert tells each chat how its constituency signed: only the document has it.
        or len(milestone_ladder(listed.signature_count))
        > len(milestone_ladder(max(previous.signature_count, previous.peak_signature_count)))
    )


def from_list(previous: PetitionSnapshot, listed: PetitionSnapshot) -> PetitionSnapshot:
    """The petition as its list entry shows it, with what only the show document has kept."""
    return replace(
        listed,
        response=previous.response,
        debate=previous.debate,
        business=previous.business,
        rejection_code=previous.rejection_code,
        rejection_details=previous.rejection_details,
        response_threshold=previous.response_threshold,
        debate_threshold=previous.debate_threshold,
    )
