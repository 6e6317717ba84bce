"""A chat's settings and a follow's: quiet hours in the chat's zone, when the digest is due, what
a user may type, and the one rule that decides which alerts a follow gets."""

from __future__ import annotations

from datetime import UTC, datetime, time

import pytest

from bot.preferences import (
    ChatSettings,
    FollowSettings,
    SettingError,
    next_quiet_preset,
    read_granularity,
    read_hour,
    read_quiet_hours,
    read_zone,
    span_words,
)
from bot.sources.base import Alert, AlertGroup

SIGNATURES = AlertGroup("signatures", "Signatures")
SURGE = AlertGroup("surge", "Surges", default=False)


def at(text: str) -> datetime:
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def test_quiet_hours_across_midnight_in_the_chats_zone():
    london = ChatSettings(quiet=(time(22), time(7, 30)))
    assert london.is_quiet(at("2026-11-22T23:00"))
    assert london.is_quiet(at("2026-11-23T07:29"))
    assert not london.is_quiet(at("2026-11-23T07:30"))
    assert not london.is_quiet(at("2026-11-23T12:00"))
    # In summer London is UTC+1: 21:30 UTC is 22:30 there.
    assert london.is_quiet(at("2026-07-01T21:30"))
    new_york = ChatSettings(zone="America/New_York", quiet=(time(22), time(7)))
    assert new_york.is_quiet(at("2026-11-23T03:30"))  # 22:30 in New York
    assert not new_york.is_quiet(at("2026-11-22T23:00"))  # 18:00 there
    afternoon = ChatSettings(quiet=(time(13), time(14)))
    assert afternoon.is_quiet(at("2026-11-22T13:15"))
    assert not afternoon.is_quiet(at("2026-11-22T14:00"))
    assert not ChatSettings().is_quiet(at("2026-11-22T03:00"))


def test_the_digest_is_due_at_its_hour_today_or_yesterday_in_the_chats_zone():
    eight = ChatSettings(digest_hour=8)
    assert eight.last_digest_due(at("2026-11-22T08:00")) == at("2026-11-22T08:00")
    assert eight.last_digest_due(at("2026-11-22T07:59")) == at("2026-11-21T08:00")
    # The clocks went forward overnight: yesterday's 08:00 was GMT, today's is BST.
    assert eight.last_digest_due(at("2026-03-29T06:30")) == at("2026-03-28T08:00")
    assert eight.last_digest_due(at("2026-03-29T07:30")) == at("2026-03-29T07:00")
    tokyo = ChatSettings(zone="Asia/Tokyo", digest_hour=8)
    assert tokyo.last_digest_due(at("2026-11-22T00:00")) == at("2026-11-21T23:00")
    assert ChatSettings().last_digest_due(at("2026-11-22T08:00")) is None


@pytest.mark.parametrize(
    ("typed", "span"),
    [
        ("22:00-07:30", (time(22), time(7, 30))),
        ("22-7", (time(22), time(7))),
        ("22:00 to 07:30", (time(22), time(7, 30))),
        ("9:15\u201317:45", (time(9, 15), time(17, 45))),
        ("10pm-7am", (time(22), time(7))),
        ("10 pm to 7.30 am", (time(22), time(7, 30))),
        ("11 p.m. until 6 a.m.", (time(23), time(6))),
        ("midnight-8am", (time(0), time(8))),
        ("12am-12pm", (time(0), time(12))),
        ("off", None),
        ("OFF", None),
    ],
)
def test_quiet_hours_as_people_type_them(typed, span):
    assert read_quiet_hours(typed) == span


@pytest.mark.parametrize(
    "typed", ["25:00-07:00", "22:61-07:00", "22-22", "night", "", "22", "13pm-7am", "10pm-10pm"]
)
def test_quiet_hours_that_cannot_be_taken_say_why(typed):
    with pytest.raises(SettingError):
        read_quiet_hours(typed)


def test_time_zones_hours_and_granularities_as_typed():
    assert read_zone("Europe/Paris") == "Europe/Paris"
    assert read_zone("america/new_york") == "America/New_York"
    assert read_zone("America/New York") == "America/New_York"
    typed = ["paris", "New York", "uk", "Wales", "france", "germany", "tokyo", "Edinburgh", "UTC"]
    assert [read_zone(t) for t in typed] == [
        "Europe/Paris", "America/New_York", "Europe/London", "Europe/London", "Europe/Paris",
        "Europe/Berlin", "Asia/Tokyo", "Europe/London", "UTC",
    ]  # fmt: skip
    for wrong in ("Mars/Olympus", "../../etc/passwd", "", "GMT+25", "x" * 500, "Europe/" * 70):
        with pytest.raises(SettingError):
            read_zone(wrong)
    with pytest.raises(SettingError, match="several time zones: name a city, such as"):
        read_zone("australia")
    assert [read_hour(t) for t in ("8", "08", "20:00", "0", "8am", "8 pm", "12am", "noon")] == [
        8, 8, 20, 0, 8, 20, 0, 12
    ]  # fmt: skip
    for wrong in ("24", "8:30", "eight", "-1", "13pm", "0am"):
        with pytest.raises(SettingError):
            read_hour(wrong)
    typed = ["milestones", "1000", "1,000", "1k", "10000", "10k", "10%", "10pct"]
    assert [read_granularity(t) for t in typed] == [
        "milestones", "1000", "1000", "1000", "10000", "10000", "10pct", "10pct"
    ]  # fmt: skip
    with pytest.raises(SettingError):
        read_granularity("every")


def test_a_follow_wants_the_groups_it_has_on_and_its_own_granularity():
    milestone = Alert("m", "📈", group=SIGNATURES, granularity="milestones")
    thousand = Alert("t", "📈", group=SIGNATURES, granularity="1000")
    threshold = Alert("r", "🎯", group=SIGNATURES)
    surge = Alert("s", "🚀", group=SURGE)
    plain = Alert("p", "📝")
    default = FollowSettings()
    assert [default.wants(a) for a in (milestone, thousand, threshold, surge, plain)] == [
        True, False, True, False, True
    ]  # fmt: skip
    every_thousand = FollowSettings(granularity="1000").toggled(SURGE)
    assert [every_thousand.wants(a) for a in (milestone, thousand, threshold, surge)] == [
        False, True, True, True
    ]  # fmt: skip
    muted = default.toggled(SIGNATURES)
    assert not any(muted.wants(a) for a in (milestone, threshold))
    assert muted.wants(plain)
    assert muted.toggled(SIGNATURES).wants(threshold)


def test_settings_survive_the_store_and_junk_reads_as_the_defaults():
    defaults = FollowSettings({}, "10pct", True)
    chat = ChatSettings("Europe/Paris", (time(22), time(7, 30)), 8, defaults)
    assert ChatSettings.from_doc(chat.to_doc()) == chat
    follow = FollowSettings({"surge": True, "debate": False}, "1000", True)
    assert FollowSettings.from_doc(follow.to_doc()) == follow
    junk = {"zone": "Nowhere/Land", "quiet": ["25:99", 3], "digest_hour": 30, "defaults": 7}
    assert ChatSettings.from_doc(junk) == ChatSettings()
    assert ChatSettings.from_doc("not a document") == ChatSettings()
    assert FollowSettings.from_doc({"groups": {"surge": "yes"}, "granularity": "5"}) == (
        FollowSettings()
    )


def test_the_quiet_hours_button_goes_through_the_presets_and_back_to_off():
    seen, span = [], None
    for _ in range(4):
        span = next_quiet_preset(span)
        seen.append(span_words(span))
    assert seen == ["22:00\u201307:00", "23:00\u201308:00", "21:00\u201307:30", "off"]
    assert next_quiet_preset((time(1), time(2))) is None  # a typed span: the button clears it
