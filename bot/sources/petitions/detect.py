"""Change detection for petitions: (previous snapshot, new snapshot, now) to events.

Pure: no I/O, no clock of its own. Every event has a stable key (`petition:<id>:<what>`), so the
same news is recognised across restarts, count dips and re-crossings. News that replaces what was
said before on one topic (the debate's day and time, the closing date, whether the petition is on
the site) also carries its `told` value, so a change back is told again (Alert.told). Time-based
events (the response falling overdue and its weekly reminders, on the London calendar
(deadline.py); debate reminders; closing soon) fire when their instant falls inside
(previous.observed_at, now], so a newly followed petition never replays its history and a bot
that was down for weeks sends one reminder, not a backlog.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.preferences import GRANULARITIES, MILESTONES
from bot.sources.petitions.deadline import due_day, london_day, overdue_reminder
from bot.sources.petitions.debating import TOPIC, reminder_due, sitting_changes
from bot.sources.petitions.dissolutions import KNOWN, Dissolution, dissolution_of, spanning
from bot.sources.petitions.model import GovernmentResponse, PetitionSnapshot
from bot.sources.text import LONDON

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
    DEBATE_SCHEDULING = "debate-scheduling"  # detail: debating.SittingChange
    DEBATE_REMINDER = "debate-reminder"  # detail: debating.SittingChange
    DEBATE_HELD = "debate-held"
    NOT_DEBATED = "not-debated"
    DEBATE_LINKS = "debate-links"
    OTHER_BUSINESS = "business"
    CLOSING_SOON = "closing-soon"
    CLOSED = "closed"  # detail: the Dissolution it closed at, or None
    CLOSING_DATE_CHANGED = "closing-date"
    REJECTED = "rejected"
    REMOVED = "removed"  # detail: "gone" (410) or "not-found" (404)
    RESTORED = "restored"
    ARCHIVED = "archived"


@dataclass(frozen=True)
class ResponseEdit:
    """What an edit of the government response changed: the parts, and the sentences of the
    details it added (when the new text is at hand) or whether it only took some out."""

    parts: tuple[str, ...]  # "summary", "details"
    added: tuple[str, ...] = ()
    removed_only: bool = False


@dataclass(frozen=True)
class Overdue:
    """An overdue alert: 0 the first, n the n-th weekly reminder; with the general election
    that intervened while the government was due to respond, if one did."""

    reminder: int
    election: Dissolution | None = None


@dataclass(frozen=True)
class PetitionEvent:
    kind: EventKind
    key: str
    petition: PetitionSnapshot  # the petition as it is now
    previous: PetitionSnapshot
    # What the kind needs beyond the two snapshots: the milestone reached, the reminder number,
    # the new business item, the names of the debate links added, what changed in a response.
    detail: Any = None
    # (topic, value) of news that replaces what was said before on one topic (Alert.told).
    told: tuple[str, str] | None = None


def milestone_ladder(up_to: int) -> list[int]:
    """Every milestone from the lowest up to and including `up_to`."""
    steps = [m for m in _FIXED_MILESTONES if m <= up_to]
    extra = _FIXED_MILESTONES[-1] + _MILESTONE_STEP_AFTER_LADDER
    while extra <= up_to:
        steps.append(extra)
        extra += _MILESTONE_STEP_AFTER_LADDER
    return steps


def _tenths() -> tuple[int, ...]:
    """Each step the one before plus 10%, rounded to two significant figures: every step is
    8 to 12% above the last (chained from the rounded step, never drifting to a gap of 18%)."""
    steps = [_FIRST_TENTH]
    while steps[-1] <= _TENTHS_UP_TO:
        steps.append(max(_two_figures(steps[-1] * 1.1), steps[-1] + 1))
    return tuple(steps[:-1])


def _two_figures(value: float) -> int:
    """`value` rounded to two significant figures: steps people read at a glance."""
    magnitude = 10 ** max(len(str(int(value))) - 2, 0)
    return int(value / magnitude + 0.5) * magnitude


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


def response_due_on(snapshot: PetitionSnapshot) -> date | None:
    """The day the government response is due by, once the response clock runs."""
    clock = snapshot.response_clock_at
    return None if clock is None else due_day(clock)


def carry_forward(previous: PetitionSnapshot | None, new: PetitionSnapshot) -> PetitionSnapshot:
    """`new`, with the memory of `previous` folded in: the peak count, the thresholds ever
    passed and the response clock. What has happened is read from every field the document has
    (a response, a debate outcome; the count where the schema had no threshold timestamps, see
    model.parse_petition), not only from the threshold timestamps: an old or archived document
    may lack them, and must not make news of what happened long ago."""
    if previous is None:
        previous = new
    clocks = [
        clock
        for clock in (
            previous.response_clock_at,
            new.response_clock_at,
            new.response_threshold_reached_at,
        )
        if clock is not None
    ]
    debate_passed = (
        new.debate_threshold_reached_at is not None
        or new.debate_outcome_at is not None
        or new.debate is not None
    )
    response_passed = (
        debate_passed
        or new.response_threshold_reached_at is not None
        or new.government_response_at is not None
        or new.response is not None
    )
    return replace(
        new,
        response=_with_sentences(previous.response, new.response),
        peak_signature_count=max(
            previous.peak_signature_count, new.peak_signature_count, new.signature_count
        ),
        response_threshold_seen=previous.response_threshold_seen or response_passed,
        debate_threshold_seen=previous.debate_threshold_seen or debate_passed,
        response_clock_at=min(clocks) if clocks else None,
    )


def _with_sentences(
    before: GovernmentResponse | None, after: GovernmentResponse | None
) -> GovernmentResponse | None:
    """`after` with its sentences' digests: the ones it had, the ones `before` had for the same
    text, or worked out afresh from its text (a new or edited response)."""
    if after is None or after.sentence_digests or not after.details:
        return after
    same = before is not None and before.details_digest == after.details_digest
    if same and before is not None and before.sentence_digests:
        return after.with_sentence_digests(before.sentence_digests)
    return after.with_sentence_digests()


def detect_events(
    previous: PetitionSnapshot,
    new: PetitionSnapshot,
    now: datetime,
    dissolutions: Sequence[Dissolution] = KNOWN,
) -> list[PetitionEvent]:
    """What happened to the petition between `previous` and `new`, in the order worth telling.
    `dissolutions` are the ones known so far (a closing at one is told as such)."""
    found: list[_Found] = []
    day = now.date().isoformat()  # a petition can be taken down and put back more than once
    if new.removed:
        if not previous.removed:
            found.append(
                _Found(
                    EventKind.REMOVED, f"removed:{day}", new.missing_status, _PRESENCE, "removed"
                )
            )
        return _events(found, previous, new)
    if previous.removed:
        found.append(_Found(EventKind.RESTORED, f"restored:{day}", None, _PRESENCE, "present"))
    if new.archived and not previous.archived:
        found.append(_Found(EventKind.ARCHIVED, "archived"))
    found += _state_changes(previous, new, dissolutions)
    found += _thresholds_and_milestones(previous, new)
    found += _response_changes(previous, new, now, dissolutions)
    found += _debate_changes(previous, new, now)
    found += [
        _Found(EventKind.OTHER_BUSINESS, f"business:{item.key}", item)
        for item in new.business
        if item.key not in {seen.key for seen in previous.business}
    ]
    found += _closing_soon(previous, new, now)
    return _events(found, previous, new)


_PRESENCE = "presence"  # told topic: on the site or removed
_CLOSING = "closing"  # told topic: the closing date


@dataclass(frozen=True)
class _Found:
    kind: EventKind
    suffix: str
    detail: Any = None
    topic: str = ""  # told topic, if the news replaces what was said on it
    value: str = ""


def _events(
    found: list[_Found], previous: PetitionSnapshot, new: PetitionSnapshot
) -> list[PetitionEvent]:
    return [
        PetitionEvent(
            item.kind,
            f"petition:{new.id}:{item.suffix}",
            new,
            previous,
            item.detail,
            (f"petition:{new.id}:{item.topic}", item.value) if item.topic else None,
        )
        for item in found
    ]


def _state_changes(
    previous: PetitionSnapshot, new: PetitionSnapshot, dissolutions: Sequence[Dissolution]
) -> list[_Found]:
    found: list[_Found] = []
    if new.state == "rejected" and previous.state != "rejected":
        found.append(_Found(EventKind.REJECTED, "rejected"))
    if previous.state == "open" and new.state == "closed":
        dissolved = new.dissolved_at
        detail = dissolution_of(dissolved, dissolutions) if dissolved else None
        found.append(_Found(EventKind.CLOSED, "closed", detail))
    old_day, new_day = previous.closing_date, new.closing_date
    if previous.state == new.state == "open" and old_day and new_day and old_day != new_day:
        suffix = f"closing-date:{old_day.isoformat()}:{new_day.isoformat()}"
        found.append(
            _Found(EventKind.CLOSING_DATE_CHANGED, suffix, None, _CLOSING, new_day.isoformat())
        )
    return found


def _thresholds_and_milestones(previous: PetitionSnapshot, new: PetitionSnapshot) -> list[_Found]:
    found: list[_Found] = []
    # Timestamps reset to null when the count dips back; `*_seen` keeps a re-crossing quiet.
    if new.response_threshold_reached_at and not previous.response_threshold_seen:
        found.append(_Found(EventKind.RESPONSE_THRESHOLD, "threshold:response"))
    if new.debate_threshold_reached_at and not previous.debate_threshold_seen:
        found.append(_Found(EventKind.DEBATE_THRESHOLD, "threshold:debate"))
    # A threshold message already gives the count; one message per crossing is enough. Each
    # granularity's highest step crossed, from the peak: a dip and re-crossing stays quiet.
    if found or new.signature_count <= previous.peak_signature_count:
        return found
    for granularity in GRANULARITIES:
        highest = step_at_or_below(granularity, new.signature_count)
        if highest is not None and highest > previous.peak_signature_count:
            prefix = "milestone" if granularity == MILESTONES else f"count-{granularity}"
            step = CountStep(highest, granularity)
            found.append(_Found(EventKind.MILESTONE, f"{prefix}:{step.value}", step))
    return found


def _response_changes(
    previous: PetitionSnapshot,
    new: PetitionSnapshot,
    now: datetime,
    dissolutions: Sequence[Dissolution],
) -> list[_Found]:
    old_response, response = previous.response, new.response
    clock = new.response_clock_at
    if response is not None and old_response is None:
        published = response.responded_on or (
            new.government_response_at.date() if new.government_response_at else None
        )
        suffix = f"response:{published.isoformat()}" if published else "response"
        election = (
            spanning(clock, new.government_response_at or now, dissolutions) if clock else None
        )
        return [_Found(EventKind.RESPONSE_PUBLISHED, suffix, election)]
    if response is not None and old_response is not None:
        edit = _response_edit(old_response, response)
        if edit is None:
            return []
        version = (
            response.updated_at.isoformat()
            if response.updated_at
            else "-".join([response.details_digest, response.summary[:20]])
        )
        return [_Found(EventKind.RESPONSE_EDITED, f"response-edited:{version}", edit)]
    due = response_due_on(new)
    if response is not None or new.government_response_at or due is None:
        return []
    if new.state == "rejected":
        return []
    reminder = overdue_reminder(due, previous.observed_at, now)
    if reminder is None:
        return []
    assert clock is not None
    suffix = f"overdue:{london_day(clock).isoformat()}:{reminder}"
    detail = Overdue(reminder, spanning(clock, now, dissolutions))
    return [_Found(EventKind.RESPONSE_OVERDUE, suffix, detail)]


def _response_edit(before: GovernmentResponse, after: GovernmentResponse) -> ResponseEdit | None:
    parts = []
    if before.summary != after.summary:
        parts.append("summary")
    # A response stored before the details were digested whole has no sentence digests: its
    # digest is of another text, and comparing it would make every long response "edited".
    comparable = bool(before.sentence_digests) or not before.details_digest
    if comparable and before.details_digest != after.details_digest:
        parts.append("details")
    if not parts:
        return None
    added = tuple(after.changed_sentences(before)) if "details" in parts else ()
    removed_only = "details" in parts and not added and bool(after.details)
    return ResponseEdit(tuple(parts), added, removed_only)


def _debate_changes(
    previous: PetitionSnapshot, new: PetitionSnapshot, now: datetime
) -> list[_Found]:
    old_debate, debate = previous.debate, new.debate
    held_before = old_debate is not None and old_debate.debated_on is not None
    if debate is not None and debate.debated_on is not None and not held_before:
        # Held: the news, whatever the site did to the scheduled day on recording it.
        return [_Found(EventKind.DEBATE_HELD, f"debate-held:{debate.debated_on.isoformat()}")]
    refused_before = previous.debate_outcome_at is not None and not held_before
    if debate is not None and debate.debated_on is None and new.debate_outcome_at:
        return [] if refused_before else [_Found(EventKind.NOT_DEBATED, "not-debated")]
    if debate is not None and old_debate is not None:
        added = tuple(name for name in debate.links() if name not in old_debate.links())
        if added:
            return [_Found(EventKind.DEBATE_LINKS, "debate-links:" + "+".join(added), added)]
    if new.debate_outcome_at is not None or held_before:
        return []
    changes = [
        _Found(EventKind.DEBATE_SCHEDULING, change.suffix, change, TOPIC, change.told or "")
        for change in sitting_changes(previous.sitting, new.sitting, london_day(now))
    ]
    return changes + [
        _Found(EventKind.DEBATE_REMINDER, change.suffix, change)
        for change in reminder_due(new.sitting, previous.observed_at, now)
    ]


def _closing_soon(previous: PetitionSnapshot, new: PetitionSnapshot, now: datetime) -> list[_Found]:
    deadline = closing_deadline(new)
    if new.state != "open" or deadline is None:
        return []
    soon = deadline - CLOSING_SOON_BEFORE
    if previous.observed_at < soon <= now < deadline:
        assert new.closing_date is not None
        return [_Found(EventKind.CLOSING_SOON, f"closing-soon:{new.closing_date.isoformat()}")]
    return []
