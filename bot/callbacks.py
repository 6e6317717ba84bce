"""The bot's generic buttons: their callback data, the short references they carry, and the
Telegram keyboard a set of buttons becomes.

A follow is named in a button by a short reference (8 characters of its key's hash), resolved
against the follows of the chat that presses it: a forged or replayed button can only ever act
on that chat's own follows, and every callback datum stays within Telegram's 64 bytes whatever
the follow (a statements follow's key can be longer than that).

| data | what a tap does |
|---|---|
| `f:<target>` | follow the target from a list: the button becomes ✅ (short targets only) |
| `fc:<target>` | follow the target from its card: the card becomes the followed card, in place |
| `b:<kind>:<payload>` | one of a kind's own buttons (menus, pages) |
| `l:<page>` | show that page of /list |
| `p:<verb>:<page>` | that page of a picker of the chat's follows (a tap: `c`, `g`, `h`, `x`) |
| `c:<ref>` | send the follow's card |
| `k:<ref>` | "✅ Following": a toast saying so |
| `m:<ref>` | mute or unmute the follow, from its card |
| `x:<ref>` | ask before unfollowing it (a picker's tap) |
| `xs:<ref>,<ref>…`, `xn` | unfollow them, or keep them, as asked by /unfollow or a picker |
| `xa`, `xay` | ask, then unfollow everything, from /list |
| `u:<ref>[:c]`, `uy:…`, `un:…` | ask, unfollow, or keep, from an alert (or a card, `:c`) |
| `a:<ref>` | send the follow's alert settings (bot.alertsettings) |
| `ag:<ref>:<group>`, `an:<ref>:<granularity>`, `as:<ref>` | a group on/off, count step, silent |
| `g:<ref>` | send the follow's chart (bot.charting) |
| `s:<what>[:<value>]` | change one of the chat's /settings |
| `sh:<target>` | send the target's share card (buttons that carry a short target only) |
| `h:<ref>` | send a follow's share card |
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


def follow_button(target: str, label: str = "🔔 Follow", in_card: bool = False) -> Button | None:
    """A Follow button, when the target's key fits in callback data: `in_card` for the card
    of that target (following edits the card in place), else for a list or menu."""
    return _fitting(Button(label, f"{'fc' if in_card else 'f'}:{target}"))


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
    target: str, followed: bool, chartable: bool = False, muted: bool = False
) -> tuple[tuple[Button, ...], ...]:
    """What a card offers. Not followed: Follow and Share. Followed: ✅ Following, Unfollow
    (asked first) and Share, then its alert settings, Mute or Unmute and, if it has one, its
    Chart; three a row at most."""
    if not followed:
        buttons = (
            follow_button(target, in_card=True),
            _fitting(Button("📤 Share", f"sh:{target}")),
        )
        row = tuple(button for button in buttons if button is not None)
        return (row,) if row else ()
    ref = short_ref(target)
    mute = Button("🔔 Unmute", f"m:{ref}") if muted else Button("🔇 Mute", f"m:{ref}")
    chart = (Button("📈 Chart", f"g:{ref}"),) if chartable else ()
    return (
        (
            Button("✅ Following", f"k:{ref}"),
            Button("🔕 Unfollow", f"u:{ref}:c"),
            Button("📤 Share", f"h:{ref}"),
        ),
        (Button("⚙️ Alerts", f"a:{ref}"), mute, *chart),
    )


def asking_buttons(ref: str, suffix: str) -> tuple[tuple[Button, ...], ...]:
    """The two answers to "stop these alerts?" under an alert or a card (`suffix` `:c`)."""
    return (
        (
            Button("🔕 Yes, stop these alerts", f"uy:{ref}{suffix}"),
            Button("Keep them", f"un:{ref}{suffix}"),
        ),
    )


def with_button_replaced(
    keyboard: InlineKeyboardMarkup | None, data: str, button: Button
) -> InlineKeyboardMarkup | None:
    """`keyboard` with its button of callback data `data` replaced by `button`."""
    if keyboard is None:
        return None
    rows = [
        [_telegram_button(button) if old.callback_data == data else old for old in row]
        for row in keyboard.inline_keyboard
    ]
    return InlineKeyboardMarkup(rows)


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
    return InlineKeyboardMarkup([[_telegram_button(b) for b in row] for row in buttons])


def _telegram_button(button: Button) -> InlineKeyboardButton:
    if button.url:
        return InlineKeyboardButton(button.label, url=button.url)
    return InlineKeyboardButton(button.label, callback_data=button.data)
