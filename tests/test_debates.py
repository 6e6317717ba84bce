"""Debates, pure parts: What's On events (built from the official spec's `EventPoco` field
names, as no real response is published), joining them with the petitions site's lists, and
detecting changes with the petition's own event keys."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

from bot.sources.debates.detect import detect_debates
from bot.sources.debates.model import (
    Debate,
    join,
    listing_from_state,
    listing_to_state,
)
from bot.sources.debates.render import render_alert, render_listing
from bot.sources.petitions.debating import DebateNews, Sitting
from bot.sources.petitions.detect import detect_events
from bot.sources.whatson.parse import petition_debates
from tests.fakes.telegram import telegram_html_text
from tests.samples import CLOSED_DEBATE_SCHEDULED, CLOSED_NOT_DEBATED, OPEN_DEBATED, snapshot

TODAY = date(2023, 1, 3)
NOW = datetime(2023, 1, 3, 12, 0, tzinfo=UTC)


def event(event_id: int, description: str | None, day: str, time: str | None = "16:30", **more):
    """An event with every field of the spec's EventPoco."""
    return {
        "Id": event_id, "StartDate": f"{day}T00:00:00", "EndDate": f"{day}T00:00:00",
        "CancelledDate": None, "StartTime": time, "EndTime": None, "Description": description,
        "Notes": None, "SortOrder": 2, "EventActivities": [
            {"Id": 1, "StartTime": "4:30 pm", "EndTime": "", "Attendees": []}
        ], "Type": "Westminster Hall", "House": "Commons", "LeadHouse": "Commons",
        "Category": "Debate", "Location": "Westminster Hall", "LocationMetadata": None,
        "HasSpeakers": True, "Committee": None, "Tags": [], "Members": [], "Metadata": [],
        "SummarisedDetails": "<p>Commons - Westminster Hall</p>", "BillId": None,
        "BillName": None, "BillPageLink": None, **more,
    }  # fmt: skip


def test_whatson_events_name_their_petitions_whatever_the_order_and_the_blanks():
    events = [
        event(3, "e-petition 600593 relating to dogs", "2023-01-09", ""),
        event(1, None, "2023-01-09", None, Category="State Opening"),
        event(
            2,
            "E-petition 600593 relating to dogs",
            "2023-01-16",
            "18:00",
            CancelledDate="2023-01-05T10:00:00",
        ),
        event(4, "e-petitions 700001 and 700002 relating to schools", "2023-01-23", "4:30"),
        {"Id": "junk"},
        event(5, "Oral questions", "2023-01-09"),
    ]
    listed = petition_debates(events)
    assert sorted(listed) == [600593, 700001, 700002]  # one debate on two petitions: each's
    dogs = listed[600593]
    assert (dogs.event_id, dogs.time, dogs.cancelled) == (3, "", False)  # live beats cancelled
    assert listed[700001].time == listed[700002].time == "04:30"
    assert listed[700001].event_id == listed[700002].event_id == 4
    assert dogs.url == "https://whatson.parliament.uk/event/cal3"


def test_the_join_takes_dates_from_the_petitions_site_and_times_from_whats_on():
    scheduled = snapshot(CLOSED_DEBATE_SCHEDULED)  # 600593, debate on 2023-01-09
    debated, refused = snapshot(OPEN_DEBATED), snapshot(CLOSED_NOT_DEBATED)
    listed = petition_debates(
        [
            event(7, "e-petition 600593 relating to animals", "2023-01-09", "16:30"),
            event(8, "e-petition 800001 relating to a new topic", "2023-01-30", "18:00"),
        ]
    )
    listing = join([scheduled], [debated], [refused], listed)
    assert listing[600593].sitting == Sitting(date(2023, 1, 9), "16:30", "Westminster Hall", 7)
    assert listing[619334].held and listing[619334].held_on == date(2022, 11, 28)
    assert set(listing[619334].links) == {"transcript_url", "video_url", "debate_pack_url"}
    assert listing[590282].not_debated and listing[590282].overview
    only_whatson = listing[800001]
    assert (only_whatson.title, only_whatson.signatures) == ("A new topic", None)
    assert listing_from_state(listing_to_state(listing, NOW)) == listing
    text = render_listing(listing, TODAY)
    assert text.splitlines()[1].startswith("• <b>Monday 9 January 2023 at 16:30</b>: ")
    assert "(petition 800001)" in text and telegram_html_text(text) is not None


def test_changes_have_the_petitions_own_keys():
    day, later = date(2023, 1, 9), date(2023, 1, 16)
    base = Debate(300412, "Title", 120_000)
    sitting = Sitting(day, "16:30", "Westminster Hall", 7)
    scheduled = Debate(300412, "Title", 120_000, sitting)
    key = "petition:300412:"
    cases = [
        (None, scheduled, [("debate-scheduled", key + "debate-scheduled:2023-01-09")]),
        (base, scheduled, [("debate-scheduled", key + "debate-scheduled:2023-01-09")]),
        (scheduled, replace(scheduled, sitting=replace(sitting, day=later)),
         [("debate-rescheduled", key + "debate-rescheduled:2023-01-09:2023-01-16")]),
        (scheduled, replace(scheduled, sitting=replace(sitting, time="18:00")),
         [("debate-time", key + "debate-time:2023-01-09:18:00")]),
        (scheduled, replace(scheduled, sitting=replace(sitting, cancelled=True)),
         [("debate-cancelled", key + "debate-cancelled:2023-01-09")]),
        (scheduled, base, [("debate-cancelled", key + "debate-cancelled:2023-01-09")]),
        (replace(scheduled, sitting=replace(sitting, cancelled=True)), scheduled,
         [("debate-reinstated", key + "debate-reinstated:2023-01-09")]),
        (scheduled, replace(scheduled, held=True, held_on=day, links={"video_url": "v"}),
         [("debate-held", key + "debate-held:2023-01-09")]),
        (base, replace(base, not_debated=True), [("not-debated", key + "not-debated")]),
        (scheduled, scheduled, []),
    ]  # fmt: skip
    for previous, new, expected in cases:
        before = {} if previous is None else {300412: previous}
        events = detect_debates(before, {300412: new}, TODAY)
        assert [(e.news.value, e.key) for e in events] == expected
        for e in events:
            assert telegram_html_text(render_alert(e)) is not None


def test_the_debate_keys_match_the_petition_sources():
    scheduled = snapshot(CLOSED_DEBATE_SCHEDULED)
    scheduled = replace(scheduled, sitting=Sitting(date(2023, 1, 9)))
    unscheduled = replace(scheduled, scheduled_debate_date=None, sitting=None)
    from_petition = [
        (e.key, e.told) for e in detect_events(unscheduled, scheduled, scheduled.observed_at)
    ]
    before = {600593: Debate(600593, "t", 1)}
    after = {600593: Debate(600593, "t", 1, Sitting(date(2023, 1, 9)))}
    from_listing = [(e.key, (e.topic, e.told)) for e in detect_debates(before, after, TODAY)]
    assert (
        from_listing
        == from_petition
        == [
            (
                "petition:600593:debate-scheduled:2023-01-09",
                ("petition:600593:debate", "2023-01-09||"),
            )
        ]
    )


def test_old_outcomes_entering_the_listing_are_history_and_links_added_later_are_news():
    long_ago = TODAY - timedelta(days=60)
    held = Debate(1, "t", 1, held_on=long_ago, held=True, links={"video_url": "v"})
    assert detect_debates({}, {1: held}, TODAY) == []
    more = replace(held, links={"video_url": "v", "transcript_url": "t"})
    [added] = detect_debates({1: held}, {1: more}, TODAY)
    assert added.news is DebateNews.LINKS
    assert "Transcript" in render_alert(added) and "Video" not in render_alert(added)


def test_a_long_listing_stays_within_telegrams_limit():
    listing = {
        n: Debate(
            n,
            "A very long petition title " * 10,
            100_000 + n,
            Sitting(TODAY + timedelta(days=n % 27)),
        )
        for n in range(1, 120)
    }
    text = render_listing(listing, TODAY)
    assert len(text) < 3_500 and text.endswith("more.")
    assert telegram_html_text(text) is not None
