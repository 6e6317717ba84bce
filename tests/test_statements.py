"""Statements, pure parts: parsing GOV.UK and Parliament on the real samples, reading a follow,
matching, detection (baselines, freshness, updates, withdrawals, twins) and rendering."""

from __future__ import annotations

import itertools
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from bot.sources.base import BadReference
from bot.sources.departments.directory import Directory
from bot.sources.govuk.parse import parse_results
from bot.sources.statements.detect import StatementEventKind, detect_statements
from bot.sources.statements.model import item_from_dict, item_to_dict
from bot.sources.statements.query import StatementQuery, read_query
from bot.sources.statements.render import render_alert, render_items
from bot.sources.statements.words import SAME_STORY, same_story, similarity
from bot.sources.text import LONDON
from bot.sources.written_statements.parse import (
    corrected_ids,
    parse_statement,
    statement_values,
)
from tests.fakes.petitions import load_fixture
from tests.fakes.telegram import telegram_html_text

DIRECTORY = Directory()
DAY = "list_madeWhen_2021-02-01_bicameral_expandMember_take20_captured_2021-03-18.json"
HOME_OFFICE = "list_answeringBodies_1_HomeOffice_2021-02-01_captured_2021-03-18.json"
MINISTER = "list_members_4066_PritiPatel_2021-02-01_captured_2021-03-18.json"
NOW = datetime(2021, 2, 1, 18, 0, tzinfo=UTC)


def written(fixture: str):
    values = statement_values(load_fixture(fixture))
    return [parse_statement(value, DIRECTORY) for value in values]


def test_the_govuk_search_sample_parses():
    [item] = parse_results(load_fixture("govuk_search_q_tax_count_1.json"), DIRECTORY)
    assert item.id == "govuk:/vehicle-tax"  # no content_id requested: the link identifies it
    assert item.title == "Tax your vehicle"
    assert item.url == "https://www.gov.uk/vehicle-tax"
    assert item.departments == ("driver-and-vehicle-licensing-agency",)
    assert item.department_name == "Driver and Vehicle Licensing Agency"
    assert item.published == datetime(2017, 12, 7, 12, 54, 39, tzinfo=UTC)
    assert item.excerpt.startswith("Renew or tax your vehicle for the first time")


def test_a_govuk_statement_result_puts_the_known_department_first_and_reads_every_field():
    result = {
        "title": "Grooming gangs",
        "link": "https://www.gov.uk/government/speeches/grooming-gangs",
        "content_id": "5f1c-…",
        "description": "<p>An <b>update</b>.</p>",
        "public_timestamp": "2026-11-20T10:00:00.000+00:00",
        "first_published_at": "2026-11-01T10:00:00Z",
        "content_store_document_type": "oral_statement",
        "organisations": [
            {"slug": "uk-visas-and-immigration", "title": "UK Visas and Immigration"},
            {"slug": "home-office", "title": "Home Office"},
        ],
        "people": [{"title": "Jess Phillips"}],
        "latest_change_note": "Added the annex.",
        "is_withdrawn": True,
    }
    [item] = parse_results({"results": [result, {"title": "no link"}, "junk"]}, DIRECTORY)
    assert item.departments == ("home-office", "uk-visas-and-immigration")
    assert item.department_name == "Home Office"
    assert item.kind_label == "Oral statement to Parliament"  # no display_type: from the type
    assert item.minister == "Jess Phillips"
    assert item.published < datetime.fromisoformat(item.stamp)  # updated since it was published
    assert (item.change_note, item.withdrawn, item.excerpt) == (
        "Added the annex.",
        True,
        "An update.",
    )
    assert item.url == result["link"]


@pytest.mark.parametrize("fixture", [DAY, HOME_OFFICE, MINISTER])
def test_the_three_written_statement_captures_parse(fixture):
    items = written(fixture)
    document = load_fixture(fixture)
    assert len(items) == len(document["results"]) == document["totalResults"]
    for item in items:
        assert item is not None and item.day_only and item.day == "2021-02-01"
        assert item.url.startswith(
            "https://questions-statements.parliament.uk/written-statements/detail/2021-02-01/H"
        )
        # The list's text is cut at 255 characters and glued at sentence ends: one clean line.
        assert "..." not in item.excerpt and "\n" not in item.excerpt


def test_written_statements_read_departments_ministers_and_glued_text():
    items = {item.id: item for item in written(DAY)}
    lords, commons = items["wms:1282164"], items["wms:1282160"]
    assert lords.departments == commons.departments == ("home-office",)
    assert lords.kind_label == "Written statement to Parliament (Lords, HLWS745)"
    assert commons.minister == "Priti Patel, The Secretary of State for the Home Department"
    trade = items["wms:1282168"]
    # DIT (202) was merged into the Department for Business and Trade.
    assert trade.departments == ("department-for-business-and-trade",)
    assert "made the following statement. In under two years" in trade.excerpt


def test_the_houses_twins_are_one_story_and_a_matching_govuk_item_is_the_same_story():
    items = {item.id: item for item in written(DAY)}
    assert items["wms:1282164"].story == items["wms:1282160"].story
    assert items["wms:1282167"].story == items["wms:1282161"].story  # Design Update, MHCLG
    [govuk] = parse_results(
        {
            "results": [
                {
                    "title": "Launch of the Hong Kong British National (Overseas) route",
                    "link": "/government/speeches/hong-kong-bno",
                    "public_timestamp": "2021-02-01T15:30:00Z",
                    "organisations": [{"slug": "home-office", "title": "Home Office"}],
                }
            ]
        },
        DIRECTORY,
    )
    assert govuk.story == items["wms:1282160"].story


def test_the_list_never_fills_linked_statements_but_the_single_statement_does():
    [value] = statement_values(load_fixture(MINISTER))
    assert value["hasLinkedStatements"] and value["linkedStatements"] == []
    assert corrected_ids(value) == ()
    links = [
        {"linkedStatementId": 1282001, "linkType": "CorrectedStatement", "linkDate": None},
        {"linkedStatementId": 1282164, "linkType": "JointStatement", "linkDate": None},
    ]
    assert corrected_ids({**value, "linkedStatements": links}) == ("wms:1282001",)


@pytest.mark.parametrize(
    ("text", "query"),
    [
        ("home-office grooming gangs", StatementQuery("home-office", ("grooming", "gangs"))),
        ("Home Office Grooming, gangs!", StatementQuery("home-office", ("grooming", "gangs"))),
        ("HO", StatementQuery("home-office", ())),
        ("DfE school meals", StatementQuery("department-for-education", ("school", "meals"))),
        ("treasury", StatementQuery("hm-treasury", ())),
        ("any grooming gangs", StatementQuery(None, ("grooming", "gangs"))),
        (
            "Department for Levelling Up, Housing and Communities",
            StatementQuery("ministry-of-housing-communities-local-government", ()),
        ),
    ],
)
def test_reading_a_follow(text, query):
    assert read_query(text, DIRECTORY) == query
    assert StatementQuery.from_ident(query.ident) == query


def test_an_unknown_department_offers_the_closest_as_buttons_that_fit_telegram():
    with pytest.raises(BadReference) as refused:
        read_query("home offise", DIRECTORY)
    labels = [button.label for row in refused.value.buttons for button in row]
    assert labels[0] == "Home Office"
    every = [b.data for row in refused.value.buttons for b in row]
    every += [f"b:statements:{d.slug}" for d in DIRECTORY.departments]
    every += [f"f:statements:{d.slug}:" for d in DIRECTORY.departments]
    assert max(len(data.encode()) for data in every) <= 64


def test_keywords_match_whole_words_from_their_start_in_the_title_or_text():
    [item] = [i for i in written(DAY) if i.id == "wms:1282160"]
    assert StatementQuery("home-office", ("hong", "kong")).matches(item)
    assert StatementQuery(None, ("overseas",)).matches(item)
    assert not StatementQuery(None, ("ong",)).matches(item)
    assert not StatementQuery("department-for-education", ()).matches(item)


def test_a_first_look_is_silent_then_only_fresh_unseen_items_are_news():
    items = written(DAY)
    query = StatementQuery("home-office", ())
    state, events = detect_statements(query, None, items, "wms", NOW)
    assert events == [] and set(state["seen"]) == {"wms:1282164", "wms:1282160"}
    state, events = detect_statements(query, state, items, "wms", NOW + timedelta(minutes=15))
    assert events == []
    fresh = parse_statement(
        {**statement_values(load_fixture(MINISTER))[0], "id": 1, "title": "New statement"},
        DIRECTORY,
    )
    assert fresh is not None
    _, events = detect_statements(query, state, [*items, fresh], "wms", NOW)
    assert [(e.kind, e.key) for e in events] == [(StatementEventKind.NEW, "statement:wms:1")]
    # Four days later, after the source was down since the last read: it is caught up on.
    _, late = detect_statements(query, state, [fresh], "wms", NOW + timedelta(days=4))
    assert [e.kind for e in late] == [StatementEventKind.NEW]
    # But an item made before the last read that turns up only now is history, not news.
    state, _ = detect_statements(query, state, items, "wms", NOW + timedelta(days=4))
    _, old = detect_statements(query, state, [fresh], "wms", NOW + timedelta(days=4, hours=1))
    assert old == []


def test_govuk_items_from_before_the_follow_are_not_news_but_late_indexing_is():
    since = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)

    def result(title: str, at: datetime) -> dict:
        stamp = at.isoformat()
        return {"title": title, "link": f"/{title}", "public_timestamp": stamp,
                "organisations": [{"slug": "home-office"}]}  # fmt: skip

    query = StatementQuery("home-office", ())
    state, _ = detect_statements(query, None, [], "govuk", since)
    items = parse_results(
        {
            "results": [
                result("old", since - timedelta(days=2)),
                result("indexed-late", since - timedelta(minutes=20)),
                result("new", since + timedelta(minutes=5)),
            ]
        },
        DIRECTORY,
    )
    _, events = detect_statements(query, state, items, "govuk", since + timedelta(minutes=10))
    assert [e.item.title for e in events] == ["indexed-late", "new"]


def test_an_update_and_a_withdrawal_of_a_seen_item_are_news_once():
    base = {
        "title": "Asylum hotels",
        "content_id": "c-1",
        "link": "/asylum-hotels",
        "public_timestamp": "2026-11-20T10:00:00Z",
        "organisations": [{"slug": "home-office"}],
    }
    query = StatementQuery("home-office", ("asylum",))
    state, _ = detect_statements(query, None, parse_results({"results": [base]}, DIRECTORY),
                                 "govuk", NOW)  # fmt: skip
    updated = {**base, "public_timestamp": "2026-11-21T09:00:00Z", "latest_change_note": "Fixed."}
    now = datetime(2026, 11, 21, 9, 5, tzinfo=UTC)
    state, events = detect_statements(
        query, state, parse_results({"results": [updated]}, DIRECTORY), "govuk", now
    )
    assert [(e.kind, e.key) for e in events] == [
        (StatementEventKind.UPDATED, "statement:govuk:c-1:updated:2026-11-21T09:00:00+00:00")
    ]
    text = render_alert(events[0], query)
    assert "What changed: “Fixed.”" in text and telegram_html_text(text) is not None
    withdrawn = {**updated, "is_withdrawn": True}
    state, events = detect_statements(
        query, state, parse_results({"results": [withdrawn]}, DIRECTORY), "govuk", now
    )
    assert [e.kind for e in events] == [StatementEventKind.WITHDRAWN]
    _, again = detect_statements(
        query, state, parse_results({"results": [withdrawn]}, DIRECTORY), "govuk", now
    )
    assert again == []


def test_alerts_escape_hostile_text_and_stay_within_telegram_limits():
    [value] = statement_values(load_fixture(MINISTER))
    hostile = {
        **value,
        "id": 2,
        "title": "<script>alert(1)</script> & " + "x" * 5000,
        "text": "<b>bold</b> " + "<i>y</i>" * 3000,
        "answeringBodyName": "<Home & Office>",
        "answeringBodyId": 999,
        "member": {"name": "A <b>Minister</b>"},
    }
    item = parse_statement(hostile, DIRECTORY)
    assert item is not None
    _, events = detect_statements(StatementQuery(None, ()), {"since": NOW.isoformat(),
                                  "baselined": ["wms"]}, [item], "wms", NOW)  # fmt: skip
    text = render_alert(events[0], StatementQuery(None, ()))
    visible = telegram_html_text(text)
    assert visible is not None and len(visible) < 1500
    assert "<script>" not in text and "&lt;script&gt;" in text
    assert item_from_dict(item_to_dict(item)) == item.__class__(**{**item.__dict__, "text": ""})


def test_dates_are_on_the_chats_calendar_but_a_day_given_as_a_day_stays():
    late = {"title": "Late-night statement", "content_id": "c-2", "link": "/late",
            "public_timestamp": "2026-11-20T23:30:00Z",
            "organisations": [{"slug": "home-office"}]}  # fmt: skip
    [timed] = parse_results({"results": [late]}, DIRECTORY)
    day_only = written(DAY)[0]
    assert day_only.day_only
    auckland = ZoneInfo("Pacific/Auckland")
    assert render_items([timed, day_only], LONDON).count("20 November 2026") == 1
    assert "• 21 November 2026 · " in render_items([timed], auckland)
    # Midnight London would be the evening before in New York: a day-only item keeps its day.
    assert "• 1 February 2021 · " in render_items([day_only], ZoneInfo("America/New_York"))


def test_keywords_match_as_people_mean_them_and_never_inside_another_word():
    def matches(keywords: str, title: str) -> bool:
        [item] = parse_results(
            {
                "results": [
                    {
                        "title": title,
                        "link": "/x",
                        "public_timestamp": "2026-01-01T09:00:00Z",
                        "organisations": [{"slug": "home-office"}],
                    }
                ]
            },
            DIRECTORY,
        )
        return StatementQuery(None, tuple(keywords.split())).matches(item)

    assert matches("gang", "Grooming gangs: national audit")
    assert matches("gangs", "A gang of four")
    assert not matches("gang", "Gangmasters and Labour Abuse Authority")
    assert matches("café", "Cafe culture")  # accents
    assert matches("cafe", "Café culture")
    for typed in ("children's", "children\u2019s", "childrens"):  # straight, curly, none
        assert matches(typed, "Children\u2019s homes"), typed
        assert matches(typed, "Childrens homes"), typed
    assert matches("grooming-gangs", "Grooming gangs")  # hyphens
    assert matches("grooming gang", "Grooming-gang inquiry")
    assert matches("policing", "Police powers")  # inflections share a stem
    assert not matches("grooming gang", "Grooming standards")


def test_the_story_threshold_separates_the_real_pairs():
    """The same story: a House's twin, and GOV.UK's title for a statement Parliament titled
    otherwise (the issue's real pair). Different stories of one department on one day in the
    capture: "UK Trade Update" and "The United Kingdom's Free Trade Agreements" (DIT, 1 February
    2021)."""
    items = written(DAY)
    by_day_and_department: dict[tuple[str, str], list[str]] = {}
    for item in items:
        by_day_and_department.setdefault((item.day, item.departments[0]), []).append(item.title)
    same, different = [], []
    for titles in by_day_and_department.values():
        for first, second in itertools.combinations(titles, 2):
            (same if first.strip() == second.strip() else different).append((first, second))
    same.append(("UK Free Trade Agreements", "The United Kingdom's Free Trade Agreements: update"))
    assert len(same) == 6 and len(different) == 4
    assert min(similarity(a, b) for a, b in same) == 1.0
    assert max(similarity(a, b) for a, b in different) == 0.5
    assert all(same_story(a, b) for a, b in same)
    assert not any(same_story(a, b) for a, b in different)
    assert max(similarity(a, b) for a, b in different) < SAME_STORY <= 1.0


def test_a_statements_list_links_each_item_marks_the_withdrawn_and_shows_twins_once():
    twins = [i for i in written(DAY) if i.title == "Design Update"]
    assert len(twins) == 2
    [withdrawn] = parse_results(
        {
            "results": [
                {
                    "title": "Asylum hotels",
                    "link": "/asylum-hotels",
                    "is_withdrawn": True,
                    "public_timestamp": "2021-02-01T10:00:00Z",
                    "organisations": [{"slug": "home-office"}],
                }
            ]
        },
        DIRECTORY,
    )
    listed = render_items([*twins, withdrawn], LONDON)
    assert listed.count("Design Update") == 1
    assert listed.count("\n") == 1
    assert '<a href="https://www.gov.uk/asylum-hotels">Asylum hotels</a> (withdrawn)' in listed
    assert '<a href="https://questions-statements.parliament.uk/written-statements/detail/' in (
        listed
    )
