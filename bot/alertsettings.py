"""What /settings and the "Alert settings" buttons do: a chat's settings and each follow's.

The service behind them (bot.preferences holds the settings and the rule they feed). Panels are
messages whose buttons show the current state (✅ on, ⬜ off) and edit the panel in place. A
follow is named by its short reference, resolved against the tapping chat's own follows. In
groups only admins change settings; anyone may look. Never names a kind: each kind says which
alert groups and count granularities it has.
"""

from __future__ import annotations

import html
import re
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime

from bot.callbacks import find_ref, short_ref
from bot.following import FollowService
from bot.http import UpstreamError
from bot.preferences import (
    DEFAULT_DIGEST_HOUR,
    GRANULARITIES,
    WEEKDAYS,
    ChatSettings,
    FollowSettings,
    SettingError,
    next_quiet_preset,
    read_granularity,
    read_hour,
    read_quiet_hours,
    read_weekday,
    read_zone,
    span_words,
)
from bot.sources.base import Button, Placement, Reply
from bot.sources.constituencies.client import ConstituencyFinder
from bot.sources.departments.directory import normalise
from bot.storage.port import Storage
from bot.zones import city_of

ADMINS_ONLY_SETTINGS = "Only this group's admins can change its settings."
GONE = "This chat no longer follows that, so it has no settings to change."
CONSTITUENCY_WORDS = {"constituency", "place", "mp", "seat"}
PLACES_OFFERED = 8
PLACE_UNREAD = "I couldn't read that constituency just now. Please try again."
USAGE = (
    "Change them with the buttons, or by command:\n"
    "<code>/settings timezone paris</code> (a city, a country or a zone name)\n"
    "<code>/settings quiet 10pm-7am</code> (on this chat's time; or <code>off</code>)\n"
    "<code>/settings digest 8am</code> (a daily digest at 08:00), "
    "<code>/settings immediate</code>\n"
    "<code>/settings day friday</code> (the day weekly lists come, such as the late list)\n"
    "<code>/settings constituency SW1A 0AA</code> (a postcode or its name: how it signs)\n"
    "<code>/settings counts 1000</code> (<code>milestones</code>, <code>1000</code>, "
    "<code>10000</code>, <code>10%</code>: for new follows)\n"
    "<code>/settings silent on</code> (new follows without sound)"
)
Row = tuple[Button, ...]


def _mark(on: bool) -> str:
    return "✅" if on else "⬜"


def _pairs(buttons: list[Button]) -> list[Row]:
    return [tuple(buttons[i : i + 2]) for i in range(0, len(buttons), 2)]


class SettingsService:
    def __init__(
        self,
        store: Storage,
        follows: FollowService,
        clock: Callable[[], datetime],
        finder: ConstituencyFinder | None = None,
    ) -> None:
        """`finder` finds constituencies (the Members API); without one, none can be set."""
        self._finder = finder
        self._store = store
        self._follows = follows
        self._clock = clock
        kinds = follows.kinds()
        # What new follows can start with: the opt-in groups (surges), and count granularities.
        self._opt_in_groups = {g.name: g for k in kinds for g in k.alert_groups if not g.default}
        self._opt_in = list(self._opt_in_groups.values())
        self._granularities = [g for g in GRANULARITIES if any(g in k.granularities for k in kinds)]

    # --- the chat's settings --------------------------------------------------------------------

    async def show(self, chat_id: int, note: str = "") -> Reply:
        """The settings panel: the settings, how to change them, and buttons."""
        settings = await self._store.chat_settings(chat_id)
        lines = [
            *([note] if note else []),
            "⚙️ <b>Settings for this chat</b>",
            *self._lines(settings),
            "",
            USAGE,
        ]
        return Reply("\n".join(lines), self._chat_buttons(settings))

    async def summary(self, chat_id: int, chat_title: str) -> str:
        """The settings alone, for a group member who may look but not change them."""
        settings = await self._store.chat_settings(chat_id)
        return "\n".join(
            [
                f"⚙️ <b>Settings of {html.escape(chat_title[:100])}</b>",
                *self._lines(settings),
                "Only the group's admins can change them.",
            ]
        )

    def _lines(self, settings: ChatSettings) -> list[str]:
        local = self._clock().astimezone(settings.tz)
        delivery = (
            "as they happen"
            if settings.digest_hour is None
            else f"a daily digest at {settings.digest_hour:02d}:00"
        )
        quiet = span_words(settings.quiet)
        if settings.quiet:
            quiet += f", on {city_of(settings.zone)} time (alerts still come, without a sound)"
        return [
            f"🕰 Time zone: {settings.zone} (it's {local:%H:%M} there)",
            f"🌙 Quiet hours: {quiet}",
            f"📬 Alerts: {delivery}",
            f"🗓 Weekly lists: on {WEEKDAYS[settings.digest_day]}s",
            f"📍 Constituency: {html.escape(settings.constituency) or 'not set'}",
            f"🆕 New follows: {self._defaults_words(settings.defaults)}",
        ]

    async def command(self, chat_id: int, args: str) -> Reply:
        """`/settings` alone shows them; `/settings <what> <value>` changes one."""
        what, _, value = args.strip().partition(" ")
        if not what:
            return await self.show(chat_id)
        settings = await self._store.chat_settings(chat_id)
        if what.lower() in CONSTITUENCY_WORDS:
            return await self._place(chat_id, settings, value.strip())
        try:
            changed = self._changed(settings, what.lower(), value.strip())
        except SettingError as exc:
            return await self.show(chat_id, f"⚠️ {exc} Nothing changed.")
        if changed is None:
            return await self.show(
                chat_id, f"⚠️ I don't have a setting called “{html.escape(what[:30])}”."
            )
        await self._store.set_chat_settings(chat_id, changed, self._clock())
        return await self.show(chat_id, "✅ Saved.")

    async def _place(self, chat_id: int, settings: ChatSettings, text: str) -> Reply:
        """`/settings constituency <postcode or name>`, or `off`."""
        if text.lower() in {"off", "none"}:
            return await self._save(chat_id, replace(settings, constituency=""))
        if not text or len(text) > 60 or self._finder is None:
            return await self.show(
                chat_id,
                "⚠️ Say a postcode or the constituency's name, such as "
                "<code>/settings constituency SW1A 0AA</code>. Nothing changed.",
            )
        try:
            found = await self._finder.search(text)
        except UpstreamError:
            return await self.show(
                chat_id, "⚠️ I couldn't reach Parliament's Members API just now. Nothing changed."
            )
        exact = [c for c in found if normalise(c.name) == normalise(text)]
        if len(exact) == 1 or len(found) == 1:
            return await self._save(
                chat_id, replace(settings, constituency=(exact or found)[0].name)
            )
        if not found:
            return await self.show(
                chat_id,
                f"⚠️ I found no constituency called “{html.escape(text)}”. Try its full "
                "name, or a postcode. Nothing changed.",
            )
        buttons = [Button(c.name, f"s:pc:{c.id}") for c in found[:PLACES_OFFERED]]
        return Reply("📍 Which constituency?", tuple(_pairs(buttons)))

    async def _save(self, chat_id: int, changed: ChatSettings) -> Reply:
        await self._store.set_chat_settings(chat_id, changed, self._clock())
        return await self.show(chat_id, "✅ Saved.")

    def _changed(self, settings: ChatSettings, what: str, value: str) -> ChatSettings | None:
        if what == "time" and value.lower().startswith("zone"):  # "time zone paris"
            what, value = "zone", value[4:].strip()
        if what in {"timezone", "tz", "zone", "time-zone"}:
            return replace(settings, zone=read_zone(value))
        if what == "quiet":
            return replace(settings, quiet=read_quiet_hours(re.sub(r"^hours\b", "", value)))
        if what == "digest":
            if value.lower() == "off":
                return replace(settings, digest_hour=None)
            hour = read_hour(value) if value else settings.digest_hour or DEFAULT_DIGEST_HOUR
            return replace(settings, digest_hour=hour)
        if what in {"day", "digest-day", "weekly"}:
            return replace(settings, digest_day=read_weekday(value))
        if what in {"immediate", "immediately"}:
            return replace(settings, digest_hour=None)
        if what in {"counts", "granularity"}:
            defaults = replace(settings.defaults, granularity=read_granularity(value))
            return replace(settings, defaults=defaults)
        if what == "silent":
            if value.lower() not in {"on", "off"}:
                raise SettingError("Say <code>/settings silent on</code> or <code>off</code>.")
            return replace(settings, defaults=replace(settings.defaults, silent=value == "on"))
        return None

    async def press(self, chat_id: int, payload: str, may_change: bool) -> Reply:
        """A tap on the /settings panel (`s:<what>[:<value>]`): change it, show it again."""
        if not may_change:
            return Reply("", placement=Placement.TOAST, toast=ADMINS_ONLY_SETTINGS)
        what, _, value = payload.partition(":")
        settings = await self._store.chat_settings(chat_id)
        defaults = settings.defaults
        if what == "q":
            changed = replace(settings, quiet=next_quiet_preset(settings.quiet))
        elif what == "d":
            digest = None if settings.digest_hour is not None else DEFAULT_DIGEST_HOUR
            changed = replace(settings, digest_hour=digest)
        elif what == "h" and value.isdecimal() and int(value) < 24:
            changed = replace(settings, digest_hour=int(value))
        elif what == "n" and value in self._granularities:
            changed = replace(settings, defaults=replace(defaults, granularity=value))
        elif what == "s":
            changed = replace(settings, defaults=replace(defaults, silent=not defaults.silent))
        elif what == "o" and value in self._opt_in_groups:
            toggled = defaults.toggled(self._opt_in_groups[value])
            changed = replace(settings, defaults=toggled)
        elif what == "pc" and value.isdecimal() and self._finder is not None:
            try:
                place = await self._finder.get(int(value))
            except UpstreamError:
                place = None
            if place is None:
                return Reply("", placement=Placement.TOAST, toast=PLACE_UNREAD)
            changed = replace(settings, constituency=place.name)
        else:
            return self._placed(await self.show(chat_id, "That button is out of date."))
        await self._store.set_chat_settings(chat_id, changed, self._clock())
        return self._placed(await self.show(chat_id))

    def _chat_buttons(self, settings: ChatSettings) -> tuple[Row, ...]:
        rows: list[Row] = [(Button(f"🌙 Quiet hours: {span_words(settings.quiet)}", "s:q"),)]
        digest = settings.digest_hour is not None
        rows.append(
            (
                Button(f"{_mark(not digest)} As they happen", "s:d"),
                Button(f"{_mark(digest)} Daily digest", "s:d"),
            )
        )
        if settings.digest_hour is not None:
            hour = settings.digest_hour
            rows.append(
                (
                    Button(f"◀ {(hour - 1) % 24:02d}:00", f"s:h:{(hour - 1) % 24}"),
                    Button(f"{(hour + 1) % 24:02d}:00 ▶", f"s:h:{(hour + 1) % 24}"),
                )
            )
        defaults = settings.defaults
        rows += _pairs(
            [
                Button(f"{_mark(defaults.granularity == g)} New: {GRANULARITIES[g]}", f"s:n:{g}")
                for g in self._granularities
            ]
        )
        rows += _pairs(
            [Button(f"{_mark(defaults.silent)} New: silent", "s:s")]
            + [
                Button(f"{_mark(defaults.group_on(g))} New: {g.label}", f"s:o:{g.name}")
                for g in self._opt_in
            ]
        )
        return tuple(rows)

    def _defaults_words(self, defaults: FollowSettings) -> str:
        words = [GRANULARITIES[defaults.granularity].lower()]
        words.append("silent" if defaults.silent else "with sound")
        words += [
            f"{g.label.lower()} {'on' if defaults.group_on(g) else 'off'}" for g in self._opt_in
        ]
        return " · ".join(words)

    # --- a follow's settings --------------------------------------------------------------------

    async def follow_panel(self, chat_id: int, target: str, note: str = "") -> Reply:
        kind, _ = self._follows.kind_of(target)
        settings = await self._store.follow_settings(chat_id, target)
        ref = short_ref(target)
        lines = [
            *([note] if note else []),
            f"⚙️ <b>Alerts for</b> {await self._follows.name_of(target)}",
            "Tap to switch: ✅ on, ⬜ off. Alerts of a type switched off aren't sent, and aren't "
            "kept for later.",
        ]
        if await self._store.is_muted(chat_id, target):
            lines.append("🔇 It is muted: nothing comes until 🔔 Unmute on its card.")
        rows = _pairs(
            [
                Button(f"{_mark(settings.group_on(g))} {g.label}", f"ag:{ref}:{g.name}")
                for g in kind.alert_groups
            ]
        )
        rows += _pairs(
            [
                Button(f"{_mark(settings.granularity == g)} {GRANULARITIES[g]}", f"an:{ref}:{g}")
                for g in kind.granularities
            ]
        )
        rows.append((Button(f"{_mark(settings.silent)} Silent (no sound)", f"as:{ref}"),))
        return Reply("\n".join(lines), tuple(rows))

    async def open_follow(self, chat_id: int, ref: str) -> Reply:
        target = find_ref(ref, await self._store.follows_of(chat_id))
        if target is None:
            return Reply("", placement=Placement.BUTTONS, toast=GONE)
        return await self.follow_panel(chat_id, target)

    async def press_follow(self, chat_id: int, verb: str, rest: str, may_change: bool) -> Reply:
        """A tap on a follow's panel: `ag` a group, `an` a granularity, `as` silent."""
        ref, _, value = rest.partition(":")
        target = find_ref(ref, await self._store.follows_of(chat_id))
        if target is None:
            return Reply("", placement=Placement.BUTTONS, toast=GONE)
        if not may_change:
            return Reply("", placement=Placement.TOAST, toast=ADMINS_ONLY_SETTINGS)
        kind, _ = self._follows.kind_of(target)
        settings = await self._store.follow_settings(chat_id, target)
        groups = {g.name: g for g in kind.alert_groups}
        if verb == "ag" and value in groups:
            changed = settings.toggled(groups[value])
        elif verb == "an" and value in kind.granularities:
            changed = replace(settings, granularity=value)
        elif verb == "as":
            changed = replace(settings, silent=not settings.silent)
        else:
            return self._placed(
                await self.follow_panel(chat_id, target, "That button is out of date.")
            )
        await self._store.set_follow_settings(chat_id, target, changed)
        return self._placed(await self.follow_panel(chat_id, target))

    @staticmethod
    def _placed(reply: Reply) -> Reply:
        return replace(reply, placement=Placement.EDIT)
