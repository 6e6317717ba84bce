"""A petition's chart: a real PNG of the right size, and a caption whose figures come from the
history it is drawn from."""

from __future__ import annotations

import struct
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from bot.sources.base import Chart
from bot.sources.petitions.chart import NOT_ENOUGH, axis_date_label, render_chart
from tests.samples import CAPTURED, OPEN_DEBATED, OPEN_WITH_RESPONSE, snapshot

LONDON = ZoneInfo("Europe/London")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def png_size(png: bytes) -> tuple[int, int]:
    assert png[:8] == PNG_SIGNATURE
    assert png[12:16] == b"IHDR"
    return struct.unpack(">II", png[16:24])


def hourly(count: int, per_hour: int, hours: int) -> list[tuple[int, int]]:
    return [
        (int((CAPTURED - timedelta(hours=back)).timestamp()), count - per_hour * back)
        for back in range(hours, 0, -1)
    ]


def test_the_chart_is_a_png_with_the_pace_and_the_next_threshold_in_its_caption():
    petition = snapshot(OPEN_WITH_RESPONSE)  # 12,123 signatures, responded
    chart = render_chart(petition, hourly(12_123, 100, 30), CAPTURED, LONDON)
    assert isinstance(chart, Chart)
    assert png_size(chart.png) == (800, 450)
    # 100 an hour is 2,400 a day: 87,877 to go takes 36.6 days from 3 January at noon.
    assert chart.caption == (
        "📈 <b>Increase funding for schools to ensure that they do not enter deficit</b>\n"
        "12,123 signatures · petition 627130\n"
        "+100 an hour over the last hour, +100 an hour over the last day\n"
        "At this pace, 100,000 by 9 February 2023"
    )


def test_a_year_of_history_with_both_thresholds_passed_has_no_eta():
    petition = snapshot(OPEN_DEBATED)  # 167,481 signatures, debated in November 2022
    year = [
        (int((CAPTURED - timedelta(hours=back)).timestamp()), 167_481 - 19 * back)
        for back in range(365 * 24, 0, -1)
    ]
    chart = render_chart(petition, year, CAPTURED, LONDON)
    assert isinstance(chart, Chart)
    assert png_size(chart.png) == (800, 450)
    assert chart.caption.splitlines()[2:] == [
        "+19 an hour over the last hour, +19 an hour over the last day"
    ]


def test_a_flat_petition_gets_a_chart_but_no_date():
    petition = snapshot(OPEN_WITH_RESPONSE)
    chart = render_chart(petition, hourly(12_123, 0, 30), CAPTURED, LONDON)
    assert isinstance(chart, Chart)
    assert chart.caption.splitlines()[2:] == [
        "+0 an hour over the last hour, +0 an hour over the last day"
    ]


def test_less_than_an_hour_of_history_is_not_enough():
    petition = snapshot(OPEN_WITH_RESPONSE)
    recent = [(int((CAPTURED - timedelta(minutes=back)).timestamp()), 12_000) for back in (50, 1)]
    assert render_chart(petition, recent, CAPTURED, LONDON) == NOT_ENOUGH
    assert render_chart(petition, [], CAPTURED, LONDON) == NOT_ENOUGH
    assert NOT_ENOUGH == "📈 Not enough history yet: try again in an hour."


def test_a_title_with_markup_and_dollars_is_drawn_and_escaped():
    petition = replace(snapshot(OPEN_WITH_RESPONSE), title="Cut <b>fees</b> from $5 to $1 & more")
    chart = render_chart(petition, hourly(12_123, 10, 3), CAPTURED, LONDON)
    assert isinstance(chart, Chart)
    assert png_size(chart.png) == (800, 450)
    assert chart.caption.startswith(
        "📈 <b>Cut &lt;b&gt;fees&lt;/b&gt; from $5 to $1 &amp; more</b>\n"
    )


def test_the_date_axis_writes_dates_as_the_messages_do():
    weeks = axis_date_label(datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC))
    assert weeks(datetime(2026, 12, 4, 9, tzinfo=UTC)) == "4 Dec"
    years = axis_date_label(datetime(2025, 11, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC))
    assert years(datetime(2026, 1, 5, tzinfo=UTC)) == "5 Jan 2026"
    hours = axis_date_label(datetime(2026, 12, 3, tzinfo=UTC), datetime(2026, 12, 4, tzinfo=UTC))
    assert hours(datetime(2026, 12, 3, 14, 0, tzinfo=UTC)) == "3 Dec 14:00"
