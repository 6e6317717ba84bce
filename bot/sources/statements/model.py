"""A statement item as every statement source reports it, and its storage form.

Pure: no I/O. GOV.UK search results and Parliament's written statements both become a
`StatementItem`, so matching, detection and rendering are written once.
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime
from typing import Any

from bot.sources.departments.directory import normalise
from bot.sources.text import LONDON
from bot.sources.values import instant_of


@dataclass(frozen=True)
class StatementItem:
    id: str  # "govuk:<content_id or link>" | "wms:<statement id>": the tracking key
    stamp: str  # moves on a major update (GOV.UK public_timestamp, UTC ISO); "" if never
    title: str
    departments: tuple[str, ...]  # GOV.UK slugs, the lead department first
    department_name: str
    kind_label: str  # "Written statement to Parliament", "Press release"
    minister: str
    published: datetime  # first publication; midnight London when only the day is known
    day_only: bool
    url: str
    excerpt: str  # plain text, one line
    change_note: str = ""
    withdrawn: bool = False
    corrects: tuple[str, ...] = ()  # ids of the statements this one corrects
    text: str = ""  # what keywords are matched against, beyond the title

    @property
    def day(self) -> str:
        return self.published.astimezone(LONDON).date().isoformat()

    @property
    def story(self) -> str:
        """The same news from any source: lead department, day, title."""
        lead = self.departments[0] if self.departments else ""
        return f"{lead}:{self.day}:{normalise(self.title)}"


def item_to_dict(item: StatementItem) -> dict[str, Any]:
    stored = {f.name: getattr(item, f.name) for f in fields(item) if f.name != "text"}
    stored["published"] = item.published.isoformat()
    stored["departments"] = list(item.departments)
    stored["corrects"] = list(item.corrects)
    return stored


def item_from_dict(stored: dict[str, Any]) -> StatementItem:
    values = dict(stored)
    values["published"] = instant_of(values["published"])
    values["departments"] = tuple(values.get("departments", ()))
    values["corrects"] = tuple(values.get("corrects", ()))
    return StatementItem(**values)
