"""End to end: a chat's constituency, found through the Members API (faked from its spec), on
its petitions' cards and count alerts, from the petition's own signatures by constituency."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.conftest import running_bot
from tests.e2e import ask
from tests.fakes.petitions import iso
from tests.samples import OPEN_BELOW_10K
from tests.test_e2e_buttons import tap

ANN, BOB = 1001, 1002
PLACES = [
    {"name": "Croydon North", "ons_code": "E14001190", "mp": "Steve Reed MP",
     "signature_count": 33},
    {"name": "Hornchurch and Upminster", "ons_code": "E14001290", "mp": "Julia Lopez MP",
     "signature_count": 33},
    {"name": "Bristol Central", "ons_code": "E14001131", "mp": "Carla Denyer MP",
     "signature_count": 12},
]  # fmt: skip


async def test_a_constituency_by_postcode_by_name_or_from_a_choice(
    telegram, parliament, make_config
):
    async with running_bot(make_config()):
        saved = await ask(telegram, ANN, "/settings constituency BS8 1AA")
        assert saved.startswith("✅ Saved.\n") and "📍 Constituency: Bristol Central\n" in saved
        choice = await ask(telegram, ANN, "/settings constituency bristol")
        assert choice == "📍 Which constituency?"
        picker = telegram.last_to(ANN)
        assert [label for row in picker.buttons for label, _ in row] == [
            "Bristol Central",
            "Bristol East",
        ]  # Bristol West ended in 2024
        await tap(telegram, picker, "Bristol East")
        assert "📍 Constituency: Bristol East" in picker.text
        none = await ask(telegram, ANN, "/settings constituency <b>Atlantis</b>")
        assert none.startswith(
            "⚠️ I found no constituency called “&lt;b&gt;Atlantis&lt;/b&gt;”. Try its full name, "
            "or a postcode. Nothing changed."
        )
        assert "📍 Constituency: Bristol East" in none
        parliament.fail(parliament.PLACES + "/Search", "500")
        down = await ask(telegram, ANN, "/settings constituency Croydon North")
        assert down.startswith("⚠️ I couldn't reach Parliament's Members API just now.")
        off = await ask(telegram, ANN, "/settings constituency off")
        assert "📍 Constituency: not set" in off


@pytest.mark.parametrize("plan", ["each", "lists"])
async def test_count_alerts_and_cards_say_how_the_chats_constituency_signed(
    plan, telegram, petitions, parliament, make_config
):
    petitions.add(300412, OPEN_BELOW_10K, signature_count=9_990, signatures_by_constituency=PLACES)
    async with running_bot(make_config(petitions={"plan": plan})):
        await ask(telegram, ANN, "/settings constituency BS8 1AA")
        await ask(telegram, ANN, "/follow 300412")
        await ask(telegram, BOB, "/follow 300412")
        grown = [*PLACES[:2], {**PLACES[2], "signature_count": 14}]
        petitions.update(
            300412,
            signature_count=10_020,
            response_threshold_reached_at=iso(datetime.now(UTC)),
            signatures_by_constituency=grown,
        )
        alert = await telegram.next_message(ANN)
        assert alert.startswith("🎯 <b>10,000 signatures: the government must respond</b>")
        line = (
            "📍 Your constituency, Bristol Central: 14 signatures (rank 3 of 650); your MP is "
            "Carla Denyer MP"
        )
        link = "https://petition.parliament.uk/petitions/300412"
        stop = f"{link}\n<i>Stop these alerts: /unfollow 300412</i>"
        assert alert.endswith(f"\n{line}\n\n{stop}")
        other = await telegram.next_message(BOB)
        assert "📍" not in other and other == alert.replace(f"\n{line}", "")

        card = await ask(telegram, ANN, "/status 300412")
        assert (
            "🏆 Most signed: Croydon North 33 · Hornchurch and Upminster 33 · Bristol Central 14\n"
            f"{line}" in card
        )
        assert "🏆 Most signed:" in await ask(telegram, BOB, "/status 300412")
