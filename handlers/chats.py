"""Chat-level bookkeeping: a chat that talks to us can hear us; the bot joining or leaving.

`membership_change` decides from a `my_chat_member` update (pure, after PTB's chatmemberbot
example); the handlers apply it.
"""

from __future__ import annotations

from telegram import Chat, ChatMember, ChatMemberUpdated, Update
from telegram.ext import ContextTypes

from bot.runtime import runtime

PRESENT = {ChatMember.MEMBER, ChatMember.ADMINISTRATOR, ChatMember.OWNER, ChatMember.RESTRICTED}
GROUP_WELCOME = (
    "👋 Thanks for adding me. I watch UK Parliament petitions and government statements, and "
    "post here when something changes: milestones, the government's response (and when it is "
    "late), debates, and what departments say.\n\n"
    "Only this group's admins can change what it follows: /follow 300412, /statements, "
    "/debates. Anyone can ask for /status, /list, /search, /overdue or /help."
)


def membership_change(update: ChatMemberUpdated) -> bool | None:
    """True when the bot joined the chat (or was unblocked), False when it was removed (or
    blocked), None when its presence did not change."""
    was = update.old_chat_member.status in PRESENT
    now = update.new_chat_member.status in PRESENT
    return None if was == now else now


async def resume_chat(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A chat whose alerts were held (it blocked us) gets them again once it talks to us."""
    if not isinstance(update, Update) or update.effective_chat is None:
        return
    if update.my_chat_member is None:  # joining and leaving are track_membership's
        await runtime(context).returns.back(update.effective_chat.id)


async def track_membership(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Added to a group: introduce ourselves, or welcome it back with what it still follows.
    Removed or blocked: hold the chat's alerts. Back again: alerts resume, what changed
    meanwhile as one summary."""
    joined = membership_change(update.my_chat_member)
    chat = update.effective_chat
    if joined is None:
        return
    running = runtime(context)
    if not joined:
        await running.returns.away(chat.id)
        return
    if chat.type in (Chat.GROUP, Chat.SUPERGROUP):
        # Said first: the summary of what changed meanwhile follows it.
        again = await running.follows.welcome_back(chat.id)
        await context.bot.send_message(chat.id, again or GROUP_WELCOME)
    await running.returns.back(chat.id)
