"""Replay: real documents, changed field by field as the sites would change them, through the
bot's own parsing, detection, dedupe and rendering, asserting the exact alerts a careful reader
expects: their words, their number and their order.

Each case is one point of what an alert must be (true to the day, specific, said once, never
silent about a change), named by it, plus the full life of a petition like the grooming-gangs
research one: 10,000 signatures, a response late and reminded of weekly, then given seven weeks
after the threshold, 100,000, a debate with its reminders, held, and the petition closing. The
petitions cases start from the real captures in tests/fixtures (tests/fixtures/SOURCES.md);
What's On events follow the official spec's field names (no real capture exists).
"""

from __future__ import annotations

import contextlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from bot.http import UpstreamError
from bot.preferences import FollowSettings
from bot.sources.debates.source import DebatesSource
from bot.sources.departments.directory import Directory
from bot.sources.govuk.source import GovukStatementsSource
from bot.sources.petitions.client import FetchStatus
from bot.sources.petitions.plan import Plan
from bot.sources.petitions.source import PetitionSource
from bot.sources.statements.detect import recent_items
from bot.sources.statements.query import StatementQuery, read_query
from bot.sources.statements.render import render_card
from bot.sources.text import LONDON
from bot.sources.written_statements.source import WrittenStatementsSource
from tests.fakes.telegram import telegram_html_text
from tests.replay import (
    Replay,
    ReplayCalendar,
    ReplayGovuk,
    ReplayParliament,
    ReplaySite,
    bodies,
)
from tests.samples import (
    CLOSED_AT_DISSOLUTION,
    CLOSED_DEBATE_SCHEDULED,
    OPEN_BELOW_10K,
    OPEN_WITH_RESPONSE,
    RAW_2015_SHOW,
)

CHAT = 1


def at(text: str) -> datetime:
    """A UTC instant written as `2026-03-31 21:40`."""
    return datetime.fromisoformat(text).replace(tzinfo=UTC)


def event(event_id: int, petitions: str, day: str, time: str = "16:30", **more: Any) -> dict:
    """A What's On event of the spec's shape: a Westminster Hall debate on e-petitions."""
    return {
        "Id": event_id, "StartDate": f"{day}T00:00:00", "StartTime": time,
        "Description": f"{petitions} relating to the petitioners' cause",
        "Location": "Westminster Hall", "Type": "Westminster Hall", "House": "Commons",
        "CancelledDate": None, "Metadata": [], **more,
    }  # fmt: skip


@dataclass(frozen=True)
class Step:
    """The sites change, then a poll cycle runs at `when`; the chat gets `expect` (alert bodies,
    without the link-and-stop paragraph), in that order, and nothing else."""

    when: str
    changes: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)
    answers: Mapping[int, FetchStatus] = field(default_factory=dict)
    events: tuple[dict[str, Any], ...] | None = None  # What's On's events from now on
    expect: tuple[str, ...] = ()


@dataclass(frozen=True)
class Case:
    point: str
    petitions: Mapping[int, tuple[str, Mapping[str, Any]]]  # id: (fixture, its changed fields)
    start: str
    steps: tuple[Step, ...]
    debates: bool = False  # the chat follows all debates too
    settings: FollowSettings | None = None
    events: tuple[dict[str, Any], ...] = ()


SEED = 301234
RESPONSE = {
    "responded_on": "2026-05-19",
    "summary": "The Government will not publish the research.",
    "details": "We considered the petition. The research was an internal paper.",
    "created_at": "2026-05-19T15:00:00.000Z",
    "updated_at": "2026-05-19T15:00:00.000Z",
}
HELD = {
    "debated_on": "2026-07-06",
    "overview": "MPs debated the e-petition.",
    "transcript_url": "https://hansard.parliament.uk/x",
    "video_url": "https://parliamentlive.tv/Event/Index/abc",
    "debate_pack_url": "https://commonslibrary.parliament.uk/y",
}
LIVE = [{"Url": "https://parliamentlive.tv/Event/Index/abc", "Description": "Watch"}]

CASES = [
    Case(
        "the seed's life: threshold, overdue and weekly reminders, a response seven weeks after "
        "the threshold, 100,000, a debate with its reminders, held, closed",
        {
            SEED: (
                OPEN_BELOW_10K,
                {
                    "action": "Publish the Home Office research on grooming gangs",
                    "signature_count": 9_870,
                    "closing_date": "2026-09-30",
                },
            )
        },
        "2026-03-30 09:00",
        (
            Step(
                "2026-03-31 21:41",
                {
                    SEED: {
                        "signature_count": 10_012,
                        "response_threshold_reached_at": "2026-03-31T21:40:00Z",
                    }
                },
                expect=(
                    (
                        "🎯 <b>10,000 signatures: the government must respond</b>\n"
                        "“Publish the Home Office research on grooming gangs” now has "
                        "10,012 signatures. The government has agreed to respond within "
                        "21 days, by 21 April 2026. I'll tell you when it does, and if it "
                        "is late."
                    ),
                ),
            ),
            Step("2026-04-21 22:59"),  # 23:59 on the due day itself: not late yet
            Step(
                "2026-04-21 23:01",
                expect=(
                    (
                        "⏰ <b>Government response overdue</b>\n"
                        "“Publish the Home Office research on grooming gangs” reached "
                        "10,000 signatures on 31 March 2026. The government agreed to "
                        "respond within 21 days, by 21 April 2026, and has not."
                    ),
                ),
            ),  # 00:01 on 22 April
            Step(
                "2026-04-29 08:00",
                expect=(
                    (
                        "⏰ <b>Still no government response: 8 days overdue</b>\n"
                        "“Publish the Home Office research on grooming gangs” reached "
                        "10,000 signatures on 31 March 2026. The government agreed to "
                        "respond within 21 days, by 21 April 2026."
                    ),
                ),
            ),
            Step(
                "2026-05-06 08:00",
                expect=(
                    (
                        "⏰ <b>Still no government response: 15 days overdue</b>\n"
                        "“Publish the Home Office research on grooming gangs” reached "
                        "10,000 signatures on 31 March 2026. The government agreed to "
                        "respond within 21 days, by 21 April 2026."
                    ),
                ),
            ),
            Step(
                "2026-05-19 15:01",
                {
                    SEED: {
                        "government_response_at": "2026-05-19T15:00:00Z",
                        "government_response": RESPONSE,
                    }
                },
                expect=(
                    (
                        "📝 <b>The government has responded</b> to “Publish the Home "
                        "Office research on grooming gangs”\n"
                        "Responded on 19 May 2026 (49 days after the threshold: 28 days "
                        "late).\n"
                        "<blockquote>The Government will not publish the "
                        "research.</blockquote>"
                    ),
                ),
            ),
            Step("2026-05-27 08:00"),  # answered: no more reminders
            Step(
                "2026-06-02 12:00",
                {
                    SEED: {
                        "signature_count": 100_004,
                        "debate_threshold_reached_at": "2026-06-02T12:00:00Z",
                    }
                },
                expect=(
                    (
                        "🗣 <b>100,000 signatures: Parliament will consider a debate</b>\n"
                        "“Publish the Home Office research on grooming gangs” now has "
                        "100,004 signatures. The Petitions Committee will now decide "
                        "whether to schedule a debate."
                    ),
                ),
            ),
            Step(
                "2026-06-16 12:00",
                {SEED: {"scheduled_debate_date": "2026-07-06"}},
                expect=(
                    (
                        "🗓 <b>Debate scheduled</b>\n"
                        "Parliament will debate “Publish the Home Office research on "
                        "grooming gangs” (petition 301234, 100,004 signatures) on Monday "
                        "6 July 2026."
                    ),
                ),
            ),
            Step(
                "2026-06-16 13:00",
                events=(event(61111, f"e-petition {SEED}", "2026-07-06", Metadata=LIVE),),
                expect=(
                    (
                        "🗓 <b>Debate time set</b>\n"
                        "The debate on “Publish the Home Office research on grooming "
                        "gangs” (petition 301234, 100,004 signatures) on Monday 6 July "
                        "2026 will be at 16:30 in Westminster Hall.\n"
                        "Watch it live: <a "
                        'href="https://parliamentlive.tv/Event/Index/abc">parliamentlive.tv</a>'
                    ),
                ),
            ),
            Step(
                "2026-07-05 17:01",
                expect=(
                    (
                        "🗓 <b>Debate tomorrow</b>\n"
                        "Parliament debates “Publish the Home Office research on grooming "
                        "gangs” (petition 301234, 100,004 signatures) tomorrow, Monday 6 "
                        "July 2026 at 16:30 in Westminster Hall.\n"
                        "Watch it live: <a "
                        'href="https://parliamentlive.tv/Event/Index/abc">parliamentlive.tv</a>'
                    ),
                ),
            ),  # 18:01 the evening before
            Step(
                "2026-07-06 07:01",
                expect=(
                    (
                        "🗓 <b>Debate today</b>\n"
                        "Parliament debates “Publish the Home Office research on grooming "
                        "gangs” (petition 301234, 100,004 signatures) today, Monday 6 "
                        "July 2026 at 16:30 in Westminster Hall.\n"
                        "Watch it live: <a "
                        'href="https://parliamentlive.tv/Event/Index/abc">parliamentlive.tv</a>'
                    ),
                ),
            ),  # 08:01 on the day
            Step("2026-07-07 07:01"),
            Step(
                "2026-07-09 10:00",
                {SEED: {"debate_outcome_at": "2026-07-09T10:00:00Z", "debate": HELD}},
                expect=(
                    (
                        "🗣 <b>Parliament debated</b> “Publish the Home Office research on "
                        "grooming gangs” (petition 301234, 100,004 signatures) on Monday "
                        "6 July 2026.\n"
                        "MPs debated the e-petition.\n"
                        '<a href="https://hansard.parliament.uk/x">Transcript</a> · <a '
                        'href="https://parliamentlive.tv/Event/Index/abc">Video</a> · <a '
                        'href="https://commonslibrary.parliament.uk/y">Debate pack</a>'
                    ),
                ),
            ),
            Step(
                "2026-09-30 23:01",
                {
                    SEED: {
                        "state": "closed",
                        "closed_at": "2026-09-30T22:59:59.999Z",
                        "signature_count": 120_444,
                    }
                },
                expect=(
                    (
                        "🔒 <b>Petition closed</b>\n"
                        "“Publish the Home Office research on grooming gangs” closed at "
                        "the end of 30 September 2026 with 120,444 signatures. Government "
                        "response: responded on 19 May 2026 (49 days after the threshold: "
                        "28 days late)."
                    ),
                ),
            ),
        ),
    ),
]


P = 621078  # OPEN_BELOW_10K: "Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point"
THRESHOLD = {"signature_count": 10_500, "response_threshold_reached_at": "2026-03-31T21:00:00Z"}


def responded(on: str, at_: str) -> dict[str, Any]:
    return {
        "government_response_at": at_,
        "government_response": {**RESPONSE, "responded_on": on, "created_at": at_,
                                "updated_at": at_},
    }  # fmt: skip


AWAITING_DEBATE = {
    "signature_count": 120_000,
    "debate_threshold_reached_at": "2026-01-05T10:00:00Z",
}
DISSOLVED_AT = "2029-04-30T23:01:00.000Z"  # a dissolution no table knows: 00:01 on 1 May 2029
OTHER = 621079

CASES += [
    Case(
        "1. days are counted between London dates: a response the next morning came the day after",
        {P: (OPEN_BELOW_10K, {})},
        "2026-03-31 20:00",
        (
            Step(
                "2026-03-31 21:01",
                {P: THRESHOLD},
                expect=(
                    (
                        "🎯 <b>10,000 signatures: the government must respond</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” now has 10,500 signatures. The government has agreed to "
                        "respond within 21 days, by 21 April 2026. I'll tell you when it "
                        "does, and if it is late."
                    ),
                ),
            ),  # 22:00 in London
            Step(
                "2026-04-01 09:01",
                {P: responded("2026-04-01", "2026-04-01T09:00:00Z")},
                expect=(
                    (
                        "📝 <b>The government has responded</b> to “Reduce fixed penalty "
                        "for speeding in a 20mph zone to 1 penalty point”\n"
                        "Responded on 1 April 2026 (the day after the threshold, within "
                        "the 21 days promised).\n"
                        "<blockquote>The Government will not publish the "
                        "research.</blockquote>"
                    ),
                ),
            ),
        ),
    ),
    Case(
        "1. a response twelve hours after the threshold on the same day came the same day",
        {P: (OPEN_BELOW_10K, {})},
        "2026-03-31 06:00",
        (
            Step(
                "2026-03-31 07:01",
                {P: {**THRESHOLD, "response_threshold_reached_at": "2026-03-31T07:00:00Z"}},
                expect=(
                    (
                        "🎯 <b>10,000 signatures: the government must respond</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” now has 10,500 signatures. The government has agreed to "
                        "respond within 21 days, by 21 April 2026. I'll tell you when it "
                        "does, and if it is late."
                    ),
                ),
            ),
            Step(
                "2026-03-31 19:01",
                {P: responded("2026-03-31", "2026-03-31T19:00:00Z")},
                expect=(
                    (
                        "📝 <b>The government has responded</b> to “Reduce fixed penalty "
                        "for speeding in a 20mph zone to 1 penalty point”\n"
                        "Responded on 31 March 2026 (the same day as the threshold, "
                        "within the 21 days promised).\n"
                        "<blockquote>The Government will not publish the "
                        "research.</blockquote>"
                    ),
                ),
            ),
        ),
    ),
    Case(
        "2. the due date is the London day plus 21 across the clock change, late the day after",
        {P: (OPEN_BELOW_10K, {})},
        "2026-03-28 20:00",
        (
            # 23:30 on 28 March (GMT): 21 times 24 hours would end on 19 April (BST).
            Step(
                "2026-03-28 23:31",
                {P: {**THRESHOLD, "response_threshold_reached_at": "2026-03-28T23:30:00Z"}},
                expect=(
                    (
                        "🎯 <b>10,000 signatures: the government must respond</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” now has 10,500 signatures. The government has agreed to "
                        "respond within 21 days, by 18 April 2026. I'll tell you when it "
                        "does, and if it is late."
                    ),
                ),
            ),
            Step("2026-04-18 22:59"),  # 23:59 BST on 18 April, the due day: not late
            Step(
                "2026-04-18 23:01",
                expect=(
                    (
                        "⏰ <b>Government response overdue</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” reached 10,000 signatures on 28 March 2026. The "
                        "government agreed to respond within 21 days, by 18 April 2026, "
                        "and has not."
                    ),
                ),
            ),  # 00:01 on 19 April: late
            Step(
                "2026-04-25 23:01",
                expect=(
                    (
                        "⏰ <b>Still no government response: 8 days overdue</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” reached 10,000 signatures on 28 March 2026. The "
                        "government agreed to respond within 21 days, by 18 April 2026."
                    ),
                ),
            ),  # a week later
        ),
    ),
    Case(
        "3. one lateness clock: a dip and a re-cross never start a second, later deadline",
        {P: (OPEN_BELOW_10K, {})},
        "2026-03-01 08:00",
        (
            Step(
                "2026-03-01 09:01",
                {P: {**THRESHOLD, "response_threshold_reached_at": "2026-03-01T09:00:00Z"}},
                expect=(
                    (
                        "🎯 <b>10,000 signatures: the government must respond</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” now has 10,500 signatures. The government has agreed to "
                        "respond within 21 days, by 22 March 2026. I'll tell you when it "
                        "does, and if it is late."
                    ),
                ),
            ),
            Step(
                "2026-03-03 09:00",
                {P: {"signature_count": 9_990, "response_threshold_reached_at": None}},
            ),
            Step(
                "2026-03-10 09:00",
                {
                    P: {
                        "signature_count": 10_020,
                        "response_threshold_reached_at": "2026-03-10T09:00:00Z",
                    }
                },
            ),
            Step(
                "2026-03-23 00:01",
                expect=(
                    (
                        "⏰ <b>Government response overdue</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” reached 10,000 signatures on 1 March 2026. The government "
                        "agreed to respond within 21 days, by 22 March 2026, and has not."
                    ),
                ),
            ),  # 1 March + 21 = 22 March: late from the 23rd
            Step(
                "2026-04-01 00:01",
                expect=(
                    (
                        "⏰ <b>Still no government response: 8 days overdue</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” reached 10,000 signatures on 1 March 2026. The government "
                        "agreed to respond within 21 days, by 22 March 2026."
                    ),
                ),
            ),  # a clock from the re-cross would say "overdue" only now
        ),
    ),
    Case(
        "4. Parliament dissolved: one message listing every followed petition that closed",
        {
            P: (OPEN_BELOW_10K, {"closing_date": "2029-06-20"}),
            OTHER: (OPEN_WITH_RESPONSE, {"closing_date": "2029-08-01"}),
        },
        "2029-04-30 12:00",
        (
            Step(
                "2029-04-30 23:05",
                {
                    P: {"state": "closed", "closed_at": DISSOLVED_AT},
                    OTHER: {"state": "closed", "closed_at": DISSOLVED_AT},
                },
                expect=(
                    (
                        "🗳 <b>Parliament was dissolved</b> on 1 May 2029 for a general "
                        "election, and every open petition closed then. These petitions "
                        "this chat follows closed:\n"
                        "• “Reduce fixed penalty for speeding in a 20mph zone to 1 "
                        "penalty point” (petition 621078): 1,289 signatures\n"
                        "• “Increase funding for schools to ensure that they do not enter "
                        "deficit” (petition 621079): 12,123 signatures; government "
                        "response: responded on 6 December 2022 (20 days after the "
                        "threshold, within the 21 days promised)"
                    ),
                ),
            ),
        ),
    ),
    Case(
        "4. a response across a dissolution says that a general election intervened",
        {
            653985: (
                CLOSED_AT_DISSOLUTION,
                {"government_response_at": None, "government_response": None},
            )
        },
        "2024-06-01 12:00",
        (
            Step(
                "2024-09-09 12:43",
                {653985: responded("2024-09-09", "2024-09-09T12:42:27Z")},
                expect=(
                    (
                        "📝 <b>The government has responded</b> to “Remove powers to vary "
                        "income tax rates from the Scottish Parliament”\n"
                        "Responded on 9 September 2024 (124 days after the threshold: 103 "
                        "days late; a general election intervened: Parliament was "
                        "dissolved from 30 May to 9 July 2024).\n"
                        "<blockquote>The Government will not publish the "
                        "research.</blockquote>"
                    ),
                ),
            ),
        ),
    ),
    Case(
        "5. every rejection reason in words, a code the site added since by its name",
        {P: (OPEN_BELOW_10K, {}), OTHER: (OPEN_BELOW_10K, {"action": "Another petition"})},
        "2026-03-01 09:00",
        (
            Step(
                "2026-03-01 10:00",
                {
                    P: {"state": "rejected", "rejection": {"code": "joke", "details": None}},
                    OTHER: {
                        "state": "rejected",
                        "rejection": {"code": "party-political", "details": "About a party."},
                    },
                },
                expect=(
                    (
                        "🚫 <b>Petition rejected</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” was rejected by the petitions committee.\n"
                        "Reason: It&#x27;s a joke."
                    ),
                    (
                        "🚫 <b>Petition rejected</b>\n"
                        "“Another petition” was rejected by the petitions committee.\n"
                        "Reason: The petitions committee&#x27;s reason: “Party "
                        "political”.\n"
                        "About a party."
                    ),
                ),
            ),
        ),
    ),
    Case(
        "6. a 410 the next read contradicts is never told; a 404 two reads agree on, once",
        {P: (OPEN_BELOW_10K, {})},
        "2026-03-01 09:00",
        (
            Step("2026-03-01 09:01", answers={P: FetchStatus.GONE}),
            Step("2026-03-01 09:02", answers={P: FetchStatus.OK}),
            Step("2026-03-01 10:00", answers={P: FetchStatus.NOT_FOUND}),
            Step("2026-03-01 10:02"),  # two minutes: not yet
            Step(
                "2026-03-01 10:06",
                expect=(
                    (
                        "🗑 <b>Petition no longer on the site</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” is no longer on the petitions site: it has answered “not "
                        "found” since 1 March 2026 at 10:00. I'll keep checking, and tell "
                        "you if it comes back."
                    ),
                ),
            ),  # six minutes after the first: confirmed
            Step("2026-03-01 11:00"),
            Step(
                "2026-03-02 09:00",
                answers={P: FetchStatus.OK},
                expect=(
                    (
                        "♻️ <b>Petition back</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” is on the petitions site again, with 1,289 signatures."
                    ),
                ),
            ),
        ),
    ),
    Case(
        "7. a petition first seen in 2015's shape is not news when its new fields appear",
        {104334: (RAW_2015_SHOW, {})},
        "2015-09-10 12:00",
        (
            Step(
                "2015-09-10 12:05",
                {
                    104334: {
                        "response_threshold_reached_at": "2015-07-20T18:00:00.000Z",
                        "opened_at": "2015-07-20T14:12:50.460Z",
                    }
                },
            ),
        ),
    ),
]


LONG_DETAILS = " ".join(
    f"Sentence {n} of the government's reasoning on penalties." for n in range(60)
)
DEBATE = 600593  # CLOSED_DEBATE_SCHEDULED: a debate on 9 January 2023, captured on the 3rd

HELD_ON_THE_10TH = (
    "🗣 <b>Parliament debated</b> “Make the use of free-running snares illegal for trapping "
    "wildlife” (petition 600593, 102,616 signatures) on Tuesday 10 January 2023.\n"
    "MPs debated the e-petition.\n"
    '<a href="https://hansard.parliament.uk/x">Transcript</a> · '
    '<a href="https://parliamentlive.tv/Event/Index/abc">Video</a> · '
    '<a href="https://commonslibrary.parliament.uk/y">Debate pack</a>'
)

CASES += [
    Case(
        "8. an edit past the 2,000th character of a response is told, quoting what changed",
        {
            627130: (
                OPEN_WITH_RESPONSE,
                {"government_response": {**RESPONSE, "details": LONG_DETAILS}},
            )
        },
        "2026-03-01 09:00",
        (
            Step(
                "2026-03-02 09:01",
                {
                    627130: {
                        "government_response": {
                            **RESPONSE,
                            "details": LONG_DETAILS.replace(
                                "Sentence 59 of", "Sentence 59, now amended, of"
                            ),
                            "updated_at": "2026-03-02T09:00:00Z",
                        }
                    }
                },
                expect=(
                    (
                        "✏️ <b>The government response was edited</b> for “Increase "
                        "funding for schools to ensure that they do not enter deficit”\n"
                        "Changed: the full text.\n"
                        "New in the full text: “Sentence 59, now amended, of the "
                        "government&#x27;s reasoning on penalties.”"
                    ),
                ),
            ),
        ),
    ),
    Case(
        "9. a change back is still a change: moved 9 to 16 to 9 January, cancelled, back on",
        {DEBATE: (CLOSED_DEBATE_SCHEDULED, {})},
        "2023-01-03 12:00",
        (
            Step(
                "2023-01-04 10:00",
                {DEBATE: {"scheduled_debate_date": "2023-01-16"}},
                expect=(
                    (
                        "🗓 <b>Debate moved</b>\n"
                        "“Make the use of free-running snares illegal for trapping "
                        "wildlife” (petition 600593, 102,616 signatures) will now be "
                        "debated on Monday 16 January 2023 (it was set for Monday 9 "
                        "January 2023)."
                    ),
                ),
            ),
            Step(
                "2023-01-04 11:00",
                {DEBATE: {"scheduled_debate_date": "2023-01-09"}},
                expect=(
                    (
                        "🗓 <b>Debate moved</b>\n"
                        "“Make the use of free-running snares illegal for trapping "
                        "wildlife” (petition 600593, 102,616 signatures) will now be "
                        "debated on Monday 9 January 2023 (it was set for Monday 16 "
                        "January 2023)."
                    ),
                ),
            ),
            Step(
                "2023-01-04 12:00",
                {DEBATE: {"scheduled_debate_date": None}},
                expect=(
                    (
                        "🗓 <b>Debate cancelled</b>\n"
                        "The debate on “Make the use of free-running snares illegal for "
                        "trapping wildlife” (petition 600593, 102,616 signatures) set for "
                        "Monday 9 January 2023 is no longer scheduled."
                    ),
                ),
            ),
            Step(
                "2023-01-04 13:00",
                {DEBATE: {"scheduled_debate_date": "2023-01-09"}},
                expect=(
                    (
                        "🗓 <b>Debate back on</b>\n"
                        "The debate on “Make the use of free-running snares illegal for "
                        "trapping wildlife” (petition 600593, 102,616 signatures) is "
                        "scheduled again for Monday 9 January 2023."
                    ),
                ),
            ),
        ),
    ),
    Case(
        "9. a closing date moved back to one told before is told",
        {P: (OPEN_BELOW_10K, {"closing_date": "2026-06-01"})},
        "2026-03-01 09:00",
        (
            Step(
                "2026-03-02 09:00",
                {P: {"closing_date": "2026-06-15"}},
                expect=(
                    (
                        "📅 <b>Closing date changed</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” now closes at the end of 15 June 2026 (it was 1 June "
                        "2026)."
                    ),
                ),
            ),
            Step(
                "2026-03-03 09:00",
                {P: {"closing_date": "2026-06-01"}},
                expect=(
                    (
                        "📅 <b>Closing date changed</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” now closes at the end of 1 June 2026 (it was 15 June "
                        "2026)."
                    ),
                ),
            ),
            Step(
                "2026-03-04 09:00",
                {P: {"closing_date": "2026-06-15"}},
                expect=(
                    (
                        "📅 <b>Closing date changed</b>\n"
                        "“Reduce fixed penalty for speeding in a 20mph zone to 1 penalty "
                        "point” now closes at the end of 15 June 2026 (it was 1 June "
                        "2026)."
                    ),
                ),
            ),
        ),
    ),
    Case(
        "10. every 10% steps by about 10%: 1,100,000, then 1,200,000, never a jump to 1,300,000",
        {
            P: (
                OPEN_BELOW_10K,
                {
                    "signature_count": 1_050_000,
                    "response_threshold_reached_at": "2026-01-01T10:00:00Z",
                    "debate_threshold_reached_at": "2026-01-02T10:00:00Z",
                },
            )
        },
        "2026-03-01 09:00",
        (
            Step(
                "2026-03-01 10:00",
                {P: {"signature_count": 1_150_000}},
                expect=(
                    (
                        "📈 <b>1,100,000 signatures</b> for “Reduce fixed penalty for "
                        "speeding in a 20mph zone to 1 penalty point”\n"
                        "It now has 1,150,000. Next step: 1,200,000."
                    ),
                ),
            ),
            Step(
                "2026-03-01 11:00",
                {P: {"signature_count": 1_250_000}},
                expect=(
                    (
                        "📈 <b>1,200,000 signatures</b> for “Reduce fixed penalty for "
                        "speeding in a 20mph zone to 1 penalty point”\n"
                        "It now has 1,250,000. Next step: 1,300,000."
                    ),
                ),
            ),
        ),
        settings=FollowSettings(granularity="10pct"),
    ),
    Case(
        "11. a debate alert has the day, then What's On's time and place when first given, and "
        "a petition's follower and an all-debates follower hear each once",
        {P: (OPEN_BELOW_10K, AWAITING_DEBATE)},
        "2026-12-01 12:00",
        (
            Step(
                "2026-12-02 12:00",
                {P: {"scheduled_debate_date": "2027-01-11"}},
                expect=(
                    (
                        "🗓 <b>Debate scheduled</b>\n"
                        "Parliament will debate “Reduce fixed penalty for speeding in a "
                        "20mph zone to 1 penalty point” (petition 621078, 120,000 "
                        "signatures) on Monday 11 January 2027."
                    ),
                ),
            ),
            Step(
                "2026-12-03 12:00",
                events=(event(70001, f"e-petition {P}", "2027-01-11", "18:00", Metadata=LIVE),),
                expect=(
                    (
                        "🗓 <b>Debate time set</b>\n"
                        "The debate on “Reduce fixed penalty for speeding in a 20mph zone "
                        "to 1 penalty point” (petition 621078, 120,000 signatures) on "
                        "Monday 11 January 2027 will be at 18:00 in Westminster Hall.\n"
                        "Watch it live: <a "
                        'href="https://parliamentlive.tv/Event/Index/abc">parliamentlive.tv</a>'
                    ),
                ),
            ),
            Step(
                "2026-12-04 12:00",
                events=(event(70001, f"e-petition {P}", "2027-01-11", "16:30", Metadata=LIVE),),
                expect=(
                    (
                        "🗓 <b>Debate time changed</b>\n"
                        "The debate on “Reduce fixed penalty for speeding in a 20mph zone "
                        "to 1 penalty point” (petition 621078, 120,000 signatures) on "
                        "Monday 11 January 2027 is now at 16:30 in Westminster Hall (it "
                        "was 18:00).\n"
                        "Watch it live: <a "
                        'href="https://parliamentlive.tv/Event/Index/abc">parliamentlive.tv</a>'
                    ),
                ),
            ),
        ),
        debates=True,
    ),
    Case(
        "12. reminders the evening before and on the morning, none for a debate moved or cancelled",
        {DEBATE: (CLOSED_DEBATE_SCHEDULED, {})},
        "2023-01-03 12:00",
        (
            Step(
                "2023-01-07 12:00",
                {DEBATE: {"scheduled_debate_date": "2023-01-16"}},
                expect=(
                    (
                        "🗓 <b>Debate moved</b>\n"
                        "“Make the use of free-running snares illegal for trapping "
                        "wildlife” (petition 600593, 102,616 signatures) will now be "
                        "debated on Monday 16 January 2023 at 16:30 in Westminster Hall "
                        "(it was set for Monday 9 January 2023)."
                    ),
                ),
            ),
            Step("2023-01-08 18:01"),  # the evening before the 9th: moved, no reminder
            Step(
                "2023-01-15 18:01",
                expect=(
                    (
                        "🗓 <b>Debate tomorrow</b>\n"
                        "Parliament debates “Make the use of free-running snares illegal "
                        "for trapping wildlife” (petition 600593, 102,616 signatures) "
                        "tomorrow, Monday 16 January 2023 at 16:30 in Westminster Hall."
                    ),
                ),
            ),  # the evening before the 16th
            Step(
                "2023-01-16 07:00",
                {DEBATE: {"scheduled_debate_date": None}},
                expect=(
                    (
                        "🗓 <b>Debate cancelled</b>\n"
                        "The debate on “Make the use of free-running snares illegal for "
                        "trapping wildlife” (petition 600593, 102,616 signatures) set for "
                        "Monday 16 January 2023 at 16:30 in Westminster Hall is no longer "
                        "scheduled."
                    ),
                ),
            ),
            Step("2023-01-16 08:01"),  # the morning of a cancelled debate: none
        ),
        events=(event(70002, f"e-petition {DEBATE}", "2023-01-16"),),
    ),
    Case(
        "13. a debate held is told as held, never as moved to the day it was held",
        {DEBATE: (CLOSED_DEBATE_SCHEDULED, {})},
        "2023-01-03 12:00",
        (
            Step(
                "2023-01-11 12:00",
                {
                    DEBATE: {
                        "scheduled_debate_date": "2023-01-10",
                        "debate_outcome_at": "2023-01-11T11:00:00Z",
                        "debate": {**HELD, "debated_on": "2023-01-10"},
                    }
                },
                expect=(HELD_ON_THE_10TH,),
            ),
        ),
    ),
    Case(
        "13. a scheduled day moved into the past is history; the outcome, when recorded, news",
        {DEBATE: (CLOSED_DEBATE_SCHEDULED, {})},
        "2023-01-03 12:00",
        (
            Step("2023-01-11 12:00", {DEBATE: {"scheduled_debate_date": "2023-01-10"}}),
            Step(
                "2023-01-13 12:00",
                {
                    DEBATE: {
                        "debate_outcome_at": "2023-01-13T11:00:00Z",
                        "debate": {**HELD, "debated_on": "2023-01-10"},
                    }
                },
                expect=(HELD_ON_THE_10TH,),
            ),
        ),
    ),
    Case(
        "14. one debate on several petitions applies its time and cancellation to each",
        {
            DEBATE: (CLOSED_DEBATE_SCHEDULED, {}),
            P: (OPEN_BELOW_10K, {**AWAITING_DEBATE, "scheduled_debate_date": "2023-01-09"}),
        },
        "2023-01-03 12:00",
        (
            Step(
                "2023-01-04 12:00",
                events=(event(70003, f"e-petitions {DEBATE} and {P}", "2023-01-09"),),
                expect=(
                    (
                        "🗓 <b>Debate time set</b>\n"
                        "The debate on “Make the use of free-running snares illegal for "
                        "trapping wildlife” (petition 600593, 102,616 signatures) on "
                        "Monday 9 January 2023 will be at 16:30 in Westminster Hall."
                    ),
                    (
                        "🗓 <b>Debate time set</b>\n"
                        "The debate on “Reduce fixed penalty for speeding in a 20mph zone "
                        "to 1 penalty point” (petition 621078, 120,000 signatures) on "
                        "Monday 9 January 2023 will be at 16:30 in Westminster Hall."
                    ),
                ),
            ),
            Step(
                "2023-01-05 12:00",
                events=(
                    event(
                        70003,
                        f"e-petitions {DEBATE} and {P}",
                        "2023-01-09",
                        CancelledDate="2023-01-05",
                    ),
                ),
                expect=(
                    (
                        "🗓 <b>Debate cancelled</b>\n"
                        "The debate on “Make the use of free-running snares illegal for "
                        "trapping wildlife” (petition 600593, 102,616 signatures) set for "
                        "Monday 9 January 2023 at 16:30 in Westminster Hall is no longer "
                        "scheduled."
                    ),
                    (
                        "🗓 <b>Debate cancelled</b>\n"
                        "The debate on “Reduce fixed penalty for speeding in a 20mph zone "
                        "to 1 penalty point” (petition 621078, 120,000 signatures) set "
                        "for Monday 9 January 2023 at 16:30 in Westminster Hall is no "
                        "longer scheduled."
                    ),
                ),
            ),
        ),
    ),
]


async def replay(case: Case, folder: Path) -> list[tuple[str, list[str]]]:
    """Run the case; returns, step by step, the bodies the chat got."""
    site, calendar = ReplaySite(), ReplayCalendar()
    calendar.events = list(case.events)
    for petition_id, (fixture, changes) in case.petitions.items():
        site.add(petition_id, fixture, **changes)
    petitions = PetitionSource(site, Plan.EACH, calendar)  # type: ignore[arg-type]
    debates = DebatesSource(site, calendar)  # type: ignore[arg-type]
    run = Replay(folder)
    start = at(case.start)
    try:
        for petition_id in case.petitions:
            looked = await petitions.look_up(petition_id, start)
            assert looked.state is not None
            await run.follow(CHAT, f"petition:{petition_id}", looked.state)
            if case.settings is not None:
                await run.store.set_follow_settings(CHAT, f"petition:{petition_id}", case.settings)
        if case.debates:
            await run.follow(CHAT, "debates:all", None)
            await run.cycle(debates, start)
        got = []
        for step in case.steps:
            for petition_id, changes in step.changes.items():
                site.update(petition_id, **changes)
            site.status.update(step.answers)
            if step.events is not None:
                calendar.events = list(step.events)
            now = at(step.when)
            sent = await run.cycle(petitions, now)
            messages = list(sent.get(CHAT, []))
            if case.debates:
                messages += (await run.cycle(debates, now)).get(CHAT, [])
            for message in messages:
                assert telegram_html_text(message) is not None, message
            got.append((step.when, bodies({CHAT: messages}, CHAT)))
        return got
    finally:
        run.close()


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.point[:60])
async def test_replay(case: Case, tmp_path: Path) -> None:
    got = await replay(case, tmp_path)
    assert [(step.when, list(step.expect)) for step in case.steps] == got


# --- statements ---------------------------------------------------------------------------------

DAY = "list_madeWhen_2021-02-01_bicameral_expandMember_take20_captured_2021-03-18.json"


def govuk(title: str, published: str, *, slug: str = "home-office", **more: Any) -> dict:
    """A GOV.UK search result of the captured shape: a written statement to Parliament."""
    return {
        "title": title, "link": f"/government/speeches/{title.lower().replace(' ', '-')}",
        "content_id": f"c-{title.lower().replace(' ', '-')}", "description": f"<p>{title}.</p>",
        "public_timestamp": published, "first_published_at": published,
        "content_store_document_type": "written_statement",
        "display_type": "Written statement to Parliament",
        "organisations": [{"slug": slug, "title": slug.replace("-", " ").title()}],
        "people": [], "latest_change_note": None, "is_withdrawn": False, **more,
    }  # fmt: skip


@dataclass(frozen=True)
class StatementStep:
    """GOV.UK's results and Parliament's statements change, then each source polls at `when`;
    the chat gets `expect`, in that order, and nothing else."""

    when: str
    govuk: tuple[dict[str, Any], ...] | None = None  # GOV.UK's results from now on
    make: Mapping[int, Mapping[str, Any]] = field(default_factory=dict)  # statements made
    links: Mapping[int, list[dict[str, Any]]] = field(default_factory=dict)
    parliament_down: bool = False
    expect: tuple[str, ...] = ()


@dataclass(frozen=True)
class StatementCase:
    point: str
    follows: tuple[str, ...]  # as typed after /statements
    start: str
    steps: tuple[StatementStep, ...]
    govuk: tuple[dict[str, Any], ...] = ()
    card: str = ""  # the first follow's /status card after the steps, when it is the point


STATEMENT_CASES = [
    StatementCase(
        "15. an update seven months after publication, and a withdrawal, are told",
        ("home-office",),
        "2026-01-10 09:00",
        (
            StatementStep(
                "2026-01-12 10:00",
                govuk=(govuk("Asylum support", "2026-01-12T09:30:00Z"),),
                expect=(
                    (
                        "🏛 <b>Asylum support</b>\n"
                        "Home Office · Written statement to Parliament\n"
                        "🗓 12 January 2026: Asylum support.\n"
                        "https://www.gov.uk/government/speeches/asylum-support"
                    ),
                ),
            ),
            StatementStep(
                "2026-08-20 10:00",
                govuk=(
                    govuk(
                        "Asylum support",
                        "2026-08-20T09:00:00Z",
                        first_published_at="2026-01-12T09:30:00Z",
                        latest_change_note="Figures updated.",
                    ),
                ),
                expect=(
                    (
                        "✏️ <b>Updated: Asylum support</b>\n"
                        "Home Office · Written statement to Parliament\n"
                        "What changed: “Figures updated.”\n"
                        "🗓 12 January 2026, updated 20 August 2026: Asylum support.\n"
                        "https://www.gov.uk/government/speeches/asylum-support"
                    ),
                ),
            ),
            StatementStep(
                "2026-10-01 10:00",
                govuk=(
                    govuk(
                        "Asylum support",
                        "2026-08-20T09:00:00Z",
                        first_published_at="2026-01-12T09:30:00Z",
                        is_withdrawn=True,
                    ),
                ),
                expect=(
                    (
                        "🗑 <b>Withdrawn: Asylum support</b>\n"
                        "Home Office · Written statement to Parliament\n"
                        "The government has withdrawn this item; it stays on record as "
                        "withdrawn.\n"
                        "🗓 12 January 2026: Asylum support.\n"
                        "https://www.gov.uk/government/speeches/asylum-support"
                    ),
                ),
            ),
        ),
    ),
    StatementCase(
        "16. an update and a withdrawal in the same cycle are both told",
        ("home-office",),
        "2026-01-10 09:00",
        (
            StatementStep(
                "2026-01-12 10:00",
                govuk=(govuk("Visa fees", "2026-01-12T09:30:00Z"),),
                expect=(
                    (
                        "🏛 <b>Visa fees</b>\n"
                        "Home Office · Written statement to Parliament\n"
                        "🗓 12 January 2026: Visa fees.\n"
                        "https://www.gov.uk/government/speeches/visa-fees"
                    ),
                ),
            ),
            StatementStep(
                "2026-01-13 10:00",
                govuk=(
                    govuk(
                        "Visa fees",
                        "2026-01-13T09:00:00Z",
                        first_published_at="2026-01-12T09:30:00Z",
                        latest_change_note="Withdrawn: superseded.",
                        is_withdrawn=True,
                    ),
                ),
                expect=(
                    (
                        "✏️ <b>Updated: Visa fees</b>\n"
                        "Home Office · Written statement to Parliament\n"
                        "What changed: “Withdrawn: superseded.”\n"
                        "🗓 12 January 2026, updated 13 January 2026: Visa fees.\n"
                        "https://www.gov.uk/government/speeches/visa-fees"
                    ),
                    (
                        "🗑 <b>Withdrawn: Visa fees</b>\n"
                        "Home Office · Written statement to Parliament\n"
                        "The government has withdrawn this item; it stays on record as "
                        "withdrawn.\n"
                        "🗓 12 January 2026: Visa fees.\n"
                        "https://www.gov.uk/government/speeches/visa-fees"
                    ),
                ),
            ),
        ),
    ),
]


LINKED = [{"linkedStatementId": 1282157, "linkType": "CorrectedStatement", "linkDate": None}]
STATEMENT_CASES += [
    StatementCase(
        "17. after an outage, what was made meanwhile comes: each within 14 days, the older in "
        "one message with links, nothing from before the follow",
        ("any",),
        "2021-01-05 12:00",
        (
            StatementStep("2021-01-06 12:00", parliament_down=True),
            StatementStep(
                "2021-02-01 18:00",
                make={
                    1282164: {"dateMade": "2021-01-04T00:00:00"},  # before the follow
                    1282163: {"dateMade": "2021-01-10T00:00:00"},  # 22 days old
                    1282162: {"dateMade": "2021-01-20T00:00:00"},  # 12 days old
                    1282167: {"dateMade": "2021-02-01T00:00:00"},
                },
                expect=(
                    (
                        "🏛 <b>UK Trade Update</b>\n"
                        "Department for Business and Trade · Written statement to "
                        "Parliament (Lords, HLWS743)\n"
                        "👤 Lord Grimstone of Boscobel, Minister for Investment\n"
                        "🗓 20 January 2021: My Rt Hon Friend the Secretary of State for "
                        "International Trade (Liz Truss MP) has today made the following "
                        "statement. Today, the Government submitted its notification of "
                        "intent to begin the Comprehensive and Progressive Agreement for "
                        "Trans-Pacific Partner\n"
                        "https://questions-statements.parliament.uk/written-statements/detail/2021-01-20/HLWS743"
                    ),
                    (
                        "🏛 <b>Design Update</b>\n"
                        "Ministry of Housing, Communities and Local Government · Written "
                        "statement to Parliament (Lords, HLWS746)\n"
                        "👤 Lord Greenhalgh, Minister of State for Building Safety and "
                        "Communities\n"
                        "🗓 1 February 2021: My Rt Hon. Friend, the Secretary of State for "
                        "the Ministry of Housing, Communities and Local Government "
                        "(Robert Jenrick) has today made the following Written "
                        "Ministerial Statement: In late 2018, the Government established "
                        "the Building Better, Building Beau\n"
                        "https://questions-statements.parliament.uk/written-statements/detail/2021-02-01/HLWS746"
                    ),
                    (
                        "📚 <b>1 older item you missed</b>\n"
                        "While I couldn't read the source, these matching items came out "
                        "more than 14 days ago:\n"
                        "• 10 January 2021 · Written statement to Parliament (Lords, "
                        "HLWS744) · <a "
                        'href="https://questions-statements.parliament.uk/written-statements/detail/'
                        '2021-01-10/HLWS744">Update '
                        "on Zimbabwe</a>"
                    ),
                ),
            ),
        ),
    ),
    StatementCase(
        "18. one alert per statement: GOV.UK's and Parliament's titles differ, a rename's old "
        "slug, both Houses; a different statement of the same department that day still comes",
        ("any",),
        "2021-01-31 12:00",
        (
            StatementStep(
                "2021-02-01 12:00",
                govuk=(
                    govuk(
                        "UK Free Trade Agreements",
                        "2021-02-01T11:00:00Z",
                        slug="department-for-international-trade",
                    ),
                ),
                expect=(
                    (
                        "🏛 <b>UK Free Trade Agreements</b>\n"
                        "Department for Business and Trade · Written statement to "
                        "Parliament\n"
                        "🗓 1 February 2021: UK Free Trade Agreements.\n"
                        "https://www.gov.uk/government/speeches/uk-free-trade-agreements"
                    ),
                ),
            ),
            StatementStep(
                "2021-02-01 18:00",
                make={1282168: {}, 1282159: {}, 1282157: {}},
                expect=(
                    (
                        "🏛 <b>UK Trade Update</b>\n"
                        "Department for Business and Trade · Written statement to "
                        "Parliament (Commons, HCWS747)\n"
                        "👤 Elizabeth Truss, Secretary of State for International Trade\n"
                        "🗓 1 February 2021: Today, the Government submitted its "
                        "notification of intent to begin the Comprehensive and "
                        "Progressive Agreement for Trans-Pacific Partnership (CPTPP) "
                        "accession process. This notification of intent comes shortly "
                        "after the UK celebrates one year since leavin\n"
                        "https://questions-statements.parliament.uk/written-statements/detail/2021-02-01/HCWS747"
                    ),
                ),
            ),
        ),
    ),
    StatementCase(
        "19. a department's follow matches its items across a rename: former slugs, former "
        "answering bodies, a body the directory has never seen by its name",
        ("DLUHC",),
        "2021-01-31 12:00",
        (
            StatementStep(
                "2021-02-01 12:00",
                govuk=(
                    govuk(
                        "Levelling up fund",
                        "2021-02-01T11:00:00Z",
                        slug="department-for-levelling-up-housing-and-communities",
                    ),
                ),
                expect=(
                    (
                        "🏛 <b>Levelling up fund</b>\n"
                        "Ministry of Housing, Communities and Local Government · Written "
                        "statement to Parliament\n"
                        "🗓 1 February 2021: Levelling up fund.\n"
                        "https://www.gov.uk/government/speeches/levelling-up-fund"
                    ),
                ),
            ),
            StatementStep(
                "2021-02-01 18:00",
                make={
                    1282167: {"answeringBodyId": 211},
                    1282163: {
                        "answeringBodyId": 990,
                        "answeringBodyName": "Department for Levelling Up, Housing and Communities",
                    },
                },
                expect=(
                    (
                        "🏛 <b>Design Update</b>\n"
                        "Ministry of Housing, Communities and Local Government · Written "
                        "statement to Parliament (Lords, HLWS746)\n"
                        "👤 Lord Greenhalgh, Minister of State for Building Safety and "
                        "Communities\n"
                        "🗓 1 February 2021: My Rt Hon. Friend, the Secretary of State for "
                        "the Ministry of Housing, Communities and Local Government "
                        "(Robert Jenrick) has today made the following Written "
                        "Ministerial Statement: In late 2018, the Government established "
                        "the Building Better, Building Beau\n"
                        "https://questions-statements.parliament.uk/written-statements/detail/2021-02-01/HLWS746"
                    ),
                    (
                        "🏛 <b>Update on Zimbabwe</b>\n"
                        "Ministry of Housing, Communities and Local Government · Written "
                        "statement to Parliament (Lords, HLWS744)\n"
                        "👤 Lord Ahmad of Wimbledon, Minister for South Asia and the "
                        "Commonwealth\n"
                        "🗓 1 February 2021: My Right Honourable Friend, the Secretary of "
                        "State for Foreign, Commonwealth and Development Affairs (Dominic "
                        "Raab), has made the following Written Ministerial Statement: On "
                        "1 February 2021, I imposed asset freezes and travel bans on four "
                        "individuals under\n"
                        "https://questions-statements.parliament.uk/written-statements/detail/2021-02-01/HLWS744"
                    ),
                ),
            ),
        ),
    ),
    StatementCase(
        "20. a correction is told as a correction when its link appears after the first read",
        ("any",),
        "2021-01-31 12:00",
        (
            StatementStep(
                "2021-02-01 12:00",
                make={
                    1282157: {"hasLinkedStatements": False},
                    1282158: {
                        "hasLinkedStatements": False,
                        "title": "Update on Zimbabwe: correction",
                    },
                },
                expect=(
                    (
                        "🏛 <b>UK Trade Update</b>\n"
                        "Department for Business and Trade · Written statement to "
                        "Parliament (Commons, HCWS747)\n"
                        "👤 Elizabeth Truss, Secretary of State for International Trade\n"
                        "🗓 1 February 2021: Today, the Government submitted its "
                        "notification of intent to begin the Comprehensive and "
                        "Progressive Agreement for Trans-Pacific Partnership (CPTPP) "
                        "accession process. This notification of intent comes shortly "
                        "after the UK celebrates one year since leavin\n"
                        "https://questions-statements.parliament.uk/written-statements/detail/2021-02-01/HCWS747"
                    ),
                    (
                        "🏛 <b>Update on Zimbabwe: correction</b>\n"
                        "Foreign, Commonwealth &amp; Development Office · Written "
                        "statement to Parliament (Commons, HCWS749)\n"
                        "👤 Dominic Raab, Secretary of State for Foreign, Commonwealth and "
                        "Development Affairs\n"
                        "🗓 1 February 2021: On 1 February 2021, I imposed asset freezes "
                        "and travel bans on four individuals under the Zimbabwe "
                        "(Sanctions) (EU Exit) Regulations 2019. The four individuals "
                        "designated were involved in brutal crackdowns by the Government "
                        "of Zimbabwe on public protests.\n"
                        "https://questions-statements.parliament.uk/written-statements/detail/2021-02-01/HCWS749"
                    ),
                ),
            ),
            StatementStep(
                "2021-02-01 13:00",
                make={
                    1282158: {
                        "hasLinkedStatements": True,
                        "title": "Update on Zimbabwe: correction",
                    }
                },
                links={1282158: LINKED},
                expect=(
                    (
                        "✏️ <b>Correction: Update on Zimbabwe: correction</b>\n"
                        "Foreign, Commonwealth &amp; Development Office · Written "
                        "statement to Parliament (Commons, HCWS749)\n"
                        "👤 Dominic Raab, Secretary of State for Foreign, Commonwealth and "
                        "Development Affairs\n"
                        "Parliament now lists this statement as a correction of an "
                        "earlier written statement.\n"
                        "🗓 1 February 2021: On 1 February 2021, I imposed asset freezes "
                        "and travel bans on four individuals under the Zimbabwe "
                        "(Sanctions) (EU Exit) Regulations 2019. The four individuals "
                        "designated were involved in brutal crackdowns by the Government "
                        "of Zimbabwe on public protests.\n"
                        "https://questions-statements.parliament.uk/written-statements/detail/2021-02-01/HCWS749"
                    ),
                ),
            ),
        ),
    ),
    StatementCase(
        "21. keywords as people mean them: plurals, accents, apostrophes, hyphens, whole words",
        ("any gang", "any café children's", "any grooming-gang"),
        "2026-01-10 09:00",
        (
            StatementStep(
                "2026-01-12 10:00",
                govuk=(
                    govuk("Gangmasters licensing", "2026-01-12T09:00:00Z"),
                    govuk("Grooming gangs: national audit", "2026-01-12T09:30:00Z"),
                    govuk("Cafe culture and childrens services", "2026-01-12T09:40:00Z"),
                ),
                expect=(
                    (
                        "🏛 <b>Grooming gangs: national audit</b>\n"
                        "Home Office · Written statement to Parliament\n"
                        "🗓 12 January 2026: Grooming gangs: national audit.\n"
                        "https://www.gov.uk/government/speeches/grooming-gangs:-national-audit"
                    ),
                    (
                        "🏛 <b>Cafe culture and childrens services</b>\n"
                        "Home Office · Written statement to Parliament\n"
                        "🗓 12 January 2026: Cafe culture and childrens services.\n"
                        "https://www.gov.uk/government/speeches/cafe-culture-and-childrens-services"
                    ),
                ),
            ),
        ),
    ),
]


STATEMENT_CASES.append(
    StatementCase(
        "22. a follow's status links each item, marks the withdrawn, and shows a statement laid "
        "in both Houses once",
        ("home-office",),
        "2021-01-31 12:00",
        (
            StatementStep(
                "2021-02-01 18:00",
                govuk=(govuk("Asylum hotels", "2021-02-01T10:00:00Z"),),
                make={1282164: {}, 1282160: {}},
                expect=(
                    (
                        "🏛 <b>Asylum hotels</b>\n"
                        "Home Office · Written statement to Parliament\n"
                        "🗓 1 February 2021: Asylum hotels.\n"
                        "https://www.gov.uk/government/speeches/asylum-hotels"
                    ),
                    (
                        "🏛 <b>Launch of the Hong Kong British National (Overseas) "
                        "route</b>\n"
                        "Home Office · Written statement to Parliament (Lords, HLWS745)\n"
                        "👤 Baroness Williams of Trafford, The Minister of State, Home "
                        "Office\n"
                        "🗓 1 February 2021: My rt hon Friend the Secretary of State for "
                        "the Home Department (Priti Patel) has today made the following "
                        "Written Ministerial Statement: I am pleased to confirm that the "
                        "Government has launched the Hong Kong British National "
                        "(Overseas) (BN(O)) route on 31\n"
                        "https://questions-statements.parliament.uk/written-statements/detail/2021-02-01/HLWS745"
                    ),
                ),
            ),
            StatementStep(
                "2021-02-01 19:00",
                govuk=(govuk("Asylum hotels", "2021-02-01T10:00:00Z", is_withdrawn=True),),
                expect=(
                    (
                        "🗑 <b>Withdrawn: Asylum hotels</b>\n"
                        "Home Office · Written statement to Parliament\n"
                        "The government has withdrawn this item; it stays on record as "
                        "withdrawn.\n"
                        "🗓 1 February 2021: Asylum hotels.\n"
                        "https://www.gov.uk/government/speeches/asylum-hotels"
                    ),
                ),
            ),
        ),
        card=(
            "🏛 <b>Home Office statements</b>\n"
            "From GOV.UK and Parliament's written statements. The latest:\n"
            "• 1 February 2021 · Written statement to Parliament · "
            '<a href="https://www.gov.uk/government/speeches/asylum-hotels">Asylum hotels</a> '
            "(withdrawn)\n"
            "• 1 February 2021 · Written statement to Parliament (Lords, HLWS745) · "
            '<a href="https://questions-statements.parliament.uk/written-statements/detail/'
            '2021-02-01/HLWS745">Launch of the Hong Kong British National (Overseas) route</a>'
        ),
    )
)


async def replay_statements(case: StatementCase, folder: Path) -> list[tuple[str, list[str]]]:
    directory = Directory()
    search, parliament = ReplayGovuk(), ReplayParliament(DAY)
    search.results = list(case.govuk)
    sources = (
        GovukStatementsSource(search, directory),  # type: ignore[arg-type]
        WrittenStatementsSource(parliament, directory),  # type: ignore[arg-type]
    )
    run = Replay(folder)
    start = at(case.start)
    try:
        for typed in case.follows:
            await run.follow(CHAT, f"statements:{read_query(typed, directory).ident}", None)
        for source in sources:
            await run.cycle(source, start)  # each source's silent first look
        got = []
        for step in case.steps:
            if step.govuk is not None:
                search.results = list(step.govuk)
            for statement_id, changes in step.make.items():
                parliament.make(statement_id, **changes)
            parliament.links.update(step.links)
            parliament.failing = step.parliament_down
            now, messages = at(step.when), []
            for source in sources:
                # A source that can't be read: the poller logs it and tries again next cycle.
                with contextlib.suppress(UpstreamError):
                    messages += (await run.cycle(source, now)).get(CHAT, [])
            for message in messages:
                assert telegram_html_text(message) is not None, message
            got.append((step.when, bodies({CHAT: messages}, CHAT)))
        if case.card:
            target = f"statements:{read_query(case.follows[0], directory).ident}"
            query = StatementQuery.from_ident(target.partition(":")[2])
            state = await run.store.target_state(target) or {}
            assert render_card(query, recent_items(state), directory, LONDON) == case.card
        return got
    finally:
        run.close()


@pytest.mark.parametrize("case", STATEMENT_CASES, ids=lambda case: case.point[:60])
async def test_replay_statements(case: StatementCase, tmp_path: Path) -> None:
    got = await replay_statements(case, tmp_path)
    assert [(step.when, list(step.expect)) for step in case.steps] == got
