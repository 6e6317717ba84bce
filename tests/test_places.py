"""A chat's constituency: the line it gets from a petition's own signatures by constituency (the
real capture of petition 621078, all 270 constituencies), and the Members API's search."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sources.constituencies.parse import Constituency, parse_search
from bot.sources.petitions.model import parse_petition
from bot.sources.petitions.places import place_line, top_line
from tests.fakes.parliament import CONSTITUENCIES, _constituency
from tests.fakes.petitions import load_fixture

COUNTS = parse_petition(
    {
        "data": {
            "id": 621078,
            "attributes": {
                "action": "A petition",
                "state": "open",
                "signature_count": 1289,
                **load_fixture("signatures_by_constituency_621078_captured_2023-01.json")["data"][
                    "attributes"
                ],
            },
        }
    },
    observed_at=datetime(2023, 1, 3, tzinfo=UTC),
    archived=False,
).constituencies


def test_every_constituency_of_the_capture_is_read_with_its_mp():
    assert len(COUNTS) == 270
    assert ("Croydon North", "Steve Reed MP", 33) in COUNTS


def test_a_chats_constituency_line_says_its_count_rank_and_mp():
    assert place_line(COUNTS, "croydon north") == (
        "📍 Your constituency, Croydon North: 33 signatures (rank 1 of 650); your MP is "
        "Steve Reed MP"
    )
    # Equal counts share a rank: Enfield, Southgate is third after two with 33.
    assert place_line(COUNTS, "Enfield, Southgate").startswith(
        "📍 Your constituency, Enfield, Southgate: 30 signatures (rank 3 of 650)"
    )
    assert place_line(COUNTS, "Orkney and Shetland") == (
        "📍 Your constituency, Orkney and Shetland: no signatures yet."
    )
    assert place_line((), "Croydon North") is None  # a list entry: no constituencies to tell


def test_a_seat_without_an_mp_says_so():
    assert place_line((("Aylesbury", "", 1),), "Aylesbury") == (
        "📍 Your constituency, Aylesbury: 1 signature (rank 1 of 650); it has no MP just now"
    )


def test_the_most_signed_constituencies():
    assert top_line(COUNTS) == (
        "🏆 Most signed: Croydon North 33 · Hornchurch and Upminster 33 · Enfield, Southgate 30"
    )


def test_the_search_keeps_current_constituencies_with_their_mp():
    found = parse_search({"items": [_constituency(*row) for row in CONSTITUENCIES]})
    assert Constituency(4061, "Croydon North", "Steve Reed (Labour)") in found
    assert "Bristol West" not in {c.name for c in found}  # abolished in 2024
    assert parse_search({"value": []}) == []
