"""FOI requests: working days with England's bank holidays, WhatDoTheyKnow's JSON as Alaveteli
makes it (the fake, built from its source), reading what people type, and every alert."""

from __future__ import annotations

from datetime import UTC, date, datetime

import orjson
import pytest

from bot.sources.base import BadReference
from bot.sources.departments.directory import Directory
from bot.sources.foi.detect import FoiEventKind, detect_foi
from bot.sources.foi.kind import FoiKind
from bot.sources.foi.model import FoiFollow
from bot.sources.foi.parse import parse_feed, parse_request
from bot.sources.foi.render import render_alert
from bot.sources.foi.workdays import due_day, working_days_between
from bot.sources.text import LONDON
from tests.fakes.whatdotheyknow import FakeWhatDoTheyKnow

KIND = FoiKind(source=None, directory=Directory())  # type: ignore[arg-type]
HOME_OFFICE = FoiFollow("home_office")


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def test_twenty_working_days_skip_weekends_and_englands_bank_holidays():
    assert due_day(date(2026, 12, 1)) == date(2026, 12, 31)  # Christmas, Boxing Day (observed)
    assert due_day(date(2026, 12, 11)) == date(2027, 1, 13)  # and New Year's Day
    assert due_day(date(2026, 3, 27)) == date(2026, 4, 28)  # Good Friday and Easter Monday
    assert due_day(date(2026, 6, 1)) == date(2026, 6, 29)  # no holiday: four weeks
    assert working_days_between(date(2027, 1, 13), date(2027, 1, 18)) == 3


async def _documents(answered: bool = True) -> tuple[list, list]:
    """The fake's feed and request JSON for one request's life, read as the bot reads them:
    sent, then (if `answered`) refused."""
    site = FakeWhatDoTheyKnow()
    url_title = site.make_request("Asylum hotel contracts", london(2026, 12, 1, 10))
    if answered:
        site.respond(url_title, london(2026, 12, 20, 9), state="rejected")

    class Request:
        def __init__(self, file: str) -> None:
            self.match_info = {"file": file}
            self.headers: dict[str, str] = {}

    feed = await site._feed(Request("home_office.json"))  # type: ignore[arg-type]
    page = await site._request(Request(f"{url_title}.json"))  # type: ignore[arg-type]
    return parse_feed(orjson.loads(feed.body)), parse_request(orjson.loads(page.body))


async def test_a_feed_and_a_request_page_parse_to_the_same_events():
    feed, page = await _documents()
    assert sorted(e.id for e in feed) == [e.id for e in page]
    sent = page[0]
    assert (sent.event_type, sent.url_title, sent.title) == (
        "sent",
        "asylum_hotel_contracts",
        "Asylum hotel contracts",
    )
    assert (sent.body, sent.body_name) == ("home_office", "Home Office")
    assert parse_feed({"not": "a list"}) == [] and parse_request([]) == []


async def test_every_alert_once_and_overdue_after_twenty_working_days():
    sent, _ = await _documents(answered=False)
    later = [e for e in (await _documents())[0] if e.event_type != "sent"]
    state, events = detect_foi(HOME_OFFICE, None, [], london(2026, 11, 30, 9))
    state, events = detect_foi(HOME_OFFICE, state, sent, london(2026, 12, 1, 11))
    [new] = events
    assert render_alert(new, HOME_OFFICE) == (
        "📨 <b>New FOI request: Asylum hotel contracts</b>\nTo Home Office, sent 1 December "
        "2026. Response due by 31 December 2026.\n"
        "https://www.whatdotheyknow.com/request/asylum_hotel_contracts\n\n"
        "<i>Stop these alerts: /unfollow foi https://www.whatdotheyknow.com/body/home_office</i>"
    )
    assert detect_foi(HOME_OFFICE, state, sent, london(2026, 12, 31, 23))[1] == []
    # Late from the day after the due day, though New Year's Day is no working day.
    state, events = detect_foi(HOME_OFFICE, state, sent, london(2027, 1, 1, 0, 5))
    [late] = events
    assert render_alert(late, HOME_OFFICE).startswith(
        "⏰ <b>FOI response overdue: Asylum hotel contracts</b>\nHome Office had 20 working days "
        "from 1 December 2026, until 31 December 2026, to respond, and has not.\n"
    )
    # Read again (a 304 serves last time's events): nothing twice.
    assert detect_foi(HOME_OFFICE, state, sent, london(2027, 1, 2, 9))[1] == []
    state, events = detect_foi(HOME_OFFICE, state, sent + later, london(2027, 1, 20, 9))
    kinds = [e.kind for e in events]
    assert kinds == [FoiEventKind.RESPONSE, FoiEventKind.REFUSED]
    assert render_alert(events[0], HOME_OFFICE).startswith(
        "📬 <b>Response received: Asylum hotel contracts</b>\nFrom Home Office, 20 December "
        "2026. Status: Refused."
    )


def test_keywords_narrow_an_authoritys_requests():
    follow = FoiFollow("home_office", ("grooming",))
    assert follow.matches("x", "Grooming gangs research", "home_office")
    assert not follow.matches("x", "Asylum hotels", "home_office")
    assert not follow.matches("x", "Grooming gangs research", "department_for_education")


@pytest.mark.parametrize(
    ("typed", "ident"),
    [
        ("foi home office", "body:home_office:"),
        ("foi home office asylum hotels", "body:home_office:asylum hotels"),
        ("foi DfE", "body:department_for_education:"),
        ("foi home_office grooming", "body:home_office:grooming"),
        (
            "foi https://www.whatdotheyknow.com/body/home_office grooming",
            "body:home_office:grooming",
        ),
        (
            "foi https://www.whatdotheyknow.com/request/asylum_hotel_contracts",
            "request:asylum_hotel_contracts",
        ),
        (
            "https://www.whatdotheyknow.com/request/asylum_hotel_contracts",
            "request:asylum_hotel_contracts",
        ),
        ("statements home-office", None),
    ],
)
def test_what_people_type_names_a_follow(typed, ident):
    assert KIND.read_reference(typed) == ident
    if ident is not None:
        assert KIND.read_reference(KIND.reference(ident)) == ident
        assert KIND.read_deep_link(KIND.deep_link(ident)) == ident


def test_a_wrong_authority_gets_a_reason():
    with pytest.raises(BadReference):
        KIND.read_reference("foi home offise")
