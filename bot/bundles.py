"""Alerts of one event that a chat hears as one message (bot.sources.base.Bundle), and their
storage form.

Pure: no I/O. When Parliament is dissolved every open petition closes at once: a chat following
fifty hears one message that says so and lists them, not fifty. The deliveries stay one per
followed target (so dedup, unfollowing and sending outcomes work as for any alert); the sender,
the digest and the "while you were away" summary each gather a chat's pending deliveries of one
bundle into one message here. One alone keeps its own full text.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import asdict, dataclass
from typing import Any, Generic, Protocol, TypeVar

from bot.sources.base import Bundle

LIMIT = 4_096


class Bundled(Protocol):
    """What gathering needs of a delivery."""

    @property
    def text(self) -> str: ...

    @property
    def bundle(self) -> Bundle | None: ...


D = TypeVar("D", bound=Bundled)


@dataclass(frozen=True)
class Message(Generic[D]):
    """One message to send: the text, and the deliveries it carries (one, or a bundle's)."""

    text: str
    deliveries: tuple[D, ...]
    bundle: Bundle | None = None  # set when it carries several deliveries of one bundle


def gather(deliveries: Sequence[D]) -> list[Message[D]]:
    """A chat's deliveries, in order, as messages: those of one bundle joined into one message
    where the first of them was, any other as it is."""
    groups: dict[str, list[D]] = {}
    order: list[str | D] = []
    for delivery in deliveries:
        bundle = delivery.bundle
        if bundle is None:
            order.append(delivery)
            continue
        if bundle.key not in groups:
            groups[bundle.key] = []
            order.append(bundle.key)
        groups[bundle.key].append(delivery)
    messages: list[Message[D]] = []
    for entry in order:
        if not isinstance(entry, str):
            messages.append(Message(entry.text, (entry,)))
            continue
        members = groups[entry]
        if len(members) == 1:
            messages.append(Message(members[0].text, (members[0],)))
        else:
            messages += _joined(members)
    return messages


def _joined(members: list[D]) -> list[Message[D]]:
    """The bundle's head, its members' lines and its foot, split between messages within
    Telegram's limit."""
    first = members[0].bundle
    assert first is not None
    messages: list[Message[D]] = []
    lines: list[str] = []
    carried: list[D] = []
    room = LIMIT - len(first.head) - len(first.foot) - 4
    for member in members:
        assert member.bundle is not None
        line = member.bundle.line
        if carried and sum(len(x) + 1 for x in lines) + len(line) > room:
            messages.append(Message(_text(first, lines), tuple(carried), first))
            lines, carried = [], []
        lines.append(line)
        carried.append(member)
    messages.append(Message(_text(first, lines), tuple(carried), first))
    return messages


def _text(bundle: Bundle, lines: list[str]) -> str:
    body = "\n".join([bundle.head, *lines])
    return f"{body}\n\n{bundle.foot}" if bundle.foot else body


def bundle_to_doc(bundle: Bundle) -> dict[str, str]:
    return asdict(bundle)


def bundle_from_doc(doc: Any) -> Bundle | None:
    if not isinstance(doc, dict):
        return None
    try:
        return Bundle(**{name: str(doc[name]) for name in ("key", "title", "head", "line", "foot")})
    except KeyError:
        return None
