"""Where a petition's signatures come from: a chat's own constituency, and the top ones.

Pure: no I/O. From the petition's own `signatures_by_constituency` (bot.sources.petitions.model),
which lists only the constituencies with a signature: one it leaves out has none. A rank counts
the constituencies with more signatures, so equal counts share a rank.
"""

from __future__ import annotations

from bot.sources.departments.directory import normalise
from bot.sources.text import format_count, quote

CONSTITUENCIES = 650  # Westminster seats, since the 2010 and 2024 boundaries alike
TOP = 3

Counts = tuple[tuple[str, str, int], ...]  # (name, MP or "", signatures)


def place_line(counts: Counts, place: str) -> str | None:
    """ "📍 Your constituency, Bristol West: 33 signatures (rank 2 of 650); your MP is …", or
    None when the petition's document gave no constituencies (a list entry, an old schema)."""
    if not counts or not place:
        return None
    wanted = normalise(place)
    mine = next((entry for entry in counts if normalise(entry[0]) == wanted), None)
    if mine is None:
        return f"📍 Your constituency, {quote(place, 80)}: no signatures yet."
    name, mp, signatures = mine
    rank = 1 + sum(1 for entry in counts if entry[2] > signatures)
    said = f"{format_count(signatures)} signature{'s' * (signatures != 1)}"
    member = f"; your MP is {quote(mp, 80)}" if mp else "; it has no MP just now"
    return (
        f"📍 Your constituency, {quote(name, 80)}: {said} (rank {rank} of {CONSTITUENCIES}){member}"
    )


def top_line(counts: Counts) -> str | None:
    """The constituencies with the most signatures: "🏆 Most signed: Croydon North 33 · …"."""
    if not counts:
        return None
    top = sorted(counts, key=lambda entry: (-entry[2], entry[0]))[:TOP]
    return "🏆 Most signed: " + " · ".join(
        f"{quote(name, 60)} {format_count(signatures)}" for name, _, signatures in top
    )
