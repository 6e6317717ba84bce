"""Configuration: reads the TOML file, applies defaults and environment overrides, validates.

Owns the config contract (see config.example.toml). Every problem is raised as one ConfigError
whose message names the offending key, so start-up can print one clear line. No I/O beyond
reading the file.
"""

from __future__ import annotations

import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

TOKEN_ENV = "TELEGRAM_BOT_TOKEN"
# What @BotFather gives: the bot's id, a colon, then its secret.
_TOKEN = re.compile(r"^\d+:[A-Za-z0-9_-]+$")
# The Bot API's base: the token follows it directly (python-telegram-bot appends it).
_API_BASE = re.compile(r"^https?://[^/\s:]+(?::\d+)?(?:/[^\s]*)?/bot$")
_WEBHOOK_URL = re.compile(r"^https?://[^/\s:]+(?::\d+)?(?:/[^\s]*)?$")
# Telegram's alphabet for a webhook's secret token (up to 256); at least 16, so it can't be guessed.
_WEBHOOK_SECRET = re.compile(r"^[A-Za-z0-9_-]{16,256}$")
_LISTEN = re.compile(r"^(?P<host>[^\s:]+|\[[0-9a-fA-F:]+\]):(?P<port>\d{1,5})$")


class ConfigError(Exception):
    """The configuration cannot be used; the message names the key and says why."""


@dataclass(frozen=True)
class TelegramConfig:
    token: str
    api_base_url: str = "https://api.telegram.org/bot"
    admin_ids: tuple[int, ...] = ()
    # Webhook mode when set: Telegram posts updates to this public URL, which a reverse proxy
    # maps to [server] listen; every request must carry webhook_secret. Empty: long polling.
    webhook_url: str = ""
    webhook_secret: str = ""


@dataclass(frozen=True)
class ServerConfig:
    # "host:port" of the bot's own HTTP server (the webhook); empty: none.
    listen: str = ""

    @property
    def address(self) -> tuple[str, int]:
        match = _LISTEN.match(self.listen)
        assert match is not None  # checked when the config was read
        return match["host"].strip("[]"), int(match["port"])


@dataclass(frozen=True)
class StorageConfig:
    path: Path = Path("data/alerts.json")
    # A PostgreSQL URL selects PostgreSQL (several processes may share it); empty: TinyDB at path.
    url: str = ""


@dataclass(frozen=True)
class PetitionsConfig:
    base_url: str = "https://petition.parliament.uk"
    poll_interval_seconds: float = 60
    # cheapest: list pages where they take fewer requests and bytes; each: one per petition;
    # lists: list pages whenever they show a followed petition (bot/sources/petitions/plan.py).
    plan: str = "cheapest"


@dataclass(frozen=True)
class GovukConfig:
    base_url: str = "https://www.gov.uk"
    poll_interval_seconds: float = 300


@dataclass(frozen=True)
class ParliamentConfig:
    statements_base_url: str = "https://questions-statements-api.parliament.uk"
    whatson_base_url: str = "https://whatson-api.parliament.uk"
    members_base_url: str = "https://members-api.parliament.uk"
    poll_interval_seconds: float = 900


@dataclass(frozen=True)
class WhatDoTheyKnowConfig:
    base_url: str = "https://www.whatdotheyknow.com"
    # A volunteer-run site: a read of each followed authority's feed every half hour at most.
    poll_interval_seconds: float = 1800


@dataclass(frozen=True)
class HttpConfig:
    timeout_seconds: float = 15
    retries: int = 3
    backoff_seconds: float = 1.0
    connections_per_host: int = 8
    polite_interval_seconds: float = 1.0
    # A command's upstream look-ups give up after this and answer that the site is slow.
    command_budget_seconds: float = 4.0


@dataclass(frozen=True)
class LimitsConfig:
    follows_per_chat: int = 50
    # Per user: commands, taps and pasted messages beyond this are answered "slow down".
    actions_per_minute: int = 30


@dataclass(frozen=True)
class LoggingConfig:
    # text: a readable line each; json: one JSON object a line, for log collectors.
    format: str = "text"


@dataclass(frozen=True)
class Config:
    telegram: TelegramConfig
    storage: StorageConfig = field(default_factory=StorageConfig)
    petitions: PetitionsConfig = field(default_factory=PetitionsConfig)
    govuk: GovukConfig = field(default_factory=GovukConfig)
    parliament: ParliamentConfig = field(default_factory=ParliamentConfig)
    whatdotheyknow: WhatDoTheyKnowConfig = field(default_factory=WhatDoTheyKnowConfig)
    http: HttpConfig = field(default_factory=HttpConfig)
    limits: LimitsConfig = field(default_factory=LimitsConfig)
    server: ServerConfig = field(default_factory=ServerConfig)
    logging: LoggingConfig = field(default_factory=LoggingConfig)


# section -> key -> (accepted TOML types, what to call them in an error, conversion)
_Spec = dict[str, tuple[tuple[type, ...], str, Any]]
_URL: tuple[tuple[type, ...], str, Any] = ((str,), "a URL string", lambda v: v.rstrip("/"))
_INTERVAL: tuple[tuple[type, ...], str, Any] = ((int, float), "a number of seconds", float)
_SCHEMA: dict[str, tuple[type, _Spec]] = {
    "telegram": (
        TelegramConfig,
        {
            "token": ((str,), "a string", str),
            "api_base_url": ((str,), "a URL string", lambda v: v.rstrip("/")),
            "admin_ids": ((list,), "a list of user ids", tuple),
            "webhook_url": ((str,), "a URL string", str),
            "webhook_secret": ((str,), "a string", str),
        },
    ),
    "server": (ServerConfig, {"listen": ((str,), 'a "host:port" string', str)}),
    "storage": (
        StorageConfig,
        {"path": ((str,), "a file path", Path), "url": ((str,), "a postgresql:// URL", str)},
    ),
    "petitions": (
        PetitionsConfig,
        {"base_url": _URL, "poll_interval_seconds": _INTERVAL, "plan": ((str,), "text", str)},
    ),
    "govuk": (GovukConfig, {"base_url": _URL, "poll_interval_seconds": _INTERVAL}),
    "parliament": (
        ParliamentConfig,
        {
            "statements_base_url": _URL,
            "whatson_base_url": _URL,
            "members_base_url": _URL,
            "poll_interval_seconds": _INTERVAL,
        },
    ),
    "whatdotheyknow": (
        WhatDoTheyKnowConfig,
        {"base_url": _URL, "poll_interval_seconds": _INTERVAL},
    ),
    "http": (
        HttpConfig,
        {
            "timeout_seconds": _INTERVAL,
            "retries": ((int,), "a whole number", int),
            "backoff_seconds": _INTERVAL,
            "connections_per_host": ((int,), "a whole number", int),
            "polite_interval_seconds": _INTERVAL,
            "command_budget_seconds": _INTERVAL,
        },
    ),
    "logging": (LoggingConfig, {"format": ((str,), "text", str)}),
    "limits": (
        LimitsConfig,
        {
            "follows_per_chat": ((int,), "a whole number", int),
            "actions_per_minute": ((int,), "a whole number", int),
        },
    ),
}
_POSITIVE = {
    "petitions.poll_interval_seconds",
    "govuk.poll_interval_seconds",
    "parliament.poll_interval_seconds",
    "whatdotheyknow.poll_interval_seconds",
    "http.timeout_seconds",
    "http.connections_per_host",
    "http.polite_interval_seconds",
    "http.command_budget_seconds",
    "limits.follows_per_chat",
    "limits.actions_per_minute",
}

_CHOICES = {"petitions.plan": ("cheapest", "each", "lists"), "logging.format": ("text", "json")}


def load_config(path: Path, environ: dict[str, str] | None = None) -> Config:
    """Read and validate the TOML file at `path`; TELEGRAM_BOT_TOKEN overrides the file's token."""
    environ = dict(os.environ) if environ is None else environ
    try:
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise ConfigError(
            f"config file {path} does not exist: copy config.example.toml to it and edit it "
            "(or name another with --config)"
        ) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise ConfigError(f"config file {path} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"config file {path} is not valid TOML: {exc}") from None
    return parse_config(raw, environ)


def parse_config(raw: dict[str, Any], environ: dict[str, str]) -> Config:
    """Validate an already-parsed TOML document against the contract."""
    sections: dict[str, Any] = {}
    for section_name, section in raw.items():
        if section_name not in _SCHEMA:
            raise ConfigError(f"unknown config section [{section_name}]")
        if not isinstance(section, dict):
            raise ConfigError(f"config key {section_name} must be a [section]")
        cls, spec = _SCHEMA[section_name]
        values = {}
        for key, value in section.items():
            name = f"{section_name}.{key}"
            if key not in spec:
                raise ConfigError(f"unknown config key {name}")
            values[key] = _convert(name, value, spec[key])
        if section_name != "telegram":
            sections[section_name] = cls(**values)
        else:
            sections[section_name] = values

    telegram = sections.get("telegram", {})
    token = (environ.get(TOKEN_ENV) or telegram.get("token", "")).strip()
    if not token:
        raise ConfigError(
            "the bot token is missing: create a bot with @BotFather (send it /newbot), then set "
            f"{TOKEN_ENV} (or telegram.token in the config file) to the token it gives"
        )
    if not _TOKEN.match(token):
        where = TOKEN_ENV if environ.get(TOKEN_ENV) else "telegram.token"
        raise ConfigError(
            f"{where} is not a bot token: @BotFather's look like 123456789:AAH… (digits, a "
            "colon, then letters and digits); copy it whole"
        )
    api = telegram.get("api_base_url", TelegramConfig.api_base_url)
    if not _API_BASE.match(api):
        raise ConfigError(
            "config key telegram.api_base_url must be an http(s) URL ending in /bot, such as "
            "https://api.telegram.org/bot (the token follows it)"
        )
    telegram["token"] = token
    sections["telegram"] = TelegramConfig(**telegram)
    _check_webhook(sections["telegram"], sections.get("server", ServerConfig()))
    return Config(**sections)


def _check_webhook(telegram: TelegramConfig, server: ServerConfig) -> None:
    if server.listen and not _LISTEN.match(server.listen):
        raise ConfigError('config key server.listen must be "host:port", such as "127.0.0.1:8080"')
    if not telegram.webhook_url:
        return
    if not _WEBHOOK_URL.match(telegram.webhook_url):
        raise ConfigError(
            "config key telegram.webhook_url must be an http(s) URL, such as "
            "https://alerts.example.org/telegram (the public address Telegram posts updates to)"
        )
    if not _WEBHOOK_SECRET.match(telegram.webhook_secret):
        raise ConfigError(
            "config key telegram.webhook_secret is required with a webhook_url: 16 to 256 "
            "letters, digits, _ or - (such as the output of `openssl rand -hex 32`); Telegram "
            "sends it with every update, and requests without it are refused"
        )
    if not server.listen:
        raise ConfigError(
            'config key server.listen is required with a webhook_url: the "host:port" the '
            "reverse proxy forwards Telegram's requests to"
        )


def _convert(name: str, value: Any, spec: tuple[tuple[type, ...], str, Any]) -> Any:
    types, described, convert = spec
    # bool is an int in Python, but `retries = true` is a mistake worth reporting.
    if isinstance(value, bool) or not isinstance(value, types):
        raise ConfigError(f"config key {name} must be {described}, not {_kind_of(value)}")
    if name == "telegram.admin_ids" and not all(
        isinstance(item, int) and not isinstance(item, bool) for item in value
    ):
        raise ConfigError(f"config key {name} must be {described}, not a list of something else")
    if name in _POSITIVE and value <= 0:
        raise ConfigError(f"config key {name} must be greater than 0")
    if name in _CHOICES and value not in _CHOICES[name]:
        raise ConfigError(f"config key {name} must be one of {', '.join(_CHOICES[name])}")
    if name == "storage.url" and value and not value.startswith(("postgresql://", "postgres://")):
        raise ConfigError(f"config key {name} must be a postgresql:// URL, or empty for TinyDB")
    if name == "http.retries" and value < 0:
        raise ConfigError(f"config key {name} must be 0 or more")
    return convert(value)


def _kind_of(value: Any) -> str:
    # Never the value itself: a mistyped key can hold the bot token.
    names = {bool: "true/false", str: "text", int: "a whole number", float: "a decimal number"}
    return names.get(type(value), "a list or table")
