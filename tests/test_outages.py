"""Users hear about outages: once a source has failed for fifteen minutes (or three of its
intervals), a card of what it serves says since when and that alerts may be late; when it answers
again, each chat following what it serves gets one notice, before the news it missed. The
wording and the judging on a scripted clock; end to end with the petitions site down."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.health import CycleReport, Health
from bot.outages import Outages
from bot.runtime import RUNTIME_KEY
from tests.conftest import running_bot
from tests.e2e import ScriptedClock, ask
from tests.samples import OPEN_BELOW_10K

START = datetime(2026, 12, 6, 14, 5, tzinfo=UTC)  # 14:05 in London in December
CYCLE = CycleReport(1, 0, 1, 0)
KINDS = {"petition": ["petitions"], "statements": ["govuk", "wms"]}
SITES = {"petitions": "the petitions site", "govuk": "GOV.UK", "wms": "Parliament's site"}


def outages_at(clock: ScriptedClock) -> tuple[Health, Outages]:
    health = Health({"petitions": 60, "govuk": 300, "wms": 900}, START)
    return health, Outages(health, KINDS, SITES, clock)


def test_a_card_warns_once_a_source_has_failed_for_fifteen_minutes_or_three_intervals():
    clock = ScriptedClock(START)
    health, outages = outages_at(clock)
    for name in ("petitions", "govuk", "wms"):
        health.failed(name, START, CYCLE, "HTTP 503")
    clock.advance(minutes=14)
    assert outages.lines("petition") == [] and outages.lines("statements") == []
    clock.advance(minutes=1)
    assert outages.lines("petition") == [
        "⚠️ The petitions site hasn't answered since 14:05; alerts may be late."
    ]
    assert outages.lines("statements") == [
        "⚠️ GOV.UK hasn't answered since 14:05; alerts may be late."
    ]  # Parliament's, polled every 15 minutes, is not out before 45
    clock.advance(hours=10)  # the next day in London
    assert outages.lines("statements")[1] == (
        "⚠️ Parliament's site hasn't answered since 14:05 on 6 December; alerts may be late."
    )
    assert outages.lines("debates") == []


def test_a_source_answering_again_after_an_outage_gets_a_notice_and_after_a_blip_none():
    _, outages = outages_at(ScriptedClock(START))
    assert outages.resumed("petitions", START, START + timedelta(minutes=3)) is None
    assert outages.resumed("petitions", None, START + timedelta(hours=1)) is None
    assert outages.resumed("petitions", START, START + timedelta(hours=2)) == (
        "✅ The petitions site is answering again. It hadn't answered since 14:05, so alerts "
        "about what you follow there may have come late; anything that changed meanwhile "
        "comes next."
    )


async def test_followers_see_the_outage_on_the_card_and_hear_once_when_it_ends(
    telegram, petitions, make_config
):
    clock = ScriptedClock(START)
    ann, bob = 1001, 1002
    petitions.add(1, OPEN_BELOW_10K, signature_count=4_000)
    petitions.add(2, OPEN_BELOW_10K, signature_count=4_000, action="Plant more trees")
    async with running_bot(make_config(petitions={"plan": "each"}), clock) as application:
        await ask(telegram, ann, "/follow 1")
        await ask(telegram, ann, "/follow 2")
        await ask(telegram, bob, "/follow 2")
        petitions.fail("/petitions/1.json", "503")
        petitions.fail("/petitions/2.json", "503")
        # A cycle under way may still have read one of them: wait for one that read neither.
        health = application.bot_data[RUNTIME_KEY].health.sources["petitions"]
        await petitions.wait_until(lambda: health.failing_since is not None, 10)
        assert "hasn't answered" not in await ask(telegram, ann, "/status 2")
        clock.advance(minutes=20)
        await _cycles(petitions, 2)
        card = await ask(telegram, bob, "/status 2")
        assert card.endswith(
            "\n\n⚠️ The petitions site hasn't answered since 14:05; alerts may be late."
        )

        seen = {chat: len(telegram.messages_to(chat)) for chat in (ann, bob)}
        petitions.update(2, signature_count=5_002)  # news while it was down
        petitions.heal("/petitions/1.json")
        petitions.heal("/petitions/2.json")
        notice = (
            "✅ The petitions site is answering again. It hadn't answered since 14:05, so alerts "
            "about what you follow there may have come late; anything that changed meanwhile "
            "comes next."
        )
        for chat in (ann, bob):
            assert await telegram.next_message(chat, after=seen[chat]) == notice
            news = await telegram.next_message(chat, after=seen[chat] + 1)
            assert news.startswith("📈 <b>5,000 signatures</b> for “Plant more trees”")
        await _cycles(petitions, 2)
        for chat in (ann, bob):  # once: not again at the next cycles
            assert telegram.messages_to(chat)[seen[chat] :].count(notice) == 1
        assert "hasn't answered" not in await ask(telegram, ann, "/status 2")


async def _cycles(petitions, count: int) -> None:
    """Until petition 2 has been asked for `count` more times (answered or not)."""
    path = "/petitions/2.json"
    await petitions.wait_for_requests(path, petitions.count(path) + count)
