"""Words as people mean them: the form keywords and titles are compared in.

Pure: no I/O. A text becomes its words' stems: case and accents folded (`café` = `cafe`),
apostrophes straight or curly alike (`children's`, with either, = `childrens`), hyphens and other
punctuation between words as spaces (`grooming-gangs` = `grooming gangs`), and each word
stemmed by the Snowball English stemmer (`gang` = `gangs`, `grooming` = `groom`). A keyword
matches a whole word's stem, never part of a word: `gang` does not match "Gangmaster".

Titles are compared the same way, less the words that say nothing about the story ("update",
"statement", "the"), and "United Kingdom" read as "UK": two titles tell the same story when their
remaining stems overlap by at least SAME_STORY (Jaccard), a threshold the real captures justify
(tests/test_statements.py: a House's twin and GOV.UK's wording score 1.0; two different
statements of one department on one day, "UK Trade Update" and "The United Kingdom's Free Trade
Agreements", score 0.5).
"""

from __future__ import annotations

import functools
import re
import unicodedata

import snowballstemmer

SAME_STORY = 0.75
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z]+)?")
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'", "\u02bc": "'"})
# Words a department's titles use for any story; they tell two stories apart no better.
_FILLER = frozenset(
    {"the", "a", "an", "of", "on", "for", "to", "and", "in", "at", "by", "with", "from",
     "updat", "statement", "written", "ministeri", "oral"}
)  # fmt: skip
_STEMMER = snowballstemmer.stemmer("english")


def fold(text: str) -> str:
    """Lower case, accents off, one kind of apostrophe."""
    decomposed = unicodedata.normalize("NFKD", text.lower().translate(_APOSTROPHES))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


@functools.lru_cache(maxsize=8192)
def stems(text: str) -> tuple[str, ...]:
    """The stems of the words of `text`, in order."""
    words = _WORD.findall(fold(text))
    return tuple(_stem(word if word.endswith("'s") else word.replace("'", "")) for word in words)


@functools.lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # The stemmer is pure Python, tens of microseconds a word; the words repeat.
    return _STEMMER.stemWord(word)


def has_all(keywords: tuple[str, ...], text: str) -> bool:
    """Whether every keyword's stems are among the stems of `text`."""
    if not keywords:
        return True
    found = _stem_set(text)
    return all(stem in found for keyword in keywords for stem in stems(keyword))


@functools.lru_cache(maxsize=8192)
def _stem_set(text: str) -> frozenset[str]:
    return frozenset(stems(text))


def title_words(title: str) -> frozenset[str]:
    """What a title says of its story: its stems, less the filler, "United Kingdom" as "UK"."""
    folded = re.sub(r"\bunited kingdom(?:'s)?\b", "uk", fold(title))
    return frozenset(stems(folded)) - _FILLER


def same_story(first: str, second: str) -> bool:
    """Whether two titles tell the same story (SAME_STORY of their words shared)."""
    return similarity(first, second) >= SAME_STORY


def similarity(first: str, second: str) -> float:
    a, b = title_words(first), title_words(second)
    if not a or not b:
        return float(fold(first).strip() == fold(second).strip())
    return len(a & b) / len(a | b)
