"""The petition debates What's On lists for the next four weeks, read at most once an interval and
shared by the sources that need them: the petitions source (its followed petitions' debate times
and places) and the debates source (the listing). Both then see the same calendar, so they word a
debate the same way.

I/O through WhatsOnClient. A read that fails raises bot.http.UpstreamError and is tried again at
the next ask; `last` keeps the last good listing for a caller that can go on without a fresh one.
A calendar with no Commons events at all is noted as schema drift (bot.sources.notes).
"""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

from bot.sources.notes import note_drift
from bot.sources.text import LONDON
from bot.sources.whatson.client import WhatsOnClient
from bot.sources.whatson.parse import ListedDebate, petition_debates

WINDOW = timedelta(days=28)


class DebateCalendar:
    def __init__(self, client: WhatsOnClient, fresh_for: timedelta) -> None:
        self._client = client
        self._fresh_for = fresh_for
        self._read: tuple[datetime, dict[int, ListedDebate]] | None = None
        self._lock = asyncio.Lock()  # two sources asking at once make one request

    @property
    def last(self) -> dict[int, ListedDebate] | None:
        """The last listing read, however old; None before the first."""
        return None if self._read is None else self._read[1]

    async def listing(self, now: datetime) -> dict[int, ListedDebate]:
        """The petition debates listed from today for four weeks, by petition id."""
        async with self._lock:
            if self._read is not None and now - self._read[0] < self._fresh_for:
                return self._read[1]
            today = now.astimezone(LONDON).date()
            events = await self._client.commons_events(today, today + WINDOW - timedelta(days=1))
            if not events:  # four weeks with no Commons business at all: only a long recess
                note_drift(
                    f"What's On: Commons events in the next {WINDOW.days} days (it listed none; "
                    "right only in a recess that long)"
                )
            self._read = (now, petition_debates(events))
            return self._read[1]
