"""What a chat can ask: follow, unfollow, list, status, and browsing a kind. Returns Replies.

The service behind the handlers. It never names a kind: it asks each target kind, in order,
whether the user's text names one of its targets (the last kind, petitions, reads whatever is
left), and lets the kind word its card, its /list line and its follow reply. Bad input never
reaches the store.
"""

from __future__ import annotations

import html
from collections.abc import Callable, Sequence
from datetime import datetime

from bot.sources.base import (
    Asking,
    BadReference,
    Browsable,
    Button,
    Command,
    FollowThis,
    Lookup,
    Pasteable,
    Pressable,
    Reply,
    TargetKind,
    split_target,
    target_key,
)
from bot.store import Store

ADMINS_ONLY = "Only this group's admins can change what it follows."
FOLLOW_PREFIX, BROWSE_PREFIX = "f:", "b:"


class FollowService:
    def __init__(
        self,
        store: Store,
        kinds: Sequence[TargetKind],
        follows_per_chat: int,
        clock: Callable[[], datetime],
    ) -> None:
        self._store = store
        self._kinds = {kind.kind: kind for kind in kinds}
        # Which kind answers each of the kinds' own commands.
        self._owners: dict[str, Browsable] = {
            command.name: kind  # type: ignore[misc]
            for kind in kinds
            for command in kind.commands
        }
        self._limit = follows_per_chat
        self._clock = clock

    def commands(self) -> list[Command]:
        """The kinds' own commands (/statements, /debates, /search, ...), in the kinds' order."""
        return [command for kind in self._kinds.values() for command in kind.commands]

    async def follow(self, chat_id: int, reference: str) -> Reply:
        read = self._read(reference, "follow")
        if isinstance(read, Reply):
            return read
        return await self._follow(chat_id, *read)

    async def unfollow(self, chat_id: int, reference: str) -> Reply:
        follows = self._store.follows_of(chat_id)
        read = self._read(reference, "unfollow")
        if isinstance(read, Reply):
            return self._by_list_number(follows, reference) or read
        target = target_key(read[0].kind, read[1])
        if target not in follows:
            target = self._by_list_number(follows, reference) or target
        kind, ident = self._kind_of(target)
        state = self._store.target_state(target)
        if not self._store.remove_follow(chat_id, target):
            return Reply(
                f"This chat doesn't follow {kind.name(ident, None)}. /list shows what it follows."
            )
        name = kind.name(ident, state)
        return Reply(f"🔕 Stopped following {name}. No more alerts about it here.")

    async def status(self, reference: str) -> Reply:
        read = self._read(reference, "status")
        if isinstance(read, Reply):
            return read
        kind, ident = read
        looked = await self._current(kind, ident)
        if looked.state is None:
            return Reply(looked.problem or "")
        return Reply(kind.card(ident, looked.state, self._clock()))

    def list_follows(self, chat_id: int) -> Reply:
        follows = self._store.follows_of(chat_id)
        if not follows:
            return Reply(
                "This chat doesn't follow anything yet. Try:\n"
                + "\n".join(f"/follow {html.escape(k.example)}" for k in self._kinds.values())
                + "".join(f"\n/{c.name}: {c.description.lower()}" for c in self.commands())
            )
        lines = [f"<b>What this chat follows ({len(follows)})</b>"]
        for number, target in enumerate(follows, start=1):
            kind, ident = self._kind_of(target)
            state = self._store.target_state(target)
            lines.append(f"{number}. {kind.list_line(ident, state, self._clock())}")
        return Reply("\n".join(lines))

    async def browse(self, chat_id: int, command: str, args: str, may_follow: bool) -> Reply:
        """A kind's own command, e.g. /statements home-office grooming gangs."""
        kind = self._owners[command]
        try:
            answer = await kind.browse(command, args.strip(), self._clock())
        except BadReference as exc:
            return Reply(str(exc), exc.buttons)
        return await self._settle(chat_id, kind, answer, may_follow)

    async def answer(
        self, chat_id: int, awaiting: tuple[str, str], text: str, may_follow: bool
    ) -> Reply:
        """The user's plain message after a question a kind asked (`Reply.awaiting`)."""
        kind = self._kinds.get(awaiting[0])
        if not isinstance(kind, Asking):
            return Reply("I've lost track of that question. Please start again.")
        try:
            answer = await kind.answer(awaiting[1], text.strip(), self._clock())
        except BadReference as exc:
            return Reply(str(exc), exc.buttons)
        return await self._settle(chat_id, kind, answer, may_follow)

    async def press(self, chat_id: int, data: str, may_follow: bool) -> Reply:
        """A tap on an inline button: `f:<target>` follows it, `b:<kind>:<payload>` browses."""
        if data.startswith(FOLLOW_PREFIX):
            kind_name, ident = split_target(data.removeprefix(FOLLOW_PREFIX))
            kind = self._kinds.get(kind_name)
            if kind is not None:
                # A button may be older than the bot's data: read its target as if typed.
                try:
                    checked = kind.read_reference(kind.reference(ident))
                except BadReference as exc:
                    return Reply(str(exc), exc.buttons)
                if checked is not None:
                    return await self._settle(chat_id, kind, FollowThis(checked), may_follow)
        elif data.startswith(BROWSE_PREFIX):
            kind_name, payload = split_target(data.removeprefix(BROWSE_PREFIX))
            kind = self._kinds.get(kind_name)
            if isinstance(kind, Pressable):
                answer = await kind.press(payload, self._clock())
                return await self._settle(chat_id, kind, answer, may_follow)  # type: ignore[arg-type]
        return Reply("That button is out of date. Send /help to see what I can do.")

    async def read_message(self, chat_id: int, text: str) -> Reply:
        """A plain message in a private chat: the card of whatever it names, with a Follow
        button, or a one-line hint."""
        pasteable = [kind for kind in self._kinds.values() if isinstance(kind, Pasteable)]
        for kind in pasteable:
            ident = kind.find_in_text(text)
            if ident is None:
                continue
            looked = await self._current(kind, ident)
            if looked.state is None:
                return Reply(looked.problem or "")
            card = kind.card(ident, looked.state, self._clock())
            target = target_key(kind.kind, ident)
            if target in self._store.follows_of(chat_id):
                return Reply(f"{card}\n\n🔔 This chat follows it.")
            return Reply(card, ((Button("🔔 Follow", FOLLOW_PREFIX + target),),))
        hints = " or ".join(kind.paste_hint for kind in pasteable)
        return Reply(f"Send me {hints} to see where it stands, or /help for everything I can do.")

    def resume(self, chat_id: int) -> None:
        """The chat talked to the bot: it can receive messages again."""
        self._store.set_paused(chat_id, False)

    async def _settle(
        self, chat_id: int, kind: TargetKind, answer: Reply | FollowThis, may_follow: bool
    ) -> Reply:
        if isinstance(answer, Reply):
            return answer
        if not may_follow:
            return Reply(ADMINS_ONLY)
        return await self._follow(chat_id, kind, answer.ident)

    async def _follow(self, chat_id: int, kind: TargetKind, ident: str) -> Reply:
        target = target_key(kind.kind, ident)
        follows = self._store.follows_of(chat_id)
        if target in follows:
            return Reply(
                f"This chat already follows {kind.name(ident, self._store.target_state(target))}."
                f" /status {html.escape(kind.reference(ident))} shows where it stands."
            )
        if len(follows) >= self._limit:
            return Reply(
                f"This chat is at its limit of {self._limit} follows. "
                "Send /list and unfollow one first."
            )
        looked = await self._current(kind, ident)
        if looked.state is None:
            return Reply(looked.problem or "")
        self._store.add_follow(chat_id, target, looked.state)
        return Reply(kind.follow_reply(ident, looked.state, self._clock()))

    def _read(self, reference: str, command: str) -> tuple[TargetKind, str] | Reply:
        """The kind and ident that `reference` names, or the friendly reply saying what's wrong."""
        for kind in self._kinds.values():
            try:
                ident = kind.read_reference(reference.strip())
            except BadReference as exc:
                hint = f"\nFor example: /{command} {html.escape(kind.example)}"
                return Reply(f"{exc}{'' if exc.buttons else hint}", exc.buttons)
            if ident is not None:
                return kind, ident
        raise AssertionError("the last kind reads every reference")

    @staticmethod
    def _by_list_number(follows: list[str], reference: str) -> str | None:
        """`/unfollow 2`: the second entry of /list, when the chat follows no petition 2."""
        text = reference.strip()
        if text.isdigit() and 1 <= int(text) <= len(follows):
            return follows[int(text) - 1]
        return None

    def _kind_of(self, target: str) -> tuple[TargetKind, str]:
        kind_name, ident = split_target(target)
        return self._kinds[kind_name], ident

    async def _current(self, kind: TargetKind, ident: str) -> Lookup:
        """The target as last polled if it is followed here, else as fetched now."""
        target = target_key(kind.kind, ident)
        state = self._store.target_state(target)
        if state is not None and self._store.followers_of(target):
            return Lookup(state)
        return await kind.look_up(ident, self._clock())
