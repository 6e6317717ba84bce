"""What followers are told of a source that has stopped answering: a line on the cards of what it
serves while the outage lasts (/status, the Status button), and one notice to each chat that
follows something it serves once it answers again.

Pure wording and judgement over bot.health: a source is *out* once it has failed for
OUTAGE_AFTER, or three of its poll intervals if that is longer (a slow source's single miss is
not an outage). Times are said on the London clock, as the alerts say them. Never names a kind:
each source says its own site.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime, timedelta

from bot.health import STALE_AFTER_INTERVALS, Health, SourceHealth
from bot.sources.text import LONDON

OUTAGE_AFTER = timedelta(minutes=15)


class Outages:
    def __init__(
        self,
        health: Health,
        sources_of_kind: Mapping[str, list[str]],
        sites: Mapping[str, str],
        clock: Callable[[], datetime],
    ) -> None:
        """`sites`: each source's site, as a follower would say it."""
        self._health = health
        self._sources_of_kind = sources_of_kind
        self._sites = sites
        self._clock = clock

    def lines(self, kind: str) -> list[str]:
        """A warning for each source of `kind` that is out now (none when all answer)."""
        now = self._clock()
        return [
            f"⚠️ {_capital(self._sites[name])} hasn't answered since "
            f"{_said(health.failing_since, now)}; alerts may be late."
            for name in self._sources_of_kind.get(kind, ())
            if (health := self._health.sources[name]).failing_since is not None
            and _out(health, health.failing_since, now)
        ]

    def resumed(self, source: str, failing_since: datetime | None, now: datetime) -> str | None:
        """The notice for a source answering again at `now` after failing since
        `failing_since`, when that was an outage."""
        health = self._health.sources[source]
        if failing_since is None or not _out(health, failing_since, now):
            return None
        return (
            f"✅ {_capital(self._sites[source])} is answering again. It hadn't answered since "
            f"{_said(failing_since, now)}, so alerts about what you follow there may have come "
            "late; anything that changed meanwhile comes next."
        )


def _out(health: SourceHealth, failing_since: datetime, now: datetime) -> bool:
    return now - failing_since >= max(OUTAGE_AFTER, STALE_AFTER_INTERVALS * health.interval)


def _said(moment: datetime, now: datetime) -> str:
    local, today = moment.astimezone(LONDON), now.astimezone(LONDON).date()
    if local.date() == today:
        return f"{local:%H:%M}"
    return f"{local:%H:%M} on {local.day} {local:%B}"


def _capital(site: str) -> str:
    """`site` to begin a sentence: "the petitions site" -> "The petitions site", GOV.UK kept."""
    return site[:1].upper() + site[1:]
