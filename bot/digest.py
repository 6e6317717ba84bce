"""The daily digest: a chat's alerts since its last digest, grouped by what they are about.

Pure: no I/O. Each alert keeps its own words, less its last paragraph (the link and how to stop,
bot.sources.base.Alert), under a heading per follow. The digest is split between messages at
alert boundaries, so each stays within Telegram's 4,096 characters and its HTML stays whole.
"""

from __future__ import annotations

import html
import re
from collections.abc import Sequence
from datetime import datetime, tzinfo

from bot.sources.text import format_date, quote

LIMIT = 4_096
_TAG = re.compile(r"<[^>]+>")


def alert_body(text: str) -> str:
    """An alert without its last paragraph (the link and how to stop)."""
    body, _, _ = text.rpartition("\n\n")
    return body or text


def render_digest(
    groups: Sequence[tuple[str, Sequence[str]]], due: datetime, zone: tzinfo
) -> list[str]:
    """The digest of `groups` ((the follow's name as HTML, its alerts' texts), in order) as one
    message or more; none when there is nothing to tell."""
    count = sum(len(alerts) for _, alerts in groups)
    if not count:
        return []
    local = due.astimezone(zone)
    head = (
        f"📰 <b>Your daily digest</b>, {format_date(local, zone)} {local:%H:%M}: "
        f"{count} alert{'s' if count != 1 else ''}"
    )
    pieces = []
    for name, alerts in groups:
        pieces.append(f"\n<b>{name}</b>")
        pieces += [_fitting(alert_body(alert)) for alert in alerts]
    pieces.append("\n/list shows what this chat follows; /settings changes the digest.")
    messages, current = [], head
    for piece in pieces:
        if len(current) + 2 + len(piece) > LIMIT:
            messages.append(current)
            current = f"📰 <b>Digest, continued</b>\n{piece}"
        else:
            current = f"{current}\n\n{piece}" if not piece.startswith("\n") else current + piece
    messages.append(current)
    return messages


def _fitting(body: str) -> str:
    """An alert small enough to share a message; a rare huge one is told in its first line."""
    if len(body) <= LIMIT // 2:
        return body
    return quote(html.unescape(_TAG.sub("", body.split("\n", 1)[0])), 300)
