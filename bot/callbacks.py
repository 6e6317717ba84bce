"""The bot's generic buttons: their callback data, the short references they carry, and the
Telegram keyboard a set of buttons becomes.

A follow is named in a button by a short reference (8 characters of its key's hash), resolved
against the follows of the chat that presses it: a forged or replayed button can only ever act
on that chat's own follows, and every callback datum stays within Telegram's 64 bytes whatever
the follow (a statements follow's key can be longer than that).

| data | what a tap does |
|---|---|
| `f:<target>` | follow the target (buttons that carry a short target only) |
| `b:<kind>:<payload>` | one of a kind's own buttons (menus, pages) |
| `l:<page>` | show that page of /list |
| `c:<ref>` | send the follow's card |
| `m:<page>:<ref>` | mute or unmute the follow, from /list |
| `x:<page>:<ref>`, `xy:<page>:<ref>` | ask, then unfollow, from /list |
| `xa`, `xay` | ask, then unfollow everything, from /list |
| `u:<ref>`, `uy:<ref>`, `un:<ref>` | ask, unfollow, or keep, from an alert or a card |
| `a:<ref>` | send the follow's alert settings (bot.alertsettings) |
| `ag:<ref>:<group>`, `an:<ref>:<granularity>`, `as:<ref>` | a group on/off, count step, silent |
| `g:<ref>` | send the follow's chart (bot.charting) |
| `s:<what>[:<value>]` | change one of the chat's /settings |
| `sh:<target>` | send the target's share card (buttons that carry a short target only) |
| `stopy`, `stopn` | forget the chat, or not (/stop) |
"""

from __future__ import annotations

import base64
import functools
import hashlib
from collections.abc import Iterable

from telegram import InlineKeyboardButton, InlineKeyboardMarkup

from bot.sources.base import Button

LIMIT_BYTES = 64


def short_ref(target: str) -> str:
    digest = hashlib.sha1(target.encode("utf-8")).digest()
    return base64.urlsafe_b64encode(digest).decode("ascii")[:8]


def find_ref(ref: str, follows: Iterable[str]) -> str | None:
    """The follow among `follows` that `ref` names, if the chat still follows it."""
    return next((target for target in follows if short_ref(target) == ref), None)


def follow_button(target: str, label: str = "🔔 Follow") -> Button | None:
    """A Follow button, when the target's key fits in callback data."""
    return _fitting(Button(label, f"f:{target}"))


def followed_buttons(target: str) -> tuple[tuple[Button, ...], ...]:
    """What an alert offers: Unfollow (asked first), Status and Alert settings."""
    ref = short_ref(target)
    return (
        (
            Button("🔕 Unfollow", f"u:{ref}"),
            Button("📜 Status", f"c:{ref}"),
            Button("⚙️ Settings", f"a:{ref}"),
        ),
    )


def card_buttons(
    target: str, followed: bool, chartable: bool = False
) -> tuple[tuple[Button, ...], ...]:
    """What a card offers: Unfollow (asked first) or Follow, and Share; when followed, its
    Alert settings and, if it has one, its Chart."""
    ref = short_ref(target)
    first = Button("🔕 Unfollow", f"u:{ref}") if followed else follow_button(target)
    share = _fitting(Button("📤 Share", f"sh:{target}"))
    rows = [tuple(button for button in (first, share) if button is not None)]
    if followed:
        chart = (Button("📈 Chart", f"g:{ref}"),) if chartable else ()
        rows.append((Button("⚙️ Alert settings", f"a:{ref}"), *chart))
    return tuple(row for row in rows if row)


def _fitting(button: Button) -> Button | None:
    return button if len(button.data.encode("utf-8")) <= LIMIT_BYTES else None


@functools.lru_cache(maxsize=4096)
def alert_keyboard(target: str) -> InlineKeyboardMarkup | None:
    """An alert's keyboard: the same for every alert of a target, and immutable, so built once
    (a fan-out of 500 alerts spent 32 ms CPU building them)."""
    return markup(followed_buttons(target))


def markup(buttons: tuple[tuple[Button, ...], ...]) -> InlineKeyboardMarkup | None:
    if not buttons:
        return None
    return InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton(b.label, url=b.url)
                if b.url
                else InlineKeyboardButton(b.label, callback_data=b.data)
                for b in row
            ]
            for row in buttons
        ]
    )
