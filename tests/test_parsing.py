"""Parsing: every real sample parses, old and new schemas alike, and bad shapes are refused."""

from __future__ import annotations

import json
from datetime import UTC, date, datetime

import pytest

from bot.sources.petitions.model import (
    PetitionParseError,
    parse_petition,
    snapshot_from_dict,
    snapshot_to_dict,
)
from tests.samples import (
    CAPTURED,
    CLOSED_AT_DISSOLUTION,
    CLOSED_DEBATE_SCHEDULED,
    CLOSED_NOT_DEBATED,
    LIST_FIXTURES,
    OPEN_BELOW_10K,
    OPEN_DEBATED,
    OPEN_WITH_RESPONSE,
    RAW_2015_SHOW,
    SHOW_FIXTURES,
    list_items,
    snapshot,
)


@pytest.mark.parametrize("fixture", SHOW_FIXTURES)
def test_every_show_sample_parses_and_survives_storage(fixture):
    parsed = snapshot(fixture)
    assert parsed.id > 0 and parsed.title and parsed.state in {"open", "closed", "rejected"}
    stored = json.loads(json.dumps(snapshot_to_dict(parsed)))
    assert snapshot_from_dict(stored) == parsed


def test_runaway_upstream_text_is_clipped_before_it_is_stored():
    document = {
        "data": {
            "id": 9,
            "attributes": {"action": "x" * 5_000_000, "state": "open", "signature_count": 1},
        }
    }
    petition = parse_petition(document, observed_at=CAPTURED, archived=False)
    assert len(petition.title) == 2_000 and petition.title.endswith("…")


def test_a_snapshot_stored_by_a_newer_version_still_loads():
    parsed = snapshot(OPEN_DEBATED)
    stored = json.loads(json.dumps(snapshot_to_dict(parsed)))
    stored["velocity_per_hour"] = 12.5  # fields this version does not know
    stored["debate"]["hansard_id"] = "abc"
    stored["business"][0]["links"] = []
    assert snapshot_from_dict(stored) == parsed


@pytest.mark.parametrize("fixture", LIST_FIXTURES)
def test_every_list_sample_parses(fixture):
    for item in list_items(fixture):
        assert item.id > 0 and item.title
        assert snapshot_from_dict(json.loads(json.dumps(snapshot_to_dict(item)))) == item


def test_open_petition_below_threshold():
    petition = snapshot(OPEN_BELOW_10K)
    assert (petition.id, petition.state, petition.signature_count) == (621078, "open", 1289)
    assert petition.response is None and petition.debate is None
    assert petition.response_threshold_reached_at is None


def test_government_response_is_read():
    petition = snapshot(OPEN_WITH_RESPONSE)
    assert petition.response is not None
    assert petition.response.responded_on == date(2022, 12, 6)
    assert petition.response.summary.startswith("In the Autumn Statement")
    assert len(petition.response.details_digest) == 16
    assert petition.response_threshold_reached_at == datetime(2022, 11, 16, 11, 53, 10, tzinfo=UTC)


def test_debated_petition_has_links_and_business():
    petition = snapshot(OPEN_DEBATED)
    assert petition.debate is not None and petition.debate.debated_on == date(2022, 11, 28)
    assert set(petition.debate.links()) >= {"transcript_url", "video_url", "debate_pack_url"}
    assert [item.subject for item in petition.business] == [
        "Debate rescheduled: Legal rights to access abortion"
    ]


def test_not_debated_outcome_has_no_date_and_no_links():
    petition = snapshot(CLOSED_NOT_DEBATED)
    assert petition.debate is not None and petition.debate.debated_on is None
    assert petition.debate.links() == {}
    assert petition.debate_outcome_at is not None and petition.debate.overview


def test_scheduled_debate_and_dissolution_close():
    assert snapshot(CLOSED_DEBATE_SCHEDULED).scheduled_debate_date == date(2023, 1, 9)
    dissolved = snapshot(CLOSED_AT_DISSOLUTION)
    assert dissolved.closed_at == datetime(2024, 5, 29, 23, 1, tzinfo=UTC)
    assert dissolved.government_response_at > dissolved.closed_at


def test_2015_schema_open_at_is_read_as_opened_at():
    petition = snapshot(RAW_2015_SHOW)
    assert petition.opened_at == datetime(2015, 7, 20, 14, 12, 50, 460000, tzinfo=UTC)
    assert petition.response is not None and petition.response.responded_on is None


def test_rejected_items_carry_code_and_details():
    rejected = [
        item
        for item in list_items(
            "list_search_q_renewable_resources_mixed_states_incl_rejected_captured_2023-01.json"
        )
        if item.state == "rejected"
    ]
    assert {item.rejection_code for item in rejected} == {"duplicate", "irrelevant"}
    assert all(item.rejection_details for item in rejected)


def test_rejection_quirk_on_open_petition_is_ignored():
    document = {
        "data": {
            "id": 7,
            "attributes": {
                "action": "A",
                "state": "open",
                "signature_count": 5,
                "rejection": {"code": None, "details": None},
            },
        }
    }
    petition = parse_petition(document, observed_at=CAPTURED, archived=False)
    assert petition.rejection_code is None and petition.state == "open"


def test_missing_null_and_unknown_keys_are_tolerated():
    document = {
        "data": {
            "id": "8",
            "type": "archived-petition",
            "parliament": {"response_threshold": 10000, "debate_threshold": 100000},
            "attributes": {
                "action": "Minimal",
                "state": "closed",
                "signature_count": 0,
                "government_response": None,
                "debate": {"debated_on": None, "transcript_url": None, "overview": None},
                "other_parliamentary_business": None,
                "closing_date": "not a date",
                "brand_new_field": {"x": 1},
            },
        }
    }
    petition = parse_petition(document, observed_at=CAPTURED, archived=False)
    assert (petition.id, petition.signature_count, petition.archived) == (8, 0, True)
    assert petition.closing_date is None and petition.business == ()


def _with_attributes(**attributes):
    full = {"action": "Do it", "state": "open", "signature_count": 5, **attributes}
    return {"data": {"id": 7, "attributes": {k: v for k, v in full.items() if v is not None}}}


@pytest.mark.parametrize(
    "document",
    [
        None,
        [],
        {"data": []},
        {"data": {"attributes": {}}},
        # Well-formed JSON that a petition cannot be: trusting it alerted on made-up counts.
        {"data": {"id": 7, "attributes": {"signature_count": "abc"}}},
        _with_attributes(signature_count="2000000"),
        _with_attributes(signature_count=True),
        _with_attributes(signature_count=-1),
        _with_attributes(action=None),
        _with_attributes(state=""),
    ],
)
def test_documents_that_are_not_a_petition_are_refused(document):
    with pytest.raises(PetitionParseError):
        parse_petition(document, observed_at=CAPTURED, archived=False)
