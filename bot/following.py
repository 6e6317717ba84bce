"""What a chat can ask about petitions: follow, unfollow, list, status. Returns reply HTML.

The service behind the command handlers: it reads the user's petition reference, consults the
store and the petitions source, and words the answer. Bad input never reaches the store.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from bot.sources.base import target_key
from bot.sources.petitions.links import BadPetitionReference, parse_petition_reference
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.petitions.render import format_count, quote, render_card
from bot.sources.petitions.source import (
    KIND,
    LookupProblem,
    PetitionLookup,
    PetitionSource,
    snapshot_from_state,
)
from bot.store import Store

_PROBLEMS = {
    LookupProblem.NOT_FOUND: "There's no public petition number {id}. Check the number?",
    LookupProblem.NOT_PUBLIC: (
        "Petition {id} isn't public yet: it is still gathering sponsors or being checked by "
        "the petitions committee. Try again once it's published."
    ),
    LookupProblem.REMOVED: "Petition {id} has been removed from the site, so there's nothing to "
    "follow.",
    LookupProblem.UNAVAILABLE: (
        "I couldn't reach the petitions site just now. Please try again in a minute."
    ),
}


class FollowService:
    def __init__(
        self,
        store: Store,
        petitions: PetitionSource,
        follows_per_chat: int,
        extra_hosts: frozenset[str],
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._petitions = petitions
        self._limit = follows_per_chat
        self._extra_hosts = extra_hosts
        self._clock = clock

    async def follow(self, chat_id: int, reference: str) -> str:
        petition_id = self._petition_id(reference, "follow")
        if isinstance(petition_id, str):
            return petition_id
        target = target_key(KIND, petition_id)
        follows = self._store.follows_of(chat_id)
        if target in follows:
            return (
                f"This chat already follows petition {petition_id}. "
                f"/status {petition_id} shows where it stands."
            )
        if len(follows) >= self._limit:
            return (
                f"This chat follows {len(follows)} petitions, the most allowed. "
                "Send /list and unfollow one first."
            )
        looked = await self._current(petition_id)
        if looked.snapshot is None:
            return _problem(looked, petition_id)
        self._store.add_follow(chat_id, target, looked.state)
        return f"{render_card(looked.snapshot, self._clock())}\n\n🔔 {_what_comes(looked.snapshot)}"

    async def unfollow(self, chat_id: int, reference: str) -> str:
        petition_id = self._petition_id(reference, "unfollow")
        if isinstance(petition_id, str):
            return petition_id
        target = target_key(KIND, petition_id)
        state = self._store.target_state(target)
        if not self._store.remove_follow(chat_id, target):
            return f"This chat doesn't follow petition {petition_id}. /list shows what it follows."
        title = f" “{quote(snapshot_from_state(state).title, 300)}”" if state else ""
        return f"🔕 Stopped following petition {petition_id}{title}. No more alerts about it here."

    async def status(self, reference: str) -> str:
        petition_id = self._petition_id(reference, "status")
        if isinstance(petition_id, str):
            return petition_id
        looked = await self._current(petition_id)
        if looked.snapshot is None:
            return _problem(looked, petition_id)
        return render_card(looked.snapshot, self._clock())

    def list_follows(self, chat_id: int) -> str:
        follows = [t for t in self._store.follows_of(chat_id) if t.startswith(f"{KIND}:")]
        if not follows:
            return (
                "This chat doesn't follow any petitions yet.\n"
                "Send /follow with a petition number or link, for example /follow 300412"
            )
        lines = [f"<b>This chat follows {len(follows)} petition{'s' * (len(follows) != 1)}</b>"]
        for number, target in enumerate(follows, start=1):
            ident = target.partition(":")[2]
            state = self._store.target_state(target)
            if state is None:
                lines.append(f"{number}. Petition {ident}: checking…")
                continue
            snapshot = snapshot_from_state(state)
            lines.append(
                f"{number}. <b>{quote(snapshot.title, 120)}</b>\n"
                f"    {format_count(snapshot.signature_count)} signatures · {snapshot.state} · "
                f"/status {ident} · /unfollow {ident}"
            )
        return "\n".join(lines)

    def resume(self, chat_id: int) -> None:
        """The chat talked to the bot: it can receive messages again."""
        self._store.set_paused(chat_id, False)

    def _petition_id(self, reference: str, command: str) -> int | str:
        """The petition number in `reference`, or the friendly reply saying what is wrong."""
        try:
            return parse_petition_reference(reference, self._extra_hosts)
        except BadPetitionReference as exc:
            return f"{html.escape(str(exc))}\nFor example: /{command} 300412"

    async def _current(self, petition_id: int) -> PetitionLookup:
        """The petition as last polled if it is followed here, else as fetched now."""
        target = target_key(KIND, petition_id)
        state = self._store.target_state(target)
        if state is not None and self._store.followers_of(target):
            return PetitionLookup(snapshot_from_state(state))
        return await self._petitions.look_up(petition_id, self._clock())


def _problem(looked: PetitionLookup, petition_id: int) -> str:
    return _PROBLEMS[looked.problem or LookupProblem.UNAVAILABLE].format(id=petition_id)


def _what_comes(snapshot: PetitionSnapshot) -> str:
    if snapshot.removed or snapshot.state == "rejected":
        return "Following. Rejected petitions rarely change, but I'll tell this chat if it does."
    if snapshot.state == "closed":
        return (
            "Following. It has closed, but I'll tell this chat when the government responds (or "
            "is late), when a debate is scheduled, moved or held, and about other business."
        )
    return (
        "Following. I'll tell this chat about signature milestones, the "
        f"{format_count(snapshot.response_threshold)} and {format_count(snapshot.debate_threshold)}"
        " thresholds, the government response (and if it is late), debates, and closing."
    )
