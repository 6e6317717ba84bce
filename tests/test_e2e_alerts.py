"""End to end: a user follows a petition in Telegram, the petition changes, the alert arrives.

The real Application runs against the fake Telegram Bot API and the fake petitions site; nothing
in between is touched.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from tests.conftest import running_bot
from tests.e2e import ScriptedClock
from tests.fakes.petitions import iso
from tests.samples import OPEN_BELOW_10K

ANN, BOB = 1001, 1002
LONDON = ZoneInfo("Europe/London")
TITLE = "Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point"
FOOTER = (
    "\n\nhttps://petition.parliament.uk/petitions/300412\n"
    "<i>Stop these alerts: /unfollow 300412</i>"
)


def say_date(moment: datetime) -> str:
    london = moment.astimezone(LONDON)
    return f"{london.day} {london:%B %Y}"


async def follow(telegram, chat_id: int, text: str) -> str:
    seen = len(telegram.messages_to(chat_id))
    telegram.user_says(chat_id, text)
    return await telegram.next_message(chat_id, after=seen)


async def milestone_while_ann_fails(telegram, petitions, failing_chats: set[int]) -> int:
    """Ann and Bob follow; Ann's chat is put in `failing_chats`; the 5,000 milestone is crossed.

    Returns Ann's sendMessage attempts before the alert, once Bob has it and Ann's try failed.
    """
    await follow(telegram, ANN, "/follow 300412")
    await follow(telegram, BOB, "/follow 300412")
    failing_chats.add(ANN)
    ann_attempts = telegram.attempts.count(ANN)
    petitions.update(300412, signature_count=5_002)
    assert (await telegram.next_message(BOB)).startswith("📈 <b>5,000 signatures</b>")
    await telegram.wait_until(lambda: telegram.attempts.count(ANN) > ann_attempts)
    return ann_attempts


async def test_follow_by_link_then_a_change_sends_the_exact_alert(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        reply = await follow(
            telegram,
            ANN,
            "/follow https://petition.parliament.uk/petitions/300412?utm_source=share",
        )
        assert reply == (
            f"📜 <b>{TITLE}</b>\n"
            "Petition 300412 · Open\n"
            "✍️ <b>1,289</b> signatures\n"
            "▰▱▱▱▱▱▱▱▱▱ 12% of 10,000: 8,711 to go until the government must respond\n"
            "📊 Pace: not enough history yet; ask again in an hour\n"
            "📝 Government response: due once it reaches 10,000 signatures\n"
            "🗣 Debate: considered at 100,000 signatures\n"
            "https://petition.parliament.uk/petitions/300412\n"
            "🕑 Checked just now\n\n"
            "🔔 Following. I'll tell this chat about signature milestones, the 10,000 and 100,000 "
            "thresholds, the government response (and if it is late), debates, and closing."
        )
        petitions.update(300412, signature_count=5_002)
        alert = await telegram.next_message(ANN)
        assert alert == (
            f"📈 <b>5,000 signatures</b> for “{TITLE}”\nIt now has 5,002. Next milestone: 10,000."
            + FOOTER
        )


async def test_threshold_and_response_alerts(telegram, petitions, make_config):
    # At noon: 49 days before a time near midnight can be another London date across a clock
    # change, and the days are counted between London dates.
    reached = (datetime.now(UTC) - timedelta(days=50)).replace(hour=12, minute=0, second=0)
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        await follow(telegram, ANN, "/follow 300412")
        petitions.update(300412, signature_count=10_001, response_threshold_reached_at=iso(reached))
        threshold = await telegram.next_message(ANN)
        assert threshold.startswith(
            "🎯 <b>10,000 signatures: the government must respond</b>\n"
            f"“{TITLE}” now has 10,001 signatures. The government has agreed to respond within "
            "21 days, by "
        )
        responded_at = reached + timedelta(days=49)
        petitions.update(
            300412,
            government_response_at=iso(responded_at),
            government_response={
                "responded_on": responded_at.astimezone(LONDON).date().isoformat(),
                "summary": "The Government <will> review fixed penalties & points.",
                "details": "Long text.",
                "created_at": iso(responded_at),
                "updated_at": iso(responded_at),
            },
        )
        response = await telegram.next_message(ANN)
        assert response == (
            f"📝 <b>The government has responded</b> to “{TITLE}”\n"
            f"Responded on {say_date(responded_at)} (49 days after the threshold: 28 days late).\n"
            "<blockquote>The Government &lt;will&gt; review fixed penalties &amp; points."
            "</blockquote>" + FOOTER
        )


async def test_restart_sends_no_duplicate_and_keeps_following(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    config = make_config()
    async with running_bot(config):
        await follow(telegram, ANN, "/follow 300412")
        petitions.update(300412, signature_count=5_002)
        await telegram.next_message(ANN)
    sent_before = len(telegram.messages_to(ANN))
    requests_before = petitions.requests[300412]
    async with running_bot(config):
        await petitions.wait_for_petition_requests(300412, requests_before + 3)
        assert len(telegram.messages_to(ANN)) == sent_before
        petitions.update(300412, signature_count=10_050)
        alert = await telegram.next_message(ANN)
        assert alert.startswith("📈 <b>10,000 signatures</b>")


async def test_a_blocked_chat_does_not_stop_the_others_and_resumes(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        ann_attempts = await milestone_while_ann_fails(telegram, petitions, telegram.blocked)
        # Held, not retried every cycle: the next cycles make no attempt for Ann.
        requests = petitions.requests[300412]
        await petitions.wait_for_petition_requests(300412, requests + 3)
        assert telegram.attempts.count(ANN) == ann_attempts + 1
        telegram.blocked.discard(ANN)
        seen = len(telegram.messages_to(ANN))
        telegram.user_says(ANN, "/list")
        await telegram.wait_until(lambda: len(telegram.messages_to(ANN)) >= seen + 2)
        assert any(m.startswith("📈 <b>5,000 signatures</b>") for m in telegram.messages_to(ANN))


async def test_upstream_faults_never_alert_and_never_stop_the_loop(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    petitions.hang_seconds = 2
    async with running_bot(make_config()):
        await follow(telegram, ANN, "/follow 300412")
        after_follow = len(telegram.messages_to(ANN))
        for fault in ("500", "timeout", "malformed", "html"):
            petitions.faults[300412] = fault
            # While it is broken the data changes too: nothing may be made of the garbage.
            petitions.update(300412, signature_count=1_289)
            await petitions.wait_for_petition_requests(
                300412, petitions.requests[300412] + 3, timeout=20
            )
        del petitions.faults[300412]
        petitions.update(300412, signature_count=5_002)
        alert = await telegram.next_message(ANN, after=after_follow, timeout=20)
        assert alert.startswith("📈 <b>5,000 signatures</b>")
        assert len(telegram.messages_to(ANN)) == after_follow + 1


async def test_response_overdue_on_the_london_calendar_then_a_weekly_reminder(
    telegram, petitions, make_config
):
    # Reached on 2 November: due by the end of 23 November, late from the first minute of the
    # 24th, never on the 23rd itself.
    clock = ScriptedClock(datetime(2026, 11, 23, 23, 58, tzinfo=UTC))
    reached = datetime(2026, 11, 2, 10, 0, tzinfo=UTC)
    petitions.add(
        300412, OPEN_BELOW_10K, signature_count=10_500, response_threshold_reached_at=iso(reached)
    )
    async with running_bot(make_config(), clock):
        card = await follow(telegram, ANN, "/follow 300412")
        assert (
            "📝 Government response: awaiting a response since 2 November 2026, due by "
            "23 November 2026\n" in card
        )
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        assert len(telegram.messages_to(ANN)) == 1  # the due day itself is not late
        clock.advance(minutes=3)  # 00:01 on 24 November
        alert = await telegram.next_message(ANN)
        assert alert == (
            "⏰ <b>Government response overdue</b>\n"
            f"“{TITLE}” reached 10,000 signatures on 2 November 2026. The government agreed "
            "to respond within 21 days, by 23 November 2026, and has not." + FOOTER
        )
        status = await follow(telegram, ANN, "/status 300412")
        assert (
            "awaiting a response since 2 November 2026: 1 day overdue (due by 23 November 2026)"
            in status
        )
        clock.advance(days=7)
        reminder = await telegram.next_message(ANN)
        assert reminder.startswith("⏰ <b>Still no government response: 8 days overdue</b>\n")


async def test_following_a_petition_already_overdue_says_so(telegram, petitions, make_config):
    clock = ScriptedClock(datetime(2026, 12, 3, 15, 0, tzinfo=UTC))
    reached = datetime(2026, 11, 2, 23, 30, tzinfo=UTC)  # 2 November in London: due the 23rd
    petitions.add(
        300412, OPEN_BELOW_10K, signature_count=10_500, response_threshold_reached_at=iso(reached)
    )
    async with running_bot(make_config(), clock):
        card = await follow(telegram, ANN, "/follow 300412")
        assert (
            "awaiting a response since 2 November 2026: 10 days overdue (due by 23 November 2026)"
            in card
        )
        requests = petitions.requests[300412]
        await petitions.wait_for_petition_requests(300412, requests + 2)
        assert len(telegram.messages_to(ANN)) == 1  # no replay of the overdue alert


async def test_archived_move_then_removal_once_confirmed(telegram, petitions, make_config):
    clock = ScriptedClock(datetime(2026, 11, 22, 12, 0, tzinfo=UTC))
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config(), clock):
        await follow(telegram, ANN, "/follow 300412")
        petitions.archived.add(300412)
        petitions.update(300412, state="closed", closed_at="2026-11-22T23:59:59.999Z")
        moved = await telegram.next_message(ANN)
        closed = await telegram.next_message(ANN, after=2)
        assert moved.startswith("🗄 <b>Moved to the archive</b>")
        assert "https://petition.parliament.uk/archived/petitions/300412" in moved
        assert closed.startswith("🔒 <b>Petition closed</b>\n")
        petitions.update(
            300412,
            government_response_at=iso(clock.now),
            government_response={"responded_on": "2026-11-22", "summary": "Yes."},
        )
        responded = await telegram.next_message(ANN)
        assert responded.startswith("📝 <b>The government has responded</b>")
        # A 410 is told once a read five minutes later agrees; one the next read contradicts
        # is never told.
        seen = len(telegram.messages_to(ANN))
        petitions.gone.add(300412)
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        petitions.gone.discard(300412)
        clock.advance(minutes=6)
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        petitions.gone.add(300412)
        await petitions.wait_for_petition_requests(300412, petitions.requests[300412] + 2)
        assert len(telegram.messages_to(ANN)) == seen
        clock.advance(minutes=6)
        removed = await telegram.next_message(ANN)
        assert removed.startswith("🗑 <b>Petition taken down</b>\n")
        assert "the petitions site has said it is gone since 22 November 2026 at 12:06." in removed


async def test_a_message_telegram_refuses_does_not_block_the_others(
    telegram, petitions, make_config, caplog
):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        ann_attempts = await milestone_while_ann_fails(telegram, petitions, telegram.unparseable)
        telegram.unparseable.discard(ANN)
        petitions.update(300412, signature_count=10_020)
        assert (await telegram.next_message(ANN)).startswith("📈 <b>10,000 signatures</b>")
        # The refused message is recorded as failed, not retried.
        assert telegram.attempts.count(ANN) == ann_attempts + 2
    assert "Telegram refused alert petition:300412:milestone:5000 for chat 1001" in caplog.text


async def test_pending_alerts_are_sent_after_a_restart(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    config = make_config()
    async with running_bot(config):
        await follow(telegram, ANN, "/follow 300412")
        telegram.down = True
        attempts = len(telegram.attempts)
        petitions.update(300412, signature_count=5_002)
        await telegram.wait_until(lambda: len(telegram.attempts) > attempts + 1)
    telegram.down = False
    async with running_bot(config):
        alert = await telegram.next_message(ANN, after=1)
        assert alert.startswith("📈 <b>5,000 signatures</b>")
        requests = petitions.requests[300412]
        await petitions.wait_for_petition_requests(300412, requests + 2)
    assert len(telegram.messages_to(ANN)) == 2


async def test_a_dissolution_is_one_message_listing_every_followed_petition_it_closed(
    telegram, petitions, make_config
):
    clock = ScriptedClock(datetime(2029, 4, 30, 23, 0, tzinfo=UTC))
    numbers = (300412, 300413, 300414)
    for number in numbers:
        petitions.add(
            number, OPEN_BELOW_10K, action=f"Petition {number}", closing_date="2029-07-01"
        )
    # One request a petition, so that the test can wait for each to be read.
    async with running_bot(make_config(petitions={"plan": "each"}), clock):
        for number in numbers:
            await follow(telegram, ANN, f"/follow {number}")
        seen = len(telegram.messages_to(ANN))
        # 00:01 on 1 May 2029 in London: Parliament dissolved, every open petition closed.
        clock.advance(minutes=2)
        for number in numbers:
            petitions.update(number, state="closed", closed_at="2029-04-30T23:01:00.000Z")
        for number in numbers:
            await petitions.wait_for_petition_requests(number, petitions.requests[number] + 2)
        assert len(telegram.messages_to(ANN)) == seen  # held a moment for the stragglers
        clock.advance(minutes=4)
        summary = await telegram.next_message(ANN, after=seen)
        assert summary == (
            "🗳 <b>Parliament was dissolved</b> on 1 May 2029 for a general election, and every "
            "open petition closed then. These petitions this chat follows closed:\n"
            + "".join(
                f"• “Petition {number}” (petition {number}): 1,289 signatures\n"
                for number in numbers
            )
            + "\nA government response or a debate can still come after the election: I'll keep "
            "watching them. /list shows them all."
        )
        for number in numbers:
            await petitions.wait_for_petition_requests(number, petitions.requests[number] + 2)
        assert len(telegram.messages_to(ANN)) == seen + 1
