"""The Members API's constituency search, as the bot needs it.

Pure: no I/O. `GET /api/Location/Constituency/Search` answers `{items: [{value: {id, name,
startDate, endDate, currentRepresentation: {member: {value: {nameDisplayAs, latestParty:
{name}}}}}, links}], totalResults, ...}` (the official spec's
ConstituencyMembersServiceSearchResult); a constituency that no longer exists has an `endDate`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sources.notes import note_drift
from bot.sources.values import text_of


@dataclass(frozen=True)
class Constituency:
    id: int
    name: str
    mp: str  # "Name (Party)", or "" when the seat has no MP


def parse_search(document: Any) -> list[Constituency]:
    """The current constituencies in a search answer."""
    items = document.get("items") if isinstance(document, dict) else None
    if not isinstance(items, list):
        note_drift("constituency search: an 'items' list")
        return []
    found = []
    for item in items:
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, dict) or value.get("endDate"):
            continue
        constituency_id, name = value.get("id"), text_of(value.get("name"))
        if isinstance(constituency_id, int) and name:
            found.append(Constituency(constituency_id, name, _member(value)))
    return found


def parse_one(document: Any) -> Constituency | None:
    """`GET /api/Location/Constituency/{id}`: `{value, links}`."""
    found = parse_search({"items": [document]}) if isinstance(document, dict) else []
    return found[0] if found else None


def _member(value: dict[str, Any]) -> str:
    representation = value.get("currentRepresentation")
    member = representation.get("member") if isinstance(representation, dict) else None
    member = member.get("value") if isinstance(member, dict) else None
    if not isinstance(member, dict):
        return ""
    name = text_of(member.get("nameDisplayAs"))
    party = member.get("latestParty")
    party_name = text_of(party.get("name")) if isinstance(party, dict) else ""
    return f"{name} ({party_name})" if name and party_name else name
