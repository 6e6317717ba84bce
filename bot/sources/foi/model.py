"""What an FOI follow asks for, and a request as the follow remembers it.

Pure: no I/O. A follow is one request (`request:<url_title>`, the end of its
`/request/<url_title>` link) or an authority's requests, optionally on keywords that must all be
in a request's title (`body:<url_name>:<keywords>`, the end of its `/body/<url_name>` link, such
as `home_office`).
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.sources.statements.words import has_all

KIND = "foi"
REQUEST, BODY = "request", "body"


@dataclass(frozen=True)
class FoiFollow:
    body: str = ""  # an authority's url_name
    keywords: tuple[str, ...] = ()
    request: str = ""  # one request's url_title

    @property
    def ident(self) -> str:
        if self.request:
            return f"{REQUEST}:{self.request}"
        return f"{BODY}:{self.body}:{' '.join(self.keywords)}"

    @classmethod
    def from_ident(cls, ident: str) -> FoiFollow:
        head, _, rest = ident.partition(":")
        if head == REQUEST:
            return cls(request=rest)
        body, _, words = rest.partition(":")
        return cls(body=body, keywords=tuple(words.split()))

    def matches(self, url_title: str, title: str, body: str) -> bool:
        if self.request:
            return url_title == self.request
        return body == self.body and has_all(self.keywords, title)


@dataclass(frozen=True)
class FeedEvent:
    """One event of a request, as an authority's feed or the request's page gives it."""

    id: int
    event_type: str  # sent, response, followup_sent, status_update, comment, ...
    created_at: str  # ISO
    described_state: str
    url_title: str
    title: str
    body: str  # the authority's url_name
    body_name: str
    request_state: str  # the request's described_state now
    display_status: str  # the request's status in words ("Awaiting response", "Delayed")
