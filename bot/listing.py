"""The /list message: a page of the chat's follows with buttons to open, unfollow, mute and set
the alerts of each.

Pure: no I/O. A page holds 8 follows; it stays within Telegram's 4,096 characters by
construction: a follow's line longer than its share is replaced by a plain, clipped version.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from bot.sources.base import Button, Reply
from bot.sources.text import quote

PAGE_SIZE = 8
LINE_BUDGET = 440  # 8 lines, the header and a note stay under 4,096 characters
_TAG = re.compile(r"<[^>]+>")


@dataclass(frozen=True)
class Entry:
    line: str  # the kind's /list line (HTML)
    ref: str  # the follow's short reference (bot.callbacks.short_ref)
    muted: bool


def pages(entries: list[Entry]) -> int:
    return max(1, (len(entries) + PAGE_SIZE - 1) // PAGE_SIZE)


def render_list_page(entries: list[Entry], page: int, note: str = "") -> Reply:
    """Page `page` (from 0, clamped) of the chat's follows; `note` (HTML) goes first."""
    count = pages(entries)
    page = min(max(page, 0), count - 1)
    header = f"<b>What this chat follows ({len(entries)})</b>"
    if count > 1:
        header += f" · page {page + 1} of {count}"
    lines = [note, header] if note else [header]
    rows: list[tuple[Button, ...]] = []
    first = page * PAGE_SIZE
    for number, entry in enumerate(entries[first : first + PAGE_SIZE], start=first + 1):
        lines.append(f"{number}. {'🔇 ' if entry.muted else ''}{_within_budget(entry.line)}")
        rows.append(
            (
                Button(f"📜 {number}", f"c:{entry.ref}"),
                Button(f"🔕 {number}", f"x:{page}:{entry.ref}"),
                Button(f"{'🔔' if entry.muted else '🔇'} {number}", f"m:{page}:{entry.ref}"),
                Button(f"⚙️ {number}", f"a:{entry.ref}"),
            )
        )
    nav = [Button("◀", f"l:{page - 1}")] if page > 0 else []
    nav += [Button("▶", f"l:{page + 1}")] if page + 1 < count else []
    if nav:
        rows.append(tuple(nav))
    rows.append((Button("Unfollow all", "xa"),))
    legend = "📜 open · 🔕 unfollow · 🔇 mute / 🔔 unmute · ⚙️ alert settings"
    return Reply("\n".join([*lines, legend]), tuple(rows))


def _within_budget(line: str) -> str:
    if len(line) <= LINE_BUDGET:
        return line
    return quote(html.unescape(_TAG.sub("", line)), LINE_BUDGET // 2)
