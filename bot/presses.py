"""What a tap on one of the bot's buttons does (the callback data scheme is bot.callbacks).

The service behind the button handler. Every tap is answered. A tap acts only on the chat it
was made in: follows are named by short references resolved against that chat's own follows,
so a forged, replayed or stale button finds nothing and says so. In groups, only admins change
what the group follows and its settings, and a member's tap is answered with a toast, never a
message in the group (bot.alertsettings answers the settings taps; bot.charting the Chart
taps; bot.sharing the Share taps).
"""

from __future__ import annotations

from bot.alertsettings import SettingsService
from bot.callbacks import asking_buttons, find_ref, followed_buttons
from bot.charting import Charts
from bot.following import PICKERS, FollowService, refused
from bot.sharing import Sharing
from bot.sources.base import Button, Placement, Reply
from bot.sources.text import plain_text
from bot.storage.port import Storage

STALE = "That button is out of date: here is the current list."
GONE = "This chat no longer follows that, so the button has nothing to do."
FOLLOWING = "✅ This chat follows it: its alerts come here. 🔕 Unfollow stops them."


class ButtonService:
    def __init__(
        self,
        store: Storage,
        follows: FollowService,
        settings: SettingsService,
        charts: Charts,
        sharing: Sharing,
    ) -> None:
        self._store = store
        self._follows = follows
        self._settings = settings
        self._charts = charts
        self._sharing = sharing

    async def press(self, chat_id: int, data: str, may_change: bool) -> Reply:
        verb, _, rest = data.partition(":")
        if verb in {"f", "fc"}:
            reply = await self._follows.follow_pressed(chat_id, rest, may_change, verb == "fc")
            return reply or await self._stale(chat_id)
        if verb == "b":
            reply = await self._follows.browse_pressed(chat_id, rest, may_change)
            return _placed(reply, Placement.EDIT) if reply else await self._stale(chat_id)
        if verb == "sh":
            return await self._sharing.pressed(rest) or await self._stale(chat_id)
        if verb == "h":
            return await self._sharing.followed_pressed(chat_id, rest)
        if verb == "l" and rest.lstrip("-").isdecimal():
            return _placed(await self._follows.list_follows(chat_id, int(rest)), Placement.EDIT)
        if verb == "p":
            picker, _, page = rest.partition(":")
            if picker in PICKERS and page.lstrip("-").isdecimal():
                return _placed(
                    await self._follows.picker(chat_id, picker, int(page)), Placement.EDIT
                )
            return await self._stale(chat_id)
        if verb == "a":
            return await self._settings.open_follow(chat_id, rest)
        if verb in {"ag", "an", "as"}:
            return await self._settings.press_follow(chat_id, verb, rest, may_change)
        if verb == "s":
            return await self._settings.press(chat_id, rest, may_change)
        if verb == "g":
            return await self._charts.pressed(chat_id, rest)
        if verb in _CHANGES and not may_change:
            return refused()
        actions = {
            "c": self._card,
            "k": self._following,
            "m": self._toggle_mute,
            "x": self._ask_unfollow,
            "xs": self._unfollow_asked,
            "xn": self._keep_asked,
            "xa": self._ask_unfollow_all,
            "xay": self._unfollow_all,
            "u": self._ask_unfollow_here,
            "uy": self._unfollow_here,
            "un": self._keep_here,
            "stopy": self._forget,
            "stopn": self._keep,
        }
        action = actions.get(verb)
        return await action(chat_id, rest) if action else await self._stale(chat_id)

    # --- a follow's card, from /list, a picker or an alert ------------------------------------

    async def _card(self, chat_id: int, ref: str) -> Reply:
        target = find_ref(ref, await self._store.follows_of(chat_id))
        if target is None:
            return Reply("", placement=Placement.TOAST, toast=GONE)
        return await self._follows.card(chat_id, target)

    async def _following(self, chat_id: int, ref: str) -> Reply:
        followed = find_ref(ref, await self._store.follows_of(chat_id)) is not None
        return Reply("", placement=Placement.TOAST, toast=FOLLOWING if followed else GONE)

    async def _toggle_mute(self, chat_id: int, ref: str) -> Reply:
        target = find_ref(ref, await self._store.follows_of(chat_id))
        if target is None:
            return Reply("", placement=Placement.TOAST, toast=GONE)
        muted = not await self._store.is_muted(chat_id, target)
        await self._store.set_muted(chat_id, target, muted)
        toast = (
            "🔇 Muted: nothing comes until you unmute it, and nothing is kept for later."
            if muted
            else "🔔 Unmuted: its alerts come again."
        )
        buttons = await self._follows.card_buttons_of(chat_id, target)
        return Reply("", buttons, placement=Placement.BUTTONS, toast=toast)

    # --- unfollowing, asked first ---------------------------------------------------------

    async def _ask_unfollow(self, chat_id: int, ref: str) -> Reply:
        target = find_ref(ref, await self._store.follows_of(chat_id))
        if target is None:
            return await self._stale(chat_id)
        return _placed(await self._follows.ask_unfollow(chat_id, [target]), Placement.EDIT)

    async def _unfollow_asked(self, chat_id: int, refs: str) -> Reply:
        follows = await self._store.follows_of(chat_id)
        targets = [t for ref in refs.split(",") if (t := find_ref(ref, follows)) is not None]
        if not targets:
            return Reply(
                "Nothing to do: this chat no longer follows them.", placement=Placement.EDIT
            )
        done = [await self._follows.unfollow_target(chat_id, target) for target in targets]
        return Reply("\n".join(f"🔕 {line}" for line in done), placement=Placement.EDIT)

    async def _keep_asked(self, chat_id: int, _: str) -> Reply:
        return Reply("Kept: nothing changed.", placement=Placement.EDIT)

    async def _ask_unfollow_all(self, chat_id: int, _: str) -> Reply:
        count = len(await self._store.follows_of(chat_id))
        return Reply(
            f"Stop following all {count} and get no more alerts here?",
            ((Button("🔕 Yes, unfollow all", "xay"), Button("No", "l:0")),),
            placement=Placement.EDIT,
        )

    async def _unfollow_all(self, chat_id: int, _: str) -> Reply:
        await self._store.remove_follows(chat_id, set(await self._store.follows_of(chat_id)))
        return _placed(
            await self._follows.list_follows(chat_id, note="🔕 Unfollowed everything."),
            Placement.EDIT,
        )

    # --- under an alert or a card: the message keeps its text -------------------------------

    async def _ask_unfollow_here(self, chat_id: int, rest: str) -> Reply:
        ref, _, where = rest.partition(":")
        if find_ref(ref, await self._store.follows_of(chat_id)) is None:
            return Reply("", placement=Placement.TOAST, toast=GONE)
        asking = asking_buttons(ref, f":{where}" if where else "")
        return Reply("", asking, placement=Placement.BUTTONS)

    async def _unfollow_here(self, chat_id: int, rest: str) -> Reply:
        ref, _, where = rest.partition(":")
        target = find_ref(ref, await self._store.follows_of(chat_id))
        if target is None:
            return Reply("", placement=Placement.BUTTONS, toast=GONE)
        done = plain_text(await self._follows.unfollow_target(chat_id, target))
        # A card offers Follow again; an alert has nothing left to offer.
        buttons = await self._follows.card_buttons_of(chat_id, target) if where else ()
        return Reply("", buttons, placement=Placement.BUTTONS, toast=done)

    async def _keep_here(self, chat_id: int, rest: str) -> Reply:
        ref, _, where = rest.partition(":")
        target = find_ref(ref, await self._store.follows_of(chat_id))
        if target is None:
            return Reply("", placement=Placement.BUTTONS)
        if where:
            buttons = await self._follows.card_buttons_of(chat_id, target)
            return Reply("", buttons, placement=Placement.BUTTONS)
        return Reply("", followed_buttons(target), placement=Placement.BUTTONS)

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

    async def _stale(self, chat_id: int) -> Reply:
        reply = await self._follows.list_follows(chat_id, note=STALE)
        return _placed(reply, Placement.NEW)


def _placed(reply: Reply, placement: Placement) -> Reply:
    """`reply` at `placement`, unless it is a refusal, which stays a toast."""
    if reply.placement is Placement.TOAST:
        return reply
    return Reply(reply.text, reply.buttons, reply.awaiting, placement, reply.toast)


# Taps that change what the chat follows: only a group's admins may make them.
_CHANGES = {"m", "x", "xs", "xa", "xay", "u", "uy", "stopy"}
