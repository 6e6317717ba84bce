"""Change detection for the debate listing: (previous listing, new listing, when) to events.

Pure: no I/O. Scheduling changes and reminders are the petition kind's own
(bot.sources.petitions.debating), with the petition's own keys (`petition:<id>:debate-…`) and told
values, so a chat that follows a petition and all debates hears each change once. A debate that
first appears already long past is history, not news.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from bot.sources.base import AlertGroup
from bot.sources.debates.model import Debate
from bot.sources.petitions.debating import (
    REMINDERS,
    SCHEDULING,
    TOPIC,
    DebateNews,
    reminder_due,
    sitting_changes,
)

# A held or refused debate that enters the listing older than this is history, not news.
NEWS_FOR = timedelta(days=14)

SCHEDULING_GROUP = AlertGroup("scheduling", "Scheduled, moved, cancelled, reminders")
OUTCOMES = AlertGroup("outcomes", "Held, not debated, links")
GROUPS = (SCHEDULING_GROUP, OUTCOMES)


def group_of(news: DebateNews) -> AlertGroup:
    return SCHEDULING_GROUP if news in SCHEDULING | REMINDERS else OUTCOMES


@dataclass(frozen=True)
class DebateEvent:
    news: DebateNews
    debate: Debate
    previous: Debate | None
    suffix: str  # what follows `petition:<id>:` in the key
    told: str | None = None  # the told value of a scheduling change (Alert.told)

    @property
    def key(self) -> str:
        return f"petition:{self.debate.petition_id}:{self.suffix}"

    @property
    def topic(self) -> str:
        return f"petition:{self.debate.petition_id}:{TOPIC}"


def detect_debates(
    previous: dict[int, Debate],
    new: dict[int, Debate],
    today: date,
    checked_at: datetime | None = None,
    now: datetime | None = None,
) -> list[DebateEvent]:
    """The changes between two listings, on London's `today`; with `checked_at` (the previous
    read) and `now`, the reminders due in between."""
    events: list[DebateEvent] = []
    for petition_id, debate in sorted(
        new.items(), key=lambda item: (item[1].day or today, item[0])
    ):
        old = previous.get(petition_id)
        events += _changes(old, debate, today)
        if checked_at is not None and now is not None and debate.scheduled:
            events += [
                DebateEvent(change.news, debate, old, change.suffix)
                for change in reminder_due(debate.sitting, checked_at, now)
            ]
    return events


def _changes(old: Debate | None, new: Debate, today: date) -> list[DebateEvent]:
    def event(news: DebateNews, suffix: str) -> list[DebateEvent]:
        return [DebateEvent(news, new, old, f"{news.value}{suffix}")]

    recent = new.day is None or new.day >= today - NEWS_FOR
    if new.held:
        if old is None or not old.held:
            day = new.held_on.isoformat() if new.held_on else ""
            return event(DebateNews.HELD, f":{day}") if recent or old else []
        added = [name for name in new.links if name not in old.links]
        return event(DebateNews.LINKS, ":" + "+".join(added)) if added else []
    if new.not_debated:
        if old is None or not old.not_debated:
            return event(DebateNews.NOT_DEBATED, "") if recent or old else []
        return []
    return [
        DebateEvent(change.news, new, old, change.suffix, change.told)
        for change in sitting_changes(old.sitting if old else None, new.sitting, today)
    ]
