"""Upstream text made readable and safe: HTML bodies to plain text, one-line excerpts, `quote`
(clipped and escaped for Telegram HTML), and counts and dates as people in the UK write them.

Pure: no I/O. Shared by every kind's renderers.
"""

from __future__ import annotations

import html
import re
from datetime import date, datetime, tzinfo
from html.parser import HTMLParser
from zoneinfo import ZoneInfo

LONDON = ZoneInfo("Europe/London")

# Tags after which a reader sees a break; without one, "</p><p>" would glue two sentences.
_BREAKS = frozenset({"p", "br", "div", "li", "ul", "ol", "h1", "h2", "h3", "h4", "tr", "td", "th"})
# Parliament's list text is the HTML body with its tags dropped and no separator: "made.In".
_GLUED_SENTENCE = re.compile(r"(?<=[a-z0-9)][.:;!?])(?=[A-Z])")


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in _BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        self.parts.append(data)


def plain_text(markup: str) -> str:
    """The words of an HTML fragment, with a line break where a block ended."""
    parser = _Text()
    parser.feed(markup)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def one_line(text: str, limit: int) -> str:
    """The first `limit` characters of `text` on one line, cut at a word, "…" when cut."""
    text = " ".join(_GLUED_SENTENCE.sub(" ", text).split()).removesuffix("...").rstrip()
    if len(text) <= limit:
        return text
    cut = text[: limit - 1]
    if " " in cut[limit // 2 :]:
        cut = cut.rsplit(" ", 1)[0]
    return cut.rstrip(" ,;:") + "…"


def quote(text: str, limit: int) -> str:
    """Upstream text made safe for Telegram HTML: clipped to `limit` characters, then escaped."""
    text = text.replace("\r\n", "\n").strip()
    if len(text) > limit:
        text = text[: limit - 1].rstrip() + "…"
    return html.escape(text, quote=True)


def format_count(count: int) -> str:
    return f"{count:,}"


def format_change(count: int) -> str:
    """A change in a count, with its sign: +1,234 or -56."""
    return f"{count:+,}"


def days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def format_date(day: date | datetime, zone: tzinfo = LONDON) -> str:
    """A day as people in the UK say it; instants are read on `zone`'s clock (London's)."""
    if isinstance(day, datetime):
        day = day.astimezone(zone)
    return f"{day.day} {day:%B %Y}"
