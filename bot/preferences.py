"""How each chat wants its alerts: per-follow settings, the chat's own settings, and the one rule
that decides whether an alert becomes a delivery.

Pure: no I/O; time comes in as an argument. The store keeps these as plain JSON in a chat's
document (`to_doc`/`from_doc`) and calls `FollowSettings.wants` where deliveries are created, so
immediate delivery and the daily digest can never disagree about what a chat gets.

- **Follow settings**: which alert groups are on (a kind's `alert_groups`, each with its default),
  the count granularity, and silent delivery.
- **Chat settings**: the time zone, quiet hours (alerts come silently), delivery (as they happen,
  or a daily digest at an hour), the digest day (when weekly messages come, such as the late
  list), its constituency, and the settings new follows start with.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo

from bot.sources.base import Alert, AlertGroup
from bot.zones import ZoneChoice, city_of, find_zone, is_zone

MILESTONES = "milestones"
# Count granularities, with their words: the store keeps the key.
GRANULARITIES = {
    MILESTONES: "Milestones only",
    "1000": "Every 1,000",
    "10000": "Every 10,000",
    "10pct": "Every 10%",
}
DEFAULT_ZONE = "Europe/London"
# What the quiet-hours button offers in turn (any other span by command).
QUIET_PRESETS = ((time(22), time(7)), (time(23), time(8)), (time(21), time(7, 30)))
DEFAULT_DIGEST_HOUR = 8
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_TIME = re.compile(r"(\d{1,2})(?::(\d{2}))?\s*(am|pm)?")


class SettingError(ValueError):
    """A setting a user typed that can't be taken; the message says why, kindly (HTML)."""


@dataclass(frozen=True)
class FollowSettings:
    groups: dict[str, bool] = field(default_factory=dict)  # only those set by the chat
    granularity: str = MILESTONES
    silent: bool = False

    def group_on(self, group: AlertGroup) -> bool:
        return self.groups.get(group.name, group.default)

    def wants(self, alert: Alert) -> bool:
        """Whether this follow gets `alert`: its group is on, and a count alert is of the
        granularity chosen."""
        if alert.group is not None and not self.group_on(alert.group):
            return False
        return not alert.granularity or alert.granularity == self.granularity

    def toggled(self, group: AlertGroup) -> FollowSettings:
        return replace(self, groups={**self.groups, group.name: not self.group_on(group)})

    def to_doc(self) -> dict[str, Any]:
        return {"groups": dict(self.groups), "granularity": self.granularity, "silent": self.silent}

    @classmethod
    def from_doc(cls, doc: Any) -> FollowSettings:
        if not isinstance(doc, dict):
            return cls()
        groups = doc.get("groups")
        granularity = doc.get("granularity")
        return cls(
            {k: v for k, v in groups.items() if isinstance(v, bool)}
            if isinstance(groups, dict)
            else {},
            granularity if granularity in GRANULARITIES else MILESTONES,
            doc.get("silent") is True,
        )


DEFAULT_FOLLOW = FollowSettings()


@dataclass(frozen=True)
class ChatSettings:
    zone: str = DEFAULT_ZONE
    quiet: tuple[time, time] | None = None  # from, until (may wrap midnight)
    digest_hour: int | None = None  # None: alerts as they happen
    defaults: FollowSettings = DEFAULT_FOLLOW  # what new follows start with
    digest_day: int = 0  # the weekday weekly messages come on (Alert.weekday), Monday 0
    constituency: str = ""  # its Westminster constituency's name, for Alert.local lines

    @property
    def tz(self) -> ZoneInfo:
        return _zone(self.zone)

    def is_quiet(self, now: datetime) -> bool:
        """Whether `now` falls in the chat's quiet hours, in its time zone."""
        if self.quiet is None:
            return False
        start, end = self.quiet
        local = now.astimezone(self.tz).time().replace(tzinfo=None)
        if start <= end:
            return start <= local < end
        return local >= start or local < end

    def last_digest_due(self, now: datetime) -> datetime | None:
        """The latest digest instant at or before `now` (None when alerts come as they
        happen): the digest hour today, in the chat's time zone, or yesterday's."""
        if self.digest_hour is None:
            return None
        local = now.astimezone(self.tz)
        due = local.replace(hour=self.digest_hour, minute=0, second=0, microsecond=0)
        if due > local:
            # A calendar day back, then the hour again: right across a clock change.
            day = (due - timedelta(days=1)).date()
            due = datetime.combine(day, time(self.digest_hour), tzinfo=self.tz)
        return due

    def to_doc(self) -> dict[str, Any]:
        return {
            "zone": self.zone,
            "quiet": [t.strftime("%H:%M") for t in self.quiet] if self.quiet else None,
            "digest_hour": self.digest_hour,
            "defaults": self.defaults.to_doc(),
            "digest_day": self.digest_day,
            "constituency": self.constituency,
        }

    @classmethod
    def from_doc(cls, doc: Any) -> ChatSettings:
        if not isinstance(doc, dict):
            return cls()
        zone = doc.get("zone")
        quiet = doc.get("quiet")
        hour = doc.get("digest_hour")
        day = doc.get("digest_day")
        place = doc.get("constituency")
        try:
            span = (time.fromisoformat(quiet[0]), time.fromisoformat(quiet[1])) if quiet else None
        except (TypeError, ValueError, IndexError):
            span = None
        return cls(
            zone if isinstance(zone, str) and is_zone(zone) else DEFAULT_ZONE,
            span,
            hour if isinstance(hour, int) and 0 <= hour < 24 else None,
            FollowSettings.from_doc(doc.get("defaults")),
            day if isinstance(day, int) and not isinstance(day, bool) and 0 <= day < 7 else 0,
            place[:100] if isinstance(place, str) else "",
        )


DEFAULT_CHAT = ChatSettings()


def read_quiet_hours(text: str) -> tuple[time, time] | None:
    """A span as people write it (`22:00-07:30`, `22-7`, `10pm-7am`, `10pm to 7:30am`); `off`
    as None."""
    if text.strip().lower() in {"off", "none", "no"}:
        return None
    parts = re.split(r"\s*(?:-|\u2013|\bto\b|\buntil\b)\s*", text.strip().lower(), maxsplit=1)
    if len(parts) != 2:
        raise SettingError(
            "Quiet hours are a span such as <code>22:00-07:30</code> or <code>10pm-7am</code>, "
            "or <code>off</code>."
        )
    start, end = read_time(parts[0]), read_time(parts[1])
    if start == end:
        raise SettingError("Quiet hours must start and end at different times.")
    return start, end


def read_time(text: str) -> time:
    """A time of day as people write it: `22:00`, `22`, `7.30`, `10pm`, `7:30 am`, `noon`."""
    words = re.sub(r"([ap])\.?m\.?$", r"\1m", text.strip().lower()).replace(".", ":")
    named = {"noon": time(12), "midday": time(12), "midnight": time(0)}
    if words in named:
        return named[words]
    match = _TIME.fullmatch(words)
    if match is None:
        raise SettingError(
            f"“{html.escape(text.strip()[:20])}” isn't a time I can read: try <code>22:00</code> "
            "or <code>10pm</code>."
        )
    hour, minute, half = int(match.group(1)), int(match.group(2) or 0), match.group(3)
    if half and not 1 <= hour <= 12:
        raise SettingError("With am or pm, hours go from 1 to 12.")
    if half:
        hour = hour % 12 + (12 if half == "pm" else 0)
    if hour > 23 or minute > 59:
        raise SettingError("Hours go from 00 to 23 and minutes from 00 to 59.")
    return time(hour, minute)


def read_zone(text: str) -> str:
    """A time zone as people name it: `Europe/Paris`, `paris`, `new york`, `uk`, any case."""
    try:
        zone = find_zone(text)
    except ZoneChoice as exc:
        cities = ", ".join(f"<code>{city_of(zone).lower()}</code>" for zone in exc.zones[:8])
        raise SettingError(
            f"“{html.escape(exc.place[:40])}” has several time zones: name a city, such as "
            f"{cities}."
        ) from None
    if zone is None:
        raise SettingError(
            "I don't know that time zone. Name a city or a country (<code>paris</code>, "
            "<code>new york</code>, <code>uk</code>), or a zone such as <code>Europe/Paris</code>."
        )
    return zone


def read_hour(text: str) -> int:
    """A digest hour: `8`, `08`, `8:00`, `20:00`, `8am`, `8pm`."""
    try:
        when = read_time(text)
    except SettingError:
        when = None
    if when is None or when.minute:
        raise SettingError(
            "The digest comes on the hour: say <code>8</code>, <code>8am</code> or "
            "<code>20:00</code>."
        )
    return when.hour


def read_weekday(text: str) -> int:
    """A day of the week as people write it: `friday`, `Fri`, `fri.`; Monday is 0."""
    words = text.strip().lower().rstrip(".s")
    for number, name in enumerate(WEEKDAYS):
        if len(words) >= 3 and name.lower().startswith(words):
            return number
    raise SettingError("Name a day of the week, such as <code>friday</code> or <code>mon</code>.")


def read_granularity(text: str) -> str:
    words = text.strip().lower().replace(",", "").replace(" ", "")
    aliases = {"milestones": MILESTONES, "1000": "1000", "1k": "1000", "10000": "10000",
               "10k": "10000", "10%": "10pct", "10pct": "10pct"}  # fmt: skip
    if words not in aliases:
        raise SettingError(
            "Count alerts come as <code>milestones</code>, or every <code>1000</code>, "
            "<code>10000</code> or <code>10%</code>."
        )
    return aliases[words]


def span_words(span: tuple[time, time] | None) -> str:
    return "off" if span is None else f"{span[0]:%H:%M}\u2013{span[1]:%H:%M}"


def next_quiet_preset(span: tuple[time, time] | None) -> tuple[time, time] | None:
    """What the quiet-hours button moves to: off, then each preset in turn, then off."""
    if span is None:
        return QUIET_PRESETS[0]
    if span in QUIET_PRESETS:
        index = QUIET_PRESETS.index(span) + 1
        return QUIET_PRESETS[index] if index < len(QUIET_PRESETS) else None
    return None


@cache
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)
