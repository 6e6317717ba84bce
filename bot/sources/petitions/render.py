"""Petition messages: alerts for each event and the status card, as Telegram HTML.

Pure: no I/O. Every piece of upstream text passes through `quote` (HTML-escaped, clipped), and
the clip budgets keep any message well under Telegram's 4,096 characters. The response deadline
is London's: the day the threshold was reached, the day the response is due by and the day it
came are London dates, and the days between them are counted on that calendar (deadline.py), so
a message's numbers agree with its dates. Other instants (a closing, a removal, the pace's date)
are told on the chat's zone's calendar; days the site gives as days (a debate, a closing date)
are the same everywhere. Debate news is worded by debating.py, the same for every kind.
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, tzinfo

from bot.preferences import MILESTONES
from bot.sources.petitions.deadline import (
    RESPONSE_WITHIN_DAYS,
    days_between,
    days_late_at,
    due_day,
    election_words,
    lateness,
    london_day,
)
from bot.sources.petitions.debating import (
    petition_line,
    render_debate_links,
    render_held,
    render_links_added,
    render_not_debated,
    render_sitting_news,
    when,
)
from bot.sources.petitions.detect import (
    EventKind,
    PetitionEvent,
    ResponseEdit,
    next_count_step,
    response_due_on,
)
from bot.sources.petitions.dissolutions import KNOWN, Dissolution, period_words, spanning
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.petitions.trend import Pace, eta
from bot.sources.text import LONDON, days, format_change, format_count, format_date, quote

PUBLIC_SITE = "https://petition.parliament.uk"
MESSAGE_LIMIT = 4096
# Every rejection code the site has, in words. The ten it seeds come with its own descriptions
# (db/migrate/20200211022417_create_rejection_reasons.rb), shortened where they address the
# creator; the codes its locale lists beyond those (config/locales/rejections.en-GB.yml) are
# admin-written on the site, so their words here follow the locale's names.
_REJECTION_REASONS = {
    "duplicate": "There's already a petition about this issue.",
    "irrelevant": "It's about something the UK Government or Parliament is not responsible for.",
    "no-action": "It's not clear what the petition asks the UK Government or Parliament to do.",
    "honours": "It's about honours or appointments.",
    "fake-name": "It was created using a fake or incomplete name.",
    "foi": "It's a Freedom of Information request.",
    "libellous": "It included confidential, libellous, false or defamatory information, or a "
    "reference to a case which is active in the UK courts.",
    "offensive": "It's offensive, extreme or a joke.",
    "advert": "It's an advert, or promotes a particular business or product.",
    "removed": "Its creator asked for it not to be published.",
    "already-happening": "The UK Government or Parliament is already doing what it asks.",
    "no-reply": "Its creator didn't reply when the petitions committee asked about it.",
    "individual": "It's about one person's case, which the petitions site can't take up.",
    "personal": "It included personal information, or is about a personal matter.",
    "fraudulent": "It was created fraudulently.",
    "operational": "It's about an operational decision for a public body, not one for the "
    "UK Government or Parliament.",
    "local": "It's about a local matter, for a local council or another local body.",
    "joke": "It's a joke.",
}


def petition_url(snapshot: PetitionSnapshot) -> str:
    prefix = "/archived" if snapshot.archived else ""
    return f"{PUBLIC_SITE}{prefix}/petitions/{snapshot.id}"


def rejection_reason(code: str | None) -> str:
    if code is None:
        return "The petitions committee gave no reason."
    known = _REJECTION_REASONS.get(code)
    if known is not None:
        return known
    # A code the site added since: its name, in words.
    return f"The petitions committee's reason: “{code.replace('-', ' ').capitalize()}”."


def answered_on(snapshot: PetitionSnapshot) -> date | None:
    """The day the response is dated: the site's `responded_on`, else the London day it came."""
    response = snapshot.response
    if response is not None and response.responded_on is not None:
        return response.responded_on
    given = snapshot.government_response_at
    return london_day(given) if given else None


def response_lateness(
    snapshot: PetitionSnapshot, dissolutions: Sequence[Dissolution] = KNOWN
) -> str:
    """How long the response took after the threshold, and how late that was, if known."""
    clock, day = snapshot.response_clock_at, answered_on(snapshot)
    if clock is None or day is None or day < london_day(clock):
        return ""
    given = snapshot.government_response_at or datetime.combine(day, time(12), tzinfo=LONDON)
    return lateness(clock, day, given, dissolutions)


def response_status(
    snapshot: PetitionSnapshot, now: datetime, dissolutions: Sequence[Dissolution] = KNOWN
) -> str:
    """One line on the government response: not due, awaiting (and how late), or given. Its
    days are London's: they are counted between the dates it shows."""
    if snapshot.response is not None:
        day = answered_on(snapshot)
        line = f"responded on {format_date(day)}" if day else "responded"
        lateness_words = response_lateness(snapshot, dissolutions)
        return f"{line} ({lateness_words})" if lateness_words else line
    clock = snapshot.response_clock_at
    if clock is not None and snapshot.state != "rejected":
        since, due = format_date(london_day(clock)), due_day(clock)
        late = days_between(due, london_day(now))
        if late <= 0:
            return f"awaiting a response since {since}, due by {format_date(due)}"
        words = (
            f"awaiting a response since {since}: {days(late)} overdue (due by {format_date(due)})"
        )
        election = spanning(clock, now, dissolutions)
        return f"{words}; {election_words(election)}" if election else words
    if snapshot.state == "open":
        return f"due once it reaches {format_count(snapshot.response_threshold)} signatures"
    return "none"


def debate_status(snapshot: PetitionSnapshot, now: datetime) -> str:
    debate = snapshot.debate
    if debate is not None and debate.debated_on is not None:
        return f"debated on {format_date(debate.debated_on)}"
    if snapshot.debate_outcome_at is not None:
        return "the Petitions Committee decided not to debate it"
    sitting = snapshot.sitting
    if sitting is not None and not sitting.cancelled:
        if sitting.day >= london_day(now):
            return f"scheduled for {when(sitting)}"
        return f"was scheduled for {format_date(sitting.day)}; the outcome is not recorded yet"
    if snapshot.debate_threshold_reached_at is not None:
        return "awaiting the Petitions Committee's decision on a debate"
    return f"considered at {format_count(snapshot.debate_threshold)} signatures"


def render_card(
    snapshot: PetitionSnapshot,
    now: datetime,
    pace: Pace | None = None,
    zone: tzinfo = LONDON,
    dissolutions: Sequence[Dissolution] = KNOWN,
    checked: bool = True,
) -> str:
    """The status card: title, state, count, progress and pace, response, debate (with its
    links once held), closing date, link, and when it was `checked` (a card sent to be
    forwarded leaves that out). `pace` (from the bot's own history) is left out when None;
    instants' dates are on `zone`'s calendar, the response deadline's days on London's."""
    lines = [
        f"📜 <b>{quote(snapshot.title, 300)}</b>",
        f"Petition {snapshot.id} · {_state_label(snapshot, zone)}",
        f"✍️ <b>{format_count(snapshot.signature_count)}</b> signatures",
    ]
    progress = _progress(snapshot)
    if progress:
        lines.append(progress)
    if pace is not None and snapshot.state == "open" and not snapshot.removed:
        lines.append(_pace(snapshot, pace, now, zone))
    lines.append(f"📝 Government response: {response_status(snapshot, now, dissolutions)}")
    if snapshot.response is not None and snapshot.response.summary:
        lines.append(f"<blockquote>{quote(snapshot.response.summary, 600)}</blockquote>")
    lines.append(f"🗣 Debate: {debate_status(snapshot, now)}")
    if snapshot.debate is not None and snapshot.debate.links():
        lines.append(render_debate_links(snapshot.debate.links()))
    if snapshot.state == "rejected":
        lines.append(f"🚫 {html.escape(rejection_reason(snapshot.rejection_code))}")
        if snapshot.rejection_details:
            lines.append(quote(snapshot.rejection_details, 800))
    lines.append(petition_url(snapshot))
    if checked:
        lines.append(f"🕑 Checked {_ago(now - snapshot.observed_at)}")
    return "\n".join(lines)


def _pace(snapshot: PetitionSnapshot, pace: Pace, now: datetime, zone: tzinfo) -> str:
    if pace.last_hour is None:
        return "📊 Pace: not enough history yet; ask again in an hour"
    parts = [f"{format_change(pace.last_hour)} in the last hour"]
    if pace.last_day is not None:
        parts.append(f"{format_change(pace.last_day)} in the last day")
    reach = next_threshold_at(snapshot, pace, now)
    if reach is not None:
        parts.append(f"at this pace {format_count(reach[0])} by {format_date(reach[1], zone)}")
    return "📊 " + " · ".join(parts)


def next_threshold_at(
    snapshot: PetitionSnapshot, pace: Pace, now: datetime
) -> tuple[int, datetime] | None:
    """The next threshold (response, then debate) and when the pace reaches it, if it does."""
    count = snapshot.signature_count
    upcoming = [t for t in (snapshot.response_threshold, snapshot.debate_threshold) if t > count]
    when_reached = eta(count, upcoming[0], pace.per_day(), now) if upcoming else None
    return (upcoming[0], when_reached) if when_reached is not None else None


def render_surge(snapshot: PetitionSnapshot, pace: Pace, times: float) -> str:
    """The surge alert: signing many times faster than over the day."""
    hourly = (pace.last_day or 0) / 24
    body = (
        f"🚀 <b>Signing \u00d7{times:.0f} faster</b> than its 24-hour average: {_title(snapshot)}\n"
        f"+{format_count(pace.last_hour or 0)} in the last hour, against about "
        f"{format_count(round(hourly))} an hour over the day. It now has "
        f"{format_count(snapshot.signature_count)}."
    )
    return f"{body}\n\n{footer(snapshot)}"


def _ago(elapsed: timedelta) -> str:
    minutes = int(elapsed.total_seconds() // 60)
    if minutes < 1:
        return "just now"
    if minutes < 60:
        return f"{minutes} min ago"
    if minutes < 48 * 60:
        return f"{minutes // 60} h ago"
    return f"{minutes // (24 * 60)} days ago"


def render_event(event: PetitionEvent, zone: tzinfo = LONDON) -> str:
    """The alert for one event, ending with the link and the way to stop; an instant's date on
    `zone`'s calendar, a deadline's days on London's."""
    body = _EVENT_RENDERERS[event.kind](event, zone)
    return f"{body}\n\n{footer(event.petition)}"


def footer(petition: PetitionSnapshot) -> str:
    return f"{petition_url(petition)}\n<i>Stop these alerts: /unfollow {petition.id}</i>"


def _title(snapshot: PetitionSnapshot) -> str:
    return f"“{quote(snapshot.title, 300)}”"


def _line(snapshot: PetitionSnapshot) -> str:
    return petition_line(snapshot.title, snapshot.id, snapshot.signature_count)


def _state_label(snapshot: PetitionSnapshot, zone: tzinfo) -> str:
    if snapshot.removed:
        return "Removed"
    if snapshot.state == "open":
        closes = f" · closes {format_date(snapshot.closing_date)}" if snapshot.closing_date else ""
        return f"Open{closes}"
    if snapshot.state == "closed":
        archived = " (archived)" if snapshot.archived else ""
        closed = f" on {format_date(snapshot.closed_at, zone)}" if snapshot.closed_at else ""
        why = " when Parliament was dissolved" if snapshot.dissolved_at else ""
        return f"Closed{closed}{why}{archived}"
    if snapshot.state == "rejected":
        return "Rejected"
    return quote(snapshot.state.capitalize(), 40)


def _progress(snapshot: PetitionSnapshot) -> str:
    if snapshot.state != "open":
        return ""
    count = snapshot.signature_count
    for threshold, meaning in (
        (snapshot.response_threshold, "the government must respond"),
        (snapshot.debate_threshold, "Parliament considers a debate"),
    ):
        if count < threshold:
            filled = min(10, count * 10 // threshold)
            bar = "▰" * filled + "▱" * (10 - filled)
            share = count * 100 // threshold
            return (
                f"{bar} {share}% of {format_count(threshold)}: "
                f"{format_count(threshold - count)} to go until {meaning}"
            )
    return "Past both thresholds"


def _milestone(event: PetitionEvent, zone: tzinfo) -> str:
    petition, step = event.petition, event.detail
    upcoming = next_count_step(step.granularity, petition.signature_count)
    what = "milestone" if step.granularity == MILESTONES else "step"
    next_step = f" Next {what}: {format_count(upcoming)}." if upcoming else ""
    return (
        f"📈 <b>{format_count(step.value)} signatures</b> for {_title(petition)}\n"
        f"It now has {format_count(petition.signature_count)}.{next_step}"
    )


def _response_threshold(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    due = response_due_on(petition)
    due_text = f", by {format_date(due)}" if due else ""
    return (
        f"🎯 <b>{format_count(petition.response_threshold)} signatures: the government must "
        f"respond</b>\n{_title(petition)} now has {format_count(petition.signature_count)} "
        f"signatures. The government has agreed to respond within {RESPONSE_WITHIN_DAYS} "
        f"days{due_text}. I'll tell you when it does, and if it is late."
    )


def _debate_threshold(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    sitting = petition.sitting
    if sitting is not None and not sitting.cancelled:
        then = f"A debate is already scheduled, for {when(sitting)}."
    else:
        then = "The Petitions Committee will now decide whether to schedule a debate."
    return (
        f"🗣 <b>{format_count(petition.debate_threshold)} signatures: Parliament will consider a "
        f"debate</b>\n{_title(petition)} now has {format_count(petition.signature_count)} "
        f"signatures. {then}"
    )


def _response_published(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    response = petition.response
    assert response is not None
    lines = [f"📝 <b>The government has responded</b> to {_title(petition)}"]
    election = (event.detail,) if event.detail else ()
    status = response_status(petition, petition.observed_at, (*KNOWN, *election))
    lines.append(status[0].upper() + status[1:] + ".")
    if response.summary:
        lines.append(f"<blockquote>{quote(response.summary, 600)}</blockquote>")
    return "\n".join(lines)


def _response_edited(event: PetitionEvent, zone: tzinfo) -> str:
    petition, edit = event.petition, event.detail
    response = petition.response
    assert response is not None and isinstance(edit, ResponseEdit)
    parts = " and ".join("the summary" if p == "summary" else "the full text" for p in edit.parts)
    lines = [f"✏️ <b>The government response was edited</b> for {_title(petition)}"]
    lines.append(f"Changed: {parts}.")
    if "summary" in edit.parts and response.summary:
        lines.append(
            f"The summary now reads: <blockquote>{quote(response.summary, 600)}</blockquote>"
        )
    if edit.added:
        shown = " … ".join(edit.added[:2])
        more = f" (and {len(edit.added) - 2} more sentences)" if len(edit.added) > 2 else ""
        lines.append(f"New in the full text{more}: “{quote(shown, 400)}”")
    elif edit.removed_only:
        lines.append("A passage was taken out of the full text.")
    return "\n".join(lines)


def _response_overdue(event: PetitionEvent, zone: tzinfo) -> str:
    petition, overdue = event.petition, event.detail
    clock, due = petition.response_clock_at, response_due_on(petition)
    assert clock is not None and due is not None
    reached_text = (
        f"{_title(petition)} reached {format_count(petition.response_threshold)} signatures on "
        f"{format_date(london_day(clock))}. The government agreed to respond within "
        f"{RESPONSE_WITHIN_DAYS} days, by {format_date(due)}"
    )
    election = f"\n{election_words(overdue.election).capitalize()}." if overdue.election else ""
    if overdue.reminder == 0:
        return f"⏰ <b>Government response overdue</b>\n{reached_text}, and has not.{election}"
    late = days(days_late_at(due, overdue.reminder))
    return f"⏰ <b>Still no government response: {late} overdue</b>\n{reached_text}.{election}"


def _debate_scheduling(event: PetitionEvent, zone: tzinfo) -> str:
    news = event.detail.news
    return render_sitting_news(news, _line(event.petition), event.petition.sitting,
                               event.previous.sitting)  # fmt: skip


def _debate_held(event: PetitionEvent, zone: tzinfo) -> str:
    debate = event.petition.debate
    assert debate is not None and debate.debated_on is not None
    return render_held(_line(event.petition), debate.debated_on, debate.overview, debate.links())


def _not_debated(event: PetitionEvent, zone: tzinfo) -> str:
    debate = event.petition.debate
    return render_not_debated(_line(event.petition), debate.overview if debate else "")


def _debate_links_added(event: PetitionEvent, zone: tzinfo) -> str:
    debate = event.petition.debate
    assert debate is not None
    added = {name: url for name, url in debate.links().items() if name in event.detail}
    return render_links_added(_line(event.petition), added)


def _other_business(event: PetitionEvent, zone: tzinfo) -> str:
    item = event.detail
    lines = [
        f"📣 <b>{quote(item.subject or 'Parliamentary business', 200)}</b>",
        f"News from Parliament about {_title(event.petition)}:",
    ]
    if item.body:
        lines.append(quote(item.body, 1500))
    return "\n".join(lines)


def _closing_soon(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    assert petition.closing_date is not None
    return (
        f"⌛ <b>Closing soon</b>\n{_title(petition)} closes at the end of "
        f"{format_date(petition.closing_date)}, with {format_count(petition.signature_count)} "
        "signatures so far."
    )


def _closed(event: PetitionEvent, zone: tzinfo) -> str:
    petition, dissolution = event.petition, event.detail
    status = f"Government response: {response_status(petition, petition.observed_at)}."
    if dissolution is None:
        ended = petition.closed_at
        when_closed = f" at the end of {format_date(ended)}" if ended else ""  # London's day
        return (
            f"🔒 <b>Petition closed</b>\n{_title(petition)} closed{when_closed} with "
            f"{format_count(petition.signature_count)} signatures. {status}"
        )
    return (
        f"🔒 <b>Petition closed: Parliament was dissolved</b>\n{_title(petition)} closed with "
        f"{format_count(petition.signature_count)} signatures on "
        f"{format_date(dissolution.day)}, when Parliament was dissolved for a general election: "
        f"every open petition closed then. {status}"
    )


def dissolution_bundle_text(dissolution: Dissolution) -> tuple[str, str, str]:
    """The title, head and foot of the one message a chat gets for the petitions it follows
    that a dissolution closed."""
    title = f"Parliament dissolved on {format_date(dissolution.day)}"
    head = (
        f"🗳 <b>Parliament was dissolved</b> on {format_date(dissolution.day)} for a general "
        "election, and every open petition closed then. These petitions this chat follows closed:"
    )
    foot = (
        "A government response or a debate can still come after the election: I'll keep "
        "watching them. /list shows them all."
    )
    if dissolution.met is not None:
        foot = f"{period_words(dissolution)}. {foot}"
    return title, head, foot


def dissolution_bundle_line(petition: PetitionSnapshot) -> str:
    line = f"• {_title(petition)} (petition {petition.id}): " + (
        f"{format_count(petition.signature_count)} signatures"
    )
    if petition.response_clock_at is None and petition.response is None:
        return line
    return f"{line}; government response: {response_status(petition, petition.observed_at)}"


def _closing_date_changed(event: PetitionEvent, zone: tzinfo) -> str:
    petition, previous = event.petition, event.previous
    assert petition.closing_date and previous.closing_date
    return (
        f"📅 <b>Closing date changed</b>\n{_title(petition)} now closes at the end of "
        f"{format_date(petition.closing_date)} (it was {format_date(previous.closing_date)})."
    )


def _rejected(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    lines = [
        f"🚫 <b>Petition rejected</b>\n{_title(petition)} was rejected by the petitions committee.",
        f"Reason: {html.escape(rejection_reason(petition.rejection_code))}",
    ]
    if petition.rejection_details:
        lines.append(quote(petition.rejection_details, 1200))
    return "\n".join(lines)


def _removed(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    since = petition.missing_since or petition.observed_at
    when_gone = f"{format_date(since, zone)} at {since.astimezone(zone):%H:%M}"
    if event.detail == "gone":
        what = (
            f"🗑 <b>Petition taken down</b>\n{_title(petition)} has been taken down: the "
            f"petitions site has said it is gone since {when_gone}."
        )
    else:
        what = (
            f"🗑 <b>Petition no longer on the site</b>\n{_title(petition)} is no longer on the "
            f"petitions site: it has answered “not found” since {when_gone}."
        )
    return f"{what} I'll keep checking, and tell you if it comes back."


def _restored(event: PetitionEvent, zone: tzinfo) -> str:
    return (
        f"♻️ <b>Petition back</b>\n{_title(event.petition)} is on the petitions site again, "
        f"with {format_count(event.petition.signature_count)} signatures."
    )


def _archived(event: PetitionEvent, zone: tzinfo) -> str:
    return (
        f"🗄 <b>Moved to the archive</b>\n{_title(event.petition)} now belongs to a previous "
        "Parliament. I'll keep watching it there: a response or a debate can still come."
    )


_EVENT_RENDERERS = {
    EventKind.MILESTONE: _milestone,
    EventKind.RESPONSE_THRESHOLD: _response_threshold,
    EventKind.DEBATE_THRESHOLD: _debate_threshold,
    EventKind.RESPONSE_PUBLISHED: _response_published,
    EventKind.RESPONSE_EDITED: _response_edited,
    EventKind.RESPONSE_OVERDUE: _response_overdue,
    EventKind.DEBATE_SCHEDULING: _debate_scheduling,
    EventKind.DEBATE_REMINDER: _debate_scheduling,
    EventKind.DEBATE_HELD: _debate_held,
    EventKind.NOT_DEBATED: _not_debated,
    EventKind.DEBATE_LINKS: _debate_links_added,
    EventKind.OTHER_BUSINESS: _other_business,
    EventKind.CLOSING_SOON: _closing_soon,
    EventKind.CLOSED: _closed,
    EventKind.CLOSING_DATE_CHANGED: _closing_date_changed,
    EventKind.REJECTED: _rejected,
    EventKind.REMOVED: _removed,
    EventKind.RESTORED: _restored,
    EventKind.ARCHIVED: _archived,
}
