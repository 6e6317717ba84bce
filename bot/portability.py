"""Your data: `/export` a chat's follows and settings as a small versioned JSON file, bring
them back by sending that file (in any chat), and `/privacy`.

A follow travels as the words a person would type (`300412`, `statements home-office grooming
gangs`, `debates`), and is read back through the kinds exactly as typed words are: a file can
only name what a person could follow, and a forged or damaged one is refused with its reason,
never half-read into the store. Each follow is followed afresh (a silent baseline, as
`/follow`), with its mute and alert settings; the chat's settings come back as they were.
Never names a kind.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import orjson

from bot.following import FollowService
from bot.preferences import ChatSettings, FollowSettings
from bot.reading import Named
from bot.sources.base import Reply, TargetKind, target_key
from bot.sources.text import format_date
from bot.storage.port import DEDUP_DAYS, Storage

FORMAT = "accountability-alerts/follows"
VERSION = 1
FILE_LIMIT = 64 * 1024  # bytes: a file of 50 follows is about 6 KB
FOLLOWS_LIMIT = 200

PRIVACY = (
    "🛡 <b>What I keep, and for how long</b>\n"
    "• For each chat: its Telegram id, what it follows, its settings and mutes, and the name of "
    "its constituency if you set one (not the postcode). No names, no phone numbers, nothing you "
    "type besides commands.\n"
    "• Alerts waiting to be sent, until they are sent.\n"
    f"• A short key for each alert sent (so none comes twice), for {DEDUP_DAYS} days after the "
    "follow ends.\n"
    "• Each followed petition's signature count over time, for charts. It is about the "
    "petition, not about you, and goes when nobody follows it.\n"
    "• The log notes a chat's id when a message to it fails.\n\n"
    "I ask the petitions site, GOV.UK and Parliament about what you follow, never about you; "
    "a postcode given to /settings constituency goes once to Parliament's Members API, to find "
    "its constituency.\n\n"
    "/export sends this chat's follows and settings as a file. /stop deletes everything I keep "
    "about this chat, at once; removing me from a group or blocking me only pauses alerts."
)


class ImportRefused(ValueError):
    """The file can't be read as an export; the message says why (HTML)."""


@dataclass(frozen=True)
class Export:
    filename: str
    data: bytes
    caption: str


class Portability:
    def __init__(
        self, store: Storage, follows: FollowService, clock: Callable[[], datetime]
    ) -> None:
        self._store = store
        self._follows = follows
        self._clock = clock

    def privacy(self) -> Reply:
        return Reply(PRIVACY)

    async def export(self, chat_id: int) -> Export:
        """The chat's follows and settings, as a file to keep or to send to another chat."""
        now = self._clock()
        follows = []
        for target in await self._store.follows_of(chat_id):
            kind, ident = self._follows.kind_of(target)
            follows.append(
                {
                    "follow": kind.reference(ident),
                    "muted": await self._store.is_muted(chat_id, target),
                    "alerts": (await self._store.follow_settings(chat_id, target)).to_doc(),
                }
            )
        document = {
            "format": FORMAT,
            "version": VERSION,
            "exported_at": now.isoformat(),
            "settings": (await self._store.chat_settings(chat_id)).to_doc(),
            "follows": follows,
        }
        data = orjson.dumps(document, option=orjson.OPT_INDENT_2)
        caption = (
            f"📦 This chat's {len(follows)} follow{'s' * (len(follows) != 1)} and its settings. "
            "Send this file to me in any chat (or reply /import to it) to bring them back."
        )
        return Export(f"accountability-alerts-{now:%Y-%m-%d}.json", data, caption)

    async def restore(self, chat_id: int, data: bytes) -> Reply:
        """Follow what an exported file lists and take its settings; says what came back."""
        try:
            document = _read(data)
        except ImportRefused as exc:
            return Reply(f"⚠️ {exc} Nothing changed.")
        lines, followed = [], 0
        for entry in document["follows"]:
            reference = entry["follow"]
            read = self._follows_read(reference)
            if read is None:
                lines.append(f"⚠️ “{html.escape(reference[:60])}” is not something I can follow.")
                continue
            kind, ident = read
            target = target_key(kind.kind, ident)
            added = await self._follows.add(chat_id, kind, ident)
            if isinstance(added, str) and target not in await self._store.follows_of(chat_id):
                lines.append(f"⚠️ {html.escape(reference[:60])}: {added}")
                continue
            followed += not isinstance(added, str)
            await self._store.set_muted(chat_id, target, entry.get("muted") is True)
            alerts = FollowSettings.from_doc(entry.get("alerts"))
            await self._store.set_follow_settings(chat_id, target, alerts)
        settings = ChatSettings.from_doc(document.get("settings"))
        await self._store.set_chat_settings(chat_id, settings, self._clock())
        when = document["exported_at"]
        total = len(document["follows"])
        head = (
            f"📥 <b>Restored</b> from the export of {format_date(when, settings.tz)}: "
            f"{followed} new follow{'s' * (followed != 1)} of the {total} in the file, "
            "and the chat's settings."
        )
        return Reply("\n".join([head, *lines, "/list shows what this chat follows."]))

    def _follows_read(self, reference: str) -> tuple[TargetKind, str] | None:
        read = self._follows.reader.read(reference, "follow")
        if isinstance(read, Named) and len(read.targets) == 1:
            return read.targets[0]
        return None


def _read(data: bytes) -> dict[str, Any]:
    """The export in `data`, checked; raises ImportRefused saying what is wrong."""
    if len(data) > FILE_LIMIT:
        raise ImportRefused("That file is too big to be one of my exports.")
    try:
        document = orjson.loads(data)
    except orjson.JSONDecodeError:
        raise ImportRefused("That file isn't one of my exports: it isn't JSON.") from None
    if not isinstance(document, dict) or document.get("format") != FORMAT:
        raise ImportRefused("That file isn't one of my exports: /export makes them.")
    version = document.get("version")
    if not isinstance(version, int) or version < 1:
        raise ImportRefused("That export is damaged: it has no version.")
    if version > VERSION:
        raise ImportRefused("That export was made by a newer version of me than this one.")
    follows = document.get("follows")
    if not isinstance(follows, list) or len(follows) > FOLLOWS_LIMIT:
        raise ImportRefused("That export is damaged: its list of follows can't be read.")
    if not all(isinstance(f, dict) and isinstance(f.get("follow"), str) for f in follows):
        raise ImportRefused("That export is damaged: a follow in it can't be read.")
    try:
        document["exported_at"] = datetime.fromisoformat(document["exported_at"])
    except (KeyError, TypeError, ValueError):
        raise ImportRefused("That export is damaged: it has no date.") from None
    if document["exported_at"].tzinfo is None:
        raise ImportRefused("That export is damaged: its date has no time zone.")
    return document
