"""The debate listing: every petition debate known, joined from the petitions site and What's On.

Pure: no I/O. The petitions site's `awaiting_debate`, `debated` and `not_debated` lists say which
petitions are waiting for, have had, or were refused a debate, and the day; What's On adds the
time, the place, its event, the live link and cancellations (bot.sources.petitions.debating
joins the two the same way for a followed petition). One What's On debate on several petitions
is each one's. Stored as `{"debates": {<petition id>: <debate_to_dict>}, "checked_at": <ISO>}`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

from bot.sources.petitions.debating import (
    Sitting,
    listed_sitting,
    sitting_from_dict,
    sitting_of,
    sitting_to_dict,
)
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.values import day_of, instant_of
from bot.sources.whatson.parse import ListedDebate

KIND = "debates"
ALL = "all"


@dataclass(frozen=True)
class Debate:
    petition_id: int
    title: str
    signatures: int | None  # None when only What's On knows the petition
    sitting: Sitting | None = None  # as scheduled; None while no day is set
    held_on: date | None = None  # the day it was debated, once held
    held: bool = False
    not_debated: bool = False
    overview: str = ""  # the debate's overview, or the committee's reason for not debating
    links: dict[str, str] = field(default_factory=dict)  # transcript_url, video_url, ...

    @property
    def scheduled(self) -> bool:
        """To come, or due: a day set, not cancelled, no outcome yet."""
        live = self.sitting is not None and not self.sitting.cancelled
        return live and not (self.held or self.not_debated)

    @property
    def day(self) -> date | None:
        return self.held_on if self.held else (self.sitting.day if self.sitting else None)


def from_petition(
    snapshot: PetitionSnapshot, listed: ListedDebate | None, *, held: bool, not_debated: bool
) -> Debate:
    outcome = snapshot.debate
    held_on = None
    if held:
        outcome_day = outcome.debated_on if outcome is not None else None
        held_on = outcome_day or snapshot.scheduled_debate_date
    return Debate(
        petition_id=snapshot.id,
        title=snapshot.title,
        signatures=snapshot.signature_count,
        sitting=sitting_of(snapshot.scheduled_debate_date, listed),
        held_on=held_on,
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
    """Every petition debate the two sources know, by petition id. The site's day is the
    debate's; What's On's time and place go with it on that day, and What's On alone tells of a
    petition the site's lists do not show."""
    debates: dict[int, Debate] = {}
    for snapshot in not_debated:
        debates[snapshot.id] = from_petition(snapshot, None, held=False, not_debated=True)
    for snapshot in debated:
        debates[snapshot.id] = from_petition(snapshot, None, held=True, not_debated=False)
    for snapshot in awaiting:
        debates[snapshot.id] = from_petition(
            snapshot, listed.get(snapshot.id), held=False, not_debated=False
        )
    for petition_id, event in listed.items():
        if petition_id not in debates:
            debates[petition_id] = Debate(
                petition_id, _topic(event.description), None, listed_sitting(event)
            )
    return debates


def _topic(description: str) -> str:
    """What's On's "e-petition 700001 relating to X" as "X" (capitalised), for a title."""
    _, found, topic = description.partition("relating to ")
    topic = topic.strip() if found else description
    return topic[:1].upper() + topic[1:]


def debate_to_dict(debate: Debate) -> dict[str, Any]:
    stored = {f.name: getattr(debate, f.name) for f in fields(debate)}
    stored["sitting"] = sitting_to_dict(debate.sitting)
    stored["held_on"] = debate.held_on.isoformat() if debate.held_on else None
    stored["links"] = dict(debate.links)
    return stored


def debate_from_dict(stored: dict[str, Any]) -> Debate:
    values = {name: stored[name] for name in _FIELDS if name in stored}
    if "sitting" in stored:
        values["sitting"] = sitting_from_dict(stored["sitting"])
        values["held_on"] = day_of(stored.get("held_on"))
    else:  # stored before sittings were: a day, a time, an event and a cancellation
        day = day_of(stored.get("day"))
        if stored.get("held"):
            values["held_on"] = day
        elif day is not None:
            values["sitting"] = Sitting(
                day,
                stored.get("time") or "",
                event_id=stored.get("event_id"),
                cancelled=bool(stored.get("cancelled")),
            )
    return Debate(**values)


_FIELDS = tuple(f.name for f in fields(Debate))


def listing_to_state(debates: dict[int, Debate], checked_at: datetime) -> dict[str, Any]:
    return {
        "debates": {str(pid): debate_to_dict(d) for pid, d in sorted(debates.items())},
        "checked_at": checked_at.isoformat(),
    }


def listing_from_state(state: dict[str, Any]) -> dict[int, Debate]:
    return {int(pid): debate_from_dict(d) for pid, d in state.get("debates", {}).items()}


def checked_at(state: dict[str, Any]) -> datetime | None:
    """When the stored listing was last read (None: before reminders were)."""
    return instant_of(state.get("checked_at"))
