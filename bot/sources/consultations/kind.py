"""GOV.UK consultations as a target kind: `/consultations`, a department's, or one by its link.

Looking a follow up searches GOV.UK for the department's consultations (or reads the one), and
reads the pages of the latest few: the follow's silent baseline and its first reply.
"""

from __future__ import annotations

import logging
import re
from datetime import datetime, tzinfo
from typing import Any

from bot.http import UpstreamError, UpstreamRefused
from bot.sources.base import BadReference, Command, FollowThis, Lookup, Reply
from bot.sources.consultations.detect import detect_consultations
from bot.sources.consultations.model import KIND, PATH, ConsultationsFollow
from bot.sources.consultations.render import (
    describe,
    reference,
    render_card,
    render_follow_reply,
)
from bot.sources.consultations.source import GROUPS, ConsultationsSource, recent
from bot.sources.departments.directory import Directory
from bot.sources.departments.picking import pick_buttons, read_department
from bot.sources.payloads import WordsInDeepLinks
from bot.sources.text import plain_text

log = logging.getLogger(__name__)
_WORDS = {"consultations", "consultation"}
EXAMPLE = "/consultations home-office"
LOOK_UP_READS = 5  # pages read for a new follow's first reply
_LINK = re.compile(r"(?:https?://)?(?:www\.)?gov\.uk" + re.escape(PATH) + r"([a-z0-9-]{1,120})\b")


class ConsultationsKind(WordsInDeepLinks):
    DEEP_LINK_PREFIX = "gc_"
    kind = KIND
    example = "consultations home-office"
    commands = (
        Command(KIND, "Follow a department's consultations: closing dates and outcomes", EXAMPLE),
    )
    paste_hint = "a GOV.UK consultation's link"
    alert_groups = GROUPS
    granularities: tuple[str, ...] = ()

    def __init__(self, source: ConsultationsSource, directory: Directory) -> None:
        self._source = source
        self._directory = directory

    def read_reference(self, text: str) -> str | None:
        first, _, rest = text.strip().partition(" ")
        if first.lower() not in _WORDS:
            found = _LINK.fullmatch(text.strip().rstrip("/"))
            return None if found is None else ConsultationsFollow(page=found.group(1)).ident
        return self._read_follow(rest.strip()).ident

    def _read_follow(self, text: str) -> ConsultationsFollow:
        found = _LINK.search(text)
        if found is not None:
            return ConsultationsFollow(page=found.group(1))
        department, extra = read_department(text, self._directory, KIND, EXAMPLE)
        if extra:
            raise BadReference(
                "Consultations are followed by department, or one by its GOV.UK link, such as "
                f"<code>{EXAMPLE}</code>: not by keywords."
            )
        return ConsultationsFollow(department=department.slug)

    def find_in_text(self, text: str) -> str | None:
        found = _LINK.search(text)
        return None if found is None else ConsultationsFollow(page=found.group(1)).ident

    def reference(self, ident: str) -> str:
        return reference(ConsultationsFollow.from_ident(ident))

    def name(self, ident: str, state: dict[str, Any] | None) -> str:
        follow = ConsultationsFollow.from_ident(ident)
        department = self._directory.get(follow.department) if follow.department else None
        titles = [c.title for c in recent(state or {})] if follow.department is None else []
        return describe(follow, department.name if department else None, next(iter(titles), ""))

    def label(self, ident: str, state: dict[str, Any] | None) -> str:
        return plain_text(self.name(ident, state)).capitalize()

    async def look_up(self, ident: str, now: datetime) -> Lookup:
        follow = ConsultationsFollow.from_ident(ident)
        try:
            if follow.department is None:
                found = await self._source.find(follow.page)
                if found is None:
                    return Lookup(problem="That GOV.UK page isn't a consultation I can follow.")
                consultations = [found]
            else:
                department = self._directory.get(follow.department)
                listed = await self._source.search(list(department.slugs if department else ()))
                consultations = [
                    c
                    for entry in listed[:LOOK_UP_READS]
                    if (c := await self._source.find(entry.slug))
                ]
        except UpstreamRefused as exc:
            log.warning("consultations look-up for %s refused: %s", ident, exc)
            return Lookup(problem="GOV.UK has no such consultation. Check the link?")
        except UpstreamError as exc:
            log.warning("consultations look-up for %s failed: %s", ident, exc)
            return Lookup(problem="I couldn't reach GOV.UK just now. Please try again in a minute.")
        state, _ = detect_consultations(follow, None, consultations, now)
        return Lookup(state)

    def card(
        self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo, shared: bool = False
    ) -> str:
        return render_card(self.name(ident, state), recent(state), now, zone)

    def list_line(self, ident: str, state: dict[str, Any] | None, now: datetime) -> str:
        name = self.name(ident, state)
        return f"🗳 <b>{name[:1].upper()}{name[1:]}</b>\n    /unfollow {self.reference(ident)}"

    def follow_reply(self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo) -> str:
        follow = ConsultationsFollow.from_ident(ident)
        return render_follow_reply(self.name(ident, state), follow, recent(state, 3), now, zone)

    async def browse(self, command: str, args: str, now: datetime) -> Reply | FollowThis:
        if args:
            return FollowThis(self._read_follow(args).ident)
        return Reply(
            "🗳 <b>Follow GOV.UK consultations</b>\nPick a department, or type it: "
            f"<code>{EXAMPLE}</code>. Or paste a consultation's link to follow that one.",
            pick_buttons(list(self._directory.departments), KIND),
        )

    async def press(self, payload: str, now: datetime) -> Reply | FollowThis:
        if self._directory.get(payload) is None:
            return Reply("That department is no longer listed. Send /consultations to pick again.")
        return FollowThis(ConsultationsFollow(department=payload).ident)
