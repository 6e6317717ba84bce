"""What a statements follow asks for: one department or any, and keywords that must all appear.

Pure: no I/O. Reads the user's words (`home-office grooming gangs`, `Home Office grooming`,
`DfE`, `any grooming gangs`) against the department directory, and matches items locally, so
that one upstream query serves every follow: the department by its current slug (a follow made
before a rename, or an item tagged with a former slug, still matches: `canonical`), the keywords
as people mean them (words.py: any case, accents, apostrophes and hyphens, plurals and other
inflections, whole words only).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.sources.base import BadReference
from bot.sources.departments.directory import ANY, Directory
from bot.sources.departments.picking import read_department
from bot.sources.statements.model import StatementItem
from bot.sources.statements.words import has_all

KIND = "statements"
MAX_KEYWORDS = 8
MAX_KEYWORD_CHARACTERS = 100
_WORD = re.compile(r"[\w'\u2019-]+")
EXAMPLE = "/statements home-office grooming gangs"


@dataclass(frozen=True)
class StatementQuery:
    department: str | None  # a GOV.UK slug; None for every department
    keywords: tuple[str, ...] = ()

    @property
    def ident(self) -> str:
        return f"{self.department or ANY}:{' '.join(self.keywords)}"

    @classmethod
    def from_ident(cls, ident: str) -> StatementQuery:
        department, _, words = ident.partition(":")
        return cls(None if department == ANY else department, tuple(words.split()))

    def canonical(self, directory: Directory) -> StatementQuery:
        """The same follow, its department by its current slug."""
        if self.department is None:
            return self
        return StatementQuery(directory.canonical(self.department), self.keywords)

    def matches(self, item: StatementItem) -> bool:
        """Whether the item is this follow's: its department (items' slugs are current ones,
        see the parsers) and every keyword, in its title or text."""
        if self.department is not None and self.department not in item.departments:
            return False
        return has_all(self.keywords, f"{item.title}\n{item.text or item.excerpt}")


def read_keywords(text: str) -> tuple[str, ...]:
    """The keywords in `text`, lower case, each once; raises BadReference when too many."""
    words = tuple(dict.fromkeys(word.lower().strip("'\u2019-") for word in _WORD.findall(text)))
    words = tuple(word for word in words if word)
    if len(words) > MAX_KEYWORDS or len(" ".join(words)) > MAX_KEYWORD_CHARACTERS:
        raise BadReference(
            f"That's a lot of keywords: up to {MAX_KEYWORDS} words, please. Every one of them "
            "must appear in an item for it to match, so a few distinctive words work best."
        )
    return words


def read_query(text: str, directory: Directory) -> StatementQuery:
    """The follow that `text` asks for: a department (or `any`) then optional keywords."""
    words = text.split()
    if words and words[0].lower() in {ANY, "all"}:
        return StatementQuery(None, read_keywords(" ".join(words[1:])))
    department, rest = read_department(text, directory, KIND, EXAMPLE)
    return StatementQuery(department.slug, read_keywords(rest))
