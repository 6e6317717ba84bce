"""Petition messages: alerts for each event and the status card, as Telegram HTML.

Pure: no I/O. Every piece of upstream text passes through `quote` (HTML-escaped, clipped), and
the clip budgets keep any message well under Telegram's 4,096 characters. Instants (a threshold
reached, a deadline, a closing, the pace's date) are told on the chat's zone's calendar, London's
by default; days the site gives as days (a debate, a closing date) are the same everywhere.
"""

from __future__ import annotations

import html
from datetime import datetime, timedelta, tzinfo

from bot.preferences import MILESTONES
from bot.sources.petitions.detect import (
    RESPONSE_DUE_AFTER,
    EventKind,
    PetitionEvent,
    next_count_step,
    response_due_at,
)
from bot.sources.petitions.model import PetitionSnapshot
from bot.sources.petitions.trend import Pace, eta
from bot.sources.text import LONDON, format_change, format_count, format_date, quote

PUBLIC_SITE = "https://petition.parliament.uk"
MESSAGE_LIMIT = 4096
_LINK_LABELS = {
    "transcript_url": "Transcript",
    "video_url": "Video",
    "debate_pack_url": "Debate pack",
    "public_engagement_url": "Public engagement",
    "debate_summary_url": "Debate summary",
}
# The site's own wording (config/locales/rejections.en-GB.yml), shortened where it addresses
# the petition's creator.
_REJECTION_REASONS = {
    "duplicate": "There's already a petition about this issue.",
    "irrelevant": "It's about something the UK Government or Parliament is not responsible for.",
    "no-action": "It's not clear what the petition asks the UK Government or Parliament to do.",
    "honours": "It's about honours or appointments.",
    "fake-name": "It was created using a fake or incomplete name.",
    "foi": "It's a Freedom of Information request.",
    "libellous": "It included confidential, libellous, false or defamatory information, or a "
    "reference to a case which is active in the UK courts.",
    "offensive": "It's offensive, nonsense, a joke, or an advert.",
    "already-happening": "The Government or Parliament is already doing what it asks.",
}


def petition_url(snapshot: PetitionSnapshot) -> str:
    prefix = "/archived" if snapshot.archived else ""
    return f"{PUBLIC_SITE}{prefix}/petitions/{snapshot.id}"


def rejection_reason(code: str | None) -> str:
    if code is None:
        return "The petitions committee gave no reason code."
    return _REJECTION_REASONS.get(code, f"Rejected under the “{code}” rule.")


def response_lateness(snapshot: PetitionSnapshot) -> str:
    """How long the response took after the threshold, and how late that was, if known."""
    reached, responded = snapshot.response_threshold_reached_at, snapshot.government_response_at
    if reached is None or responded is None or responded < reached:
        return ""
    days = (responded - reached).days
    allowed = RESPONSE_DUE_AFTER.days
    if days > allowed:
        return f"{_days(days)} after the threshold: {_days(days - allowed)} late"
    return f"{_days(days)} after the threshold, within the {allowed} days promised"


def response_status(snapshot: PetitionSnapshot, now: datetime, zone: tzinfo = LONDON) -> str:
    """One line on the government response: not due, awaiting (and how late), or given."""
    response = snapshot.response
    if response is not None:
        when = response.responded_on or snapshot.government_response_at
        line = f"responded on {format_date(when, zone)}" if when else "responded"
        lateness = response_lateness(snapshot)
        return f"{line} ({lateness})" if lateness else line
    due = response_due_at(snapshot)
    if due is not None and snapshot.response_threshold_reached_at is not None:
        waited = (now - snapshot.response_threshold_reached_at).days
        overdue = (now - due).days
        if now >= due:
            return f"awaiting a response for {_days(waited)}: {_days(overdue)} overdue"
        return f"awaiting a response for {_days(waited)} (due by {format_date(due, zone)})"
    if snapshot.state == "open":
        return f"due once it reaches {format_count(snapshot.response_threshold)} signatures"
    return "none"


def debate_status(snapshot: PetitionSnapshot, now: datetime) -> str:
    debate = snapshot.debate
    if debate is not None and debate.debated_on is not None:
        return f"debated on {format_date(debate.debated_on)}"
    if snapshot.debate_outcome_at is not None:
        return "the Petitions Committee decided not to debate it"
    scheduled = snapshot.scheduled_debate_date
    if scheduled is not None:
        if scheduled >= now.date():
            return f"scheduled for {format_date(scheduled)}"
        return f"was scheduled for {format_date(scheduled)}; the outcome is not recorded yet"
    if snapshot.debate_threshold_reached_at is not None:
        return "awaiting the Petitions Committee's decision on a debate"
    return f"considered at {format_count(snapshot.debate_threshold)} signatures"


def render_card(
    snapshot: PetitionSnapshot, now: datetime, pace: Pace | None = None, zone: tzinfo = LONDON
) -> str:
    """The status card: title, state, count, progress and pace, response, debate, closing date,
    link, and when it was checked. `pace` (from the bot's own history) is left out when None;
    dates are on `zone`'s calendar."""
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
    lines.append(f"🏛 Government response: {response_status(snapshot, now, zone)}")
    if snapshot.response is not None and snapshot.response.summary:
        lines.append(f"<blockquote>{quote(snapshot.response.summary, 600)}</blockquote>")
    lines.append(f"🗣 Debate: {debate_status(snapshot, now)}")
    if snapshot.state == "rejected":
        lines.append(f"🚫 {html.escape(rejection_reason(snapshot.rejection_code))}")
        if snapshot.rejection_details:
            lines.append(quote(snapshot.rejection_details, 800))
    lines.append(petition_url(snapshot))
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
    when = eta(count, upcoming[0], pace.per_day(), now) if upcoming else None
    return (upcoming[0], when) if when is not None else None


def render_surge(snapshot: PetitionSnapshot, pace: Pace, times: float) -> str:
    """The surge alert: signing many times faster than over the day."""
    hourly = (pace.last_day or 0) / 24
    body = (
        f"🚀 <b>Signing \u00d7{times:.0f} faster</b> than its 24-hour average: {_title(snapshot)}\n"
        f"+{format_count(pace.last_hour or 0)} in the last hour, against about "
        f"{format_count(round(hourly))} an hour over the day. It now has "
        f"{format_count(snapshot.signature_count)}."
    )
    return f"{body}\n\n{_footer(snapshot)}"


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
    """The alert for one event, ending with the link and the way to stop; dates on `zone`'s
    calendar."""
    body = _EVENT_RENDERERS[event.kind](event, zone)
    return f"{body}\n\n{_footer(event.petition)}"


def _footer(petition: PetitionSnapshot) -> str:
    return f"{petition_url(petition)}\n<i>Stop these alerts: /unfollow {petition.id}</i>"


def _title(snapshot: PetitionSnapshot) -> str:
    return f"“{quote(snapshot.title, 300)}”"


def _days(count: int) -> str:
    return f"{count} day" if count == 1 else f"{count} days"


def _state_label(snapshot: PetitionSnapshot, zone: tzinfo) -> str:
    if snapshot.removed:
        return "Removed"
    if snapshot.state == "open":
        closes = f" · closes {format_date(snapshot.closing_date)}" if snapshot.closing_date else ""
        return f"Open{closes}"
    if snapshot.state == "closed":
        archived = " (archived)" if snapshot.archived else ""
        closed = f" on {format_date(snapshot.closed_at, zone)}" if snapshot.closed_at else ""
        return f"Closed{closed}{archived}"
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
    due = response_due_at(petition)
    due_text = f", by {format_date(due, zone)}" if due else ""
    return (
        f"🎯 <b>{format_count(petition.response_threshold)} signatures: the government must "
        f"respond</b>\n{_title(petition)} now has {format_count(petition.signature_count)} "
        f"signatures. The government has agreed to respond within {RESPONSE_DUE_AFTER.days} "
        f"days{due_text}. I'll tell you when it does, and if it is late."
    )


def _debate_threshold(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    return (
        f"🏛 <b>{format_count(petition.debate_threshold)} signatures: Parliament will consider a "
        f"debate</b>\n{_title(petition)} now has {format_count(petition.signature_count)} "
        "signatures. The Petitions Committee will now decide whether to schedule a debate."
    )


def _response_published(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    response = petition.response
    assert response is not None
    lines = [f"📝 <b>The government has responded</b> to {_title(petition)}"]
    status = response_status(petition, petition.observed_at, zone)
    lines.append(status[0].upper() + status[1:] + ".")
    if response.summary:
        lines.append(f"<blockquote>{quote(response.summary, 600)}</blockquote>")
    return "\n".join(lines)


def _response_edited(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    response = petition.response
    assert response is not None
    parts = " and ".join("the summary" if p == "summary" else "the full text" for p in event.detail)
    lines = [f"✏️ <b>The government response was edited</b> for {_title(petition)}"]
    lines.append(f"Changed: {parts}.")
    if "summary" in event.detail and response.summary:
        lines.append(f"<blockquote>{quote(response.summary, 600)}</blockquote>")
    return "\n".join(lines)


def _response_overdue(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    reached, due = petition.response_threshold_reached_at, response_due_at(petition)
    assert reached is not None and due is not None
    reached_text = (
        f"{_title(petition)} reached {format_count(petition.response_threshold)} signatures on "
        f"{format_date(reached, zone)}. The government agreed to respond within "
        f"{RESPONSE_DUE_AFTER.days} days, by {format_date(due, zone)}"
    )
    if event.detail == 0:
        return f"⏰ <b>Government response overdue</b>\n{reached_text}, and has not."
    late = _days(event.detail * 7)
    return f"⏰ <b>Still no government response: {late} overdue</b>\n{reached_text}."


def _debate_scheduled(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    assert petition.scheduled_debate_date is not None
    return (
        f"🗓 <b>Debate scheduled</b>\nParliament will debate {_title(petition)} on "
        f"{format_date(petition.scheduled_debate_date)}."
    )


def _debate_rescheduled(event: PetitionEvent, zone: tzinfo) -> str:
    petition, previous = event.petition, event.previous
    assert petition.scheduled_debate_date and previous.scheduled_debate_date
    return (
        f"🗓 <b>Debate moved</b>\n{_title(petition)} will now be debated on "
        f"{format_date(petition.scheduled_debate_date)} "
        f"(it was set for {format_date(previous.scheduled_debate_date)})."
    )


def _debate_cancelled(event: PetitionEvent, zone: tzinfo) -> str:
    previous = event.previous
    assert previous.scheduled_debate_date is not None
    return (
        f"🗓 <b>Debate cancelled</b>\nThe debate on {_title(event.petition)} set for "
        f"{format_date(previous.scheduled_debate_date)} is no longer scheduled."
    )


def render_debate_links(links: dict[str, str]) -> str:
    """A debate's links (transcript, video, ...) as one line of labelled links."""
    return " · ".join(
        f'<a href="{html.escape(url, quote=True)}">{_LINK_LABELS.get(name, "Link")}</a>'
        for name, url in links.items()
    )


def _debate_held(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    debate = petition.debate
    assert debate is not None and debate.debated_on is not None
    lines = [f"🏛 <b>Parliament debated</b> {_title(petition)} on {format_date(debate.debated_on)}."]
    if debate.overview:
        lines.append(quote(debate.overview, 1200))
    if debate.links():
        lines.append(render_debate_links(debate.links()))
    return "\n".join(lines)


def _not_debated(event: PetitionEvent, zone: tzinfo) -> str:
    petition = event.petition
    debate = petition.debate
    lines = [
        f"🏛 <b>No debate</b>\nThe Petitions Committee decided not to debate {_title(petition)}."
    ]
    if debate is not None and debate.overview:
        lines.append(f"Their reason: {quote(debate.overview, 1200)}")
    return "\n".join(lines)


def _debate_links_added(event: PetitionEvent, zone: tzinfo) -> str:
    debate = event.petition.debate
    assert debate is not None
    added = {name: url for name, url in debate.links().items() if name in event.detail}
    return f"🔗 <b>New debate links</b> for {_title(event.petition)}\n{render_debate_links(added)}"


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
    petition = event.petition
    return (
        f"🔒 <b>Petition closed</b>\n{_title(petition)} closed with "
        f"{format_count(petition.signature_count)} signatures. "
        f"Government response: {response_status(petition, petition.observed_at, zone)}."
    )


def _closing_date_changed(event: PetitionEvent, zone: tzinfo) -> str:
    petition, previous = event.petition, event.previous
    assert petition.closing_date and previous.closing_date
    return (
        f"📅 <b>Closing date changed</b>\n{_title(petition)} now closes on "
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
    return (
        f"🗑 <b>Petition removed</b>\n{_title(event.petition)} has been taken down and no longer "
        "appears on the petitions site. I'll keep checking, and tell you if it comes back."
    )


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
    EventKind.DEBATE_SCHEDULED: _debate_scheduled,
    EventKind.DEBATE_RESCHEDULED: _debate_rescheduled,
    EventKind.DEBATE_CANCELLED: _debate_cancelled,
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
