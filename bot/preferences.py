"""How each chat wants its alerts: per-follow settings, the chat's own settings, and the one rule
that decides whether an alert becomes a delivery.

Pure: no I/O; time comes in as an argument. The store keeps these as plain JSON in a chat's
document (`to_doc`/`from_doc`) and calls `FollowSettings.wants` where deliveries are created, so
immediate delivery and the daily digest can never disagree about what a chat gets.

- **Follow settings**: which alert groups are on (a kind's `alert_groups`, each with its default),
  the count granularity, and silent delivery.
- **Chat settings**: the time zone, quiet hours (alerts come silently), delivery (as they happen,
  or a daily digest at an hour), and the settings new follows start with.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from datetime import datetime, time, timedelta
from functools import cache
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

from bot.sources.base import Alert, AlertGroup

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
_SPAN = re.compile(r"^\s*(\d{1,2})(?::(\d{2}))?\s*(?:-|\u2013|to)\s*(\d{1,2})(?::(\d{2}))?\s*$")


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
        }

    @classmethod
    def from_doc(cls, doc: Any) -> ChatSettings:
        if not isinstance(doc, dict):
            return cls()
        zone = doc.get("zone")
        quiet = doc.get("quiet")
        hour = doc.get("digest_hour")
        try:
            span = (time.fromisoformat(quiet[0]), time.fromisoformat(quiet[1])) if quiet else None
        except (TypeError, ValueError, IndexError):
            span = None
        return cls(
            zone if isinstance(zone, str) and _known_zone(zone) else DEFAULT_ZONE,
            span,
            hour if isinstance(hour, int) and 0 <= hour < 24 else None,
            FollowSettings.from_doc(doc.get("defaults")),
        )


DEFAULT_CHAT = ChatSettings()


def read_quiet_hours(text: str) -> tuple[time, time] | None:
    """`22:00-07:30` (or `22-7`, `22:00 to 07:30`) as a span; `off` as None."""
    if text.strip().lower() in {"off", "none", "no"}:
        return None
    match = _SPAN.match(text)
    if match is None:
        raise SettingError(
            "Quiet hours are a span such as <code>22:00-07:30</code>, or <code>off</code>."
        )
    h1, m1, h2, m2 = (int(part or 0) for part in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59:
        raise SettingError("Hours go from 00 to 23 and minutes from 00 to 59.")
    start, end = time(h1, m1), time(h2, m2)
    if start == end:
        raise SettingError("Quiet hours must start and end at different times.")
    return start, end


def read_zone(text: str) -> str:
    """An IANA time zone name (`Europe/Paris`), in any case."""
    wanted = text.strip()
    if _known_zone(wanted):
        return wanted
    match = _zones_by_lower().get(wanted.lower().replace(" ", "_"))
    if match is None:
        raise SettingError(
            "I don't know that time zone. Use a name such as <code>Europe/London</code>, "
            "<code>Europe/Paris</code> or <code>America/New_York</code>."
        )
    return match


def read_hour(text: str) -> int:
    """A digest hour: `8`, `08`, `8:00`, `20:00`."""
    match = re.fullmatch(r"\s*(\d{1,2})(?::00)?\s*", text)
    if match is None or int(match.group(1)) > 23:
        raise SettingError("The digest hour is a whole hour from 0 to 23, such as <code>8</code>.")
    return int(match.group(1))


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


def _known_zone(name: str) -> bool:
    try:
        _zone(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


@cache
def _zones_by_lower() -> dict[str, str]:
    return {name.lower(): name for name in available_timezones()}
