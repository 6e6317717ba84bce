"""Snapshots of the real captured petitions in tests/fixtures, for the unit tests."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.sources.petitions.detect import carry_forward
from bot.sources.petitions.model import PetitionSnapshot, parse_petition
from tests.fakes.petitions import load_fixture

OPEN_BELOW_10K = "show_open_below_10k_621078_captured_2023-01.json"
OPEN_WITH_RESPONSE = "show_open_with_government_response_627130_captured_2023-01.json"
CLOSED_DEBATE_SCHEDULED = "show_closed_debate_scheduled_not_yet_held_600593_captured_2023-01.json"
OPEN_DEBATED = "show_open_debated_transcript_video_other_business_619334_captured_2023-01.json"
CLOSED_NOT_DEBATED = "show_closed_not_debated_outcome_590282_captured_2023-01.json"
CLOSED_AT_DISSOLUTION = (
    "show_closed_at_dissolution_with_government_response_653985_captured_2024-10.json"
)
RAW_2015_SHOW = "show_open_debate_scheduled_raw_bytes_104334_captured_2015-09.json"
SHOW_FIXTURES = [
    OPEN_BELOW_10K,
    OPEN_WITH_RESPONSE,
    CLOSED_DEBATE_SCHEDULED,
    OPEN_DEBATED,
    CLOSED_NOT_DEBATED,
    CLOSED_AT_DISSOLUTION,
    RAW_2015_SHOW,
]
LIST_FIXTURES = [
    "list_all_page1_trimmed_to_one_debated_petition_205476_captured_2018.json",
    "list_search_empty_result_captured_2023-01.json",
    "list_search_q_air_quality_page2_single_rejected_captured_2023-01.json",
    "list_search_q_renewable_resources_mixed_states_incl_rejected_captured_2023-01.json",
    "list_state_open_page1_raw_bytes_captured_2015-09.json",
]
CAPTURED = datetime(2023, 1, 3, 12, 0, tzinfo=UTC)


def snapshot(fixture: str, *, observed_at: datetime = CAPTURED) -> PetitionSnapshot:
    """The fixture as the bot would store it after its first fetch."""
    parsed = parse_petition(load_fixture(fixture), observed_at=observed_at, archived=False)
    return carry_forward(None, parsed)


def list_items(fixture: str) -> list[PetitionSnapshot]:
    return [
        parse_petition(item, observed_at=CAPTURED, archived=False)
        for item in load_fixture(fixture)["data"]
    ]
