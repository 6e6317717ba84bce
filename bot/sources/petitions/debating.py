"""A petition's debate as people attend it, and the one wording of its news.

Pure: no I/O. The petitions site gives a debate's day (`scheduled_debate_date`); What's On adds
its time, its place (Westminster Hall or the Chamber), its event and, when it gives one, the
parliamentlive.tv link. A `Sitting` joins the two. Both the petition kind and the all-debates kind
detect changes to a sitting here and word them here, so a chat that follows both hears one
message in one format: scheduled, moved, its time set or changed, cancelled, back on, a reminder
the evening before and on the morning, and then held or not debated (with its links).

What a scheduling alert tells is its `told` value (`Alert.told`): a chat gets a change when it
differs from the last value it was told, so a debate cancelled and reinstated for the same day, or
moved 9 → 16 → 9 January, is told each time, and once however many sources see it.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, fields, replace
from datetime import date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from bot.sources.text import LONDON, format_date, quote
from bot.sources.values import day_of
from bot.sources.whatson.parse import ListedDebate

# Reminders, London time: the evening before, and the morning of the debate.
EVENING_BEFORE = time(18)
MORNING_OF = time(8)
LINK_LABELS = {
    "transcript_url": "Transcript",
    "video_url": "Video",
    "debate_pack_url": "Debate pack",
    "public_engagement_url": "Public engagement",
    "debate_summary_url": "Debate summary",
}
TOPIC = "debate"  # the told topic of a petition's debate: `petition:<id>:debate`
CANCELLED = "cancelled"


@dataclass(frozen=True)
class Sitting:
    day: date
    time: str = ""  # "16:30", Westminster's clock; "" until What's On lists it
    place: str = ""  # "Westminster Hall"
    event_id: int | None = None  # What's On's event
    live_url: str = ""  # where to watch it live
    cancelled: bool = False  # What's On lists it as cancelled

    @property
    def told(self) -> str:
        """What a chat knows once told of this sitting."""
        return CANCELLED if self.cancelled else f"{self.day.isoformat()}|{self.time}|{self.place}"

    @property
    def starts(self) -> datetime:
        """When it starts, or the end of its day while the time is not known."""
        hour, _, minute = self.time.partition(":")
        at = time(int(hour), int(minute)) if self.time else time(23, 59)
        return datetime.combine(self.day, at, tzinfo=LONDON)


def sitting_to_dict(sitting: Sitting | None) -> dict[str, Any] | None:
    """The storage form: the fields, the day as YYYY-MM-DD."""
    if sitting is None:
        return None
    return {**{f.name: getattr(sitting, f.name) for f in fields(sitting)}, "day": str(sitting.day)}


def sitting_from_dict(stored: Any) -> Sitting | None:
    if not isinstance(stored, dict) or day_of(stored.get("day")) is None:
        return None
    known = {f.name for f in fields(Sitting)} - {"day"}
    return Sitting(**{k: v for k, v in stored.items() if k in known}, day=day_of(stored["day"]))


def sitting_of(day: date | None, listed: ListedDebate | None) -> Sitting | None:
    """The sitting the petitions site's `day` and What's On's listing make (the site's day wins;
    What's On's event of another day is stale); None while the site has no day."""
    if day is None:
        return None
    if listed is None or listed.day != day:
        return Sitting(day)
    return listed_sitting(listed)


def remembered(old: Sitting | None, new: Sitting | None) -> Sitting | None:
    """`new`, or, when the day was cleared, `old` as cancelled: so a debate put back on the same
    day is told as back on, and the card knows it was called off."""
    if new is None and old is not None:
        return replace(old, cancelled=True)
    return new


def listed_sitting(listed: ListedDebate) -> Sitting:
    return Sitting(
        listed.day,
        listed.time,
        listed.location,
        listed.event_id,
        listed.live_url,
        listed.cancelled,
    )


class DebateNews(StrEnum):
    """What can happen to a debate; the value starts its event key (`petition:<id>:<value>…`)."""

    SCHEDULED = "debate-scheduled"
    MOVED = "debate-rescheduled"
    TIME = "debate-time"
    CANCELLED = "debate-cancelled"
    BACK_ON = "debate-reinstated"
    EVENING_BEFORE = "debate-reminder-eve"
    MORNING_OF = "debate-reminder-day"
    HELD = "debate-held"
    NOT_DEBATED = "not-debated"
    LINKS = "debate-links"


SCHEDULING = frozenset(
    {DebateNews.SCHEDULED, DebateNews.MOVED, DebateNews.TIME, DebateNews.CANCELLED,
     DebateNews.BACK_ON}
)  # fmt: skip
REMINDERS = frozenset({DebateNews.EVENING_BEFORE, DebateNews.MORNING_OF})


@dataclass(frozen=True)
class SittingChange:
    news: DebateNews
    suffix: str  # what follows `petition:<id>:` in the key
    told: str | None  # the told value for the topic, or None (reminders: once each)


def sitting_changes(old: Sitting | None, new: Sitting | None, today: date) -> list[SittingChange]:
    """What changed between two sittings of one petition's debate, on London's `today`. A day in
    the past is history, not a plan: the site records the day a debate was held, and the held
    alert tells it."""
    live_before = old is not None and not old.cancelled
    if new is None or new.cancelled:
        if old is None or not live_before or old.day < today:
            return []
        return [SittingChange(DebateNews.CANCELLED, f"{DebateNews.CANCELLED}:{old.day}", CANCELLED)]
    if new.day < today:
        return []
    if not live_before:
        news = (
            DebateNews.BACK_ON if old is not None and old.day == new.day else DebateNews.SCHEDULED
        )
        return [SittingChange(news, f"{news}:{new.day}", new.told)]
    assert old is not None
    if new.day != old.day:
        suffix = f"{DebateNews.MOVED}:{old.day}:{new.day}"
        return [SittingChange(DebateNews.MOVED, suffix, new.told)]
    if new.time and (new.time, new.place) != (old.time, old.place):
        suffix = f"{DebateNews.TIME}:{new.day}:{new.time}"
        return [SittingChange(DebateNews.TIME, suffix, new.told)]
    return []


def reminder_due(sitting: Sitting | None, previous: datetime, now: datetime) -> list[SittingChange]:
    """The reminder whose moment falls in (previous, now], while the debate is still to come on
    its day: the evening before, then the morning of. After downtime, only the latest."""
    if sitting is None or sitting.cancelled or now >= sitting.starts:
        return []
    moments = (
        (DebateNews.MORNING_OF, datetime.combine(sitting.day, MORNING_OF, tzinfo=LONDON)),
        (
            DebateNews.EVENING_BEFORE,
            datetime.combine(sitting.day - timedelta(days=1), EVENING_BEFORE, tzinfo=LONDON),
        ),
    )
    for news, moment in moments:
        if moment <= now:
            return [SittingChange(news, f"{news}:{sitting.day}", None)] if previous < moment else []
    return []


# --- wording ------------------------------------------------------------------------------------


def petition_line(title: str, petition_id: int, signatures: int | None) -> str:
    """“Title” (petition 300412, 120,000 signatures): how every debate alert names a petition."""
    count = f", {signatures:,} signatures" if signatures is not None else ""
    return f"“{quote(title, 250)}” (petition {petition_id}{count})"


def when(sitting: Sitting, *, place: bool = True) -> str:
    """ "Monday 9 January 2023 at 16:30 in Westminster Hall", as far as it is known."""
    at = f" at {sitting.time}" if sitting.time else ""
    where = f" in {quote(sitting.place, 80)}" if place and sitting.place else ""
    return f"{sitting.day:%A} {format_date(sitting.day)}{at}{where}"


def render_sitting_news(
    news: DebateNews, line: str, new: Sitting | None, old: Sitting | None
) -> str:
    """The alert body for a scheduling change or a reminder (no footer)."""
    if news is DebateNews.CANCELLED:
        assert old is not None
        return (
            f"🗓 <b>Debate cancelled</b>\nThe debate on {line} set for {when(old)} is no longer "
            "scheduled."
        )
    assert new is not None
    if news is DebateNews.SCHEDULED:
        body = f"🗓 <b>Debate scheduled</b>\nParliament will debate {line} on {when(new)}."
    elif news is DebateNews.BACK_ON:
        body = f"🗓 <b>Debate back on</b>\nThe debate on {line} is scheduled again for {when(new)}."
    elif news is DebateNews.MOVED:
        assert old is not None
        body = (
            f"🗓 <b>Debate moved</b>\n{line} will now be debated on {when(new)} (it was set for "
            f"{when(old, place=False)})."
        )
    elif news is DebateNews.TIME:
        assert old is not None
        where = f" in {quote(new.place, 80)}" if new.place else ""
        on = f"{new.day:%A} {format_date(new.day)}"
        if old.time:
            body = (
                f"🗓 <b>Debate time changed</b>\nThe debate on {line} on {on} is now at "
                f"{new.time}{where} (it was {old.time})."
            )
        else:
            body = (
                f"🗓 <b>Debate time set</b>\nThe debate on {line} on {on} will be at "
                f"{new.time}{where}."
            )
    elif news is DebateNews.EVENING_BEFORE:
        body = f"🗓 <b>Debate tomorrow</b>\nParliament debates {line} tomorrow, {when(new)}."
    else:
        body = f"🗓 <b>Debate today</b>\nParliament debates {line} today, {when(new)}."
    return body + _watch(new)


def _watch(sitting: Sitting) -> str:
    if not sitting.live_url:
        return ""
    url = html.escape(sitting.live_url, quote=True)
    return f'\nWatch it live: <a href="{url}">parliamentlive.tv</a>'


def render_debate_links(links: dict[str, str]) -> str:
    """A debate's links (transcript, video, ...) as one line of labelled links."""
    return " · ".join(
        f'<a href="{html.escape(url, quote=True)}">{LINK_LABELS.get(name, "Link")}</a>'
        for name, url in links.items()
    )


def render_held(line: str, day: date | None, overview: str, links: dict[str, str]) -> str:
    on = f" on {day:%A} {format_date(day)}" if day else ""
    body = f"🗣 <b>Parliament debated</b> {line}{on}."
    if overview:
        body += f"\n{quote(overview, 1200)}"
    if links:
        body += f"\n{render_debate_links(links)}"
    return body


def render_not_debated(line: str, reason: str) -> str:
    body = f"🗣 <b>No debate</b>\nThe Petitions Committee decided not to debate {line}."
    return body + (f"\nTheir reason: {quote(reason, 1200)}" if reason else "")


def render_links_added(line: str, added: dict[str, str]) -> str:
    return f"🔗 <b>New debate links</b> for {line}\n{render_debate_links(added)}"
