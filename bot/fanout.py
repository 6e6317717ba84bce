"""Which chat gets which alert, silently or not, now or in the digest, in which wording. Pure.

Both storage adapters (bot.storage) call these with what they hold, so the rule is written
once:

- `fan_out`: a cycle's alerts for one target, to its followers: a muted follow gets none; a
  follow's settings choose the alert types it wants (bot.preferences); a weekly message goes only
  to the chats whose digest day it is; a chat hears a piece of
  news once (never again under any of its keys, and a topic's value only when it was last told
  another one); each alert is worded once per time zone its chats use, with the line for the
  chat's constituency where it has one.
- `sendable_now`: an alert waits for the chat's daily digest when it has one; the bot's own
  messages (a digest, a summary) do not.
- `settled`: a chat's alerts of one bundle (bot.bundles) wait BUNDLE_SETTLE after the first of
  them, so that those the next cycles find join them in one message.
- `silent`: the follow is set silent, or it is the chat's quiet hours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo

from bot.preferences import ChatSettings, FollowSettings
from bot.sources.base import Alert
from bot.storage.port import Delivery

# Every petition closes at a dissolution at once, but a cycle may see some of them and the next
# the rest: a bundle waits this long for them.
BUNDLE_SETTLE = timedelta(minutes=3)


@dataclass(frozen=True)
class Follower:
    chat_id: int
    muted: bool
    settings: FollowSettings
    zone: tzinfo
    digest_day: int = 0  # the chat's (bot.preferences.ChatSettings)
    place: str = ""  # the chat's constituency, if it set one


@dataclass(frozen=True)
class Queued:
    """An alert for one chat, worded in its time zone."""

    chat_id: int
    alert: Alert
    text: str


def fan_out(
    alerts: Sequence[Alert],
    followers: Sequence[Follower],
    delivered: Set[tuple[int, str]],
    told: Mapping[tuple[int, str], str],
) -> list[Queued]:
    """The deliveries of `alerts` to `followers` (in chat order), given the (chat, key) pairs
    each chat has had or has queued, and the last value each (chat, topic) was told."""
    queued: list[Queued] = []
    had: set[tuple[int, str]] = set()  # what this call has queued already
    now_told: dict[tuple[int, str], str] = {}
    for alert in alerts:
        texts: dict[tzinfo, str] = {}
        for follower in sorted(followers, key=lambda f: f.chat_id):
            chat = follower.chat_id
            if follower.muted or not follower.settings.wants(alert):
                continue
            if alert.weekday is not None and alert.weekday != follower.digest_day:
                continue
            if alert.told is not None:
                topic, value = alert.told
                if now_told.get((chat, topic), told.get((chat, topic))) == value:
                    continue
                now_told[chat, topic] = value
            elif any((chat, key) in delivered or (chat, key) in had for key in alert.keys):
                continue
            had.update((chat, key) for key in alert.keys)
            zone = follower.zone
            text = texts.get(zone) or texts.setdefault(zone, alert.text_in(zone))
            queued.append(Queued(chat, alert, alert.placed(text, follower.place)))
    return queued


def sendable_now(target: str, chat: ChatSettings) -> bool:
    """Whether a pending delivery goes now rather than in the chat's digest."""
    return not target or chat.digest_hour is None


def settled(pending: Sequence[Delivery], now: datetime) -> list[Delivery]:
    """`pending` (oldest first) less the bundles still gathering at `now`."""
    first: dict[tuple[int, str], datetime] = {}
    for delivery in pending:
        if delivery.bundle is not None and delivery.created is not None:
            first.setdefault((delivery.chat_id, delivery.bundle.key), delivery.created)
    return [
        d
        for d in pending
        if d.bundle is None or now >= first.get((d.chat_id, d.bundle.key), now) + BUNDLE_SETTLE
    ]


def silent(chat: ChatSettings, follow: FollowSettings | None, now: datetime) -> bool:
    """Whether a message goes without a sound; `follow` is None for the bot's own messages."""
    return (follow is not None and follow.silent) or chat.is_quiet(now)
