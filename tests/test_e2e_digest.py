"""End to end: a chat on a daily digest gets one message at its hour with every alert since the
last, across a restart, and a digest that fell due while the bot was down goes out at start,
once. The clock is scripted: no test waits for an hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from tests.conftest import running_bot
from tests.e2e import ScriptedClock, ask
from tests.fakes.petitions import iso
from tests.samples import OPEN_BELOW_10K
from tests.test_e2e_settings import quiet_cycles

ANN = 1001
TITLE = "Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point"
NAME = f"petition 300412 “{TITLE}”"
TAIL = "\n/list shows what this chat follows; /settings changes the digest."


async def test_the_digest_collects_three_events_across_a_restart_into_one_message(
    telegram, petitions, make_config
):
    clock = ScriptedClock(datetime(2026, 11, 22, 6, 0, tzinfo=UTC))
    petitions.add(300412, OPEN_BELOW_10K)
    config = make_config()
    async with running_bot(config, clock):
        saved = await ask(telegram, ANN, "/settings digest 8")
        assert "📬 Alerts: a daily digest at 08:00" in saved
        await ask(telegram, ANN, "/follow 300412")
        petitions.update(300412, signature_count=5_002)
        await quiet_cycles(petitions, telegram, ANN)
        reached = clock.now - timedelta(hours=1)
        petitions.update(300412, signature_count=10_001, response_threshold_reached_at=iso(reached))
        await quiet_cycles(petitions, telegram, ANN)
    async with running_bot(config, clock):
        responded = clock.now - timedelta(minutes=10)
        petitions.update(
            300412,
            government_response_at=iso(responded),
            government_response={
                "responded_on": responded.date().isoformat(),
                "summary": "We will review penalty points.",
                "details": "",
                "created_at": iso(responded),
                "updated_at": iso(responded),
            },
        )
        await quiet_cycles(petitions, telegram, ANN)
        seen = len(telegram.messages_to(ANN))
        clock.now = datetime(2026, 11, 22, 8, 0, 5, tzinfo=UTC)
        digest = await telegram.next_message(ANN, after=seen)
        assert digest == (
            "📰 <b>Your daily digest</b>, 22 November 2026 08:00: 3 alerts\n"
            f"<b>{NAME}</b>\n\n"
            f"📈 <b>5,000 signatures</b> for “{TITLE}”\nIt now has 5,002. Next milestone: 10,000."
            "\n\n"
            "🎯 <b>10,000 signatures: the government must respond</b>\n"
            f"“{TITLE}” now has 10,001 signatures. The government has agreed to respond within "
            "21 days, by 13 December 2026. I'll tell you when it does, and if it is late.\n\n"
            f"📝 <b>The government has responded</b> to “{TITLE}”\n"
            "Responded on 22 November 2026 (the same day as the threshold, within the 21 days "
            "promised).\n"
            "<blockquote>We will review penalty points.</blockquote>" + TAIL
        )
        await quiet_cycles(petitions, telegram, ANN)  # one digest, and the alerts not again
        # The next event waits for tomorrow's digest.
        petitions.update(300412, signature_count=25_001)
        await quiet_cycles(petitions, telegram, ANN)
        clock.now = datetime(2026, 11, 23, 8, 0, 5, tzinfo=UTC)
        digest = await telegram.next_message(ANN, after=seen + 1)
        assert digest.startswith(
            "📰 <b>Your daily digest</b>, 23 November 2026 08:00: 1 alert\n"
            f"<b>{NAME}</b>\n\n📈 <b>25,000 signatures</b>"
        )


async def test_a_digest_due_during_downtime_is_sent_once_at_start(telegram, petitions, make_config):
    clock = ScriptedClock(datetime(2026, 11, 22, 7, 0, tzinfo=UTC))
    petitions.add(300412, OPEN_BELOW_10K)
    config = make_config()
    async with running_bot(config, clock):
        await ask(telegram, ANN, "/settings digest 8")
        await ask(telegram, ANN, "/follow 300412")
        petitions.update(300412, signature_count=5_002)
        await quiet_cycles(petitions, telegram, ANN)
    seen = len(telegram.messages_to(ANN))
    clock.now = datetime(2026, 11, 22, 9, 30, tzinfo=UTC)  # down through 08:00
    async with running_bot(config, clock):
        digest = await telegram.next_message(ANN, after=seen)
        assert digest.startswith(
            "📰 <b>Your daily digest</b>, 22 November 2026 08:00: 1 alert\n"
            f"<b>{NAME}</b>\n\n📈 <b>5,000 signatures</b>"
        )
        await quiet_cycles(petitions, telegram, ANN)
    async with running_bot(config, clock):
        await quiet_cycles(petitions, telegram, ANN)
    assert len(telegram.messages_to(ANN)) == seen + 1


async def test_switching_back_to_immediate_sends_what_was_held(telegram, petitions, make_config):
    clock = ScriptedClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config(), clock):
        await ask(telegram, ANN, "/settings digest 8")
        await ask(telegram, ANN, "/follow 300412")
        petitions.update(300412, signature_count=5_002)
        await quiet_cycles(petitions, telegram, ANN)
        seen = len(telegram.messages_to(ANN))
        telegram.user_says(ANN, "/settings immediate")
        await telegram.wait_until(lambda: len(telegram.messages_to(ANN)) >= seen + 2)
        arrived = telegram.messages_to(ANN)[seen:]
        assert any(m.startswith("📈 <b>5,000 signatures</b>") for m in arrived)
        assert any("📬 Alerts: as they happen" in m for m in arrived)


async def test_a_digest_switched_on_after_its_hour_starts_tomorrow(
    telegram, petitions, make_config
):
    clock = ScriptedClock(datetime(2026, 11, 22, 9, 0, tzinfo=UTC))
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config(), clock):
        await ask(telegram, ANN, "/follow 300412")
        saved = await ask(telegram, ANN, "/settings digest 8")
        assert "📬 Alerts: a daily digest at 08:00" in saved
        petitions.update(300412, signature_count=5_002)
        await quiet_cycles(petitions, telegram, ANN)  # nothing dated 08:00 today
        seen = len(telegram.messages_to(ANN))
        clock.now = datetime(2026, 11, 23, 8, 0, 5, tzinfo=UTC)
        digest = await telegram.next_message(ANN, after=seen)
        assert digest.startswith("📰 <b>Your daily digest</b>, 23 November 2026 08:00: 1 alert\n")
