"""The late list as a follow: reading what people type, detecting who fell late and who finally
answered, the weekly list by department, and the departments read from the real petitions."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.sources.base import BadReference
from bot.sources.departments.directory import Directory
from bot.sources.latelist.detect import LateEventKind, detect_late
from bot.sources.latelist.kind import LateListKind
from bot.sources.latelist.model import LateEntry, LateFollow
from bot.sources.latelist.render import render_alert
from bot.sources.petitions.model import parse_petition
from bot.sources.text import LONDON
from tests.fakes.petitions import load_fixture
from tests.samples import OPEN_BELOW_10K, OPEN_WITH_RESPONSE, RAW_2015_SHOW

KIND = LateListKind(source=None, directory=Directory())  # type: ignore[arg-type]
HOME_OFFICE = (("home-office", "Home Office"),)
EDUCATION = (("department-for-education", "Department for Education"),)
ALL = LateFollow()


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def entry(petition_id: int, due: date, signatures: int = 12_000, departments=HOME_OFFICE):
    return LateEntry(
        petition_id, f"Petition {petition_id}", signatures, date(2026, 11, 1), due, departments
    )


def test_the_departments_come_from_the_petitions_own_document():
    now = datetime(2023, 1, 3, tzinfo=UTC)
    answered = parse_petition(load_fixture(OPEN_WITH_RESPONSE), observed_at=now, archived=False)
    assert answered.departments == EDUCATION
    below = parse_petition(load_fixture(OPEN_BELOW_10K), observed_at=now, archived=False)
    assert below.departments == (("department-for-transport", "Department for Transport"),)
    old = parse_petition(load_fixture(RAW_2015_SHOW), observed_at=now, archived=False)
    assert old.departments == ()  # before the site named departments


def test_a_petition_falling_late_is_told_once_and_its_late_response_with_how_late():
    a, b = entry(1, date(2026, 12, 1)), entry(2, date(2026, 12, 6), departments=EDUCATION)
    state, events = detect_late(ALL, None, [a], {}, set(), london(2026, 12, 7, 7))
    assert events == []
    state, events = detect_late(ALL, state, [a, b], {}, set(), london(2026, 12, 7, 7, 30))
    assert [(e.kind, e.entry.id, e.days_late) for e in events] == [(LateEventKind.LATE, 2, 1)]
    assert render_alert(events[0], ALL, None) == (
        "⏰ <b>Government response overdue</b>\n“Petition 2” (petition 2, 12,000 signatures) "
        "reached 10,000 signatures on 1 November 2026. The government agreed to respond within "
        "21 days, by 6 December 2026, and has not: 1 day late.\n"
        "🏛 Department for Education\nhttps://petition.parliament.uk/petitions/2\n\n"
        "<i>Stop these alerts: /unfollow overdue</i>"
    )
    # Off the list, the reason not known yet (its document could not be read): kept.
    state, events = detect_late(ALL, state, [b], {}, set(), london(2026, 12, 7, 7, 40))
    assert events == [] and set(state["late"]) == {"1", "2"}
    state, events = detect_late(
        ALL, state, [b], {1: date(2026, 12, 7)}, set(), london(2026, 12, 7, 7, 50)
    )
    [answered] = events
    assert (answered.kind, answered.days_late) == (LateEventKind.ANSWERED, 6)
    assert render_alert(answered, ALL, None).startswith(
        "📝 <b>Late response published</b>\n“Petition 1” (petition 1, 12,000 signatures): the "
        "government responded on 7 December 2026, 6 days after the deadline (1 December 2026).\n"
        "🏛 Home Office\n"
    )
    # Gone for another reason (rejected, taken down): quietly.
    state, events = detect_late(ALL, state, [], {}, {2}, london(2026, 12, 7, 7, 55))
    assert events == [] and state["late"] == {}


def test_a_narrowed_follow_hears_only_its_petitions():
    big, small = entry(1, date(2026, 12, 1), 150_000), entry(2, date(2026, 12, 1))
    other = entry(3, date(2026, 12, 1), 200_000, EDUCATION)
    for follow, told in (
        (LateFollow(100_000), {1, 3}),
        (LateFollow(department="home-office"), {1, 2}),
    ):
        state, _ = detect_late(follow, None, [], {}, set(), london(2026, 12, 2, 7))
        _, events = detect_late(
            follow, state, [big, small, other], {}, set(), london(2026, 12, 2, 7, 1)
        )
        assert {e.entry.id for e in events} == told


def test_the_weekly_list_is_made_once_a_day_from_eight_for_that_days_chats():
    late = [
        entry(1, date(2026, 12, 1)),
        entry(2, date(2026, 11, 20), 40_000),
        entry(3, date(2026, 12, 3), departments=EDUCATION),
        entry(4, date(2026, 12, 4), departments=()),
    ]
    state, _ = detect_late(ALL, None, late, {}, set(), london(2026, 12, 6, 9))
    state, events = detect_late(ALL, state, late, {}, set(), london(2026, 12, 7, 7, 59))
    assert events == []
    state, events = detect_late(ALL, state, late, {}, set(), london(2026, 12, 7, 8))
    [weekly] = events
    assert weekly.kind is LateEventKind.WEEKLY and weekly.day == date(2026, 12, 7)
    assert render_alert(weekly, ALL, None) == (
        "📋 <b>The late list, 7 December 2026</b>\n"
        "4 petitions past the 21-day response deadline with no response, by department, most "
        "overdue first:\n\n"
        "<b>Home Office</b> (2)\n"
        '• <a href="https://petition.parliament.uk/petitions/2">Petition 2</a>: 17 days late, '
        "40,000 signatures\n"
        '• <a href="https://petition.parliament.uk/petitions/1">Petition 1</a>: 6 days late, '
        "12,000 signatures\n\n"
        "<b>Department for Education</b> (1)\n"
        '• <a href="https://petition.parliament.uk/petitions/3">Petition 3</a>: 4 days late, '
        "12,000 signatures\n\n"
        "<b>No department named yet</b> (1)\n"
        '• <a href="https://petition.parliament.uk/petitions/4">Petition 4</a>: 3 days late, '
        "12,000 signatures\n\n"
        "<i>Stop these alerts: /unfollow overdue</i>"
    )
    assert detect_late(ALL, state, late, {}, set(), london(2026, 12, 7, 20))[1] == []
    follow = LateFollow(100_000)
    empty = detect_late(follow, {**state, "late": {}}, late, {}, set(), london(2026, 12, 8, 8))
    assert render_alert(empty[1][0], follow, None).startswith(
        "📋 <b>The late list, 8 December 2026</b>\nNo petition with 100,000 signatures or more "
        "is past its 21-day response deadline today"
    )


@pytest.mark.parametrize(
    ("typed", "ident"),
    [
        ("overdue", "all"),
        ("late list", "all"),
        ("overdue 100000", "100000"),
        ("overdue 100,000", "100000"),
        ("overdue 100k", "100000"),
        ("overdue home office", "home-office"),
        ("overdue DfE", "department-for-education"),
        ("statements home-office", None),
        ("overdue-ish", None),
    ],
)
def test_what_people_type_names_a_late_list(typed, ident):
    assert KIND.read_reference(typed) == ident
    if ident is not None:
        assert KIND.read_reference(KIND.reference(ident)) == ident
        assert KIND.read_deep_link(KIND.deep_link(ident)) == ident


@pytest.mark.parametrize(
    "typed", ["overdue home offise", "overdue home office grooming", "overdue 0"]
)
def test_a_late_list_named_wrongly_gets_a_reason(typed):
    with pytest.raises(BadReference):
        KIND.read_reference(typed)
