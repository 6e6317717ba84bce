"""What a tap on one of the bot's buttons does (the callback data scheme is bot.callbacks).

The service behind the button handler. Every tap is answered. A tap acts only on the chat it
was made in: follows are named by short references resolved against that chat's own follows,
so a forged, replayed or stale button finds nothing and says so. In groups, only admins change
what the group follows and its settings (bot.alertsettings, which answers the settings taps;
bot.charting the Chart taps).
"""

from __future__ import annotations

import html
import re

from bot.alertsettings import SettingsService
from bot.callbacks import find_ref, followed_buttons
from bot.charting import Charts
from bot.following import ADMINS_ONLY, FollowService
from bot.sources.base import Button, Placement, Reply
from bot.store import Store

STALE = "That button is out of date: here is the current list."
GONE = "This chat no longer follows that, so the button has nothing to do."


class ButtonService:
    def __init__(
        self, store: Store, follows: FollowService, settings: SettingsService, charts: Charts
    ) -> None:
        self._store = store
        self._follows = follows
        self._settings = settings
        self._charts = charts

    async def press(self, chat_id: int, data: str, may_change: bool) -> Reply:
        verb, _, rest = data.partition(":")
        if verb == "f":
            reply = await self._follows.follow_pressed(chat_id, rest, may_change)
            return reply or self._stale(chat_id)
        if verb == "b":
            reply = await self._follows.browse_pressed(chat_id, rest, may_change)
            return _placed(reply, Placement.EDIT) if reply else self._stale(chat_id)
        if verb == "sh":
            return await self._follows.share_pressed(rest) or self._stale(chat_id)
        if verb == "l" and rest.lstrip("-").isdecimal():
            return _placed(self._follows.list_follows(chat_id, int(rest)), Placement.EDIT)
        if verb == "a":
            return self._settings.open_follow(chat_id, rest)
        if verb in {"ag", "an", "as"}:
            return await self._settings.press_follow(chat_id, verb, rest, may_change)
        if verb == "s":
            return await self._settings.press(chat_id, rest, may_change)
        if verb == "g":
            return await self._charts.pressed(chat_id, rest)
        if verb in _CHANGES and not may_change:
            return Reply("", placement=Placement.TOAST, toast=ADMINS_ONLY)
        actions = {
            "c": self._card,
            "m": self._toggle_mute,
            "x": self._ask_unfollow,
            "xy": self._unfollow_from_list,
            "xa": self._ask_unfollow_all,
            "xay": self._unfollow_all,
            "u": self._ask_unfollow_alert,
            "uy": self._unfollow_alert,
            "un": self._keep_alert,
            "stopy": self._forget,
            "stopn": self._keep,
        }
        action = actions.get(verb)
        return await action(chat_id, rest) if action else self._stale(chat_id)

    # --- from /list -----------------------------------------------------------------------------

    async def _card(self, chat_id: int, ref: str) -> Reply:
        target = find_ref(ref, self._store.follows_of(chat_id))
        if target is None:
            return Reply("", placement=Placement.BUTTONS, toast=GONE)
        return await self._follows.card(chat_id, target)

    async def _toggle_mute(self, chat_id: int, rest: str) -> Reply:
        page, target = self._page_and_target(chat_id, rest)
        if target is None:
            return self._stale(chat_id)
        muted = not self._store.is_muted(chat_id, target)
        await self._store.set_muted(chat_id, target, muted)
        what = "Muted" if muted else "Unmuted"
        note = f"{'🔇' if muted else '🔔'} {what} {self._follows.name_of(target)}."
        return _placed(self._follows.list_follows(chat_id, page, note), Placement.EDIT)

    async def _ask_unfollow(self, chat_id: int, rest: str) -> Reply:
        page, target = self._page_and_target(chat_id, rest)
        if target is None:
            return self._stale(chat_id)
        return Reply(
            f"Stop alerts for {self._follows.name_of(target)}?",
            ((Button("🔕 Yes, unfollow", f"xy:{rest}"), Button("No", f"l:{page}")),),
            placement=Placement.EDIT,
        )

    async def _unfollow_from_list(self, chat_id: int, rest: str) -> Reply:
        page, target = self._page_and_target(chat_id, rest)
        if target is None:
            return self._stale(chat_id)
        note = f"🔕 {await self._follows.unfollow_target(chat_id, target)}"
        return _placed(self._follows.list_follows(chat_id, page, note), Placement.EDIT)

    async def _ask_unfollow_all(self, chat_id: int, _: str) -> Reply:
        count = len(self._store.follows_of(chat_id))
        return Reply(
            f"Stop following all {count} and get no more alerts here?",
            ((Button("🔕 Yes, unfollow all", "xay"), Button("No", "l:0")),),
            placement=Placement.EDIT,
        )

    async def _unfollow_all(self, chat_id: int, _: str) -> Reply:
        await self._store.remove_follows(chat_id, set(self._store.follows_of(chat_id)))
        return _placed(
            self._follows.list_follows(chat_id, note="🔕 Unfollowed everything."), Placement.EDIT
        )

    # --- from an alert or a card ----------------------------------------------------------------

    async def _ask_unfollow_alert(self, chat_id: int, ref: str) -> Reply:
        if find_ref(ref, self._store.follows_of(chat_id)) is None:
            return Reply("", placement=Placement.BUTTONS, toast=GONE)
        return Reply(
            "",
            ((Button("🔕 Yes, stop these alerts", f"uy:{ref}"), Button("Keep them", f"un:{ref}")),),
            placement=Placement.BUTTONS,
        )

    async def _unfollow_alert(self, chat_id: int, ref: str) -> Reply:
        target = find_ref(ref, self._store.follows_of(chat_id))
        if target is None:
            return Reply("", placement=Placement.BUTTONS, toast=GONE)
        done = await self._follows.unfollow_target(chat_id, target)
        return Reply("", placement=Placement.BUTTONS, toast=_plain(done))

    async def _keep_alert(self, chat_id: int, ref: str) -> Reply:
        target = find_ref(ref, self._store.follows_of(chat_id))
        buttons = followed_buttons(target) if target else ()
        return Reply("", buttons, placement=Placement.BUTTONS)

    # --- /stop ----------------------------------------------------------------------------------

    async def _forget(self, chat_id: int, _: str) -> Reply:
        await self._store.forget_chat(chat_id)
        return Reply(
            "🗑 Done: this chat follows nothing, and I've deleted what I kept about it. "
            "/start to begin again.",
            placement=Placement.EDIT,
        )

    async def _keep(self, chat_id: int, _: str) -> Reply:
        return Reply("Kept everything as it was.", placement=Placement.EDIT)

    # --- helpers --------------------------------------------------------------------------------

    def _page_and_target(self, chat_id: int, rest: str) -> tuple[int, str | None]:
        page, _, ref = rest.partition(":")
        target = find_ref(ref, self._store.follows_of(chat_id))
        return (int(page) if page.isdecimal() else 0), target

    def _stale(self, chat_id: int) -> Reply:
        reply = self._follows.list_follows(chat_id, note=STALE)
        return _placed(reply, Placement.NEW)


def _placed(reply: Reply, placement: Placement) -> Reply:
    return Reply(reply.text, reply.buttons, reply.awaiting, placement, reply.toast)


def _plain(markup: str) -> str:
    """A toast is plain text: drop the markup that names carry."""
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


# Taps that change what the chat follows: only a group's admins may make them.
_CHANGES = {"m", "x", "xy", "xa", "xay", "u", "uy", "stopy"}
