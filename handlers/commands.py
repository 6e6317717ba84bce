"""Command handlers: read the command, call one FollowService method, reply in HTML.

In groups, only the group's administrators may change what the group follows; anyone may ask
for /status or /list.
"""

from __future__ import annotations

import functools
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from telegram import BotCommand, Chat, ChatMember, Update
from telegram.ext import ContextTypes

from bot.runtime import runtime

Handler = Callable[[Update, ContextTypes.DEFAULT_TYPE], Awaitable[None]]


@dataclass(frozen=True)
class Command:
    name: str
    description: str
    example: str


COMMANDS = (
    Command("follow", "Follow a petition by number or link", "/follow 300412"),
    Command("unfollow", "Stop following a petition", "/unfollow 300412"),
    Command("list", "What this chat follows, with current counts", "/list"),
    Command("status", "Where a petition stands now", "/status 300412"),
    Command("help", "The commands, with an example each", "/help"),
)
BOT_COMMANDS = [BotCommand(c.name, c.description) for c in COMMANDS]

WELCOME = (
    "👋 <b>Accountability Alerts</b> watches UK Parliament petitions for you.\n\n"
    "Follow a petition and I'll message this chat the moment something changes: signature "
    "milestones, the 10,000 signatures that oblige a government response, the 100,000 that put "
    "a debate on the table, the response itself, and when the government is <b>late</b> with it "
    "(it has agreed to respond within 21 days). Debates scheduled, moved or held, and closing "
    "dates too.\n\n"
    "To start, send /follow with a petition's number or link, for example:\n"
    "/follow https://petition.parliament.uk/petitions/300412"
)
ADMINS_ONLY = "Only this group's admins can change what it follows."


def help_text() -> str:
    lines = ["<b>What I understand</b>"]
    lines += [f"/{c.name}: {c.description}. Example: <code>{c.example}</code>" for c in COMMANDS]
    lines.append("/watch and /unwatch work too. You can paste a petition link after /follow.")
    return "\n".join(lines)


def admins_only(handler: Handler) -> Handler:
    """In groups, let only administrators through; everyone else gets a polite no."""

    @functools.wraps(handler)
    async def guarded(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        if await _may_change_follows(update, context):
            await handler(update, context)
        else:
            await update.effective_message.reply_html(ADMINS_ONLY)

    return guarded


async def start(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Welcome and explain."""
    await update.effective_message.reply_html(WELCOME)


@admins_only
async def start_with_petition(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Deep link `/start p_<number>`: follow that petition in one tap."""
    petition = context.args[0].removeprefix("p_")
    reply = await runtime(context).follows.follow(update.effective_chat.id, petition)
    await update.effective_message.reply_html(reply)


async def help_command(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """List the commands with one example each."""
    await update.effective_message.reply_html(help_text())


@admins_only
async def follow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Follow the petition named by number or link."""
    reply = await runtime(context).follows.follow(
        update.effective_chat.id, " ".join(context.args or [])
    )
    await update.effective_message.reply_html(reply)


@admins_only
async def unfollow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Stop following a petition."""
    reply = await runtime(context).follows.unfollow(
        update.effective_chat.id, " ".join(context.args or [])
    )
    await update.effective_message.reply_html(reply)


async def list_follows(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Everything this chat follows, with current counts."""
    await update.effective_message.reply_html(
        runtime(context).follows.list_follows(update.effective_chat.id)
    )


async def status(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The status card of one petition."""
    reply = await runtime(context).follows.status(" ".join(context.args or []))
    await update.effective_message.reply_html(reply)


async def _may_change_follows(update: Update, context: ContextTypes.DEFAULT_TYPE) -> bool:
    chat = update.effective_chat
    if chat.type not in (Chat.GROUP, Chat.SUPERGROUP):
        return True
    message = update.effective_message
    if message.sender_chat is not None and message.sender_chat.id == chat.id:
        return True  # an anonymous admin posting as the group
    if update.effective_user is None:
        return False
    member = await context.bot.get_chat_member(chat.id, update.effective_user.id)
    return member.status in (ChatMember.ADMINISTRATOR, ChatMember.OWNER)
