"""The debate listing: every petition debate known, joined from the petitions site and What's On.

Pure: no I/O. The petitions site's `awaiting_debate`, `debated` and `not_debated` lists say which
petitions are waiting for, have had, or were refused a debate, and the date; What's On adds the
time, its event, and cancellations. Stored as `{"debates": {<petition id>: <debate_to_dict>}}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields, replace
from datetime import date
from typing import Any

from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.whatson.parse import ListedDebate

KIND = "debates"
ALL = "all"


@dataclass(frozen=True)
class Debate:
    petition_id: int
    title: str
    signatures: int | None  # None when only What's On knows the petition
    day: date | None  # the date set, or the date it was held
    time: str = ""  # "16:30" when What's On lists it
    event_id: int | None = None  # What's On's event
    held: bool = False
    not_debated: bool = False
    cancelled: bool = False  # What's On marked the event cancelled
    overview: str = ""  # the debate's overview, or the committee's reason for not debating
    links: dict[str, str] = field(default_factory=dict)  # transcript_url, video_url, ...

    @property
    def scheduled(self) -> bool:
        return self.day is not None and not (self.held or self.not_debated or self.cancelled)


def from_petition(snapshot: PetitionSnapshot, *, held: bool, not_debated: bool) -> Debate:
    outcome = snapshot.debate
    day = snapshot.scheduled_debate_date
    if held and outcome is not None and outcome.debated_on is not None:
        day = outcome.debated_on
    return Debate(
        petition_id=snapshot.id,
        title=snapshot.title,
        signatures=snapshot.signature_count,
        day=day,
        held=held,
        not_debated=not_debated,
        overview=outcome.overview if outcome else "",
        links=outcome.links() if outcome else {},
    )


def join(
    awaiting: list[PetitionSnapshot],
    debated: list[PetitionSnapshot],
    not_debated: list[PetitionSnapshot],
    listed: dict[int, ListedDebate],
) -> dict[int, Debate]:
    """Every petition debate the two sources know, by petition id."""
    debates: dict[int, Debate] = {}
    for snapshot in not_debated:
        debates[snapshot.id] = from_petition(snapshot, held=False, not_debated=True)
    for snapshot in debated:
        debates[snapshot.id] = from_petition(snapshot, held=True, not_debated=False)
    for snapshot in awaiting:
        debates[snapshot.id] = from_petition(snapshot, held=False, not_debated=False)
    for petition_id, event in listed.items():
        known = debates.get(petition_id)
        if known is None:
            known = Debate(petition_id, _topic(event.description), None, event.day)
        if known.held or known.not_debated:
            continue
        debates[petition_id] = replace(
            known,
            day=known.day or event.day,
            time=event.time if event.day == (known.day or event.day) else "",
            event_id=event.event_id,
            cancelled=event.cancelled,
        )
    return debates


def _topic(description: str) -> str:
    """What's On's "e-petition 700001 relating to X" as "X" (capitalised), for a title."""
    _, found, topic = description.partition("relating to ")
    topic = topic.strip() if found else description
    return topic[:1].upper() + topic[1:]


def debate_to_dict(debate: Debate) -> dict[str, Any]:
    stored = {f.name: getattr(debate, f.name) for f in fields(debate)}
    stored["day"] = debate.day.isoformat() if debate.day else None
    stored["links"] = dict(debate.links)
    return stored


def debate_from_dict(stored: dict[str, Any]) -> Debate:
    values = dict(stored)
    values["day"] = date.fromisoformat(values["day"]) if values.get("day") else None
    return Debate(**values)


def listing_to_state(debates: dict[int, Debate]) -> dict[str, Any]:
    return {"debates": {str(pid): debate_to_dict(d) for pid, d in sorted(debates.items())}}


def listing_from_state(state: dict[str, Any]) -> dict[int, Debate]:
    return {int(pid): debate_from_dict(d) for pid, d in state.get("debates", {}).items()}
