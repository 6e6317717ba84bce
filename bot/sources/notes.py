"""What a poll cycle notices besides its results, for the poller to tell (bot.health, bot.metrics,
the log): the reads that failed, and answers of an unexpected shape (schema drift).

Sources and parsers note them where they meet them, as they would log a line; the poller collects
what its cycle noted (`noting`, which tasks started inside share). Outside a cycle (a command's
look-up) nothing is collected. A drift note says what was expected, in words an operator can
check against the source's documentation.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class CycleNotes:
    failures: list[str] = field(default_factory=list)  # "<target>: <error>", as reads fail
    drift: list[str] = field(default_factory=list)  # what was expected, where it was not


_NOTES: ContextVar[CycleNotes | None] = ContextVar("cycle_notes", default=None)


@contextlib.contextmanager
def noting() -> Iterator[CycleNotes]:
    """What the code inside notes."""
    notes = CycleNotes()
    token = _NOTES.set(notes)
    try:
        yield notes
    finally:
        _NOTES.reset(token)


def note_failure(failure: str) -> None:
    if (notes := _NOTES.get()) is not None:
        notes.failures.append(failure)


def note_drift(expected: str) -> None:
    """An answer did not have the shape the parser expects: `expected` says what it expected."""
    if (notes := _NOTES.get()) is not None:
        notes.drift.append(expected)


def note_unparsed(what: str, unparsed: int, total: int, expected: str) -> None:
    """`unparsed` of `total` items of `what` lacked what a parser needs (`expected`)."""
    if unparsed:
        note_drift(f"{what}: {expected} ({unparsed} of {total} had not)")
