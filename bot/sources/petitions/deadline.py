"""The government's response deadline for a petition, on the London calendar.

Pure: no I/O. The government has agreed to respond within 21 days of a petition reaching the
response threshold. The clock starts at the first crossing the bot saw, or the earliest the site
ever showed (`PetitionSnapshot.response_clock_at`): the site resets `response_threshold_reached_at`
when the count dips to the threshold or below, and a re-cross must not start a second, later clock.
The response is due by the end of the London day 21 days after the London day of that crossing,
across clock changes. Days are counted between the London dates a message shows, never as whole
24-hour periods: a response 12 hours after the threshold came "the same day" or "the next day".
A response is late from the day after its due day, never on it: the overdue alert comes as that
day begins in London, then a reminder each week (quiet hours, if a chat set them, keep it
silent). Lateness that spans a dissolution of Parliament says so.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from bot.sources.petitions.dissolutions import KNOWN, Dissolution, period_words, spanning
from bot.sources.text import LONDON, days

RESPONSE_WITHIN_DAYS = 21
REMINDER_EVERY_DAYS = 7
# London time: late from the first moment of the day after the due day.
OVERDUE_AT = time(0)


def london_day(moment: datetime) -> date:
    return moment.astimezone(LONDON).date()


def due_day(clock_at: datetime) -> date:
    """The last day of the 21 days: the response is late from the day after."""
    return london_day(clock_at) + timedelta(days=RESPONSE_WITHIN_DAYS)


def days_between(first: date, last: date) -> int:
    return (last - first).days


def after_threshold(count: int) -> str:
    """How long after the threshold, in calendar days: "the same day", "the next day", "49 days
    after the threshold"."""
    if count == 0:
        return "the same day as the threshold"
    if count == 1:
        return "the day after the threshold"
    return f"{days(count)} after the threshold"


def overdue_reminder(due: date, previous: datetime, now: datetime) -> int | None:
    """Which overdue alert falls in (previous, now]: 0 the first (the day after `due`), n the
    n-th weekly reminder; None when none does. After downtime, only the latest."""
    first_day = due + timedelta(days=1)
    local = now.astimezone(LONDON)
    elapsed = (local.date() - first_day).days - (local.time() < OVERDUE_AT)
    if elapsed < 0:
        return None
    reminder = elapsed // REMINDER_EVERY_DAYS
    if overdue_instant(due, reminder) <= previous:
        return None
    return reminder


def overdue_instant(due: date, reminder: int) -> datetime:
    day = due + timedelta(days=1 + reminder * REMINDER_EVERY_DAYS)
    return datetime.combine(day, OVERDUE_AT, tzinfo=LONDON)


def days_late_at(due: date, reminder: int) -> int:
    return days_between(due, overdue_instant(due, reminder).date())


def lateness(
    clock_at: datetime,
    answered_on: date,
    answered_at: datetime,
    dissolutions: Iterable[Dissolution] = KNOWN,
) -> str:
    """ "49 days after the threshold: 28 days late" (or "…, within the 21 days promised"), counted
    between the London day of the threshold and the day the response is dated, with the election
    that intervened if one did."""
    taken = days_between(london_day(clock_at), answered_on)
    late = days_between(due_day(clock_at), answered_on)
    if late > 0:
        words = f"{after_threshold(taken)}: {days(late)} late"
    else:
        words = f"{after_threshold(taken)}, within the {RESPONSE_WITHIN_DAYS} days promised"
    election = spanning(clock_at, answered_at, dissolutions)
    return f"{words}; {election_words(election)}" if election and late > 0 else words


def election_words(dissolution: Dissolution) -> str:
    return f"a general election intervened: {period_words(dissolution)}"
