"""Dissolutions of Parliament: when each began, when the new Parliament first met, and how to
say it.

Pure: data and look-ups, no I/O. When Parliament is dissolved for a general election, the
petitions site closes every open petition at the instant of dissolution (its `close_early!`, run
at `Parliament.dissolution_at`; nothing else closes a petition before the end of its closing day),
and no government response comes until a new Parliament meets. So a petition whose `closed_at` is
not the end of a London day closed at a dissolution, and a response clock that runs across one is
told with it. Past dissolutions are known here; a new one is noticed from the petitions that close
at it (`dissolution_of`) and is told without the day the new Parliament met until this table has it.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from bot.sources.text import LONDON, format_date

# A normal closing is at the deadline, the end of the closing day: 23:59:59.999 in London.
_END_OF_DAY = time(23, 59)
# The site closes every petition at the same instant; allow for a clock a little off.
_SAME_INSTANT = timedelta(minutes=2)


@dataclass(frozen=True)
class Dissolution:
    at: datetime  # when Parliament was dissolved, and the petitions closed
    met: date | None = None  # the day the new Parliament first met; None while not known

    @property
    def day(self) -> date:
        return self.at.astimezone(LONDON).date()


# Each at 00:01 London time on the day of dissolution.
KNOWN = (
    Dissolution(datetime(2015, 3, 29, 23, 1, tzinfo=UTC), date(2015, 5, 18)),
    Dissolution(datetime(2017, 5, 2, 23, 1, tzinfo=UTC), date(2017, 6, 13)),
    Dissolution(datetime(2019, 11, 6, 0, 1, tzinfo=UTC), date(2019, 12, 17)),
    Dissolution(datetime(2024, 5, 29, 23, 1, tzinfo=UTC), date(2024, 7, 9)),
)


def closed_early(closed_at: datetime | None) -> bool:
    """Whether a petition closed at this instant closed before the end of a London day: only a
    dissolution closes one so."""
    return closed_at is not None and closed_at.astimezone(LONDON).time() < _END_OF_DAY


def dissolution_of(closed_at: datetime, known: Iterable[Dissolution] = KNOWN) -> Dissolution:
    """The dissolution a petition that closed early at `closed_at` closed at: a known one, or a
    new one noticed from it."""
    for dissolution in known:
        if abs(dissolution.at - closed_at) <= _SAME_INSTANT:
            return dissolution
    return Dissolution(closed_at)


def spanning(
    start: datetime, end: datetime, known: Iterable[Dissolution] = KNOWN
) -> Dissolution | None:
    """The dissolution that fell in (start, end], if any: the last one."""
    inside = [d for d in known if start < d.at <= end]
    return max(inside, key=lambda d: d.at) if inside else None


def merge(known: Iterable[Dissolution], noticed: Iterable[Dissolution]) -> tuple[Dissolution, ...]:
    """`known` and the ones `noticed` that it lacks, oldest first."""
    everything = list(known)
    for dissolution in noticed:
        if all(abs(d.at - dissolution.at) > _SAME_INSTANT for d in everything):
            everything.append(dissolution)
    return tuple(sorted(everything, key=lambda d: d.at))


def period_words(dissolution: Dissolution) -> str:
    """ "Parliament was dissolved from 30 May to 9 July 2024", or "on 30 May 2024" while the new
    Parliament's first day is not known."""
    start = dissolution.day
    if dissolution.met is None:
        return f"Parliament was dissolved on {format_date(start)}"
    begins = f"{start.day} {start:%B}" if start.year == dissolution.met.year else format_date(start)
    return f"Parliament was dissolved from {begins} to {format_date(dissolution.met)}"
