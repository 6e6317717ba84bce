"""Reading a petition reference typed or pasted in chat: a number, a link, or a link in a sentence.

Pure: no I/O. Only the petition number is taken from a link; the bot never fetches the URL a
user typed, and a link to any other host is refused. A link may sit in a sentence, in angle
brackets or before a full stop, and may be the petition's `/signatures/new` page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

PUBLIC_HOSTS = frozenset({"petition.parliament.uk", "www.petition.parliament.uk"})
_PATH = re.compile(r"^(?:/archived)?/petitions/(\d{1,9})(?:\.json|/signatures/new)?/?$")
_NUMBER = re.compile(r"^#?(\d{1,9})$")
# A link inside other words: up to the first space, bracket or quote.
_EMBEDDED_LINK = re.compile(r"[^\s<>()\"']*/petitions/\d{1,9}[^\s<>()\"']*", re.IGNORECASE)
_TRAILING = ".,;:!?"
_CAMPAIGN = (
    "That's a {site} petition. I follow petitions to the UK Parliament "
    "(petition.parliament.uk): there, 10,000 signatures oblige a government response and "
    "100,000 put a debate on the table, and a {site} petition carries no such duty. "
    "Try /search for a Parliament petition on the same thing."
)
_PARLIAMENT = (
    "That's a petition to {site}. I follow petitions to the UK Parliament "
    "(petition.parliament.uk) only: {short}'s own Petitions Committee considers this one."
)
_SENEDD = _PARLIAMENT.format(site="the Senedd (the Welsh Parliament)", short="the Senedd")
_HOLYROOD = _PARLIAMENT.format(site="the Scottish Parliament", short="the Scottish Parliament")
# Other petitions sites people paste, by the end of their host name, and what to tell them.
OTHER_SITES = {
    "change.org": _CAMPAIGN.format(site="change.org"),
    "38degrees.org.uk": _CAMPAIGN.format(site="38 Degrees"),
    "avaaz.org": _CAMPAIGN.format(site="Avaaz"),
    "petitions.senedd.wales": _SENEDD,
    "deisebau.senedd.cymru": _SENEDD,
    "petitions.parliament.scot": _HOLYROOD,
    "athchuingean.parlamaid-alba.scot": _HOLYROOD,
}
_OTHER_SITE = re.compile(
    r"(?<![\w.-])(?:[a-z0-9-]+\.)*(" + "|".join(re.escape(h) for h in OTHER_SITES) + r")\b",
    re.IGNORECASE,
)


class BadPetitionReference(ValueError):
    """The text is not a petition number or a petition link; the message says why, kindly."""


def parse_petition_reference(text: str, extra_hosts: frozenset[str] = frozenset()) -> int:
    """The petition number in `text`, which is a number or a link to the petitions site.

    `extra_hosts` are further hosts whose links are accepted (the configured base URL's).
    """
    candidate = text.strip()
    if not candidate:
        raise BadPetitionReference("Tell me which petition: its number or its link.")
    embedded = _EMBEDDED_LINK.search(candidate)
    if embedded:
        candidate = embedded.group(0).rstrip(_TRAILING)
    number = _NUMBER.match(candidate)
    if number:
        return _positive(number.group(1))
    if "/" not in candidate and "." not in candidate:
        raise BadPetitionReference(
            f"“{candidate[:40]}” is not a petition number. Send the number from the petition's "
            "link, such as 300412, or paste the link itself."
        )
    link = candidate if "://" in candidate else "https://" + candidate
    try:
        parts = urlsplit(link)
        host = (parts.hostname or "").lower()
    except ValueError:
        raise BadPetitionReference("That link doesn't look right. Paste it again?") from None
    other = other_site(host)
    if other is not None:
        raise BadPetitionReference(other)
    if parts.scheme not in {"http", "https"} or host not in PUBLIC_HOSTS | extra_hosts:
        raise BadPetitionReference(
            "I can only follow petitions on petition.parliament.uk. "
            "Send a link from that site, or the petition's number."
        )
    path = _PATH.match(parts.path)
    if not path:
        raise BadPetitionReference(
            "That link is to petition.parliament.uk but not to one petition. "
            "Open the petition and copy its link, like "
            "https://petition.parliament.uk/petitions/300412"
        )
    return _positive(path.group(1))


def other_site(text: str) -> str | None:
    """What to say about a link to another petitions site in `text`, if it has one."""
    found = _OTHER_SITE.search(text)
    return OTHER_SITES[found.group(1).lower()] if found else None


def is_words(text: str) -> bool:
    """Whether `text` is words rather than a petition reference: letters, and no link."""
    candidate = text.strip()
    return (
        any(c.isalpha() for c in candidate)
        and "/" not in candidate
        and "." not in candidate
        and _NUMBER.match(candidate) is None
    )


def find_petition_reference(text: str, extra_hosts: frozenset[str] = frozenset()) -> int | None:
    """The petition a pasted message names (a number, or a link anywhere in it), else None."""
    try:
        return parse_petition_reference(text, extra_hosts)
    except BadPetitionReference:
        return None


def _positive(digits: str) -> int:
    value = int(digits)
    if value <= 0:
        raise BadPetitionReference("Petition numbers start at 1.")
    return value
