"""An FOI request's deadline: 20 working days after the day it was sent, as the Act counts them.

Pure: no I/O. Working days skip weekends and England's bank holidays, from the `holidays`
library (kept current by its maintainers, one-off holidays included), never a hand-written list.
Counted as WhatDoTheyKnow counts them (Alaveteli's `Holiday.due_date_from_working_days`): from
the day after sending; the request is late from the day after its due day.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

WORKING_DAYS = 20


@cache
def _bank_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.country_holidays("GB", subdiv="ENG", years=year))


def is_working_day(day: date) -> bool:
    return day.weekday() < 5 and day not in _bank_holidays(day.year)


def due_day(sent: date, working_days: int = WORKING_DAYS) -> date:
    """The last day a response is in time for a request sent on `sent`."""
    day, counted = sent, 0
    while counted < working_days:
        day += timedelta(days=1)
        counted += is_working_day(day)
    return day


def working_days_between(first: date, last: date) -> int:
    """Working days after `first`, up to and including `last`."""
    return sum(is_working_day(first + timedelta(days=n)) for n in range(1, (last - first).days + 1))
