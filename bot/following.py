"""What a chat can ask: follow, unfollow, list, status, browsing a kind, typed or pasted words,
stop.

The service behind the commands (bot.presses handles button taps with it, bot.sharing the
cards to forward). It never names a kind: bot.reading asks each target kind whether the
user's text names one of its targets (or several: `/follow 700013 700014`), and each kind words
its card, its /list line and its follow reply. Cards of followed targets carry ✅ Following,
Unfollow, Share, Alerts, Mute and Chart buttons, others Follow and Share; following from a card
edits it in place. A command given nothing to act on offers the chat's own follows as buttons. A
kind's own command carries the sections other kinds add to it (`Contributing`), and a card the
lines a kind has for the chat's constituency (`Local`).
Bad input never reaches the store.
"""

from __future__ import annotations

import asyncio
import html
from collections.abc import Callable, Sequence
from dataclasses import replace
from datetime import datetime, tzinfo

from bot.callbacks import card_buttons, short_ref
from bot.listing import Entry, render_list_page, render_picker
from bot.reading import Named, Reader
from bot.sources.base import (
    Asking,
    BadReference,
    Browsable,
    Button,
    Chartable,
    Command,
    Contributing,
    FollowThis,
    Local,
    Lookup,
    Pasteable,
    Placement,
    Pressable,
    Reply,
    TargetKind,
    split_target,
    target_key,
)
from bot.sources.text import one_line, plain_text
from bot.storage.port import Storage

ADMINS_ONLY = "Only this group's admins can change what it follows."
# The questions the service itself asks, when a command came with nothing to act on.
OWN_QUESTION = ""
UNFOLLOW_AT_ONCE = 6  # refs that fit in one button's 64 bytes
# Pickers: the tap each makes, its emoji and its question.
PICKERS = {
    "c": ("📜", "Which one? Tap it for its card."),
    "g": ("📈", "Which petition's chart?"),
    "h": ("📤", "Which one should I make a card to forward for?"),
    "x": ("🔕", "Which should this chat stop following?"),
}


class FollowService:
    def __init__(
        self,
        store: Storage,
        kinds: Sequence[TargetKind],
        follows_per_chat: int,
        clock: Callable[[], datetime],
        outage_lines: Callable[[str], list[str]] = lambda kind: [],
    ) -> None:
        """`outage_lines(kind)`: what a card of that kind says of its sources' outages
        (bot.outages)."""
        self._store = store
        self._outage_lines = outage_lines
        self._kinds = {kind.kind: kind for kind in kinds}
        self.reader = Reader(kinds)
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

    # --- following ------------------------------------------------------------------------------

    async def follow(self, chat_id: int, reference: str) -> Reply:
        """`/follow <what>`: one target or several; nothing: ask, and show what it follows."""
        if not reference.strip():
            return await self._ask(chat_id, "follow", "✅")
        read = self.reader.read(reference, "follow")
        if isinstance(read, Reply):
            return await self._marked(chat_id, read)
        if len(read.targets) == 1:
            return await self._follow(chat_id, *read.targets[0])
        lines, followed = [], 0
        for (kind, ident), typed in zip(read.targets, read.typed, strict=True):
            added = await self.add(chat_id, kind, ident)
            if isinstance(added, str):
                lines.append(f"⚠️ {html.escape(typed)}: {added}")
            else:
                followed += 1
                name = kind.name(ident, added)
                lines.append(f"✅ Following {name}")
        head = f"<b>Following {followed} of {len(read.targets)}</b>"
        return Reply("\n".join([head, *lines, "/list shows them all."]))

    async def _follow(self, chat_id: int, kind: TargetKind, ident: str) -> Reply:
        added = await self.add(chat_id, kind, ident)
        if isinstance(added, str):
            return Reply(added)
        target = target_key(kind.kind, ident)
        reply = kind.follow_reply(ident, added, self._clock(), await self._zone(chat_id))
        return Reply(reply, await self.card_buttons_of(chat_id, target))

    async def add(self, chat_id: int, kind: TargetKind, ident: str) -> dict | str:
        """Follow the target: the state taken as its silent baseline, or why not (HTML)."""
        target = target_key(kind.kind, ident)
        follows = await self._store.follows_of(chat_id)
        if target in follows:
            name = kind.name(ident, await self._store.target_state(target))
            return (
                f"This chat already follows {name}."
                f" /status {html.escape(kind.reference(ident))} shows where it stands."
            )
        if len(follows) >= self._limit:
            return (
                f"This chat is at its limit of {self._limit} follows. "
                "Send /list and unfollow one first."
            )
        looked = await self.current(kind, ident)
        if looked.state is None:
            return looked.problem or ""
        await self._store.add_follow(chat_id, target, looked.state)
        return looked.state

    async def follow_pressed(
        self, chat_id: int, target: str, may_follow: bool, in_card: bool
    ) -> Reply | None:
        """A Follow button: on a card (`in_card`) the card becomes the followed card in place;
        in a list, the button becomes ✅. None when its target is no kind's."""
        checked = self.checked(target)
        if not isinstance(checked, tuple):
            return checked
        if not may_follow:
            return refused()
        kind, ident = checked
        target = target_key(kind.kind, ident)
        added = await self.add(chat_id, kind, ident)
        followed = target in await self._store.follows_of(chat_id)
        if not followed:
            return Reply("", placement=Placement.TOAST, toast=one_line(plain_text(added), 190))
        if in_card:
            if isinstance(added, str):  # followed already: the card as it stands now
                return replace(await self.card(chat_id, target), placement=Placement.EDIT)
            reply = kind.follow_reply(ident, added, self._clock(), await self._zone(chat_id))
            return Reply(
                reply, await self.card_buttons_of(chat_id, target), placement=Placement.EDIT
            )
        label = kind.label(ident, await self._store.target_state(target))
        return Reply(
            "",
            ((self._followed_button(target, label),),),
            placement=Placement.MARK,
            toast=f"✅ Following {one_line(label, 150)}",
        )

    # --- unfollowing ----------------------------------------------------------------------------

    async def unfollow(self, chat_id: int, reference: str) -> Reply:
        """`/unfollow <what>` asks first, as the button does; several at once; nothing: the
        chat's follows to pick from."""
        follows = await self._store.follows_of(chat_id)
        if not reference.strip():
            return await self.picker(chat_id, "x") if follows else self._nothing_followed()
        read = self.reader.read(reference, "unfollow")
        if isinstance(read, Reply):
            by_number = self._by_list_number(follows, reference)
            return await self.ask_unfollow(chat_id, [by_number]) if by_number else read
        found, missing = [], []
        for (kind, ident), typed in zip(read.targets, read.typed, strict=True):
            target = target_key(kind.kind, ident)
            if target not in follows:
                target = self._by_list_number(follows, typed) or target
            if target in follows:
                found.append(target)
            else:
                missing.append(f"This chat doesn't follow {kind.name(ident, None)}.")
        if not found:
            return Reply("\n".join(missing) + " /list shows what it follows.")
        if len(found) > UNFOLLOW_AT_ONCE:
            return Reply(f"I can stop up to {UNFOLLOW_AT_ONCE} at once. /list has 🔕 Unfollow all.")
        asked = await self.ask_unfollow(chat_id, found)
        return replace(asked, text="\n".join([*missing, asked.text]))

    async def ask_unfollow(self, chat_id: int, targets: list[str]) -> Reply:
        """ "Stop alerts for …?", with Yes and No."""
        refs = ",".join(short_ref(target) for target in dict.fromkeys(targets))
        if len(targets) == 1:
            question = f"Stop alerts for {await self.name_of(targets[0])}?"
        else:
            names = "\n".join([f"• {await self.name_of(target)}" for target in targets])
            question = f"Stop alerts for these {len(targets)}?\n{names}"
        return Reply(
            question,
            ((Button("🔕 Yes, unfollow", f"xs:{refs}"), Button("No, keep", "xn")),),
        )

    async def unfollow_target(self, chat_id: int, target: str) -> str:
        """Stop following `target`; says so in words (HTML)."""
        name = await self.name_of(target)
        await self._store.remove_follow(chat_id, target)
        return f"Stopped following {name}. No more alerts about it here."

    # --- looking ------------------------------------------------------------------------------

    async def status(self, chat_id: int, reference: str) -> Reply:
        """`/status <what>`: its card; nothing: the chat's follows to pick from."""
        if not reference.strip():
            return await self._ask(chat_id, "status", "📜")
        read = self.resolve(reference, "status")
        if isinstance(read, Reply):
            return await self._marked(chat_id, read)
        return await self.card(chat_id, target_key(read[0].kind, read[1]))

    async def card(self, chat_id: int, target: str) -> Reply:
        """The target's card, with the buttons of a followed card if the chat follows it,
        else Follow and Share."""
        kind, ident = self.kind_of(target)
        looked = await self.current(kind, ident)
        if looked.state is None:
            return Reply(looked.problem or "")
        settings = await self._store.chat_settings(chat_id)
        card = kind.card(ident, looked.state, self._clock(), settings.tz)
        if isinstance(kind, Local):
            lines = await kind.local_lines(ident, settings.constituency, self._clock())
            card = "\n".join([card, *lines])
        if outages := self._outage_lines(kind.kind):
            card = "\n\n".join([card, *outages])
        return Reply(card, await self.card_buttons_of(chat_id, target))

    async def list_follows(self, chat_id: int, page: int = 0, note: str = "") -> Reply:
        """A page of what the chat follows, with a button each; `note` (HTML) goes first."""
        entries = await self._entries(chat_id)
        if not entries:
            return self._nothing_followed(note)
        return render_list_page(entries, page, note)

    async def picker(self, chat_id: int, verb: str, page: int = 0) -> Reply:
        """The chat's follows as buttons, each making tap `verb` (see PICKERS)."""
        emoji, question = PICKERS[verb]
        entries = await self._entries(chat_id, chartable_only=verb == "g")
        if not entries:
            return self._nothing_followed()
        return render_picker(question, entries, page, verb, emoji)

    async def _entries(self, chat_id: int, chartable_only: bool = False) -> list[Entry]:
        entries = []
        follows = await self._store.follows_of(chat_id)
        states = await self._store.target_states(follows)  # one read, not one per follow
        for target in follows:
            kind, ident = self.kind_of(target)
            if chartable_only and not isinstance(kind, Chartable):
                continue
            state = states[target]
            entries.append(
                Entry(
                    kind.list_line(ident, state, self._clock()),
                    kind.label(ident, state),
                    short_ref(target),
                    await self._store.is_muted(chat_id, target),
                )
            )
        return entries

    def _nothing_followed(self, note: str = "") -> Reply:
        return Reply(
            (f"{note}\n" if note else "")
            + "This chat doesn't follow anything yet. Try:\n"
            + "\n".join(f"/follow {html.escape(k.example)}" for k in self._kinds.values())
            + "".join(f"\n/{c.name}: {c.description.lower()}" for c in self.commands())
        )

    async def _ask(self, chat_id: int, command: str, emoji: str) -> Reply:
        """A command with nothing after it: what it wants, taken from the next message, and
        the chat's own follows as buttons (to open, for a command that acts on one)."""
        question = (
            "What should this chat follow? Send a petition's link or number, or a few words "
            "to find one."
            if command == "follow"
            else "Which one? Send a petition's link or number, or a few words to find one."
        )
        entries = await self._entries(chat_id)
        if entries:
            question += "\nWhat it follows already:" if command == "follow" else "\nOr tap one:"
            picked = render_picker(question, entries, 0, "c", emoji)
            return replace(picked, awaiting=(OWN_QUESTION, command))
        return Reply(question, awaiting=(OWN_QUESTION, command))

    def stop(self) -> Reply:
        """/stop: ask before forgetting the chat."""
        return Reply(
            "Stop everything? This chat will follow nothing and I'll delete what I keep about it "
            "(its follows, settings and alert history).",
            ((Button("🗑 Yes, delete", "stopy"), Button("Keep everything", "stopn")),),
        )

    async def welcome_back(self, chat_id: int) -> str | None:
        """What a group that adds the bot again still follows, or None when it follows nothing."""
        follows = await self._store.follows_of(chat_id)
        if not follows:
            return None
        names = "\n".join([f"• {await self.name_of(target)}" for target in follows[:10]])
        more = f"\n…and {len(follows) - 10} more." if len(follows) > 10 else ""
        return (
            f"👋 Welcome back. This group still follows {len(follows)}:\n{names}{more}\n"
            "Anything that changed while I was away comes next, in one message. /list shows "
            "them with buttons."
        )

    # --- a kind's own commands, questions and buttons --------------------------------------

    async def browse(self, chat_id: int, command: str, args: str, may_follow: bool) -> Reply:
        """A kind's own command, e.g. /statements home-office grooming gangs."""
        kind = self._owners[command]
        now = self._clock()
        try:
            answer = await kind.browse(command, args.strip(), now)
        except BadReference as exc:
            return Reply(str(exc), exc.buttons)
        if isinstance(answer, Reply):
            answer = await self._with_contributions(answer, kind, command, args.strip(), now)
        return await self._settle(chat_id, kind, answer, may_follow)

    async def _with_contributions(
        self, reply: Reply, owner: TargetKind, command: str, args: str, now: datetime
    ) -> Reply:
        """The reply with the sections other kinds add to its command (Contributing)."""
        adding = [
            kind
            for kind in self._kinds.values()
            if kind is not owner
            and isinstance(kind, Contributing)
            and command in kind.contributes_to
        ]
        if not adding:
            return reply
        sections = await asyncio.gather(*(k.contribute(command, args, now) for k in adding))
        return replace(reply, text="\n\n".join([reply.text, *filter(None, sections)]))

    async def answer(
        self, chat_id: int, awaiting: tuple[str, str], text: str, may_follow: bool
    ) -> Reply:
        """The user's plain message after a question (`Reply.awaiting`): the service's own
        (a command that came with nothing), or a kind's."""
        asker, context = awaiting
        if asker == OWN_QUESTION:
            return await self._answer_own(chat_id, context, text, may_follow)
        kind = self._kinds.get(asker)
        if not isinstance(kind, Asking):
            return Reply("I've lost track of that question. Please start again.")
        try:
            answer = await kind.answer(context, text.strip(), self._clock())
        except BadReference as exc:
            return Reply(str(exc), exc.buttons)
        return await self._settle(chat_id, kind, answer, may_follow)  # type: ignore[arg-type]

    async def _answer_own(self, chat_id: int, command: str, text: str, may_follow: bool) -> Reply:
        read = self.reader.read(text, command)
        if not isinstance(read, Named):
            # Words: what they find is the answer to "which one?".
            return await self.search(chat_id, text)
        if command == "follow":
            return await self.follow(chat_id, text) if may_follow else Reply(ADMINS_ONLY)
        return await self.status(chat_id, text)

    async def browse_pressed(self, chat_id: int, payload: str, may_follow: bool) -> Reply | None:
        """One of a kind's own buttons (`<kind>:<payload>`); None when no kind has it."""
        kind_name, rest = split_target(payload)
        kind = self._kinds.get(kind_name)
        if not isinstance(kind, Pressable):
            return None
        answer = await kind.press(rest, self._clock())
        return await self._settle(chat_id, kind, answer, may_follow)  # type: ignore[arg-type]

    async def start(self, chat_id: int, payload: str, may_follow: bool) -> Reply | None:
        """A deep link (`/start p_300412`): follow what it names; None when it names nothing."""
        for kind in self._kinds.values():
            ident = kind.read_deep_link(payload)
            if ident is not None:
                return await self._settle(chat_id, kind, FollowThis(ident), may_follow)
        return None

    async def _settle(
        self, chat_id: int, kind: TargetKind, answer: Reply | FollowThis, may_follow: bool
    ) -> Reply:
        if isinstance(answer, Reply):
            return await self._marked(chat_id, answer)
        if not may_follow:
            return refused()
        return await self._follow(chat_id, kind, answer.ident)

    # --- plain messages -----------------------------------------------------------------------

    async def read_message(self, chat_id: int, text: str) -> Reply:
        """A plain message in a private chat: the card of whatever it names, with a Follow
        button; a link to another petitions site, told so; else its words searched."""
        for kind in self._kinds.values():
            if not isinstance(kind, Pasteable):
                continue
            try:
                ident = kind.find_in_text(text)
            except BadReference as exc:
                return Reply(str(exc), exc.buttons)
            if ident is not None:
                return await self.card(chat_id, target_key(kind.kind, ident))
        return await self.search(chat_id, text)

    async def search(self, chat_id: int, words: str) -> Reply:
        """What the words find, and where else to follow what they are about."""
        return await self._marked(chat_id, await self.reader.search(words, self._clock()))

    # --- helpers ------------------------------------------------------------------------------

    def resolve(self, reference: str, command: str) -> tuple[TargetKind, str] | Reply:
        """The one target `reference` names, or the friendly reply saying what's wrong."""
        read = self.reader.read(reference, command)
        if isinstance(read, Reply):
            return read
        if len(read.targets) > 1:
            return Reply(f"One at a time for /{command}, please.")
        return read.targets[0]

    async def name_of(self, target: str) -> str:
        kind, ident = self.kind_of(target)
        return kind.name(ident, await self._store.target_state(target))

    def kind_of(self, target: str) -> tuple[TargetKind, str]:
        kind_name, ident = split_target(target)
        return self._kinds[kind_name], ident

    def checked(self, target: str) -> tuple[TargetKind, str] | Reply | None:
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

    async def card_buttons_of(self, chat_id: int, target: str) -> tuple[tuple[Button, ...], ...]:
        """The buttons its card has now: after a follow, a mute, an unfollow, a "keep"."""
        kind, _ = self.kind_of(target)
        followed = target in await self._store.follows_of(chat_id)
        muted = followed and await self._store.is_muted(chat_id, target)
        return card_buttons(target, followed, isinstance(kind, Chartable), muted)

    async def _marked(self, chat_id: int, reply: Reply) -> Reply:
        """`reply` with each Follow button (`f:`) of a target the chat follows already turned
        into ✅, which opens its card."""
        follows = set(await self._store.follows_of(chat_id))
        rows = tuple(
            tuple(
                self._followed_button(button.data[2:], button.label.removeprefix("🔔 "))
                if button.data.startswith("f:") and button.data[2:] in follows
                else button
                for button in row
            )
            for row in reply.buttons
        )
        return replace(reply, buttons=rows)

    @staticmethod
    def _followed_button(target: str, label: str) -> Button:
        return Button(f"✅ {one_line(label, 32)}", f"c:{short_ref(target)}")

    async def _zone(self, chat_id: int) -> tzinfo:
        return (await self._store.chat_settings(chat_id)).tz

    @staticmethod
    def _by_list_number(follows: list[str], reference: str) -> str | None:
        """`/unfollow 2`: the second entry of /list, when the chat follows no petition 2."""
        text = reference.strip()
        if text.isdecimal() and 1 <= int(text) <= len(follows):
            return follows[int(text) - 1]
        return None

    async def current(self, kind: TargetKind, ident: str) -> Lookup:
        """The target as last polled if it is followed here, else as fetched now."""
        target = target_key(kind.kind, ident)
        state = await self._store.target_state(target)
        if state is not None and await self._store.followers_of(target):
            return Lookup(state)
        return await kind.look_up(ident, self._clock())


def refused() -> Reply:
    """A group member's attempt at what only admins may do: a toast under a tap, the same words
    in reply to a command."""
    return Reply(ADMINS_ONLY, placement=Placement.TOAST, toast=ADMINS_ONLY)
