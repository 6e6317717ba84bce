"""Reading one value of an upstream JSON document leniently: a string, a day, an instant.

Pure: no I/O. Every parser uses these, so that a missing key, a null, an empty string or a value
of the wrong type means "not given" everywhere, never an exception.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

# No upstream text the bot shows is longer (petition summaries and debate overviews run to about
# 1,500 characters); a runaway field is clipped before it is stored.
LONGEST_TEXT = 2000


def text_of(value: Any) -> str:
    """The string, stripped and clipped to LONGEST_TEXT; "" for anything that is not a string."""
    if not isinstance(value, str):
        return ""
    text = value[: LONGEST_TEXT * 2].strip()
    return text if len(text) <= LONGEST_TEXT else text[: LONGEST_TEXT - 1].rstrip() + "…"


def day_of(value: Any) -> date | None:
    """The day an ISO date or date-time starts with (`2023-01-09`, `2023-01-09T00:00:00`)."""
    if not isinstance(value, str) or not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        return None


def instant_of(value: Any) -> datetime | None:
    """An ISO date-time in UTC; one without an offset is taken as UTC."""
    if not isinstance(value, str) or not value:
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)
