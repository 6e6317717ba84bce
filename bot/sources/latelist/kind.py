"""The late list as a target kind: `/follow overdue`, `overdue 100000`, `overdue home-office`.

Looking it up reads the late list (shared with /overdue), which is the follow's silent baseline
and its first reply. /overdue, the petitions' late list, says how to follow it.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, tzinfo
from typing import Any

from bot.http import UpstreamError
from bot.sources.base import BadReference, Lookup
from bot.sources.departments.directory import Directory
from bot.sources.departments.picking import read_department
from bot.sources.latelist.detect import detect_late
from bot.sources.latelist.model import ALL, KIND, LateEntry, LateFollow
from bot.sources.latelist.render import (
    describe,
    reference,
    render_card,
    render_follow_reply,
)
from bot.sources.latelist.source import GROUPS, LateListSource
from bot.sources.petitions.deadline import london_day
from bot.sources.text import plain_text

log = logging.getLogger(__name__)
_WORDS = {"overdue", "late"}
DEEP_LINK_PREFIX = "late_"
_COUNT = re.compile(r"(\d[\d,]*)(k)?", re.IGNORECASE)
EXAMPLE = "/follow overdue home-office"


class LateListKind:
    kind = KIND
    example = "overdue"
    commands = ()
    alert_groups = GROUPS
    granularities: tuple[str, ...] = ()
    contributes_to = ("overdue",)

    def __init__(self, source: LateListSource, directory: Directory) -> None:
        self._source = source
        self._directory = directory

    def read_reference(self, text: str) -> str | None:
        words = text.split()
        if not words or words[0].lower() not in _WORDS:
            return None
        if words[1:2] == ["list"]:  # "late list"
            words = words[1:]
        rest = " ".join(words[1:])
        if not rest or rest.lower() in {ALL, "all petitions"}:
            return ALL
        count = _COUNT.fullmatch(rest.replace(" ", ""))
        if count is not None:
            number = int(count.group(1).replace(",", "")) * (1000 if count.group(2) else 1)
            if not 0 < number <= 100_000_000:
                raise BadReference("Say how many signatures, such as <code>overdue 100000</code>.")
            return LateFollow(number).ident
        department, extra = read_department(rest, self._directory, KIND, EXAMPLE)
        if extra:
            raise BadReference(
                "The late list can be narrowed by a number of signatures or one department, "
                f"such as <code>{EXAMPLE}</code>: not by keywords."
            )
        return LateFollow(department=department.slug).ident

    def reference(self, ident: str) -> str:
        return reference(LateFollow.from_ident(ident))

    def deep_link(self, ident: str) -> str | None:
        return f"{DEEP_LINK_PREFIX}{ident}"

    def read_deep_link(self, payload: str) -> str | None:
        if not payload.startswith(DEEP_LINK_PREFIX):
            return None
        try:
            return self.read_reference(f"{KIND} {payload.removeprefix(DEEP_LINK_PREFIX)}")
        except BadReference:
            return None

    def name(self, ident: str, state: dict[str, Any] | None) -> str:
        follow = LateFollow.from_ident(ident)
        department = self._directory.get(follow.department) if follow.department else None
        return describe(follow, department.name if department else None)

    def label(self, ident: str, state: dict[str, Any] | None) -> str:
        return plain_text(self.name(ident, state)).capitalize()

    async def look_up(self, ident: str, now: datetime) -> Lookup:
        try:
            late = await self._source.late(now)
        except UpstreamError as exc:
            log.warning("the late list could not be read: %s", exc)
            return Lookup(
                problem="I couldn't reach the petitions site just now. Please try again in a "
                "minute."
            )
        state, _ = detect_late(LateFollow.from_ident(ident), None, late, {}, set(), now)
        return Lookup(state)

    def card(
        self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo, shared: bool = False
    ) -> str:
        # Days are London's, as the deadline is: the same card in every zone.
        return render_card(
            LateFollow.from_ident(ident), _entries(state), london_day(now), self.name(ident, state)
        )

    def list_line(self, ident: str, state: dict[str, Any] | None, now: datetime) -> str:
        name = self.name(ident, state)
        return f"⏰ <b>{name[:1].upper()}{name[1:]}</b>\n    /unfollow {self.reference(ident)}"

    def follow_reply(self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo) -> str:
        return render_follow_reply(
            LateFollow.from_ident(ident), _entries(state), london_day(now), self.name(ident, state)
        )

    async def contribute(self, command: str, args: str, now: datetime) -> str | None:
        return (
            "🔔 <code>/follow overdue</code>: an alert whenever a petition falls past its "
            "deadline and when its late response comes, and a weekly late list by department "
            "(or <code>/follow overdue 100000</code>, <code>/follow overdue home-office</code>)."
        )


def _entries(state: dict[str, Any]) -> list[LateEntry]:
    return [LateEntry.from_dict(stored) for stored in state.get("late", {}).values()]
