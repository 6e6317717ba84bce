"""The long-lived services of a running bot, kept in `application.bot_data` under one key.

Created in the application's post_init (inside the event loop) and closed in post_shutdown, so
there are no module-level globals.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from telegram.ext import CallbackContext

from bot.alertsettings import SettingsService
from bot.background import Background
from bot.charting import Charts
from bot.following import FollowService
from bot.health import Health
from bot.http import HttpClient
from bot.operating import Operations
from bot.poller import Poller
from bot.portability import Portability
from bot.presses import ButtonService
from bot.returning import Returns
from bot.sharing import Sharing
from bot.storage.port import Storage
from bot.throttle import Throttle

RUNTIME_KEY = "runtime"


@dataclass
class Runtime:
    store: Storage
    http: HttpClient
    follows: FollowService
    buttons: ButtonService
    settings: SettingsService
    charts: Charts
    sharing: Sharing
    portability: Portability
    returns: Returns
    poller: Poller
    operator_ids: tuple[int, ...]  # telegram.admin_ids
    operations: Operations  # what they see and do: /stats, /source
    background: Background
    throttle: Throttle
    command_budget_seconds: float
    health: Health


def runtime(context: CallbackContext[Any, Any, Any, Any]) -> Runtime:
    return context.application.bot_data[RUNTIME_KEY]
