"""A petition's signatures over time as a PNG, and the caption that goes with it.

Pure (no I/O beyond the bytes it returns) and CPU-bound: the caller runs it in a thread.
matplotlib draws on its Agg canvas, without pyplot, so no display and no global figure state:
two charts drawn at once in two threads don't meet. The chart shows the count from the bot's own
history (bot.storage.history), lines at the response and debate thresholds, and marks where the
response and the debate happened; the caption gives the pace over the last hour and day, and when
the next threshold comes at that pace.
"""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, time, timedelta, tzinfo

from bot.sources.base import Chart
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.petitions.render import next_threshold_at
from bot.sources.petitions.trend import HOUR, Pace, pace
from bot.sources.text import format_change, format_count, format_date, quote

NOT_ENOUGH = "📈 Not enough history yet: try again in an hour."
SIZE_INCHES, DPI = (8.0, 4.5), 100  # 800 by 450 pixels: sharp in Telegram, small to send
HEADROOM = 1.08


def render_chart(
    petition: PetitionSnapshot, samples: list[tuple[int, int]], now: datetime, zone: tzinfo
) -> Chart | str:
    """The chart of `samples` ((Unix seconds, count), oldest first), or NOT_ENOUGH when they span
    less than an hour."""
    if not samples or int(now.timestamp()) - samples[0][0] < HOUR:
        return NOT_ENOUGH
    recent = pace([list(s) for s in samples], now, petition.signature_count)
    return Chart(_draw(petition, samples, now, zone), chart_caption(petition, recent, now, zone))


def chart_caption(petition: PetitionSnapshot, recent: Pace, now: datetime, zone: tzinfo) -> str:
    lines = [
        f"📈 <b>{quote(petition.title, 200)}</b>",
        f"{format_count(petition.signature_count)} signatures · petition {petition.id}",
    ]
    rates = []
    if recent.last_hour is not None:
        rates.append(f"{format_change(recent.last_hour)} an hour over the last hour")
    if recent.last_day is not None:
        rates.append(f"{format_change(round(recent.last_day / 24))} an hour over the last day")
    if rates:
        lines.append(", ".join(rates))
    reach = next_threshold_at(petition, recent, now) if petition.state == "open" else None
    if reach is not None:
        lines.append(f"At this pace, {format_count(reach[0])} by {format_date(reach[1], zone)}")
    return "\n".join(lines)


def _draw(
    petition: PetitionSnapshot, samples: list[tuple[int, int]], now: datetime, zone: tzinfo
) -> bytes:
    # Imported here: matplotlib takes a good half second to import, paid by the first chart.
    from matplotlib import dates, ticker
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    moments = [datetime.fromtimestamp(at, UTC).astimezone(zone) for at, _ in samples]
    counts = [count for _, count in samples]
    moments.append(now.astimezone(zone))
    counts.append(petition.signature_count)
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.plot(moments, counts, color="#1f5fa8", linewidth=2, drawstyle="steps-post")
    top = max(counts)
    upcoming = [t for t in (petition.response_threshold, petition.debate_threshold) if t > top]
    ceiling = max(top, upcoming[0] if upcoming else top, 1) * HEADROOM
    for threshold, label in (
        (petition.response_threshold, "government response"),
        (petition.debate_threshold, "debate considered"),
    ):
        if threshold <= ceiling:
            axes.axhline(threshold, color="#c0392b", linestyle="--", linewidth=1)
            axes.annotate(
                f"{format_count(threshold)}: {label}",
                (moments[0], threshold),
                xytext=(4, 3),
                textcoords="offset points",
                fontsize=9,
                color="#c0392b",
            )
    for moment, label in _marks(petition, zone):
        if moments[0] <= moment <= moments[-1]:
            axes.axvline(moment, color="#27ae60", linewidth=1)
            axes.annotate(
                label,
                (moment, ceiling),
                xytext=(3, -12),
                textcoords="offset points",
                fontsize=9,
                color="#27ae60",
            )
    axes.set_ylim(0, ceiling)
    axes.set_xlim(moments[0], moments[-1])
    axes.yaxis.set_major_formatter(ticker.FuncFormatter(lambda value, _: f"{value:,.0f}"))
    axes.xaxis.set_major_locator(dates.AutoDateLocator(tz=zone, maxticks=8))
    label = axis_date_label(moments[0], moments[-1])
    axes.xaxis.set_major_formatter(
        ticker.FuncFormatter(lambda value, _: label(dates.num2date(value, tz=zone)))
    )
    axes.set_ylabel("signatures")
    axes.set_title(_plain(petition.title), fontsize=11, loc="left")
    axes.grid(alpha=0.3)
    output = io.BytesIO()
    figure.savefig(output, format="png")
    return output.getvalue()


def axis_date_label(first: datetime, last: datetime) -> Callable[[datetime], str]:
    """How the date axis names a moment: day and month as the messages write them ("4 Dec"),
    with the year when the chart spans two, or the time when it spans a day or two."""
    if last - first < timedelta(days=2):
        return lambda moment: f"{moment.day} {moment:%b %H:%M}"
    if first.year != last.year:
        return lambda moment: f"{moment.day} {moment:%b %Y}"
    return lambda moment: f"{moment.day} {moment:%b}"


def _plain(title: str) -> str:
    """The title as matplotlib draws it: clipped, and a `$` kept from starting mathematics."""
    clipped = title if len(title) <= 90 else title[:89] + "…"
    return clipped.replace("$", r"\$")


def _marks(petition: PetitionSnapshot, zone: tzinfo) -> list[tuple[datetime, str]]:
    """Where the government responded and where the debate was held."""
    marks = []
    if petition.government_response_at is not None:
        marks.append((petition.government_response_at.astimezone(zone), "response"))
    if petition.debate is not None and petition.debate.debated_on is not None:
        held = datetime.combine(petition.debate.debated_on, time(12), tzinfo=zone)
        marks.append((held, "debate"))
    return marks
