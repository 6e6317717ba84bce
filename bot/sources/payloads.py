"""Deep-link payloads for idents that are words (`home-office:grooming gangs`), and the kinds'
deep links made of them (`WordsInDeepLinks`).

Pure: no I/O. A `/start` payload may hold only letters, digits, `_` and `-`, at most 64 of them,
so such an ident travels as unpadded URL-safe base64 after its kind's prefix; one too long for a
payload has no deep link.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable

from bot.sources.base import BadReference

DEEP_LINK_LIMIT = 64  # Telegram's limit for a /start payload


def encode_payload(prefix: str, ident: str) -> str | None:
    encoded = base64.urlsafe_b64encode(ident.encode("utf-8")).decode("ascii").rstrip("=")
    payload = f"{prefix}{encoded}"
    return payload if len(payload) <= DEEP_LINK_LIMIT else None


class WordsInDeepLinks:
    """A kind's `deep_link` and `read_deep_link` for idents that are words: base64 under the
    kind's `DEEP_LINK_PREFIX`, read back as a person would type it (its `reference`, then
    `read_reference`), so a hand-made link can only name a real target."""

    DEEP_LINK_PREFIX: str
    # The kind's own (TargetKind): how a command names a target, and reading that back.
    reference: Callable[[str], str]
    read_reference: Callable[[str], str | None]

    def deep_link(self, ident: str) -> str | None:
        return encode_payload(self.DEEP_LINK_PREFIX, ident)

    def read_deep_link(self, payload: str) -> str | None:
        return decode_payload(
            self.DEEP_LINK_PREFIX, payload, lambda ident: self.read_reference(self.reference(ident))
        )


def decode_payload(prefix: str, payload: str, read_back: Callable[[str], str | None]) -> str | None:
    """The ident in a payload with this prefix; None for another kind's or a garbled one.
    `read_back(ident)` reads the ident again as a person would type it (the kind's
    `read_reference` of its `reference`), so a hand-made link can only name a real target."""
    if not payload.startswith(prefix):
        return None
    encoded = payload.removeprefix(prefix)
    try:
        ident = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4)).decode("utf-8")
        return read_back(ident)
    except (ValueError, binascii.Error, BadReference):
        return None
