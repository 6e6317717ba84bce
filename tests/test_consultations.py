"""GOV.UK consultations: the content items of GOV.UK's own examples, reading what people type,
and every alert on the clock: opened, a week and a day before closing, closed, the outcome with
how long it took, and overdue 12 weeks after the closing."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from bot.sources.base import BadReference
from bot.sources.consultations.detect import ConsultationEventKind, detect_consultations
from bot.sources.consultations.kind import ConsultationsKind
from bot.sources.consultations.model import ConsultationsFollow
from bot.sources.consultations.parse import Listed, parse_content, parse_listed
from bot.sources.consultations.render import render_alert
from bot.sources.departments.directory import Directory
from bot.sources.text import LONDON
from tests.fakes.petitions import load_fixture

DIRECTORY = Directory()
OPEN = "consultation_open_postgraduate-doctoral-loans_govuk_example.json"
OUTCOME = "consultation_outcome_employee-share-schemes_govuk_example.json"
KIND = ConsultationsKind(source=None, directory=DIRECTORY)  # type: ignore[arg-type]
HMRC = ConsultationsFollow(department="hm-revenue-customs")


def consultation(fixture: str, **details):
    document = load_fixture(fixture)
    document["details"].update(details)
    slug = document["base_path"].rpartition("/")[2]
    parsed = parse_content(document, Listed(slug, "2016-10-18T09:30:00Z", ""), DIRECTORY)
    assert parsed is not None
    return parsed


def london(*args: int) -> datetime:
    return datetime(*args, tzinfo=LONDON).astimezone(UTC)


def test_the_examples_parse_with_their_dates_and_department():
    opened = consultation(OPEN)
    assert (opened.title, opened.document_type) == (
        "Postgraduate doctoral loans",
        "open_consultation",
    )
    assert opened.departments == ("department-for-education",)
    assert opened.closes == datetime(2216, 12, 16, 15, tzinfo=UTC)
    assert opened.url == "https://www.gov.uk/government/consultations/postgraduate-doctoral-loans"
    done = consultation(OUTCOME)
    assert done.has_outcome and done.outcome_at == datetime(2016, 10, 18, 9, 30, tzinfo=UTC)
    assert done.department_name == "HM Revenue & Customs"


def test_only_consultation_links_are_listed():
    listed = parse_listed(
        {
            "results": [
                {
                    "link": "/government/consultations/a",
                    "content_store_document_type": "open_consultation",
                    "public_timestamp": "x",
                },
                {"link": "/government/news/b", "content_store_document_type": "news_story"},
            ]
        }
    )
    assert listed == [Listed("a", "x", "open_consultation")]


def test_every_alert_on_the_clock_once():
    closes = "2016-07-13T22:45:00+01:00"
    open_now = consultation(OUTCOME, closing_date=closes)
    still_open = replace(open_now, document_type="open_consultation", outcome_at=None)
    state, events = detect_consultations(HMRC, None, [], london(2016, 4, 19, 9))
    assert events == []
    moments = [
        (london(2016, 4, 20, 17), [ConsultationEventKind.OPENED]),
        (london(2016, 7, 6, 22, 44), []),
        (london(2016, 7, 6, 22, 45), [ConsultationEventKind.CLOSING_WEEK]),
        (london(2016, 7, 12, 8), [ConsultationEventKind.CLOSING_TOMORROW]),
        (london(2016, 7, 13, 22, 45), [ConsultationEventKind.CLOSED]),
        (london(2016, 10, 5, 22, 44), []),
        (london(2016, 10, 5, 22, 45), [ConsultationEventKind.OVERDUE]),
        (london(2016, 10, 6, 9), []),
    ]
    for now, expected in moments:
        state, events = detect_consultations(HMRC, state, [still_open], now)
        assert [e.kind for e in events] == expected, now
    state, events = detect_consultations(HMRC, state, [open_now], london(2016, 10, 18, 10))
    [outcome] = events
    assert outcome.kind is ConsultationEventKind.OUTCOME
    assert render_alert(outcome, HMRC) == (
        "📝 <b>Outcome published: Employee Share Schemes: NIC elections</b>\n"
        "HM Revenue &amp; Customs\n"
        "Published 18 October 2016, 97 days (13 weeks and 6 days) after it closed, beyond the "
        "government's "
        "12-week target.\n"
        "https://www.gov.uk/government/consultations/employee-share-schemes-nic-elections\n\n"
        "<i>Stop these alerts: /unfollow consultations hm-revenue-customs</i>"
    )
    # The outcome is told once, and a cycle after it is quiet.
    assert detect_consultations(HMRC, state, [open_now], london(2016, 10, 18, 11))[1] == []


def test_a_follow_begun_after_the_closing_is_silent_about_it():
    done = consultation(OUTCOME)
    state, events = detect_consultations(HMRC, None, [done], london(2016, 11, 1, 9))
    assert events == []
    assert detect_consultations(HMRC, state, [done], london(2016, 11, 2, 9))[1] == []


def test_the_overdue_alert_and_a_weeks_notice_overtaken():
    closes = london(2016, 7, 13, 22, 45)
    fresh = consultation(OUTCOME)
    fresh = replace(fresh, document_type="open_consultation", outcome_at=None, closes=closes)
    state, _ = detect_consultations(HMRC, None, [], london(2016, 7, 10, 9))
    # First seen on the day before it closes: no week's notice, only tomorrow's.
    state, events = detect_consultations(HMRC, state, [fresh], london(2016, 7, 12, 9))
    assert ConsultationEventKind.CLOSING_WEEK not in [e.kind for e in events]
    assert ConsultationEventKind.CLOSING_TOMORROW in [e.kind for e in events]
    state, _ = detect_consultations(HMRC, state, [], london(2016, 7, 14, 9))
    _, events = detect_consultations(HMRC, state, [], london(2016, 10, 6, 9))
    [late] = events
    assert render_alert(late, HMRC).startswith(
        "⏰ <b>Consultation outcome overdue: Employee Share Schemes: NIC elections</b>\n"
        "HM Revenue &amp; Customs\nIt closed at 22:45 on 13 July 2016, 12 weeks ago, and the "
        "government has published no outcome"
    )


@pytest.mark.parametrize(
    ("typed", "ident"),
    [
        ("consultations home office", "home-office"),
        ("consultations DfE", "department-for-education"),
        (
            "consultations https://www.gov.uk/government/consultations/postgraduate-doctoral-loans",
            "page:postgraduate-doctoral-loans",
        ),
        (
            "https://www.gov.uk/government/consultations/postgraduate-doctoral-loans",
            "page:postgraduate-doctoral-loans",
        ),
        ("statements home-office", None),
    ],
)
def test_what_people_type_names_a_follow(typed, ident):
    assert KIND.read_reference(typed) == ident
    if ident is not None:
        assert KIND.read_reference(KIND.reference(ident)) == ident
        assert KIND.read_deep_link(KIND.deep_link(ident)) == ident


def test_keywords_are_refused_kindly():
    with pytest.raises(BadReference):
        KIND.read_reference("consultations home office grooming")
