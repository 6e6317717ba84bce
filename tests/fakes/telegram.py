"""A fake Telegram Bot API on 127.0.0.1, enough for python-telegram-bot's Application.

Serves getMe, setWebhook and deleteWebhook (with a webhook set, updates are posted to it with
its secret, in order, each retried until answered 200, and getUpdates answers 409 as Telegram
does), setMyCommands (per scope), getChatMember, getUpdates (long polling), sendMessage,
sendPhoto (keeping the picture's bytes), sendDocument (keeping the file), getFile and the file
downloads (of files a test's user sent), editMessageText, editMessageReplyMarkup,
answerCallbackQuery (keeping its toasts) and answerInlineQuery. Records every message sent with
its inline keyboard and whether it was silent (refusing invalid HTML, and callback data over 64
bytes, as Telegram does); lets a test send messages, tap buttons, type inline queries and add or
remove the bot; and can answer 403 (blocked), 429 (flood, for the next messages or for one chat for
a while), 400 (Bad Request), a ChatMigrated 400 for chosen chats, or 502 while "down"; can deliver
a message but lose the answer, or answer late; and can enforce Telegram's messages per second with
429s.
"""

from __future__ import annotations

import asyncio
import contextlib
import itertools
import json
import math
import time
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import aiohttp
from aiohttp import web

from bot.server import SECRET_HEADER
from tests.fakes.server import FakeServer

BOT_USER = {
    "id": 4242,
    "is_bot": True,
    "first_name": "Accountability Alerts",
    "username": "accountability_test_bot",
    "can_join_groups": True,
    "can_read_all_group_messages": False,
    "supports_inline_queries": False,
}


@dataclass
class SentMessage:
    chat_id: int
    text: str
    message_id: int = 0
    buttons: list[list[tuple[str, str]]] = field(default_factory=list)  # rows of (label, data)
    silent: bool = False  # sent with disable_notification
    photo: bytes | None = None  # a sendPhoto's picture; `text` is then its caption
    document: bytes | None = None  # a sendDocument's file; `text` is then its caption
    filename: str = ""
    urls: dict[str, str] = field(default_factory=dict)  # link buttons: label -> URL

    def data_of(self, label: str) -> str:
        """The callback data of the button labelled `label`."""
        return next(data for row in self.buttons for text, data in row if text == label)


class FakeTelegram(FakeServer):
    def __init__(self, token: str) -> None:
        super().__init__()
        self.token = token
        self.sent: list[SentMessage] = []
        self.attempts: list[int] = []  # chat ids of every sendMessage, refused ones too
        self.blocked: set[int] = set()
        self.migrated: dict[int, int] = {}
        self.flood_answers = 0  # how many upcoming sendMessage calls answer 429
        self.flood_retry_after = 1  # the retry_after those 429s ask for
        # Chats whose sendMessage answers 429 until a time.monotonic(): a flood wait of one chat.
        self.flooded: dict[int, float] = {}
        # Upcoming sendMessage calls that deliver, then drop the connection without an answer.
        self.replies_to_lose = 0
        self.reply_delay = 0.0  # seconds a delivered sendMessage waits before answering
        # Telegram's own limit, enforced when set: a sendMessage beyond this many in the last
        # second answers 429 (counted in `floods`). `sent_times` has each accepted one's time.
        self.max_per_second: int | None = None
        self.floods = 0
        self.sent_times: list[float] = []
        self.unparseable: set[int] = set()  # chats whose messages answer 400 Bad Request
        self.down = False  # sendMessage answers 502 Bad Gateway while set
        self.admins: dict[int, set[int]] = {}
        self.commands: list[dict[str, Any]] = []
        # The command menus by scope ("default", "all_group_chats", "chat:42"): their names.
        self.menus: dict[str, list[str]] = {}
        self.inline_answers: dict[str, list[dict[str, Any]]] = {}  # by inline query id
        self.inline_buttons: dict[str, dict[str, Any] | None] = {}  # the button above results
        self.edits: list[SentMessage] = []  # every editMessageText, as edited
        self.toasts: list[str | None] = []  # every answerCallbackQuery, with its text if any
        self.files: dict[str, bytes] = {}  # file id -> the bytes a user sent
        self._chat_types: dict[int, str] = {}
        self.webhook: tuple[str, str] | None = None  # (url, secret token) once set
        self.pushed = 0  # updates the webhook answered 200
        self._pusher: asyncio.Task[None] | None = None
        self._updates: list[dict[str, Any]] = []
        self._update_ids = itertools.count(1)
        self._message_ids = itertools.count(1)

    def add_routes(self, app: web.Application) -> None:
        app.router.add_route("*", "/bot{token}/{method}", self._dispatch)
        app.router.add_get("/file/bot{token}/{path}", self._download)

    async def start(self) -> None:
        await super().start()
        self.base_url += "/bot"

    async def stop(self) -> None:
        if self._pusher is not None:
            self._pusher.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._pusher
        await super().stop()

    async def _push(self) -> None:
        """Post queued updates to the webhook, oldest first, as Telegram does: one is retried
        (after a short wait) until it is answered 200."""
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=5)) as session:
            while True:
                await self.wait_until(
                    lambda: bool(self._updates) and self.webhook is not None, 3600
                )
                assert self.webhook is not None
                url, secret = self.webhook
                try:
                    async with session.post(
                        url, json=self._updates[0], headers={SECRET_HEADER: secret}
                    ) as response:
                        delivered = response.status == 200
                except (aiohttp.ClientError, TimeoutError):
                    delivered = False
                if delivered:
                    self._updates.pop(0)
                    self.pushed += 1
                    await self.notify()
                else:
                    await asyncio.sleep(0.2)

    # --- what a test does ---------------------------------------------------------------------

    def user_says(
        self,
        chat_id: int,
        text: str,
        *,
        user_id: int | None = None,
        chat_type: str = "private",
        anonymous_admin: bool = False,
    ) -> None:
        """Queue a message from a user (or an anonymous admin posting as the group), as
        getUpdates will hand it to the bot."""
        message = self._user_message(chat_id, chat_type, user_id, text=text)
        if anonymous_admin:
            message["sender_chat"] = message["chat"]
            message["from"] = {"id": 1087968824, "is_bot": True, "first_name": "Group"}
        if text.startswith("/"):
            command = text.split()[0]
            message["entities"] = [{"type": "bot_command", "offset": 0, "length": len(command)}]
        self._updates.append({"update_id": next(self._update_ids), "message": message})
        asyncio.get_running_loop().create_task(self.notify())

    def _user_message(
        self, chat_id: int, chat_type: str, user_id: int | None, **content: Any
    ) -> dict[str, Any]:
        """A message from a user in `chat_id`, with `content` (its text, or a document)."""
        self._chat_types[chat_id] = chat_type
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type}
        if chat_type == "private":
            chat["first_name"] = "Ann"
        else:
            chat["title"] = "Campaign group"
        user = user_id if user_id is not None else abs(chat_id)
        return {
            "message_id": next(self._message_ids),
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": user, "is_bot": False, "first_name": "Ann"},
            **content,
        }

    def user_sends_file(
        self,
        chat_id: int,
        data: bytes,
        filename: str = "export.json",
        *,
        caption: str = "",
        reply_with: str = "",
        user_id: int | None = None,
        chat_type: str = "private",
    ) -> None:
        """Queue a document a user sends; with `reply_with`, then that command as a reply to
        it (`/import` in a group)."""
        file_id = f"file{next(self._message_ids)}"
        self.files[file_id] = data
        document = {
            "file_id": file_id,
            "file_unique_id": file_id,
            "file_name": filename,
            "mime_type": "application/json",
            "file_size": len(data),
        }
        message = self._user_message(chat_id, chat_type, user_id, document=document)
        if caption:
            message["caption"] = caption
        if reply_with:
            command = self._user_message(chat_id, chat_type, user_id, text=reply_with)
            command["entities"] = [{"type": "bot_command", "offset": 0, "length": len(reply_with)}]
            command["reply_to_message"] = message
            message = command
        self._updates.append({"update_id": next(self._update_ids), "message": message})
        asyncio.get_running_loop().create_task(self.notify())

    def bot_membership(
        self, chat_id: int, old: str, new: str, *, chat_type: str = "supergroup", user_id: int = 7
    ) -> None:
        """Queue a my_chat_member update: the bot's status in the chat went from `old` to `new`
        (`member`, `administrator`, `left`, `kicked`)."""
        self._chat_types[chat_id] = chat_type
        chat: dict[str, Any] = {"id": chat_id, "type": chat_type, "title": "Campaign group"}
        if chat_type == "private":
            chat = {"id": chat_id, "type": "private", "first_name": "Ann"}
        change = {
            "chat": chat,
            "from": {"id": user_id, "is_bot": False, "first_name": "Ann"},
            "date": int(time.time()),
            "old_chat_member": {"user": BOT_USER, "status": old},
            "new_chat_member": {"user": BOT_USER, "status": new},
        }
        if new == "kicked":
            change["new_chat_member"]["until_date"] = 0
        if old == "kicked":
            change["old_chat_member"]["until_date"] = 0
        self._updates.append({"update_id": next(self._update_ids), "my_chat_member": change})
        asyncio.get_running_loop().create_task(self.notify())

    def user_inline_query(self, user_id: int, query: str) -> str:
        """Queue an inline query (`@bot <query>` typed in any chat); returns its id."""
        query_id = str(next(self._update_ids))
        inline = {
            "id": query_id,
            "from": {"id": user_id, "is_bot": False, "first_name": "Ann"},
            "query": query,
            "offset": "",
        }
        self._updates.append({"update_id": next(self._update_ids), "inline_query": inline})
        asyncio.get_running_loop().create_task(self.notify())
        return query_id

    def user_taps(self, message: SentMessage, label: str, *, user_id: int | None = None) -> None:
        """Queue a tap on the button labelled `label` under `message`."""
        chat_type = self._chat_types.get(message.chat_id, "private")
        user = user_id if user_id is not None else abs(message.chat_id)
        query = {
            "id": str(next(self._update_ids)),
            "from": {"id": user, "is_bot": False, "first_name": "Ann"},
            "chat_instance": "1",
            "data": message.data_of(label),
            "message": {
                "message_id": message.message_id,
                "date": int(time.time()),
                "chat": {"id": message.chat_id, "type": chat_type, "first_name": "Ann"},
                "from": BOT_USER,
                "text": message.text,
                "reply_markup": {
                    "inline_keyboard": [
                        [{"text": label, "callback_data": data} for label, data in row]
                        for row in message.buttons
                    ]
                },
            },
        }
        self._updates.append({"update_id": next(self._update_ids), "callback_query": query})
        asyncio.get_running_loop().create_task(self.notify())

    def messages_to(self, chat_id: int) -> list[str]:
        return [m.text for m in self.sent if m.chat_id == chat_id]

    def last_to(self, chat_id: int) -> SentMessage:
        return [m for m in self.sent if m.chat_id == chat_id][-1]

    async def next_message(self, chat_id: int, *, after: int | None = None, timeout: float = 10):
        """The first message to `chat_id` beyond the `after` messages it had (default: now)."""
        seen = len(self.messages_to(chat_id)) if after is None else after
        await self.wait_until(lambda: len(self.messages_to(chat_id)) > seen, timeout)
        return self.messages_to(chat_id)[seen]

    # --- the Bot API --------------------------------------------------------------------------

    async def _dispatch(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return _error(401, "Unauthorized")
        params = await _params(request)
        method = request.match_info["method"].lower()
        handler = getattr(self, f"_api_{method}", None)
        if handler is None:
            return _error(404, "Not Found: method not found")
        response = await handler(params)
        if method == "sendmessage" and response.status == 200:
            if self.replies_to_lose > 0:
                self.replies_to_lose -= 1
                assert request.transport is not None
                request.transport.close()  # delivered; the bot never hears so
            elif self.reply_delay:
                await asyncio.sleep(self.reply_delay)
        return response

    async def _api_getme(self, params: dict[str, Any]) -> web.Response:
        return _ok(BOT_USER)

    async def _api_deletewebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = None
        return _ok(True)

    async def _api_setwebhook(self, params: dict[str, Any]) -> web.Response:
        self.webhook = (params["url"], params.get("secret_token") or "")
        if self._pusher is None:
            self._pusher = asyncio.get_running_loop().create_task(self._push())
        await self.notify()
        return _ok(True)

    async def _api_setmycommands(self, params: dict[str, Any]) -> web.Response:
        scope = params.get("scope") or {"type": "default"}
        names = [command["command"] for command in params.get("commands", [])]
        self.menus[scope["type"] + (f":{scope['chat_id']}" if "chat_id" in scope else "")] = names
        if scope["type"] == "default":
            self.commands = params.get("commands", [])
        return _ok(True)

    async def _api_getchatmember(self, params: dict[str, Any]) -> web.Response:
        chat_id, user_id = int(params["chat_id"]), int(params["user_id"])
        user = {"id": user_id, "is_bot": False, "first_name": "Ann"}
        if user_id in self.admins.get(chat_id, set()):
            return _ok({"status": "creator", "user": user, "is_anonymous": False})
        return _ok({"status": "member", "user": user})

    async def _api_getupdates(self, params: dict[str, Any]) -> web.Response:
        if self.webhook is not None:
            return _error(409, "Conflict: can't use getUpdates method while webhook is active")
        offset = int(params.get("offset") or 0)
        timeout = float(params.get("timeout") or 0)
        self._updates = [u for u in self._updates if u["update_id"] >= offset]
        if not self._updates and timeout > 0:
            with contextlib.suppress(TimeoutError):
                await self.wait_until(lambda: bool(self._updates), timeout)
        return _ok(self._updates[: int(params.get("limit") or 100)])

    async def _api_sendmessage(self, params: dict[str, Any]) -> web.Response:
        chat_id = int(params["chat_id"])
        self.attempts.append(chat_id)
        try:
            if self.down:
                return _error(502, "Bad Gateway")
            if chat_id in self.unparseable:
                return _error(400, "Bad Request: can't parse entities: unsupported start tag")
            if chat_id in self.blocked:
                return _error(403, "Forbidden: bot was blocked by the user")
            if chat_id in self.migrated:
                return _error(
                    400,
                    "Bad Request: group chat was upgraded to a supergroup chat",
                    {"migrate_to_chat_id": self.migrated[chat_id]},
                )
            if self.flood_answers > 0:
                self.flood_answers -= 1
                wait = self.flood_retry_after
                return _error(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
            now = time.monotonic()
            if self.flooded.get(chat_id, 0.0) > now:
                wait = math.ceil(self.flooded[chat_id] - now)
                return _error(429, f"Too Many Requests: retry after {wait}", {"retry_after": wait})
            if self.max_per_second is not None:
                recent = [t for t in self.sent_times[-self.max_per_second :] if t > now - 1]
                if len(recent) >= self.max_per_second:
                    self.floods += 1
                    return _error(429, "Too Many Requests: retry after 1", {"retry_after": 1})
            refusal = _refusal(params)
            if refusal is not None:
                return refusal
            sent = SentMessage(
                chat_id,
                params["text"],
                next(self._message_ids),
                _buttons(params),
                silent=params.get("disable_notification") is True,
                urls=_urls(params),
            )
            self.sent.append(sent)
            self.sent_times.append(now)
            return _ok(self._message(sent))
        finally:
            await self.notify()

    async def _api_sendphoto(self, params: dict[str, Any]) -> web.Response:
        chat_id, photo = int(params["chat_id"]), params.get("photo")
        if not isinstance(photo, web.FileField):
            return _error(400, "Bad Request: there is no photo in the request")
        caption = params.get("caption", "")
        if caption and (params.get("parse_mode") != "HTML" or len(caption) > 1024):
            return _error(400, "Bad Request: can't parse caption entities")
        if caption and telegram_html_text(caption) is None:
            return _error(400, "Bad Request: can't parse caption entities")
        sent = SentMessage(
            chat_id,
            caption,
            next(self._message_ids),
            _buttons(params),
            silent=params.get("disable_notification") is True,
            photo=photo.file.read(),
        )
        self.sent.append(sent)
        await self.notify()
        return _ok(self._message(sent))

    async def _api_senddocument(self, params: dict[str, Any]) -> web.Response:
        chat_id, document = int(params["chat_id"]), params.get("document")
        if not isinstance(document, web.FileField):
            return _error(400, "Bad Request: there is no document in the request")
        sent = SentMessage(
            chat_id,
            params.get("caption", ""),
            next(self._message_ids),
            _buttons(params),
            document=document.file.read(),
            filename=document.filename,
        )
        self.sent.append(sent)
        await self.notify()
        return _ok(self._message(sent))

    async def _api_getfile(self, params: dict[str, Any]) -> web.Response:
        file_id = str(params["file_id"])
        if file_id not in self.files:
            return _error(400, "Bad Request: invalid file_id")
        size = len(self.files[file_id])
        return _ok({"file_id": file_id, "file_unique_id": file_id, "file_size": size,
                    "file_path": file_id})  # fmt: skip

    async def _download(self, request: web.Request) -> web.Response:
        if request.match_info["token"] != self.token:
            return web.Response(status=401)
        data = self.files.get(request.match_info["path"])
        return web.Response(status=404) if data is None else web.Response(body=data)

    async def _api_editmessagetext(self, params: dict[str, Any]) -> web.Response:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        refusal = _refusal(params)
        if refusal is not None:
            return refusal
        for sent in self.sent:
            if (sent.chat_id, sent.message_id) == (chat_id, message_id):
                sent.text, sent.buttons = params["text"], _buttons(params)
                self.edits.append(SentMessage(chat_id, sent.text, message_id, sent.buttons))
                await self.notify()
                return _ok(self._message(sent))
        return _error(400, "Bad Request: message to edit not found")

    async def _api_answercallbackquery(self, params: dict[str, Any]) -> web.Response:
        self.toasts.append(params.get("text"))
        await self.notify()
        return _ok(True)

    async def _api_answerinlinequery(self, params: dict[str, Any]) -> web.Response:
        for result in params.get("results", []):
            content = result.get("input_message_content", {})
            if telegram_html_text(content.get("message_text", "")) is None:
                return _error(400, "Bad Request: can't parse entities")
        self.inline_answers[str(params["inline_query_id"])] = params.get("results", [])
        self.inline_buttons[str(params["inline_query_id"])] = params.get("button")
        await self.notify()
        return _ok(True)

    async def _api_editmessagereplymarkup(self, params: dict[str, Any]) -> web.Response:
        chat_id, message_id = int(params["chat_id"]), int(params["message_id"])
        for sent in self.sent:
            if (sent.chat_id, sent.message_id) == (chat_id, message_id):
                sent.buttons = _buttons(params)
                self.edits.append(SentMessage(chat_id, sent.text, message_id, sent.buttons))
                await self.notify()
                return _ok(self._message(sent))
        return _error(400, "Bad Request: message to edit not found")

    def _message(self, sent: SentMessage) -> dict[str, Any]:
        chat = {"id": sent.chat_id, "type": self._chat_types.get(sent.chat_id, "private")}
        return {
            "message_id": sent.message_id,
            "date": int(time.time()),
            "chat": chat,
            "from": BOT_USER,
            "text": sent.text,
        }


class _TelegramHTML(HTMLParser):
    """Telegram's HTML parse mode: a few tags, properly nested; anything else is refused."""

    ALLOWED = frozenset({"b", "strong", "i", "em", "u", "s", "a", "code", "pre", "blockquote"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.open: list[str] = []
        self.text = ""
        self.valid = True

    def handle_starttag(self, tag: str, attrs: list) -> None:
        self.valid &= tag in self.ALLOWED
        self.open.append(tag)

    def handle_endtag(self, tag: str) -> None:
        self.valid &= bool(self.open) and self.open.pop() == tag

    def handle_data(self, data: str) -> None:
        self.text += data


def telegram_html_text(message: str) -> str | None:
    """The text a user would see, or None when Telegram would refuse the message."""
    parser = _TelegramHTML()
    parser.feed(message)
    parser.close()
    if not parser.valid or parser.open or not 0 < len(parser.text) <= 4096:
        return None
    return parser.text


def _refusal(params: dict[str, Any]) -> web.Response | None:
    """Telegram's answer to text it can't parse, or a keyboard it won't take; None if fine."""
    if params.get("parse_mode") != "HTML" or telegram_html_text(params["text"]) is None:
        return _error(400, "Bad Request: can't parse entities")
    for row in (params.get("reply_markup") or {}).get("inline_keyboard", []):
        for button in row:
            if len(button.get("callback_data", "").encode()) > 64:
                return _error(400, "Bad Request: BUTTON_DATA_INVALID")
    return None


def _urls(params: dict[str, Any]) -> dict[str, str]:
    keyboard = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    return {b["text"]: b["url"] for row in keyboard for b in row if "url" in b}


def _buttons(params: dict[str, Any]) -> list[list[tuple[str, str]]]:
    keyboard = (params.get("reply_markup") or {}).get("inline_keyboard", [])
    return [[(b["text"], b.get("callback_data", "")) for b in row] for row in keyboard]


async def _params(request: web.Request) -> dict[str, Any]:
    if request.content_type == "application/json":
        return await request.json()
    form = await request.post() if request.can_read_body else {}
    params: dict[str, Any] = dict(request.query)
    for key, value in form.items():
        # python-telegram-bot sends strings as they are and other values JSON-encoded.
        if key in {"text", "caption"} or not isinstance(value, str):
            params[key] = value
            continue
        try:
            params[key] = json.loads(value)
        except ValueError:
            params[key] = value
    return params


def _ok(result: Any) -> web.Response:
    return web.json_response({"ok": True, "result": result})


def _error(code: int, description: str, parameters: dict[str, Any] | None = None) -> web.Response:
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if parameters:
        body["parameters"] = parameters
    return web.json_response(body, status=code)
