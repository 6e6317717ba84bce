"""The /list message, and the pickers that offer a chat's follows as buttons (`/status` with
nothing after it, say).

Pure: no I/O. A page holds 8 follows, each with one button named by its short title; it stays
within Telegram's 4,096 characters by construction: a follow's line longer than its share is
replaced by a plain, clipped version.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.sources.base import Button, Reply
from bot.sources.text import one_line, quote

PAGE_SIZE = 8
LINE_BUDGET = 440  # 8 lines, the header and a note stay under 4,096 characters
LABEL = 30  # characters of a follow's name on its button
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Entry:
    line: str  # the kind's /list line (HTML)
    label: str  # the follow in a few plain words, for its button
    ref: str  # the follow's short reference (bot.callbacks.short_ref)
    muted: bool


def pages(entries: list[Entry]) -> int:
    return max(1, (len(entries) + PAGE_SIZE - 1) // PAGE_SIZE)


def render_list_page(entries: list[Entry], page: int, note: str = "") -> Reply:
    """Page `page` (from 0, clamped) of the chat's follows; `note` (HTML) goes first. Each
    follow's button opens its card, where it is unfollowed, muted, set and shared."""
    count = pages(entries)
    page = min(max(page, 0), count - 1)
    header = f"<b>What this chat follows ({len(entries)})</b>"
    if count > 1:
        header += f" · page {page + 1} of {count}"
    lines = [note, header] if note else [header]
    rows: list[tuple[Button, ...]] = []
    first = page * PAGE_SIZE
    for number, entry in enumerate(entries[first : first + PAGE_SIZE], start=first + 1):
        mark = "🔇 " if entry.muted else ""
        lines.append(f"{number}. {mark}{_within_budget(entry.line)}")
        label = f"{'🔇' if entry.muted else '📜'} {number}. {one_line(entry.label, LABEL)}"
        rows.append((Button(label, f"c:{entry.ref}"),))
    rows += _nav(page, count, "l:")
    rows.append((Button("🔕 Unfollow all", "xa"),))
    legend = "Tap one for its card: unfollow, mute, alert settings and sharing are there."
    return Reply("\n".join([*lines, legend]), tuple(rows))


def render_picker(question: str, entries: list[Entry], page: int, verb: str, emoji: str) -> Reply:
    """A page of the chat's follows as buttons (`<verb>:<ref>` each), under `question`."""
    count = pages(entries)
    page = min(max(page, 0), count - 1)
    text = question + (f" (page {page + 1} of {count})" if count > 1 else "")
    first = page * PAGE_SIZE
    rows: list[tuple[Button, ...]] = [
        (Button(f"{emoji} {one_line(entry.label, LABEL)}", f"{verb}:{entry.ref}"),)
        for entry in entries[first : first + PAGE_SIZE]
    ]
    return Reply(text, (*rows, *_nav(page, count, f"p:{verb}:")))


def _nav(page: int, count: int, prefix: str) -> list[tuple[Button, ...]]:
    nav = [Button("◀", f"{prefix}{page - 1}")] if page > 0 else []
    nav += [Button("▶", f"{prefix}{page + 1}")] if page + 1 < count else []
    return [tuple(nav)] if nav else []


def _within_budget(line: str) -> str:
    if len(line) <= LINE_BUDGET:
        return line
    return quote(html.unescape(_TAG.sub("", line)), LINE_BUDGET // 2)
