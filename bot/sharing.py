"""Cards made to be forwarded: `/share`, the Share buttons and inline mode (`@bot 300412`).

A shared card is read later and by others, so it has the UK's dates and no line that depends on
when it was sent ("checked just now", the pace). It carries the links that follow its target in
one tap: in a private chat with the bot (`?start=`), or in a group the reader picks
(`?startgroup=`), so a campaigner puts a petition's alerts into their group in one tap. Never
names a kind.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from datetime import datetime

from telegram.helpers import create_deep_linked_url

from bot.callbacks import find_ref
from bot.following import FollowService
from bot.sources.base import Button, Inline, InlineCard, Placement, Reply, TargetKind
from bot.sources.text import LONDON
from bot.storage.port import Storage


class Sharing:
    def __init__(
        self,
        store: Storage,
        follows: FollowService,
        clock: Callable[[], datetime],
        bot_username: str,
    ) -> None:
        self._store = store
        self._follows = follows
        self._clock = clock
        self._bot_username = bot_username

    async def share(self, chat_id: int, reference: str) -> Reply:
        """/share <what>; nothing: the chat's follows to pick from."""
        if not reference.strip():
            return await self._follows.picker(chat_id, "h")
        read = self._follows.resolve(reference, "share")
        if isinstance(read, Reply):
            return read
        return await self._card(*read)

    async def pressed(self, target: str) -> Reply | None:
        """A Share button of a card that names its target; None when it is no kind's."""
        checked = self._follows.checked(target)
        return await self._card(*checked) if isinstance(checked, tuple) else checked

    async def followed_pressed(self, chat_id: int, ref: str) -> Reply:
        """A Share button that names one of the chat's follows."""
        target = find_ref(ref, await self._store.follows_of(chat_id))
        if target is None:
            return Reply("", placement=Placement.TOAST, toast="This chat no longer follows that.")
        return await self._card(*self._follows.kind_of(target))

    async def inline(self, text: str) -> list[tuple[InlineCard, str]]:
        """Inline mode: cards to send from any chat, each with the link that follows it."""
        cards = []
        for kind in self._follows.kinds():
            if isinstance(kind, Inline):
                for card in await kind.inline(text.strip(), self._clock()):
                    payload = kind.deep_link(card.ident)
                    link = create_deep_linked_url(self._bot_username, payload) if payload else ""
                    cards.append((card, link))
        return cards

    async def _card(self, kind: TargetKind, ident: str) -> Reply:
        payload = kind.deep_link(ident)
        if payload is None:
            return Reply(
                "That is too long to share as a link. Share the command instead: "
                f"<code>/follow {html.escape(kind.reference(ident))}</code>"
            )
        looked = await self._follows.current(kind, ident)
        if looked.state is None:
            return Reply(looked.problem or "")
        link = create_deep_linked_url(self._bot_username, payload)
        group_link = create_deep_linked_url(self._bot_username, payload, group=True)
        card = kind.card(ident, looked.state, self._clock(), LONDON, shared=True)
        return Reply(
            f"{card}\n\n📤 Forward this: anyone who opens {link} follows it in one tap. "
            f"To get its alerts in a group: {group_link}",
            (
                (
                    Button("🔔 Follow in the bot", url=link),
                    Button("👥 Alerts in a group", url=group_link),
                ),
            ),
        )
