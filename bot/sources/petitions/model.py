"""Petition snapshots: the typed, storable view of one petition, and parsing from the site's JSON.

Pure: no I/O. Parsing is lenient about everything but what makes a petition (an id, `action`,
`state` and an integer `signature_count`): any other key may be missing, null, empty or of an older
schema (2015's `open_at`, no `closing_date` before 2026), and unknown keys are ignored. The snapshot
keeps only what detection, rendering and the status card need; the geographic breakdowns are dropped
on parsing.

A snapshot also carries a little memory that the site itself forgets (the highest count seen,
whether a threshold was ever reached, the response deadline's clock, a first read that found it
missing), so that a dip and re-crossing is not news twice and a deadline keeps one clock. A
government response's details are digested whole and sentence by sentence, so an edit anywhere
is seen and the alert can quote what it added.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import MISSING, dataclass, field, fields, is_dataclass, replace
from datetime import date, datetime
from typing import Any

from bot.sources.petitions.debating import Sitting, sitting_from_dict
from bot.sources.petitions.dissolutions import closed_early
from bot.sources.values import day_of, instant_of, text_of

DEFAULT_RESPONSE_THRESHOLD = 10_000
DEFAULT_DEBATE_THRESHOLD = 100_000
DEBATE_LINK_FIELDS = (
    "transcript_url",
    "video_url",
    "debate_pack_url",
    "public_engagement_url",
    "debate_summary_url",
)


class PetitionParseError(ValueError):
    """The document is not a petition (no data object, no id, or no action, state or count)."""


SENTENCE_DIGEST = 8
# A field kept in memory for the cycle that parsed it, never stored.
_TRANSIENT = {"stored": False}
# A field written even at its default.
_ALWAYS = {"always": True}
# Where a response's details break into sentences (or paragraphs): what an edit changed.
_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass(frozen=True)
class GovernmentResponse:
    responded_on: date | None
    summary: str
    # The details run to thousands of characters: the whole text's digest tells an edit anywhere,
    # and a digest per sentence which sentences it changed.
    details_digest: str
    updated_at: datetime | None
    # Each sentence's digest, SENTENCE_DIGEST characters, run together; worked out only when the
    # whole text's digest is new (detect.carry_forward), as it costs more than the rest of a read.
    sentence_digests: str = field(default="", compare=False)
    # The text itself, from the document just read: an edit alert quotes what changed.
    details: str = field(default="", compare=False, metadata=_TRANSIENT)

    def changed_sentences(self, before: GovernmentResponse) -> list[str]:
        """The sentences of the details that `before` did not have (needs the text)."""
        width, known = SENTENCE_DIGEST, before.sentence_digests
        seen = {known[i : i + width] for i in range(0, len(known), width)}
        return [s for s in details_sentences(self.details) if _sentence_digest(s) not in seen]

    def with_sentence_digests(self, known: str = "") -> GovernmentResponse:
        """The same response with its sentences' digests: `known` ones (of the same text, which
        then is not kept: nothing will quote it), or worked out from its text."""
        if known:
            return GovernmentResponse(
                self.responded_on, self.summary, self.details_digest, self.updated_at, known
            )
        digests = "".join(_sentence_digest(s) for s in details_sentences(self.details))
        return GovernmentResponse(
            self.responded_on, self.summary, self.details_digest, self.updated_at, digests,
            self.details,
        )  # fmt: skip


@dataclass(frozen=True)
class DebateOutcome:
    debated_on: date | None
    overview: str
    transcript_url: str = ""
    video_url: str = ""
    debate_pack_url: str = ""
    public_engagement_url: str = ""
    debate_summary_url: str = ""

    def links(self) -> dict[str, str]:
        """The non-empty links, by field name, in a stable order."""
        return {name: getattr(self, name) for name in DEBATE_LINK_FIELDS if getattr(self, name)}


@dataclass(frozen=True)
class BusinessItem:
    """One entry of `other_parliamentary_business`; `key` identifies it across fetches."""

    key: str
    subject: str
    body: str


@dataclass(frozen=True)
class PetitionSnapshot:
    id: int
    title: str
    state: str  # open | closed | rejected, as the site says
    signature_count: int
    observed_at: datetime  # when this snapshot was last checked against the clock
    # The site's own: it moves with every count change and every edit (see plan.from_list).
    updated_at: datetime | None = None
    archived: bool = False
    removed: bool = False
    opened_at: datetime | None = None
    closed_at: datetime | None = None
    closing_date: date | None = None
    response_threshold_reached_at: datetime | None = None
    government_response_at: datetime | None = None
    debate_threshold_reached_at: datetime | None = None
    scheduled_debate_date: date | None = None
    debate_outcome_at: datetime | None = None
    rejection_code: str | None = None
    rejection_details: str | None = None
    response: GovernmentResponse | None = None
    debate: DebateOutcome | None = None
    business: tuple[BusinessItem, ...] = ()
    response_threshold: int = DEFAULT_RESPONSE_THRESHOLD
    debate_threshold: int = DEFAULT_DEBATE_THRESHOLD
    # The debate as scheduled: the site's day with What's On's time and place (source.py).
    # Always written, even as null: a state without it was stored before sittings were.
    sitting: Sitting | None = field(default=None, metadata=_ALWAYS)
    # Memory carried from one snapshot to the next (see detect.carry_forward).
    peak_signature_count: int = 0
    response_threshold_seen: bool = False
    debate_threshold_seen: bool = False
    # The response deadline's clock: the earliest response threshold crossing ever seen.
    response_clock_at: datetime | None = None
    # The first read since the last good one that found the petition gone (410) or not found
    # (404), and which: a removal is told only once a later read confirms it.
    missing_since: datetime | None = None
    missing_status: str = ""
    # The departments that answer for it, (GOV.UK slug, name), as the site lists them (2020 on):
    # read fresh for the late list, never stored or compared.
    departments: tuple[tuple[str, str], ...] = field(default=(), compare=False, metadata=_TRANSIENT)
    # Signatures by Westminster constituency, (name, MP or "", count), from the petition's own
    # document only (never a list entry): read fresh for the lines a chat's constituency gets.
    constituencies: tuple[tuple[str, str, int], ...] = field(
        default=(), compare=False, metadata=_TRANSIENT
    )

    @property
    def dissolved_at(self) -> datetime | None:
        """When it closed at a dissolution of Parliament, if it did (dissolutions.py)."""
        closed = self.state == "closed" and closed_early(self.closed_at)
        return self.closed_at if closed else None


def parse_petition(document: Any, *, observed_at: datetime, archived: bool) -> PetitionSnapshot:
    """Parse a show response (`{"data": {...}}`) or one list item into a snapshot."""
    data = document.get("data") if isinstance(document, dict) else None
    if isinstance(data, dict) and "attributes" not in document:
        item = data
    elif isinstance(document, dict) and "attributes" in document:
        item = document
    else:
        raise PetitionParseError("no petition object in the document")
    attributes = item.get("attributes")
    petition_id = _int(item.get("id"))
    if not isinstance(attributes, dict) or petition_id is None:
        raise PetitionParseError("the petition has no id or attributes")

    # A document without these is not a petition, however well formed: trusting it would
    # alert on a made-up count or state.
    state = text_of(attributes.get("state"))
    count = attributes.get("signature_count")
    if not text_of(attributes.get("action")) or not state:
        raise PetitionParseError("the petition has no action or state")
    if not isinstance(count, int) or isinstance(count, bool) or count < 0:
        raise PetitionParseError("the petition's signature_count is not a whole number")
    parliament = item.get("parliament") if isinstance(item.get("parliament"), dict) else {}
    rejection = attributes.get("rejection") if isinstance(attributes.get("rejection"), dict) else {}
    rejected = state == "rejected"
    response_threshold = _int(parliament.get("response_threshold")) or DEFAULT_RESPONSE_THRESHOLD
    debate_threshold = _int(parliament.get("debate_threshold")) or DEFAULT_DEBATE_THRESHOLD
    return PetitionSnapshot(
        id=petition_id,
        title=text_of(attributes.get("action")),
        state=state,
        signature_count=count,
        observed_at=observed_at,
        updated_at=instant_of(attributes.get("updated_at")),
        archived=archived or item.get("type") == "archived-petition",
        opened_at=instant_of(attributes.get("opened_at", attributes.get("open_at"))),
        closed_at=instant_of(attributes.get("closed_at")),
        closing_date=day_of(attributes.get("closing_date")) if state == "open" else None,
        response_threshold_reached_at=instant_of(attributes.get("response_threshold_reached_at")),
        government_response_at=instant_of(attributes.get("government_response_at")),
        debate_threshold_reached_at=instant_of(attributes.get("debate_threshold_reached_at")),
        scheduled_debate_date=day_of(attributes.get("scheduled_debate_date")),
        debate_outcome_at=instant_of(attributes.get("debate_outcome_at")),
        # A 2019 capture shows an empty rejection object on an open petition: trust `state`.
        rejection_code=(text_of(rejection.get("code")) or None) if rejected else None,
        rejection_details=(text_of(rejection.get("details")) or None) if rejected else None,
        response=_response(attributes.get("government_response")),
        debate=_debate(attributes.get("debate")),
        business=_business(attributes.get("other_parliamentary_business")),
        response_threshold=response_threshold,
        debate_threshold=debate_threshold,
        departments=_departments(attributes.get("departments")),
        constituencies=_constituencies(attributes.get("signatures_by_constituency")),
        peak_signature_count=count,
        # A document from before the site kept a threshold's timestamp (2015's had no
        # `response_threshold_reached_at`) tells it only by the count.
        response_threshold_seen="response_threshold_reached_at" not in attributes
        and count >= response_threshold,
        debate_threshold_seen="debate_threshold_reached_at" not in attributes
        and count >= debate_threshold,
    )


def parse_list(document: dict[str, Any], *, observed_at: datetime) -> list[PetitionSnapshot]:
    """The petitions of a list page (`{links, data: [...]}`); an item that is not one is skipped."""
    snapshots = []
    for item in document.get("data") or ():
        try:
            snapshots.append(parse_petition(item, observed_at=observed_at, archived=False))
        except PetitionParseError:
            continue
    return snapshots


def has_next_page(document: dict[str, Any]) -> bool:
    links = document.get("links")
    return isinstance(links, dict) and bool(links.get("next"))


def _departments(value: Any) -> tuple[tuple[str, str], ...]:
    """`[{acronym, name, url}]` as (GOV.UK slug, name); the slug is the end of the url."""
    found = []
    for department in value if isinstance(value, list) else ():
        if not isinstance(department, dict):
            continue
        name, url = text_of(department.get("name")), text_of(department.get("url"))
        slug = url.rstrip("/").rpartition("/organisations/")[2] if "/organisations/" in url else ""
        if name or slug:
            found.append((slug, name or slug))
    return tuple(found)


def _constituencies(value: Any) -> tuple[tuple[str, str, int], ...]:
    """`[{name, ons_code, mp, signature_count}]` as (name, MP or "", count); `mp` is null when
    the seat has no sitting MP."""
    found = []
    for entry in value if isinstance(value, list) else ():
        if not isinstance(entry, dict):
            continue
        name, count = text_of(entry.get("name")), entry.get("signature_count")
        if name and isinstance(count, int) and not isinstance(count, bool) and count >= 0:
            found.append((name, text_of(entry.get("mp")), count))
    return tuple(found)


def _response(value: Any) -> GovernmentResponse | None:
    if not isinstance(value, dict):
        return None
    # Whole, not clipped like other text: an edit at its end is still an edit.
    details = value.get("details") if isinstance(value.get("details"), str) else ""
    details = details.replace("\r\n", "\n").strip()
    return GovernmentResponse(
        responded_on=day_of(value.get("responded_on")),
        summary=text_of(value.get("summary")),
        details_digest=_digest(details),
        updated_at=instant_of(value.get("updated_at")),
        details=details,
    )


def details_sentences(details: str) -> list[str]:
    """The sentences of a response's details, each on one line."""
    sentences = (" ".join(part.split()) for part in _SENTENCE_END.split(details))
    return [sentence for sentence in sentences if sentence]


def _debate(value: Any) -> DebateOutcome | None:
    if not isinstance(value, dict):
        return None
    return DebateOutcome(
        debated_on=day_of(value.get("debated_on")),
        overview=text_of(value.get("overview")),
        **{name: text_of(value.get(name)) for name in DEBATE_LINK_FIELDS},
    )


def _business(value: Any) -> tuple[BusinessItem, ...]:
    if not isinstance(value, list):
        return ()
    items = []
    for entry in value:
        if not isinstance(entry, dict):
            continue
        subject, body = text_of(entry.get("subject")), text_of(entry.get("body"))
        key = text_of(entry.get("created_at")) or _digest(subject + "\n" + body)
        items.append(BusinessItem(key=key, subject=subject, body=body))
    return tuple(items)


def _int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().isdecimal():
        return int(value)
    return None


def _sentence_digest(sentence: str) -> str:
    return _digest(sentence)[:SENTENCE_DIGEST]


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16] if text else ""


# --- storage form -------------------------------------------------------------------------------
# Snapshots are stored as plain JSON: datetimes as ISO 8601 with offset, dates as YYYY-MM-DD,
# nested records as objects, tuples as lists; a field at its default is left out.

_DATETIME_FIELDS = {
    "observed_at",
    "response_clock_at",
    "missing_since",
    "updated_at",
    "opened_at",
    "closed_at",
    "response_threshold_reached_at",
    "government_response_at",
    "debate_threshold_reached_at",
    "debate_outcome_at",
}
_DATE_FIELDS = {"closing_date", "scheduled_debate_date"}


def snapshot_to_dict(snapshot: PetitionSnapshot) -> dict[str, Any]:
    """The JSON-ready storage form of a snapshot."""
    return _jsonable(snapshot)


def snapshot_from_dict(stored: dict[str, Any]) -> PetitionSnapshot:
    """Rebuild a snapshot from its storage form; fields it does not know (written by a newer
    version) are ignored."""
    values = _known(PetitionSnapshot, stored)
    for name in _DATETIME_FIELDS:
        values[name] = instant_of(values.get(name))
    for name in _DATE_FIELDS:
        values[name] = day_of(values.get(name))
    if values.get("response"):
        response = _known(GovernmentResponse, values["response"])
        response["responded_on"] = day_of(response.get("responded_on"))
        response["updated_at"] = instant_of(response.get("updated_at"))
        if not isinstance(response.get("sentence_digests"), str):  # stored before they were
            response["sentence_digests"] = ""
        values["response"] = GovernmentResponse(**response)
    if "sitting" in stored:
        values["sitting"] = sitting_from_dict(values.get("sitting"))
    elif "sitting" not in stored and values["scheduled_debate_date"]:
        # Stored before sittings were: its debate as known then, the day alone.
        values["sitting"] = Sitting(values["scheduled_debate_date"])
    if values.get("debate"):
        debate = _known(DebateOutcome, values["debate"])
        debate["debated_on"] = day_of(debate.get("debated_on"))
        values["debate"] = DebateOutcome(**debate)
    values["business"] = tuple(
        BusinessItem(**_known(BusinessItem, item)) for item in values.get("business", ())
    )
    return PetitionSnapshot(**values)


def _known(record: type, stored: dict[str, Any]) -> dict[str, Any]:
    names = _field_names(record)
    return {name: value for name, value in stored.items() if name in names}


@functools.cache
def _field_names(record: type) -> frozenset[str]:
    return frozenset(f.name for f in fields(record) if f.metadata.get("stored", True))


def _jsonable(value: Any) -> Any:
    # Not dataclasses.asdict: it deep-copies every leaf, which dominates a poll cycle's cost;
    # dispatched on the exact type, as every petition's state is encoded every cycle. A field at
    # its default is left out (read back as the default): most are, and every state is kept
    # in memory and written each cycle.
    kind = type(value)
    if kind in _AS_IS:
        return value
    if kind is datetime or kind is date:
        return value.isoformat()
    if kind is list or kind is tuple:
        return [_jsonable(item) for item in value]
    stored = _stored_fields(kind)
    if stored is None:
        return value
    encoded = {}
    for name, default in stored:
        item = getattr(value, name)
        if item is not default and item != default:
            encoded[name] = _jsonable(item)
    return encoded


_AS_IS = frozenset({str, int, bool, float, type(None), dict})
_REQUIRED = object()  # a field without a default: always written


@functools.cache
def _stored_fields(kind: type) -> tuple[tuple[str, Any], ...] | None:
    """A dataclass's stored fields, in order, with their defaults; None for any other type."""
    if not is_dataclass(kind):
        return None
    return tuple(
        (f.name, _REQUIRED if f.default is MISSING or f.metadata.get("always") else f.default)
        for f in fields(kind)
        if f.metadata.get("stored", True)
    )


def mark_observed(snapshot: PetitionSnapshot, now: datetime, **changes: Any) -> PetitionSnapshot:
    """The same petition, checked again at `now` (optionally with a few fields changed)."""
    return replace(snapshot, observed_at=now, **changes)
