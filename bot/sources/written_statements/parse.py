"""Written statements (list items or single statements) to statement items.

Pure: no I/O. The list's `text` is the HTML body with its tags dropped and cut at 255
characters; the single statement's is HTML. Both become one plain line. `dateMade` is a day
with no time. The public link is the statement's page on questions-statements.parliament.uk. An
answer without results, or a result without what an item needs, is noted as schema drift
(bot.sources.notes).
"""

from __future__ import annotations

from datetime import UTC, datetime, time
from typing import Any

from bot.sources.departments.directory import Directory
from bot.sources.notes import note_drift, note_unparsed
from bot.sources.statements.model import StatementItem
from bot.sources.text import LONDON, one_line, plain_text
from bot.sources.values import day_of, text_of

SOURCE = "wms"
PUBLIC_SITE = "https://questions-statements.parliament.uk"
CORRECTION = "CorrectedStatement"
UNKNOWN_BODY = "answering-body-"  # a body the directory does not know: its id follows
NEEDED = "an integer id, a title and a dateMade"  # what parse_statement cannot do without


def statement_values(document: Any, what: str = "written statements") -> list[dict[str, Any]]:
    """The items in a list envelope `{totalResults, results: [{value, links}]}`, which the
    questions and statements API gives statements and questions alike (`what` names them)."""
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        note_drift(f"{what}: a 'results' list")
        return []
    values = [r.get("value") if isinstance(r, dict) else None for r in results]
    found = [value for value in values if isinstance(value, dict)]
    note_unparsed(what, len(values) - len(found), len(values), "a 'value' object")
    return found


def corrected_ids(value: dict[str, Any]) -> tuple[str, ...]:
    """The statements this one is linked to as a correction (from the single endpoint)."""
    links = value.get("linkedStatements") or ()
    return tuple(
        f"{SOURCE}:{link['linkedStatementId']}"
        for link in links
        if isinstance(link, dict)
        and link.get("linkType") == CORRECTION
        and isinstance(link.get("linkedStatementId"), int)
    )


def parse_statement(
    value: dict[str, Any], directory: Directory, corrects: tuple[str, ...] = ()
) -> StatementItem | None:
    statement_id, title, uin = (
        value.get("id"),
        text_of(value.get("title")),
        text_of(value.get("uin")),
    )
    made = day_of(value.get("dateMade"))
    if not isinstance(statement_id, int) or not title or made is None:
        return None
    body_id = value.get("answeringBodyId")
    body_name = text_of(value.get("answeringBodyName"))
    department = directory.for_answering_body(
        body_id if isinstance(body_id, int) else None, body_name
    )
    member = value.get("member") if isinstance(value.get("member"), dict) else {}
    minister = text_of(member.get("name"))
    role = text_of(value.get("memberRole"))
    text = text_of(value.get("text"))
    words = plain_text(text) if "<" in text else text
    house = "Lords" if uin.upper().startswith("HL") or value.get("house") == "Lords" else "Commons"
    return StatementItem(
        id=f"{SOURCE}:{statement_id}",
        stamp="",
        title=title,
        departments=(department.slug,) if department else (f"{UNKNOWN_BODY}{body_id}",),
        department_name=department.name if department else (body_name or "Parliament"),
        kind_label=f"Written statement to Parliament ({house}{f', {uin}' if uin else ''})",
        minister=", ".join(part for part in (minister, role) if part),
        published=datetime.combine(made, time(0), tzinfo=LONDON).astimezone(UTC),
        day_only=True,
        url=f"{PUBLIC_SITE}/written-statements/detail/{made.isoformat()}/{uin}",
        excerpt=one_line(words, 300),
        corrects=corrects,
        text=words,
    )


def has_links(value: dict[str, Any]) -> bool:
    return value.get("hasLinkedStatements") is True
