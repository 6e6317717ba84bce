"""Government statements as a target kind: `/statements`, its department menu, and what the
follow service asks about a statements follow.

The ident of a follow is `<department slug or any>:<keywords>`, e.g. `home-office:grooming
gangs`. Looking a follow up asks GOV.UK and Parliament once each for its latest items, which
become its silent baseline and the "latest three" of the follow reply.
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, tzinfo
from typing import Any

from bot.callbacks import follow_button
from bot.http import UpstreamRefused
from bot.sources.base import (
    BadReference,
    Button,
    Command,
    FollowThis,
    Lookup,
    Reply,
    Suggestion,
    target_key,
)
from bot.sources.departments.directory import ANY, Directory
from bot.sources.departments.picking import pick_buttons
from bot.sources.govuk.parse import SOURCE as GOVUK
from bot.sources.govuk.source import GovukStatementsSource
from bot.sources.payloads import WordsInDeepLinks
from bot.sources.statements.detect import detect_statements, oldest_first, recent_items
from bot.sources.statements.follows import GROUPS
from bot.sources.statements.query import (
    KIND,
    StatementQuery,
    read_keywords,
    read_query,
)
from bot.sources.statements.render import (
    command_reference,
    describe,
    reference,
    render_card,
    render_follow_reply,
    render_list_line,
)
from bot.sources.text import plain_text, quote
from bot.sources.written_statements.parse import SOURCE as WMS
from bot.sources.written_statements.source import WrittenStatementsSource

log = logging.getLogger(__name__)
_WORDS = {"statements", "statement"}


class StatementsKind(WordsInDeepLinks):
    DEEP_LINK_PREFIX = "s_"
    kind = KIND
    example = "statements home-office grooming gangs"
    commands = (
        Command(
            KIND,
            "Follow what a department says, optionally on some keywords",
            "/statements home-office grooming gangs",
        ),
    )
    alert_groups = GROUPS
    granularities: tuple[str, ...] = ()

    def __init__(
        self,
        govuk: GovukStatementsSource,
        written: WrittenStatementsSource,
        directory: Directory,
    ) -> None:
        self._govuk = govuk
        self._written = written
        self._directory = directory

    def read_reference(self, text: str) -> str | None:
        first, _, rest = text.partition(" ")
        if first.lower() not in _WORDS:
            return None
        return read_query(rest, self._directory).ident

    def reference(self, ident: str) -> str:
        return reference(StatementQuery.from_ident(ident))

    def name(self, ident: str, state: dict[str, Any] | None) -> str:
        return describe(StatementQuery.from_ident(ident), self._directory)

    def label(self, ident: str, state: dict[str, Any] | None) -> str:
        return plain_text(self.name(ident, state))

    def suggest(self, words: str) -> Suggestion | None:
        """Words that start with a department's name follow it (`home office grooming`);
        any others follow every department's statements that contain them."""
        try:
            query = read_query(words, self._directory)
        except BadReference:
            try:
                query = StatementQuery(None, read_keywords(words))
            except BadReference:
                return None
        if query.department is None and not query.keywords:
            return None
        return Suggestion(
            f"🏛 {describe(query, self._directory)}: <code>/{command_reference(query)}</code>",
            follow_button(target_key(KIND, query.ident), "🏛 Follow these statements"),
        )

    async def look_up(self, ident: str, now: datetime) -> Lookup:
        query = StatementQuery.from_ident(ident)
        govuk, written = await asyncio.gather(
            self._govuk.look_up(query), self._written.look_up(query, now), return_exceptions=True
        )
        if isinstance(govuk, UpstreamRefused):
            return Lookup(
                problem=f"GOV.UK's search refused that (“{quote(govuk.detail, 200)}”). "
                "Try fewer or plainer keywords."
            )
        if isinstance(govuk, BaseException):
            log.warning("GOV.UK look-up for %s failed: %s", ident, govuk)
            return Lookup(problem="I couldn't reach GOV.UK just now. Please try again in a minute.")
        matching = query.canonical(self._directory)
        state, _ = detect_statements(matching, None, oldest_first(govuk), GOVUK, now)
        state["checked_to"][GOVUK] = now.isoformat()
        if isinstance(written, BaseException):
            # Parliament's first poll of this follow will be its silent baseline instead.
            log.warning("written statements look-up for %s failed: %s", ident, written)
        else:
            state, _ = detect_statements(matching, state, oldest_first(written), WMS, now)
        return Lookup(state)

    def card(
        self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo, shared: bool = False
    ) -> str:
        # Nothing on it depends on when it is read: the same shared or not.
        query = StatementQuery.from_ident(ident)
        return render_card(query, recent_items(state), self._directory, zone)

    def list_line(self, ident: str, state: dict[str, Any] | None, now: datetime) -> str:
        return render_list_line(StatementQuery.from_ident(ident), self._directory)

    def follow_reply(self, ident: str, state: dict[str, Any], now: datetime, zone: tzinfo) -> str:
        query = StatementQuery.from_ident(ident)
        return render_follow_reply(query, recent_items(state), self._directory, zone)

    async def browse(self, command: str, args: str, now: datetime) -> Reply | FollowThis:
        if args:
            return FollowThis(read_query(args, self._directory).ident)
        buttons = pick_buttons(list(self._directory.departments), KIND)
        return Reply(
            "🏛 <b>Follow government statements</b>\n"
            "Pick a department, then send keywords or take every statement it makes. "
            "Or type it in one go: <code>/statements home-office grooming gangs</code>",
            (*buttons, (Button("All departments", f"b:{KIND}:{ANY}"),)),
        )

    async def press(self, payload: str, now: datetime) -> Reply | FollowThis:
        department = self._directory.get(payload)
        if department is None and payload != ANY:
            return Reply("That department is no longer listed. Send /statements to pick again.")
        whose = f"<b>{quote(department.name, 100)}</b>" if department else "every department's"
        return Reply(
            f"Reply with keywords to look for in {whose} statements (an item must contain all "
            "of them), or tap Any statement.",
            ((Button("Any statement", f"fc:{KIND}:{payload}:"),),),
            awaiting=(KIND, payload),
        )

    async def answer(self, context: str, text: str, now: datetime) -> Reply | FollowThis:
        department = None if context == ANY else context
        return FollowThis(StatementQuery(department, read_keywords(text)).ident)
