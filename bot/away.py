"""The one message a chat gets for the alerts held while it could not hear us.

Pure: no I/O. Each alert is told in one line (its first line, as plain text), and the message
stays within Telegram's 4,096 characters however many there were.
"""

from __future__ import annotations

import html
import re

from bot.sources.text import quote

BUDGET = 3_500
_TAG = re.compile(r"<[^>]+>")


def render_away_summary(alerts: list[str]) -> str:
    lines = [f"📬 <b>While you were away</b>: {len(alerts)} alerts, in short."]
    size = len(lines[0])
    for shown, alert in enumerate(alerts):
        headline = html.unescape(_TAG.sub("", alert.split("\n", 1)[0]))
        line = f"• {quote(headline, 200)}"
        size += len(line) + 1
        if size > BUDGET:
            lines.append(f"…and {len(alerts) - shown} more.")
            break
        lines.append(line)
    lines.append("/list shows what this chat follows; /status gives the full story of each.")
    return "\n".join(lines)
