"""GOV.UK search results to statement items.

Pure: no I/O. Lenient: any field may be missing or null (only `link` or `content_id`, a title and
a timestamp are needed); a result without them, or an answer without results, is noted as schema
drift (bot.sources.notes). Links are made absolute on the public site, whatever host served the
search, and organisations are named by their department's current slug.
"""

from __future__ import annotations

from typing import Any

from bot.sources.departments.directory import Directory
from bot.sources.notes import note_drift, note_unparsed
from bot.sources.statements.model import StatementItem
from bot.sources.text import one_line, plain_text
from bot.sources.values import instant_of, text_of

PUBLIC_SITE = "https://www.gov.uk"
_NEEDED = "an object with a link or content_id, a title and a public_timestamp"
SOURCE = "govuk"
# When a result has no display_type, the document type in words.
_LABELS = {
    "written_statement": "Written statement to Parliament",
    "oral_statement": "Oral statement to Parliament",
    "speech": "Speech",
    "press_release": "Press release",
    "news_story": "News story",
    "government_response": "Government response",
}


def parse_results(document: Any, directory: Directory) -> list[StatementItem]:
    """The search answer's items; a wrong shape is noted as drift (bot.sources.notes)."""
    results = document.get("results") if isinstance(document, dict) else None
    if not isinstance(results, list):
        note_drift("GOV.UK search: a 'results' list")
        return []
    items = [parse_result(r, directory) if isinstance(r, dict) else None for r in results]
    found = [item for item in items if item is not None]
    note_unparsed("GOV.UK search results", len(items) - len(found), len(items), _NEEDED)
    return found


def parse_result(result: dict[str, Any], directory: Directory) -> StatementItem | None:
    link, title = text_of(result.get("link")), text_of(result.get("title"))
    identity = text_of(result.get("content_id")) or link
    stamp = instant_of(result.get("public_timestamp"))
    if not identity or not title or stamp is None:
        return None
    published = instant_of(result.get("first_published_at")) or stamp
    organisations = [o for o in result.get("organisations") or () if isinstance(o, dict)]
    # Each by its department's current slug (an item keeps the slug of its day), once; the lead
    # department first: the one the directory knows, so stories match Parliament's.
    slugs = list(
        dict.fromkeys(
            directory.canonical(text_of(o.get("slug")))
            for o in organisations
            if text_of(o.get("slug"))
        )
    )
    slugs.sort(key=lambda slug: directory.get(slug) is None)
    lead = directory.get(slugs[0]) if slugs else None
    names = [text_of(o.get("title")) for o in organisations if text_of(o.get("title"))]
    people = [text_of(p.get("title")) for p in result.get("people") or () if isinstance(p, dict)]
    document_type = text_of(result.get("content_store_document_type"))
    description = plain_text(text_of(result.get("description")))
    return StatementItem(
        id=f"{SOURCE}:{identity}",
        stamp=stamp.isoformat(),
        title=title,
        departments=tuple(slugs),
        department_name=lead.name if lead else (names[0] if names else "GOV.UK"),
        kind_label=text_of(result.get("display_type"))
        or _LABELS.get(document_type, "Announcement"),
        minister=", ".join(name for name in people if name),
        published=published,
        day_only=False,
        url=link if "://" in link else f"{PUBLIC_SITE}{link}",
        excerpt=one_line(description, 300),
        change_note=text_of(result.get("latest_change_note")),
        withdrawn=result.get("is_withdrawn") is True,
        text=description,
    )
