"""Change detection for petitions: (previous snapshot, new snapshot, now) to events.

Pure: no I/O, no clock of its own. Every event has a stable key (`petition:<id>:<what>`), so the
same news is recognised across restarts, count dips and re-crossings. Time-based events (the
response falling overdue, weekly reminders, closing soon) fire when their instant falls inside
(previous.observed_at, now], so a newly followed petition never replays its history and a bot
that was down for weeks sends one reminder, not a backlog.
"""

from __future__ import annotations

import bisect
from dataclasses import dataclass, replace
from datetime import datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.preferences import GRANULARITIES, MILESTONES
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.text import LONDON

# The government has agreed to respond within 21 days of the response threshold.
RESPONSE_DUE_AFTER = timedelta(days=21)
OVERDUE_REMINDER_EVERY = timedelta(days=7)
CLOSING_SOON_BEFORE = timedelta(hours=24)
_FIXED_MILESTONES = (
    100, 500, 1_000, 5_000, 10_000, 25_000, 50_000, 100_000, 150_000, 200_000, 250_000,
    500_000, 750_000, 1_000_000,
)  # fmt: skip
_MILESTONE_STEP_AFTER_LADDER = 500_000
_EVERY = {"1000": 1_000, "10000": 10_000}
_FIRST_TENTH = 100  # "every 10%" starts here: below it, 10% is a signature or two
_TENTHS_UP_TO = 10**9  # beyond any petition: the largest ever had some 6 million signatures


@dataclass(frozen=True)
class CountStep:
    """A count alert's step: `value` signatures, on the ladder of `granularity`."""

    value: int
    granularity: str


class EventKind(StrEnum):
    MILESTONE = "milestone"
    RESPONSE_THRESHOLD = "response-threshold"
    DEBATE_THRESHOLD = "debate-threshold"
    RESPONSE_PUBLISHED = "response"
    RESPONSE_EDITED = "response-edited"
    RESPONSE_OVERDUE = "overdue"
    DEBATE_SCHEDULED = "debate-scheduled"
    DEBATE_RESCHEDULED = "debate-rescheduled"
    DEBATE_CANCELLED = "debate-cancelled"
    DEBATE_HELD = "debate-held"
    NOT_DEBATED = "not-debated"
    DEBATE_LINKS = "debate-links"
    OTHER_BUSINESS = "business"
    CLOSING_SOON = "closing-soon"
    CLOSED = "closed"
    CLOSING_DATE_CHANGED = "closing-date"
    REJECTED = "rejected"
    REMOVED = "removed"
    RESTORED = "restored"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class PetitionEvent:
    kind: EventKind
    key: str
    petition: PetitionSnapshot  # the petition as it is now
    previous: PetitionSnapshot
    # What the kind needs beyond the two snapshots: the milestone reached, the reminder number,
    # the new business item, the names of the debate links added, what changed in a response.
    detail: Any = None


def milestone_ladder(up_to: int) -> list[int]:
    """Every milestone from the lowest up to and including `up_to`."""
    steps = [m for m in _FIXED_MILESTONES if m <= up_to]
    extra = _FIXED_MILESTONES[-1] + _MILESTONE_STEP_AFTER_LADDER
    while extra <= up_to:
        steps.append(extra)
        extra += _MILESTONE_STEP_AFTER_LADDER
    return steps


def _tenths() -> tuple[int, ...]:
    steps: list[int] = []
    value = float(_FIRST_TENTH)
    while (step := _two_figures(value)) <= _TENTHS_UP_TO:
        if not steps or step > steps[-1]:
            steps.append(step)
        value *= 1.1
    return tuple(steps)


def _two_figures(value: float) -> int:
    """`value` rounded to two significant figures: steps people read at a glance."""
    magnitude = 10 ** max(len(str(int(value))) - 2, 0)
    return round(value / magnitude) * magnitude


# The "every 10%" ladder, computed once: each step about 10% above the last.
TENTHS = _tenths()


def step_at_or_below(granularity: str, count: int) -> int | None:
    """The highest step of a granularity's ladder at or below `count` (None below the first)."""
    if granularity == MILESTONES:
        ladder = milestone_ladder(count)
        return ladder[-1] if ladder else None
    if granularity in _EVERY:
        return count // _EVERY[granularity] * _EVERY[granularity] or None
    index = bisect.bisect_right(TENTHS, count)
    return TENTHS[index - 1] if index else None


def next_count_step(granularity: str, count: int) -> int | None:
    """The step after `count` on a granularity's ladder."""
    if granularity == MILESTONES:
        above = [m for m in _FIXED_MILESTONES if m > count]
        if above:
            return above[0]
        beyond = (count - _FIXED_MILESTONES[-1]) // _MILESTONE_STEP_AFTER_LADDER + 1
        return _FIXED_MILESTONES[-1] + beyond * _MILESTONE_STEP_AFTER_LADDER
    if granularity in _EVERY:
        return (count // _EVERY[granularity] + 1) * _EVERY[granularity]
    index = bisect.bisect_right(TENTHS, count)
    return TENTHS[index] if index < len(TENTHS) else None


def closing_deadline(snapshot: PetitionSnapshot) -> datetime | None:
    """The instant signing ends: the end of `closing_date` in London."""
    if snapshot.closing_date is None:
        return None
    day_after = snapshot.closing_date + timedelta(days=1)
    return datetime.combine(day_after, time(0), tzinfo=LONDON)


def response_due_at(snapshot: PetitionSnapshot) -> datetime | None:
    """When the government response falls due, if the response threshold is reached."""
    reached = snapshot.response_threshold_reached_at
    return None if reached is None else reached + RESPONSE_DUE_AFTER


def carry_forward(previous: PetitionSnapshot | None, new: PetitionSnapshot) -> PetitionSnapshot:
    """`new`, with the memory of `previous` (peak count, thresholds ever reached) folded in."""
    if previous is None:
        previous = new
    return replace(
        new,
        peak_signature_count=max(
            previous.peak_signature_count, new.peak_signature_count, new.signature_count
        ),
        response_threshold_seen=previous.response_threshold_seen
        or new.response_threshold_reached_at is not None,
        debate_threshold_seen=previous.debate_threshold_seen
        or new.debate_threshold_reached_at is not None,
    )


def detect_events(
    previous: PetitionSnapshot, new: PetitionSnapshot, now: datetime
) -> list[PetitionEvent]:
    """What happened to the petition between `previous` and `new`, in the order worth telling."""
    found: list[tuple[EventKind, str, Any]] = []
    day = now.date().isoformat()  # a petition can be taken down and put back more than once
    if new.removed:
        if not previous.removed:
            found.append((EventKind.REMOVED, f"removed:{day}", None))
        return _events(found, previous, new)
    if previous.removed:
        found.append((EventKind.RESTORED, f"restored:{day}", None))
    if new.archived and not previous.archived:
        found.append((EventKind.ARCHIVED, "archived", None))
    found += _state_changes(previous, new)
    found += _thresholds_and_milestones(previous, new)
    found += _response_changes(previous, new, now)
    found += _debate_changes(previous, new)
    found += [
        (EventKind.OTHER_BUSINESS, f"business:{item.key}", item)
        for item in new.business
        if item.key not in {seen.key for seen in previous.business}
    ]
    found += _closing_soon(previous, new, now)
    return _events(found, previous, new)


def _events(
    found: list[tuple[EventKind, str, Any]], previous: PetitionSnapshot, new: PetitionSnapshot
) -> list[PetitionEvent]:
    return [
        PetitionEvent(kind, f"petition:{new.id}:{suffix}", new, previous, detail)
        for kind, suffix, detail in found
    ]


def _state_changes(previous: PetitionSnapshot, new: PetitionSnapshot) -> list[tuple]:
    found: list[tuple] = []
    if new.state == "rejected" and previous.state != "rejected":
        found.append((EventKind.REJECTED, "rejected", None))
    if previous.state == "open" and new.state == "closed":
        found.append((EventKind.CLOSED, "closed", None))
    if (
        previous.state == new.state == "open"
        and previous.closing_date is not None
        and new.closing_date is not None
        and previous.closing_date != new.closing_date
    ):
        found.append(
            (EventKind.CLOSING_DATE_CHANGED, f"closing-date:{new.closing_date.isoformat()}", None)
        )
    return found


def _thresholds_and_milestones(previous: PetitionSnapshot, new: PetitionSnapshot) -> list[tuple]:
    found: list[tuple] = []
    # Timestamps reset to null when the count dips back; `*_seen` keeps a re-crossing quiet.
    if new.response_threshold_reached_at and not previous.response_threshold_seen:
        found.append((EventKind.RESPONSE_THRESHOLD, "threshold:response", None))
    if new.debate_threshold_reached_at and not previous.debate_threshold_seen:
        found.append((EventKind.DEBATE_THRESHOLD, "threshold:debate", None))
    # A threshold message already gives the count; one message per crossing is enough. Each
    # granularity's highest step crossed, from the peak: a dip and re-crossing stays quiet.
    if found or new.signature_count <= previous.peak_signature_count:
        return found
    for granularity in GRANULARITIES:
        highest = step_at_or_below(granularity, new.signature_count)
        if highest is not None and highest > previous.peak_signature_count:
            prefix = "milestone" if granularity == MILESTONES else f"count-{granularity}"
            step = CountStep(highest, granularity)
            found.append((EventKind.MILESTONE, f"{prefix}:{step.value}", step))
    return found


def _response_changes(
    previous: PetitionSnapshot, new: PetitionSnapshot, now: datetime
) -> list[tuple]:
    old_response, response = previous.response, new.response
    if response is not None and old_response is None:
        published = response.responded_on or (
            new.government_response_at.date() if new.government_response_at else None
        )
        suffix = f"response:{published.isoformat()}" if published else "response"
        return [(EventKind.RESPONSE_PUBLISHED, suffix, None)]
    if response is not None and old_response is not None:
        changed = [
            part
            for part, before, after in (
                ("summary", old_response.summary, response.summary),
                ("details", old_response.details_digest, response.details_digest),
            )
            if before != after
        ]
        if changed:
            version = (
                response.updated_at.isoformat()
                if response.updated_at
                else "-".join([response.details_digest, response.summary[:20]])
            )
            return [(EventKind.RESPONSE_EDITED, f"response-edited:{version}", tuple(changed))]
        return []
    due = response_due_at(new)
    if response is not None or new.government_response_at or due is None:
        return []
    if new.state == "rejected" or now < due:
        return []
    # The latest reminder instant at or before now: 0 is the first "overdue" alert.
    reminder = int((now - due) / OVERDUE_REMINDER_EVERY)
    if due + reminder * OVERDUE_REMINDER_EVERY <= previous.observed_at:
        return []
    threshold_day = new.response_threshold_reached_at.date().isoformat()  # type: ignore[union-attr]
    return [(EventKind.RESPONSE_OVERDUE, f"overdue:{threshold_day}:{reminder}", reminder)]


def _debate_changes(previous: PetitionSnapshot, new: PetitionSnapshot) -> list[tuple]:
    found: list[tuple] = []
    old_date, new_date = previous.scheduled_debate_date, new.scheduled_debate_date
    if new_date and old_date is None and new.debate_outcome_at is None:
        found.append((EventKind.DEBATE_SCHEDULED, f"debate-scheduled:{new_date.isoformat()}", None))
    elif new_date and old_date and new_date != old_date:
        suffix = f"debate-rescheduled:{old_date.isoformat()}:{new_date.isoformat()}"
        found.append((EventKind.DEBATE_RESCHEDULED, suffix, None))
    elif old_date and new_date is None and new.debate_outcome_at is None:
        found.append((EventKind.DEBATE_CANCELLED, f"debate-cancelled:{old_date.isoformat()}", None))

    old_debate, debate = previous.debate, new.debate
    held_before = old_debate is not None and old_debate.debated_on is not None
    if debate is not None and debate.debated_on is not None and not held_before:
        found.append((EventKind.DEBATE_HELD, f"debate-held:{debate.debated_on.isoformat()}", None))
        return found
    refused_before = previous.debate_outcome_at is not None and not held_before
    if debate is not None and debate.debated_on is None and new.debate_outcome_at:
        if not refused_before:
            found.append((EventKind.NOT_DEBATED, "not-debated", None))
        return found
    if debate is not None and old_debate is not None:
        added = tuple(name for name in debate.links() if name not in old_debate.links())
        if added:
            found.append((EventKind.DEBATE_LINKS, "debate-links:" + "+".join(added), added))
    return found


def _closing_soon(previous: PetitionSnapshot, new: PetitionSnapshot, now: datetime) -> list[tuple]:
    deadline = closing_deadline(new)
    if new.state != "open" or deadline is None:
        return []
    soon = deadline - CLOSING_SOON_BEFORE
    if previous.observed_at < soon <= now < deadline:
        assert new.closing_date is not None
        return [(EventKind.CLOSING_SOON, f"closing-soon:{new.closing_date.isoformat()}", None)]
    return []
