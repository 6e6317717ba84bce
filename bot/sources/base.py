"""What every target kind and every source gives the engine, and the types they exchange.

A **target kind** (petition, statements, debates) is what a chat can follow: it reads a user's
reference, looks a target up, and words its card, its /list line and its follow reply. A
**source** is one upstream API polled on its own schedule: it is handed every followed target of
its kind at once, so it can answer all of them with as few requests as it can, and returns each
target's new state and alerts. The follow service, scheduler, poller, storage and sender only see
these types, so a new kind or source plugs in without touching them.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from enum import StrEnum
from typing import Any, Protocol, TypeVar, runtime_checkable

from bot.http import UpstreamError, budget
from bot.logs import log_context
from bot.slices import with_workers
from bot.sources.notes import note_failure
from bot.sources.text import LONDON

log = logging.getLogger(__name__)
Stored = dict[str, Any]
T = TypeVar("T")
# Targets read at once, one request each: more than a host's connections (http config), so the
# pool is never idle, and few enough that a cycle is never thousands of tasks.
READS_AT_ONCE = 32


@dataclass(frozen=True)
class AlertGroup:
    """A kind of alert a follow can switch on or off ("signatures", "new items")."""

    name: str  # stored in a follow's settings: unique within its kind, never renamed
    label: str  # the button's words
    default: bool = True  # an opt-in group (surges) is off until a chat asks for it


@dataclass(frozen=True)
class Bundle:
    """One event that reaches many targets at once (Parliament dissolved: every open petition
    closed): a chat that gets several of its alerts in one go hears them as one message, `head`,
    then each alert's `line`, then `foot` (all HTML)."""

    key: str  # the event, the same for every alert of it
    title: str  # a short heading, plain text (the digest's)
    head: str
    line: str
    foot: str = ""


@dataclass(frozen=True)
class Alert:
    """One piece of news about a target: `key` is stable, `text` is ready-to-send Telegram HTML,
    its last paragraph (after the last blank line) the link and how to stop, which a digest
    leaves out.

    `same_as` are the keys another source gives the same news (a debate seen both on the
    petition and in the listings; a statement laid in both Houses): a chat that already had any
    of them does not get it again. `told` is (topic, value) for news that replaces what was said
    before on one topic (a debate's day and time, a closing date): a chat gets it when the last
    value it was told on that topic differs, so a change back is still told, and news told
    already by another source is not told again; its keys do not decide then.

    `group` is what a follow's settings switch it by (None: never switched off); `granularity`
    is set on count alerts, each sent only to the follows that chose that granularity
    (bot.preferences); `weekday` is set on a weekly message (the late list), sent only to the
    chats whose digest day it is (0 Monday; a source makes one each day). `text` gives dates as
    London has them; an alert with dates that depend on the time zone also has `dated`, its
    text on another zone's calendar, for chats that set one. `bundle` joins it with the other
    alerts of one event (Bundle). `local(place)` is a line for a chat that set its constituency
    (a milestone: how many signed there), put before the last paragraph; None: no line.
    """

    key: str
    text: str
    same_as: tuple[str, ...] = ()
    group: AlertGroup | None = None
    granularity: str = ""
    dated: Callable[[tzinfo], str] | None = None
    told: tuple[str, str] | None = None
    bundle: Bundle | None = None
    weekday: int | None = None
    local: Callable[[str], str | None] | None = None

    @property
    def keys(self) -> tuple[str, ...]:
        return (self.key, *self.same_as)

    def text_in(self, zone: tzinfo) -> str:
        """The text with its dates on `zone`'s calendar."""
        return self.text if self.dated is None or zone is LONDON else self.dated(zone)

    def placed(self, text: str, place: str) -> str:
        """`text` with the line for a chat whose constituency is `place`, if it has one."""
        line = self.local(place) if self.local is not None and place else None
        if not line:
            return text
        body, gap, last = text.rpartition("\n\n")
        return f"{body}\n{line}{gap}{last}" if gap else f"{text}\n{line}"


@dataclass(frozen=True)
class Refresh:
    """A target's new stored state (JSON-ready) and the alerts that the change produced."""

    state: Stored
    alerts: list[Alert] = field(default_factory=list)
    # A number worth charting over time (a petition's count), kept by the store's history.
    sample: int | None = None


class Source(Protocol):
    """One upstream API, polled on its own schedule for every followed target of `kind`."""

    name: str  # the schedule's name: one poll job per source
    kind: str  # the target kind whose follows it serves
    site: str  # where its answers come from, as a follower would say it ("GOV.UK")

    async def poll(self, targets: Mapping[str, Stored | None], now: datetime) -> dict[str, Refresh]:
        """Refresh every target (ident to stored state; None: take a silent baseline).

        A target left out of the answer has nothing to store this time. Raises
        bot.http.UpstreamError when the upstream could not be read; nothing is stored then.
        """
        ...


@dataclass(frozen=True)
class Button:
    label: str
    data: str = ""  # callback data (bot.callbacks); empty for a link button
    url: str = ""  # a link button opens this instead


class Placement(StrEnum):
    """Where a Reply to a button tap goes."""

    NEW = "new"  # a new message
    EDIT = "edit"  # replaces the tapped message's text and buttons
    BUTTONS = "buttons"  # replaces only the tapped message's buttons (an alert keeps its text)
    TOAST = "toast"  # only the toast: the tapped message stays as it is (a refusal)
    # Replaces only the tapped button, by the Reply's first button (a list's Follow becomes ✅).
    MARK = "mark"


@dataclass(frozen=True)
class Reply:
    """What the bot answers: Telegram HTML, optional rows of inline buttons, and optionally the
    kind that reads the user's next plain message (`awaiting` is what it was asked for). For a
    button tap, `placement` says where it goes and `toast` is a short notice over the chat."""

    text: str
    buttons: tuple[tuple[Button, ...], ...] = ()
    awaiting: tuple[str, str] | None = None  # (kind, context), e.g. ("statements", "home-office")
    placement: Placement = Placement.NEW
    toast: str = ""
    photo: bytes | None = None  # a PNG to send, `text` its caption


@dataclass(frozen=True)
class FollowThis:
    """A kind's answer to browsing that means: follow this target of mine."""

    ident: str


class BadReference(ValueError):
    """The text names a target of this kind, but wrongly; the message says why, kindly (HTML).

    `buttons` offer the likely meanings (the closest department names, say).
    """

    def __init__(self, message: str, buttons: tuple[tuple[Button, ...], ...] = ()) -> None:
        super().__init__(message)
        self.buttons = buttons


@dataclass(frozen=True)
class Lookup:
    """A fresh look at one target: its storable state, or the friendly reason there is none."""

    state: Stored | None = None
    problem: str | None = None


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    example: str


class TargetKind(Protocol):
    """What the follow service asks of each kind of thing a chat can follow."""

    kind: str
    example: str  # a reference to show in hints, e.g. "300412"
    commands: tuple[Command, ...]  # its own commands (/statements, /search): then it is Browsable
    alert_groups: tuple[AlertGroup, ...]  # what a follow's settings switch on and off
    # The count granularities its count alerts come in (bot.preferences.GRANULARITIES), or none.
    granularities: tuple[str, ...]

    def read_reference(self, text: str) -> str | None:
        """The ident `text` names; None when it is not this kind's; raises BadReference."""
        ...

    def reference(self, ident: str) -> str:
        """How commands name the target, e.g. `statements home-office grooming gangs` (plain
        text: the service escapes it)."""
        ...

    def name(self, ident: str, state: Stored | None) -> str:
        """A short HTML name for replies such as "Stopped following …"."""
        ...

    def label(self, ident: str, state: Stored | None) -> str:
        """The target in a few plain words, for a button (a petition's title)."""
        ...

    async def look_up(self, ident: str, now: datetime) -> Lookup:
        """Fetch the target afresh, for a command; upstream faults become a friendly problem."""
        ...

    def deep_link(self, ident: str) -> str | None:
        """The `/start` payload that follows the target in one tap (letters, digits, `_` and
        `-`, at most 64), or None when it has none."""
        ...

    def read_deep_link(self, payload: str) -> str | None:
        """The ident a `/start` payload names, if it is one of this kind's."""
        ...

    def card(
        self, ident: str, state: Stored, now: datetime, zone: tzinfo, shared: bool = False
    ) -> str:
        """The /status card (HTML), its dates on `zone`'s calendar (the chat's). A `shared`
        card is forwarded and read later: nothing in it may depend on when it was sent
        ("checked just now")."""
        ...

    def list_line(self, ident: str, state: Stored | None, now: datetime) -> str:
        """The target's entry in /list (HTML)."""
        ...

    def follow_reply(self, ident: str, state: Stored, now: datetime, zone: tzinfo) -> str:
        """What following it says: the card and the alerts to expect (HTML)."""
        ...


class Browsable(TargetKind, Protocol):
    """A kind with commands of its own (its `commands`)."""

    async def browse(self, command: str, args: str, now: datetime) -> Reply | FollowThis:
        """One of the kind's commands (`/statements home-office`): a menu, a listing, a follow."""
        ...


@runtime_checkable
class Pressable(Protocol):
    """A kind with buttons of its own (`b:<kind>:<payload>`): menus, pages."""

    async def press(self, payload: str, now: datetime) -> Reply | FollowThis:
        """A tap on one of the kind's `b:` buttons."""
        ...


@runtime_checkable
class Asking(Protocol):
    """A kind that asks the user something (a Reply `awaiting` an answer)."""

    async def answer(self, context: str, text: str, now: datetime) -> Reply | FollowThis:
        """The user's plain message after a Reply that was `awaiting` (context, text)."""
        ...


@runtime_checkable
class Pasteable(TargetKind, Protocol):
    """A kind whose targets people paste into a private chat (a petition link, say)."""

    paste_hint: str  # what to paste, for the hint, e.g. "a petition's link or number"

    def find_in_text(self, text: str) -> str | None:
        """The ident a pasted message names, anywhere in it; None if it names none. Raises
        BadReference for what looks like one of its targets but is not (a link to another
        petitions site)."""
        ...


@runtime_checkable
class Searchable(Protocol):
    """A kind whose targets people find by words (petitions by their title)."""

    async def search(self, words: str, now: datetime) -> Reply:
        """The first page of targets matching `words`, with a Follow button each (`f:`)."""
        ...


@runtime_checkable
class Contributing(Protocol):
    """A kind that adds a section to another kind's command: late written questions under the
    petitions' late list in /overdue."""

    contributes_to: tuple[str, ...]  # the commands it adds to

    async def contribute(self, command: str, args: str, now: datetime) -> str | None:
        """Its section (HTML) for that command's reply, or None; faults become a line saying so."""
        ...


@runtime_checkable
class Local(Protocol):
    """A kind whose cards say how a place stands (a petition's signatures by constituency)."""

    async def local_lines(self, ident: str, place: str, now: datetime) -> list[str]:
        """Lines (HTML) for the card of a chat whose constituency is `place` ("": none set);
        faults give none."""
        ...


@dataclass(frozen=True)
class Suggestion:
    """Where a kind would look for what some words are about: a line (HTML), and a button."""

    line: str
    button: Button | None = None


@runtime_checkable
class Suggesting(Protocol):
    """A kind that can point a person from some words to its own way of following them."""

    def suggest(self, words: str) -> Suggestion | None:
        """How to follow what `words` are about with this kind, if it can."""
        ...


@dataclass(frozen=True)
class Chart:
    """A picture of a target over time: a PNG and its caption (HTML)."""

    png: bytes
    caption: str


@runtime_checkable
class Chartable(Protocol):
    """A kind whose targets have a number worth charting (Refresh.sample)."""

    def chart(
        self, ident: str, state: Stored, samples: list[tuple[int, int]], now: datetime, zone: Any
    ) -> Chart | str:
        """The chart of `samples` ((Unix seconds, value), oldest first) in time zone `zone`, or
        why there is none yet (HTML). CPU-bound: the caller runs it in a thread."""
        ...


@dataclass(frozen=True)
class InlineCard:
    """A card offered in inline mode (`@bot 300412` in any chat)."""

    ident: str
    title: str  # plain text, for the result list
    description: str  # plain text, under the title
    text: str  # the card, in HTML


@runtime_checkable
class Inline(TargetKind, Protocol):
    """A kind whose cards can be sent from any chat in inline mode."""

    async def inline(self, text: str, now: datetime) -> list[InlineCard]:
        """Cards for what the user typed after the bot's name (a link, a number, words)."""
        ...


async def refresh_each(
    kind: str,
    targets: Mapping[str, Stored | None],
    refresh: Callable[[str, Stored | None], Awaitable[T | None]],
    read_seconds: float = math.inf,
) -> dict[str, T]:
    """Refresh targets one request each, READS_AT_ONCE at a time; a fault on one never stops
    the others, and a read still going after `read_seconds` (a target whose site hangs) is given
    up for this cycle, so the cycle delivers what it has read instead of waiting out its budget."""

    async def one(ident: str, stored: Stored | None) -> T | None:
        target = target_key(kind, ident)
        with log_context(target=target):
            try:
                with budget(read_seconds):
                    return await refresh(ident, stored)
            except UpstreamError as exc:
                log.warning("%s not refreshed: %s", target, exc)
                note_failure(f"{target}: {exc}")
            except Exception:
                # A bug for one target must not silence every other target.
                log.exception("%s not refreshed: unexpected error", target)
            return None

    pairs = list(targets.items())
    results = await with_workers(pairs, lambda pair: one(*pair), READS_AT_ONCE)
    return {
        ident: result
        for (ident, _), result in zip(pairs, results, strict=True)
        if result is not None
    }


def target_key(kind: str, ident: str | int) -> str:
    return f"{kind}:{ident}"


def split_target(target: str) -> tuple[str, str]:
    kind, _, ident = target.partition(":")
    return kind, ident
