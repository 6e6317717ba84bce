"""Deep-link payloads for idents that are words (`home-office:grooming gangs`).

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
