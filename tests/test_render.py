"""Rendering: exact wording users see, escaping of upstream text, and Telegram's size limit."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.sources.petitions.debating import DebateNews, Sitting, SittingChange
from bot.sources.petitions.detect import (
    CountStep,
    EventKind,
    Overdue,
    PetitionEvent,
    ResponseEdit,
    carry_forward,
)
from bot.sources.petitions.dissolutions import KNOWN
from bot.sources.petitions.model import BusinessItem, DebateOutcome, GovernmentResponse
from bot.sources.petitions.render import MESSAGE_LIMIT, render_card, render_event
from bot.sources.petitions.trend import Pace
from bot.sources.text import format_date
from tests.fakes.telegram import telegram_html_text
from tests.samples import OPEN_BELOW_10K, SHOW_FIXTURES, snapshot

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
NASTY = 'Stop <script>alert("x")</script> & "quotes" \'too\' <b>bold</b> 5 > 3'


def visible_text(message: str) -> str:
    text = telegram_html_text(message)
    assert text is not None, f"Telegram would refuse: {message!r}"
    return text


def nasty_petition():
    petition = snapshot(OPEN_BELOW_10K, observed_at=NOW)
    return carry_forward(
        None,
        replace(
            petition,
            title=NASTY * 20,
            signature_count=150_000,
            response_threshold_reached_at=NOW - timedelta(days=60),
            government_response_at=NOW - timedelta(days=2),
            response=GovernmentResponse(date(2026, 11, 20), NASTY * 50, "x", NOW),
            scheduled_debate_date=date(2026, 12, 1),
            sitting=Sitting(date(2026, 12, 1), "16:30", NASTY, 7, "https://parliamentlive.tv/x"),
            debate_outcome_at=NOW,
            debate=DebateOutcome(
                date(2026, 12, 1),
                NASTY * 500,
                transcript_url='https://hansard.example/?a=1&b="2"',
                video_url="https://video.example/<x>",
            ),
            business=(BusinessItem("k", NASTY * 50, NASTY * 500),),
            state="rejected",
            rejection_code="<weird>",
            rejection_details=NASTY * 100,
        ),
    )


@pytest.mark.parametrize("kind", list(EventKind))
def test_every_alert_escapes_upstream_text_and_fits_a_message(kind):
    petition = nasty_petition()
    previous = replace(
        petition,
        scheduled_debate_date=date(2026, 11, 30),
        sitting=Sitting(date(2026, 11, 30), "18:00", NASTY),
        closing_date=date(2026, 11, 30),
        debate=replace(petition.debate, transcript_url=""),
    )
    moved = SittingChange(DebateNews.MOVED, "m", "v")
    details = {
        EventKind.MILESTONE: CountStep(150_000, "1000"),
        EventKind.RESPONSE_OVERDUE: Overdue(2, KNOWN[-1]),
        EventKind.RESPONSE_EDITED: ResponseEdit(("summary", "details"), (NASTY * 20,)),
        EventKind.DEBATE_SCHEDULING: moved,
        EventKind.DEBATE_REMINDER: SittingChange(DebateNews.EVENING_BEFORE, "r", None),
        EventKind.DEBATE_LINKS: ("transcript_url",),
        EventKind.OTHER_BUSINESS: petition.business[0],
        EventKind.CLOSED: KNOWN[-1],
        EventKind.REMOVED: "gone",
    }
    petition = replace(petition, closing_date=date(2026, 12, 2))
    message = render_event(PetitionEvent(kind, "k", petition, previous, details.get(kind)))
    assert len(message) <= MESSAGE_LIMIT
    text = visible_text(message)
    assert "<script>" not in message
    if kind not in {EventKind.DEBATE_THRESHOLD, EventKind.REMOVED}:
        assert "Stop <script>" in text or "5 > 3" in text
    assert text.rstrip().endswith("Stop these alerts: /unfollow 621078")


@pytest.mark.parametrize("fixture", SHOW_FIXTURES)
def test_card_of_every_sample_is_valid_html(fixture):
    card = render_card(snapshot(fixture), NOW)
    assert len(card) <= MESSAGE_LIMIT
    assert "petition.parliament.uk/petitions/" in visible_text(card)


def test_card_of_a_hostile_petition_stays_valid():
    card = render_card(nasty_petition(), NOW)
    assert len(card) <= MESSAGE_LIMIT
    assert NASTY[:20] in visible_text(card)


def test_card_states_how_overdue_the_response_is():
    petition = carry_forward(
        None,
        replace(
            snapshot(OPEN_BELOW_10K, observed_at=NOW),
            signature_count=12_345,
            response_threshold_reached_at=NOW - timedelta(days=30, hours=2),
        ),
    )
    assert render_card(petition, NOW) == (
        "📜 <b>Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point</b>\n"
        "Petition 621078 · Open\n"
        "✍️ <b>12,345</b> signatures\n"
        "▰▱▱▱▱▱▱▱▱▱ 12% of 100,000: 87,655 to go until Parliament considers a debate\n"
        "📝 Government response: awaiting a response since 23 October 2026: 9 days overdue "
        "(due by 13 November 2026)\n"
        "🗣 Debate: considered at 100,000 signatures\n"
        "https://petition.parliament.uk/petitions/621078\n"
        "🕑 Checked just now"
    )


def test_card_shows_the_pace_and_when_the_next_threshold_comes_at_it():
    petition = replace(snapshot(OPEN_BELOW_10K, observed_at=NOW - timedelta(minutes=3)),
                       signature_count=9_000)  # fmt: skip
    card = render_card(petition, NOW, Pace(last_hour=120, last_day=500))
    assert "\n📊 +120 in the last hour · +500 in the last day · at this pace 10,000 by " in card
    assert f"by {format_date(NOW + timedelta(days=2))}\n" in card
    assert card.endswith("\n🕑 Checked 3 min ago")
    fresh = render_card(petition, NOW, Pace(last_hour=None, last_day=None))
    assert "📊 Pace: not enough history yet; ask again in an hour" in fresh
    closed = render_card(replace(petition, state="closed"), NOW, Pace(120, 500))
    assert "📊" not in closed and "to go until" not in closed


def test_response_alert_states_how_late_it_was():
    reached = datetime(2026, 9, 1, 10, 0, tzinfo=UTC)
    before = carry_forward(
        None,
        replace(
            snapshot(OPEN_BELOW_10K, observed_at=NOW),
            signature_count=12_000,
            response_threshold_reached_at=reached,
        ),
    )
    after = replace(
        before,
        government_response_at=reached + timedelta(days=49, hours=3),
        response=GovernmentResponse(date(2026, 10, 20), "We will look at this.", "d", NOW),
    )
    message = render_event(PetitionEvent(EventKind.RESPONSE_PUBLISHED, "k", after, before))
    assert message == (
        "📝 <b>The government has responded</b> to “Reduce fixed penalty for speeding in a 20mph "
        "zone to 1 penalty point”\n"
        "Responded on 20 October 2026 (49 days after the threshold: 28 days late).\n"
        "<blockquote>We will look at this.</blockquote>\n\n"
        "https://petition.parliament.uk/petitions/621078\n"
        "<i>Stop these alerts: /unfollow 621078</i>"
    )


def test_rejection_reason_in_plain_words():
    petition = replace(
        snapshot(OPEN_BELOW_10K, observed_at=NOW),
        state="rejected",
        rejection_code="duplicate",
        rejection_details="Sign petition 1 instead.",
    )
    message = render_event(PetitionEvent(EventKind.REJECTED, "k", petition, petition))
    assert (
        "Reason: There's already a petition about this issue.\nSign petition 1 instead."
        in visible_text(message)
    )


def test_deadline_days_are_londons_in_every_zone_and_other_instants_the_chats():
    # 20:00 in London is 09:00 the next morning in Auckland: the closing moves on a day there,
    # but the response deadline's days are London's everywhere, so its numbers agree with them.
    reached = datetime(2026, 11, 1, 20, 0, tzinfo=UTC)
    petition = carry_forward(
        None,
        replace(
            snapshot(OPEN_BELOW_10K, observed_at=NOW),
            signature_count=10_500,
            response_threshold_reached_at=reached,
            scheduled_debate_date=date(2026, 12, 7),
            sitting=Sitting(date(2026, 12, 7)),
        ),
    )
    auckland = ZoneInfo("Pacific/Auckland")
    london_card, auckland_card = (
        render_card(petition, NOW),
        render_card(petition, NOW, None, auckland),
    )
    for card in (london_card, auckland_card):
        assert "awaiting a response since 1 November 2026, due by 22 November 2026" in card
        assert "scheduled for Monday 7 December 2026" in card
    event = PetitionEvent(EventKind.RESPONSE_THRESHOLD, "k", petition, petition)
    assert "within 21 days, by 22 November 2026." in render_event(event, auckland)
    closed = replace(petition, state="closed", closed_at=datetime(2026, 11, 20, 20, tzinfo=UTC))
    assert "Closed on 20 November 2026" in render_card(closed, NOW)
    assert "Closed on 21 November 2026" in render_card(closed, NOW, None, auckland)
