"""The daily digest's words: every alert under its follow's name, split at Telegram's limit on
alert boundaries, each message valid HTML."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo

from bot.digest import LIMIT, render_digest
from tests.fakes.telegram import telegram_html_text

DUE = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)
LONDON = ZoneInfo("Europe/London")
FOOTER = "\n\nhttps://petition.parliament.uk/petitions/1\n<i>Stop these alerts: /unfollow 1</i>"


def test_three_alerts_in_one_message_grouped_without_their_footers():
    groups = [
        ("“Fund schools”", ["📈 <b>5,000 signatures</b>" + FOOTER, "🎯 <b>10,000</b>" + FOOTER]),
        ("“Home Office statements”", ["🆕 <b>A statement</b> &amp; more" + FOOTER]),
    ]
    assert render_digest(groups, DUE, LONDON) == [
        "📰 <b>Your daily digest</b>, 22 November 2026 08:00: 3 alerts\n"
        "<b>“Fund schools”</b>\n\n"
        "📈 <b>5,000 signatures</b>\n\n"
        "🎯 <b>10,000</b>\n"
        "<b>“Home Office statements”</b>\n\n"
        "🆕 <b>A statement</b> &amp; more\n"
        "/list shows what this chat follows; /settings changes the digest."
    ]


def test_the_digest_hour_is_told_in_the_chats_zone():
    digest = render_digest([("x", ["one"])], DUE, ZoneInfo("Asia/Tokyo"))
    assert digest[0].startswith("📰 <b>Your daily digest</b>, 22 November 2026 17:00: 1 alert\n")


def test_a_long_digest_is_split_between_alerts_and_loses_none():
    alerts = [f"📈 <b>Alert {n}</b> {'x' * 300}" + FOOTER for n in range(60)]
    messages = render_digest([("“A”", alerts[:30]), ("“B”", alerts[30:])], DUE, LONDON)
    assert len(messages) >= 5
    for message in messages:
        assert len(message) <= LIMIT
        assert telegram_html_text(message) is not None
    text = "".join(messages)
    assert [n for n in range(60) if f"<b>Alert {n}</b>" in text] == list(range(60))
    assert text.count("https://petition.parliament.uk") == 0
    assert messages[1].startswith("📰 <b>Digest, continued</b>\n")


def test_an_alert_too_big_to_share_a_message_is_told_in_its_first_line():
    huge = "📝 <b>The government has responded</b>\n<blockquote>" + "y" * 5_000 + "</blockquote>"
    messages = render_digest([("“A”", [huge + FOOTER])], DUE, LONDON)
    assert len(messages) == 1
    assert "📝 The government has responded" in messages[0]
    assert telegram_html_text(messages[0]) is not None


def test_nothing_to_tell_is_no_message():
    assert render_digest([], DUE, LONDON) == []
    assert render_digest([("“A”", [])], DUE, LONDON) == []
