"""Reading what a person typed after a command, or on its own: which targets it names, or that
it is words to search for.

Never names a kind: each kind says whether the text (or each of its words, for several at
once: `/follow 700013 700014`) names one of its targets, and what it would do with words
(`Searchable` kinds find targets by them, `Suggesting` kinds point to their own command).
No I/O but the kinds' searches.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from bot.sources.base import BadReference, Reply, Searchable, Suggesting, TargetKind
from bot.sources.text import one_line

# `/follow 1 2 3 …`: at most this many targets in one command.
SEVERAL_LIMIT = 10


@dataclass(frozen=True)
class Mistake:
    """The text names a target of `kind`, wrongly."""

    kind: TargetKind
    error: BadReference


@dataclass(frozen=True)
class Named:
    """The targets the text names, in the order typed, each once, with the words that named
    each (`typed`)."""

    targets: tuple[tuple[TargetKind, str], ...]
    typed: tuple[str, ...]


class Reader:
    def __init__(self, kinds: Sequence[TargetKind]) -> None:
        self._kinds = list(kinds)

    def read(self, text: str, command: str) -> Named | Reply:
        """The targets `text` names, or the reply that says what it is instead (a mistake in a
        reference, or words: where to look for them)."""
        text = text.strip()
        whole = self._read_one(text)
        if isinstance(whole, tuple):
            return Named((whole,), (text,))
        words = text.split()
        if len(words) > 1:
            each = {word: self._read_one(word) for word in words}
            named = {word: one for word, one in each.items() if isinstance(one, tuple)}
            if len(named) == len(each):
                if len(named) > SEVERAL_LIMIT:
                    return Reply(f"That's {len(named)}: I take up to {SEVERAL_LIMIT} at once.")
                firsts: dict[tuple[TargetKind, str], str] = {}
                for word, target in named.items():
                    firsts.setdefault(target, word)
                return Named(tuple(firsts), tuple(firsts.values()))
        if isinstance(whole, Mistake):
            error = whole.error
            example = f"\nFor example: /{command} {html.escape(whole.kind.example)}"
            return Reply(f"{error}{'' if error.buttons else example}", error.buttons)
        return self.words(text, command)

    def words(self, text: str, command: str) -> Reply:
        """Words that name no target: where a person can find what they are about."""
        lines, buttons = [], []
        for kind in self._kinds:
            if isinstance(kind, Suggesting):
                suggestion = kind.suggest(text)
                if suggestion is not None:
                    lines.append(suggestion.line)
                    buttons += [suggestion.button] if suggestion.button else []
        head = f"“{html.escape(one_line(text, 60))}” isn't something I can /{command} as it is."
        return Reply("\n".join([head, *lines]), tuple((button,) for button in buttons))

    async def search(self, text: str, now: datetime) -> Reply:
        """A private chat's plain words: what the searchable kinds find, and where else to look
        (the other kinds' suggestions)."""
        found: list[Reply] = []
        lines = []
        for kind in self._kinds:
            if isinstance(kind, Searchable):
                found.append(await kind.search(text, now))
            elif isinstance(kind, Suggesting):
                suggestion = kind.suggest(text)
                if suggestion is not None:
                    lines.append(suggestion.line)
        text_parts = [reply.text for reply in found] + (["\n".join(lines)] if lines else [])
        buttons = tuple(row for reply in found for row in reply.buttons)
        return Reply("\n\n".join(text_parts), buttons)

    def _read_one(self, text: str) -> tuple[TargetKind, str] | Mistake | None:
        for kind in self._kinds:
            try:
                ident = kind.read_reference(text)
            except BadReference as exc:
                return Mistake(kind, exc)
            if ident is not None:
                return kind, ident
        return None
