"""What a chat can ask: follow, unfollow, list, status, browsing a kind, pasting a link, stop.

The service behind the commands (bot.presses handles button taps with it). It never names a
kind: it asks each target kind, in order, whether the user's text names one of its targets (the
last kind, petitions, reads whatever is left), and lets the kind word its card, its /list line
and its follow reply. Cards of followed targets carry Unfollow and Status buttons, others a
Follow button. Bad input never reaches the store.
"""

from __future__ import annotations

import html
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import datetime, tzinfo

from telegram.helpers import create_deep_linked_url

from bot.away import render_away_summary
from bot.bundles import gather
from bot.callbacks import card_buttons, short_ref
from bot.listing import Entry, render_list_page
from bot.sources.base import (
    Asking,
    BadReference,
    Browsable,
    Button,
    Chartable,
    Command,
    FollowThis,
    Inline,
    InlineCard,
    Lookup,
    Pasteable,
    Pressable,
    Reply,
    TargetKind,
    split_target,
    target_key,
)
from bot.sources.text import LONDON
from bot.store import Store

ADMINS_ONLY = "Only this group's admins can change what it follows."


class FollowService:
    def __init__(
        self,
        store: Store,
        kinds: Sequence[TargetKind],
        follows_per_chat: int,
        clock: Callable[[], datetime],
        *,
        bot_username: str,
    ) -> None:
        self._store = store
        self._bot_username = bot_username
        self._kinds = {kind.kind: kind for kind in kinds}
        # Which kind answers each of the kinds' own commands.
        self._owners: dict[str, Browsable] = {
            command.name: kind  # type: ignore[misc]
            for kind in kinds
            for command in kind.commands
        }
        self._limit = follows_per_chat
        self._clock = clock

    def kinds(self) -> list[TargetKind]:
        return list(self._kinds.values())

    def commands(self) -> list[Command]:
        """The kinds' own commands (/statements, /debates, /search, ...), in the kinds' order."""
        return [command for kind in self._kinds.values() for command in kind.commands]

    async def follow(self, chat_id: int, reference: str) -> Reply:
        read = self.resolve(reference, "follow")
        if isinstance(read, Reply):
            return read
        return await self._follow(chat_id, *read)

    async def unfollow(self, chat_id: int, reference: str) -> Reply:
        follows = self._store.follows_of(chat_id)
        if not reference.strip() and follows:
            return self.list_follows(chat_id)  # the picker
        read = self.resolve(reference, "unfollow")
        if isinstance(read, Reply):
            return self._by_list_number(follows, reference) or read
        target = target_key(read[0].kind, read[1])
        if target not in follows:
            target = self._by_list_number(follows, reference) or target
        kind, ident = self.kind_of(target)
        if target not in follows:
            return Reply(
                f"This chat doesn't follow {kind.name(ident, None)}. /list shows what it follows."
            )
        return Reply(f"🔕 {await self.unfollow_target(chat_id, target)}")

    async def unfollow_target(self, chat_id: int, target: str) -> str:
        """Stop following `target`; says so in words (HTML)."""
        name = self.name_of(target)
        await self._store.remove_follow(chat_id, target)
        return f"Stopped following {name}. No more alerts about it here."

    def name_of(self, target: str) -> str:
        kind, ident = self.kind_of(target)
        return kind.name(ident, self._store.target_state(target))

    async def status(self, chat_id: int, reference: str) -> Reply:
        read = self.resolve(reference, "status")
        if isinstance(read, Reply):
            return read
        return await self.card(chat_id, target_key(read[0].kind, read[1]))

    async def card(self, chat_id: int, target: str) -> Reply:
        """The target's card, with Unfollow and Status buttons if the chat follows it, else a
        Follow button."""
        kind, ident = self.kind_of(target)
        looked = await self._current(kind, ident)
        if looked.state is None:
            return Reply(looked.problem or "")
        followed = target in self._store.follows_of(chat_id)
        buttons = card_buttons(target, followed, isinstance(kind, Chartable))
        return Reply(kind.card(ident, looked.state, self._clock(), self._zone(chat_id)), buttons)

    def list_follows(self, chat_id: int, page: int = 0, note: str = "") -> Reply:
        """A page of what the chat follows, with buttons; `note` (HTML) goes first."""
        follows = self._store.follows_of(chat_id)
        if not follows:
            return Reply(
                (f"{note}\n" if note else "")
                + "This chat doesn't follow anything yet. Try:\n"
                + "\n".join(f"/follow {html.escape(k.example)}" for k in self._kinds.values())
                + "".join(f"\n/{c.name}: {c.description.lower()}" for c in self.commands())
            )
        entries = []
        for target in follows:
            kind, ident = self.kind_of(target)
            line = kind.list_line(ident, self._store.target_state(target), self._clock())
            entries.append(Entry(line, short_ref(target), self._store.is_muted(chat_id, target)))
        return render_list_page(entries, page, note)

    async def inline(self, text: str) -> list[tuple[InlineCard, str]]:
        """Inline mode: cards to send from any chat, each with the link that follows it."""
        cards = []
        for kind in self._kinds.values():
            if isinstance(kind, Inline):
                for card in await kind.inline(text.strip(), self._clock()):
                    payload = kind.deep_link(card.ident)
                    link = create_deep_linked_url(self._bot_username, payload) if payload else ""
                    cards.append((card, link))
        return cards

    def stats(self) -> Reply:
        """The operators' figures: what the bot holds."""
        lines = ["<b>Accountability Alerts</b>"]
        lines += [f"{name}: {count:,}" for name, count in self._store.counts().items()]
        kinds = Counter(split_target(target)[0] for target in self._store.followed_targets())
        lines += [f"polled {kind} targets: {count:,}" for kind, count in sorted(kinds.items())]
        return Reply("\n".join(lines))

    def stop(self) -> Reply:
        """/stop: ask before forgetting the chat."""
        return Reply(
            "Stop everything? This chat will follow nothing and I'll delete what I keep about it "
            "(its follows, settings and alert history).",
            ((Button("🗑 Yes, delete", "stopy"), Button("Keep everything", "stopn")),),
        )

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

    async def follow_pressed(self, chat_id: int, target: str, may_follow: bool) -> Reply | None:
        """A Follow button; None when its target is no kind's."""
        checked = self._checked(target)
        if not isinstance(checked, tuple):
            return checked
        return await self._settle(chat_id, checked[0], FollowThis(checked[1]), may_follow)

    async def share(self, reference: str) -> Reply:
        """/share: a card to forward, with the link that follows it in one tap."""
        read = self.resolve(reference, "share")
        if isinstance(read, Reply):
            return read
        return await self._share(*read)

    async def share_pressed(self, target: str) -> Reply | None:
        """A Share button; None when its target is no kind's."""
        checked = self._checked(target)
        return await self._share(*checked) if isinstance(checked, tuple) else checked

    async def start(self, chat_id: int, payload: str, may_follow: bool) -> Reply | None:
        """A deep link (`/start p_300412`): follow what it names; None when it names nothing."""
        for kind in self._kinds.values():
            ident = kind.read_deep_link(payload)
            if ident is not None:
                return await self._settle(chat_id, kind, FollowThis(ident), may_follow)
        return None

    async def _share(self, kind: TargetKind, ident: str) -> Reply:
        payload = kind.deep_link(ident)
        if payload is None:
            return Reply(
                "That is too long to share as a link. Share the command instead: "
                f"<code>/follow {html.escape(kind.reference(ident))}</code>"
            )
        looked = await self._current(kind, ident)
        if looked.state is None:
            return Reply(looked.problem or "")
        link = create_deep_linked_url(self._bot_username, payload)
        return Reply(
            # Forwarded to people whose zones are unknown: the UK's dates.
            f"{kind.card(ident, looked.state, self._clock(), LONDON)}\n\n"
            f"📤 Forward this: anyone who opens {link} follows it in one tap.",
            ((Button("🔔 Follow in the bot", url=link),),),
        )

    def _zone(self, chat_id: int) -> tzinfo:
        return self._store.chat_settings(chat_id).tz

    def _checked(self, target: str) -> tuple[TargetKind, str] | Reply | None:
        """A button's target read again as if typed (a button may be older than the bot's data):
        its kind and ident, the reason it is no longer right, or None if it is no kind's."""
        kind_name, ident = split_target(target)
        kind = self._kinds.get(kind_name)
        if kind is None:
            return None
        try:
            checked = kind.read_reference(kind.reference(ident))
        except BadReference as exc:
            return Reply(str(exc), exc.buttons)
        return None if checked is None else (kind, checked)

    async def browse_pressed(self, chat_id: int, payload: str, may_follow: bool) -> Reply | None:
        """One of a kind's own buttons (`<kind>:<payload>`); None when no kind has it."""
        kind_name, rest = split_target(payload)
        kind = self._kinds.get(kind_name)
        if not isinstance(kind, Pressable):
            return None
        answer = await kind.press(rest, self._clock())
        return await self._settle(chat_id, kind, answer, may_follow)  # type: ignore[arg-type]

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
            return await self.card(chat_id, target_key(kind.kind, ident))
        hints = " or ".join(kind.paste_hint for kind in pasteable)
        return Reply(f"Send me {hints} to see where it stands, or /help for everything I can do.")

    async def resume(self, chat_id: int) -> None:
        """The chat can hear us again (it talked to us, or re-added us): a backlog of held
        alerts becomes one "while you were away" message rather than a burst."""
        if not self._store.is_paused(chat_id):
            return
        held = self._store.pending_of(chat_id)
        if len(held) > 1:
            summary = render_away_summary([message.text for message in gather(held)])
            await self._store.fold_pending(chat_id, summary, self._clock())
        await self._store.set_paused(chat_id, False)

    async def pause(self, chat_id: int) -> None:
        """The chat removed or blocked us: hold its alerts, and stop polling what only it
        follows."""
        await self._store.set_paused(chat_id, True)

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
        await self._store.add_follow(chat_id, target, looked.state)
        buttons = card_buttons(target, True, isinstance(kind, Chartable))
        reply = kind.follow_reply(ident, looked.state, self._clock(), self._zone(chat_id))
        return Reply(reply, buttons)

    def resolve(self, reference: str, command: str) -> tuple[TargetKind, str] | Reply:
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
        if text.isdecimal() and 1 <= int(text) <= len(follows):
            return follows[int(text) - 1]
        return None

    def kind_of(self, target: str) -> tuple[TargetKind, str]:
        kind_name, ident = split_target(target)
        return self._kinds[kind_name], ident

    async def _current(self, kind: TargetKind, ident: str) -> Lookup:
        """The target as last polled if it is followed here, else as fetched now."""
        target = target_key(kind.kind, ident)
        state = self._store.target_state(target)
        if state is not None and self._store.followers_of(target):
            return Lookup(state)
        return await kind.look_up(ident, self._clock())
