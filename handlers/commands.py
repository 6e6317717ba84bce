"""Command handlers: read the command, call one service, send its Reply (or its file).

In groups, only the group's administrators may change what the group follows and its settings;
anyone may ask for /status, /list or browse a kind's listing. A command the bot doesn't have
gets a hint, in a group only when it is addressed to the bot.
"""

from __future__ import annotations

import functools
import html
from collections.abc import Awaitable, Callable

from telegram import (
    BotCommand,
    BotCommandScope,
    BotCommandScopeAllGroupChats,
    BotCommandScopeAllPrivateChats,
    BotCommandScopeChat,
    BotCommandScopeDefault,
    Chat,
    ChatMember,
    Document,
    Update,
)
from telegram.error import Forbidden
from telegram.ext import ContextTypes

from bot.callbacks import markup
from bot.following import ADMINS_ONLY
from bot.portability import FILE_LIMIT
from bot.runtime import runtime
from bot.sources.base import Command, Reply
from handlers.inline import INLINE_HELP

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]
AWAITING_KEY = "awaiting"  # chat_data: user id -> what a kind asked that user

BEFORE_KINDS = (
    Command("follow", "Follow a petition by number or link", "/follow 300412"),
    Command("unfollow", "Stop following something", "/unfollow 300412"),
    Command("list", "What this chat follows, with current counts", "/list"),
    Command("status", "Where a petition or a follow stands", "/status 300412"),
    Command("share", "A card to forward that follows in one tap", "/share 300412"),
    Command("chart", "A petition's signatures over time, as a picture", "/chart 300412"),
)
AFTER_KINDS = (
    Command("settings", "Quiet hours, time zone, daily digest, defaults", "/settings"),
    Command("export", "This chat's follows and settings as a file", "/export"),
    Command("import", "Bring back an exported file (reply to it)", "/import"),
    Command("privacy", "What I keep about this chat, and for how long", "/privacy"),
    Command("stop", "Unfollow everything and delete this chat's data", "/stop"),
    Command("help", "What I can do", "/help"),
)
# Not in a group's menu: a group stops with the Unfollow all button, by its admins.
PRIVATE_ONLY = {"stop"}
OPERATORS = (
    Command("stats", "What the bot holds, and how its sources do (operators only)", "/stats"),
    Command("source", "Pause or resume a source's polls (operators only)", "/source pause govuk"),
)
OPERATORS_ONLY = "That command is for the bot's operators."
IMPORT_HOW = (
    "Send /import as a reply to the file /export gave you. In a private chat, sending me the "
    "file is enough."
)
TOO_BIG = "That file is too big to be one of my exports. Nothing changed."
SETTINGS_SENT_PRIVATELY = (
    "I've sent you this group's settings in a private message. Only its admins can change them."
)

WELCOME = (
    "👋 <b>Accountability Alerts</b> watches UK Parliament petitions and government "
    "statements for you.\n\n"
    "Follow a petition and I'll message this chat the moment something changes: signature "
    "milestones, the 10,000 signatures that oblige a government response, the 100,000 that put "
    "a debate on the table, the response itself, and when the government is <b>late</b> with it "
    "(it has agreed to respond within 21 days). Debates scheduled, moved or held, and closing "
    "dates too.\n\n"
    "To start, send /follow with a petition's number or link, for example:\n"
    "/follow https://petition.parliament.uk/petitions/300412\n\n"
    "/statements follows what a department says; /debates lists the petition debates coming up."
)


def inline_how(bot_username: str) -> str:
    return (
        f"📤 In any chat, type <code>@{bot_username}</code> and a petition's number, its link "
        "or a few words from its title, then tap a card to send it there. Everyone who reads it "
        "can follow the petition in one tap."
    )


def all_commands(kind_commands: list[Command]) -> list[Command]:
    """The one list behind Telegram's command menu and /help."""
    return [*BEFORE_KINDS, *kind_commands, *AFTER_KINDS]


def command_menus(
    kind_commands: list[Command], operator_ids: tuple[int, ...]
) -> list[tuple[BotCommandScope, list[BotCommand]]]:
    """Telegram's command menus: private chats, groups, and each operator's chat."""
    everything = [BotCommand(c.name, c.description) for c in all_commands(kind_commands)]
    groups = [command for command in everything if command.command not in PRIVATE_ONLY]
    operators = everything + [BotCommand(c.name, c.description) for c in OPERATORS]
    return [
        (BotCommandScopeDefault(), everything),
        (BotCommandScopeAllPrivateChats(), everything),
        (BotCommandScopeAllGroupChats(), groups),
        *((BotCommandScopeChat(user), operators) for user in operator_ids),
    ]


def help_text(kind_commands: list[Command]) -> str:
    lines = ["<b>What I understand</b>"]
    for c in all_commands(kind_commands):
        example = "" if c.example == f"/{c.name}" else f", such as <code>{c.example}</code>"
        lines.append(f"/{c.name}: {c.description}{example}")
    lines.append(
        "\nIn a private chat, send a petition's link to see it, or a few words to find one. "
        "Several at once work too: <code>/follow 700013 700014</code>."
    )
    return "\n".join(lines)


async def send(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    """Send a Reply as HTML with its buttons (a picture with its caption, if it has one);
    remember what it asks the user, if anything."""
    message = update.effective_message
    if reply.photo is not None:
        await message.reply_photo(
            reply.photo, caption=reply.text, reply_markup=markup(reply.buttons)
        )
    else:
        await message.reply_html(reply.text, reply_markup=markup(reply.buttons))
    remember_question(update, context, reply)


def remember_question(update: Update, context: ContextTypes.DEFAULT_TYPE, reply: Reply) -> None:
    # The question belongs to whoever triggered it: in a group, the others' messages aren't
    # answers to it.
    if reply.awaiting is not None and update.effective_user is not None:
        context.chat_data.setdefault(AWAITING_KEY, {})[update.effective_user.id] = reply.awaiting


def admins_only(handler: Handler) -> Handler:
    """In groups, let only administrators through; everyone else gets a polite no."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await may_change_follows(update, context):
            await handler(update, context)
        else:
            await update.effective_message.reply_html(ADMINS_ONLY)

    return guarded


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome and explain."""
    await update.effective_message.reply_html(WELCOME)


async def start_with_link(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A deep link (`/start p_300412`): follow what it names in one tap; else welcome."""
    if context.args[0] == INLINE_HELP:
        await update.effective_message.reply_html(inline_how(context.bot.username))
        return
    reply = await runtime(context).follows.start(
        update.effective_chat.id, context.args[0], await may_change_follows(update, context)
    )
    if reply is None:
        await start(update, context)
    else:
        await send(update, context, reply)


async def share(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A card to forward, with the links that follow it in one tap."""
    reply = await runtime(context).sharing.share(
        update.effective_chat.id, " ".join(context.args or [])
    )
    await send(update, context, reply)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands with one example each."""
    await update.effective_message.reply_html(help_text(runtime(context).follows.commands()))


@admins_only
async def follow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Follow what the text names: a petition, `debates`, `statements home-office …`."""
    reply = await runtime(context).follows.follow(
        update.effective_chat.id, " ".join(context.args or [])
    )
    await send(update, context, reply)


@admins_only
async def unfollow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop following what the text names, or the follow with that number in /list."""
    reply = await runtime(context).follows.unfollow(
        update.effective_chat.id, " ".join(context.args or [])
    )
    await send(update, context, reply)


async def list_follows(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Everything this chat follows, with current counts."""
    await send(
        update, context, await runtime(context).follows.list_follows(update.effective_chat.id)
    )


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The status card of one petition or follow."""
    reply = await runtime(context).follows.status(
        update.effective_chat.id, " ".join(context.args or [])
    )
    await send(update, context, reply)


async def chart(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A picture of a followed petition's signatures over time."""
    reply = await runtime(context).charts.chart(
        update.effective_chat.id, " ".join(context.args or [])
    )
    await send(update, context, reply)


async def settings(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The chat's settings; with arguments, change one. A group member who is no admin gets
    them privately (or, if they never opened a chat with the bot, in a few lines), never the
    panel whose buttons only admins may use."""
    service, chat = runtime(context).settings, update.effective_chat
    if await may_change_follows(update, context):
        reply = await service.command(chat.id, " ".join(context.args or []))
        await send(update, context, reply)
        return
    summary = await service.summary(chat.id, chat.title or "this group")
    try:
        await context.bot.send_message(update.effective_user.id, summary, parse_mode="HTML")
    except Forbidden:
        await update.effective_message.reply_html(summary)
    else:
        await update.effective_message.reply_html(SETTINGS_SENT_PRIVATELY)


def operators_only(handler: Handler) -> Handler:
    """The handler for the bot's operators (telegram.admin_ids); anyone else is told it is not
    for them."""

    @functools.wraps(handler)
    async def run(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        user = update.effective_user
        if user is None or user.id not in runtime(context).operator_ids:
            await update.effective_message.reply_html(OPERATORS_ONLY)
            return
        await handler(update, context)

    return run


@operators_only
async def stats(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The operators' figures: what the bot holds, how each source and sending are doing."""
    await send(update, context, await runtime(context).operations.stats())


@operators_only
async def source(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/source pause <name>`, `/source resume <name>`."""
    await send(update, context, runtime(context).operations.source(context.args or []))


async def privacy(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """What the bot keeps, and how to delete it."""
    await send(update, context, runtime(context).portability.privacy())


async def export(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The chat's follows and settings as a file."""
    exported = await runtime(context).portability.export(update.effective_chat.id)
    await update.effective_message.reply_document(
        exported.data, filename=exported.filename, caption=exported.caption
    )


@admins_only
async def import_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """`/import` in reply to an exported file: bring its follows and settings back."""
    replied = update.effective_message.reply_to_message
    document = replied.document if replied is not None else None
    if document is None:
        await update.effective_message.reply_html(IMPORT_HOW)
        return
    await restore(update, context, document)


async def restore(update: Update, context: ContextTypes.DEFAULT_TYPE, document: Document) -> None:
    """Read the file sent, and restore what it lists."""
    if document.file_size is not None and document.file_size > FILE_LIMIT:
        await update.effective_message.reply_html(TOO_BIG)
        return
    file = await context.bot.get_file(document.file_id)
    data = bytes(await file.download_as_bytearray())
    reply = await runtime(context).portability.restore(update.effective_chat.id, data)
    await send(update, context, reply)


async def unknown_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command the bot doesn't have: in a private chat, or addressed to it in a group."""
    word = update.effective_message.text.split()[0]
    name, _, addressee = word.partition("@")
    if (
        update.effective_chat.type != Chat.PRIVATE
        and addressee.lower() != (context.bot.username or "").lower()
    ):
        return  # a command for another bot in the group
    await update.effective_message.reply_html(
        f"I don't know {html.escape(name[:40])}. /help lists what I can do."
    )


@admins_only
async def stop(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Ask before unfollowing everything and deleting the chat's data."""
    await send(update, context, runtime(context).follows.stop())


async def browse(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A kind's own command (/statements, /debates): its menu, listing, or a follow."""
    command = update.effective_message.text.split()[0].lstrip("/").split("@")[0].lower()
    reply = await runtime(context).follows.browse(
        update.effective_chat.id,
        command,
        " ".join(context.args or []),
        await may_change_follows(update, context),
    )
    await send(update, context, reply)


async def may_change_follows(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat = update.effective_chat
    if chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return True
    message = update.effective_message
    if (
        message is not None
        and message.sender_chat is not None
        and message.sender_chat.id == chat.id
    ):
        return True  # an anonymous admin posting as the group
    if update.effective_user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, update.effective_user.id)
    return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
