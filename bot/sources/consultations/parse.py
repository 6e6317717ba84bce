"""GOV.UK's answers about consultations: search results, and a consultation's content item.

Pure: no I/O. The search gives each consultation's path, document type, `public_timestamp` and
organisations; the content item (`/api/content<path>`, shaped as GOV.UK's content schemas give
it: tests/fixtures/consultation_*) gives `details.opening_date` and `closing_date`, and
`public_updated_at`, which is when the outcome was published once the document type is
`consultation_outcome`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.sources.consultations.model import DOCUMENT_TYPES, OUTCOME, PATH, Consultation
from bot.sources.departments.directory import Directory
from bot.sources.notes import note_drift, note_unparsed
from bot.sources.text import one_line, plain_text
from bot.sources.values import instant_of, text_of

NEEDED = "a /government/consultations/ link and a consultation document type"


@dataclass(frozen=True)
class Listed:
    """A consultation as the search lists it."""

    slug: str
    stamp: str
    document_type: str


def parse_listed(document: Any) -> list[Listed]:
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        note_drift("GOV.UK consultations search: a 'results' list")
        return []
    found = []
    for result in results:
        if not isinstance(result, dict):
            continue
        link, kind = text_of(result.get("link")), text_of(result.get("content_store_document_type"))
        if link.startswith(PATH) and kind in DOCUMENT_TYPES:
            found.append(
                Listed(link.removeprefix(PATH), text_of(result.get("public_timestamp")), kind)
            )
    note_unparsed("GOV.UK consultations", len(results) - len(found), len(results), NEEDED)
    return found


def parse_content(
    document: dict[str, Any], listed: Listed, directory: Directory
) -> Consultation | None:
    details = document.get("details") if isinstance(document.get("details"), dict) else {}
    kind = text_of(document.get("document_type")) or listed.document_type
    if kind not in DOCUMENT_TYPES:
        return None
    links = document.get("links") if isinstance(document.get("links"), dict) else {}
    organisations = [o for o in links.get("organisations") or () if isinstance(o, dict)]
    slugs = [text_of(o.get("base_path")).rpartition("/")[2] for o in organisations]
    departments = tuple(dict.fromkeys(directory.canonical(slug) for slug in slugs if slug))
    names = [text_of(o.get("title")) for o in organisations]
    return Consultation(
        slug=listed.slug,
        title=text_of(document.get("title")) or listed.slug,
        stamp=listed.stamp,
        document_type=kind,
        departments=departments,
        department_name=next((name for name in names if name), "GOV.UK"),
        opens=instant_of(details.get("opening_date")),
        closes=instant_of(details.get("closing_date")),
        outcome_at=instant_of(document.get("public_updated_at")) if kind == OUTCOME else None,
        summary=one_line(plain_text(text_of(document.get("description"))), 300),
    )
