"""Configuration: the example file is valid, and every mistake is one clear line with exit 2."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from bot.config import ConfigError, load_config, parse_config

ROOT = Path(__file__).resolve().parent.parent


def test_example_config_loads_with_the_token_from_the_environment():
    config = load_config(ROOT / "config.example.toml", {"TELEGRAM_BOT_TOKEN": "1:abc"})
    assert config.telegram.token == "1:abc"
    assert config.petitions.base_url == "https://petition.parliament.uk"
    assert config.petitions.poll_interval_seconds == 60
    assert config.limits.follows_per_chat == 50
    assert config.storage.path == Path("data/alerts.json")
    assert (config.govuk.base_url, config.govuk.poll_interval_seconds) == (
        "https://www.gov.uk",
        300,
    )
    assert config.parliament.members_base_url == "https://members-api.parliament.uk"
    assert config.parliament.poll_interval_seconds == 900
    assert config.http.polite_interval_seconds == 1.0
    assert config.logging.format == "text"


def test_every_source_url_and_interval_can_be_overridden_down_to_one_second():
    config = parse_config(
        {
            "telegram": {"token": "1:a"},
            "govuk": {"base_url": "http://127.0.0.1:8001/", "poll_interval_seconds": 1},
            "parliament": {
                "statements_base_url": "http://127.0.0.1:8002",
                "whatson_base_url": "http://127.0.0.1:8003",
                "members_base_url": "http://127.0.0.1:8004",
                "poll_interval_seconds": 1,
            },
            "http": {"polite_interval_seconds": 0.05},
        },
        {},
    )
    assert config.govuk.base_url == "http://127.0.0.1:8001"
    assert config.parliament.members_base_url == "http://127.0.0.1:8004"
    assert config.govuk.poll_interval_seconds == config.parliament.poll_interval_seconds == 1


def test_environment_token_overrides_the_file():
    config = parse_config({"telegram": {"token": "1:file"}}, {"TELEGRAM_BOT_TOKEN": "1:env"})
    assert config.telegram.token == "1:env"


WEBHOOK, SECRET = "https://alerts.example.org/telegram", "0123456789abcdef-_XYZ"


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({}, "the bot token is missing: create a bot with @BotFather"),
        ({"telegram": {"token": "  "}}, "the bot token is missing"),
        ({"telegram": {"token": "not-a-token"}}, "telegram.token is not a bot token"),
        (
            {"telegram": {"token": "1:a", "api_base_url": "http://127.0.0.1:9"}},
            "telegram.api_base_url must be an http\\(s\\) URL ending in /bot",
        ),
        ({"telegram": {"token": "1:a", "tokn": "x"}}, "unknown config key telegram.tokn"),
        ({"telegram": {"token": "1:a"}, "petition": {}}, r"unknown config section \[petition\]"),
        (
            {"telegram": {"token": "1:a"}, "petitions": {"poll_interval_seconds": "60"}},
            "petitions.poll_interval_seconds must be a number of seconds",
        ),
        (
            {"telegram": {"token": "1:a"}, "petitions": {"poll_interval_seconds": 0}},
            "petitions.poll_interval_seconds must be greater than 0",
        ),
        (
            {"telegram": {"token": "1:a"}, "limits": {"follows_per_chat": True}},
            "limits.follows_per_chat must be a whole number",
        ),
        (
            {"telegram": {"token": "1:a", "admin_ids": ["me"]}},
            "telegram.admin_ids must be a list of user ids",
        ),
        ({"telegram": {"token": "1:a"}, "storage": "x"}, "storage must be a \\[section\\]"),
        (
            {"telegram": {"token": "1:a"}, "parliament": {"members_url": "x"}},
            "unknown config key parliament.members_url",
        ),
        (
            {"telegram": {"token": "1:a"}, "http": {"polite_interval_seconds": -1}},
            "http.polite_interval_seconds must be greater than 0",
        ),
        (
            {"telegram": {"token": "1:a"}, "petitions": {"plan": "fastest"}},
            "petitions.plan must be one of cheapest, each, lists$",
        ),
        (
            {"telegram": {"token": "1:a"}, "logging": {"format": "xml"}},
            "logging.format must be one of text, json$",
        ),
        (
            {"telegram": {"token": "1:a"}, "storage": {"url": "mysql://db/alerts"}},
            "storage.url must be a postgresql:// URL, or empty for TinyDB",
        ),
        (
            {"telegram": {"token": "1:a", "webhook_url": "alerts.example.org/hook"}},
            "telegram.webhook_url must be an http\\(s\\) URL",
        ),
        (
            {"telegram": {"token": "1:a", "webhook_url": WEBHOOK, "webhook_secret": "short"}},
            "telegram.webhook_secret is required with a webhook_url: 16 to 256",
        ),
        (
            {"telegram": {"token": "1:a", "webhook_url": WEBHOOK, "webhook_secret": SECRET}},
            "server.listen is required with a webhook_url",
        ),
        (
            {"telegram": {"token": "1:a"}, "server": {"listen": "8080"}},
            'server.listen must be "host:port"',
        ),
    ],
)
def test_mistakes_name_the_key(raw, message):
    with pytest.raises(ConfigError, match=message):
        parse_config(raw, {})


def test_webhook_mode_takes_a_url_a_secret_and_where_to_listen():
    config = parse_config(
        {
            "telegram": {"token": "1:a", "webhook_url": WEBHOOK, "webhook_secret": SECRET},
            "server": {"listen": "[::1]:8443"},
            "storage": {"url": "postgresql://alerts@db:5432/alerts"},
        },
        {},
    )
    assert config.telegram.webhook_url == WEBHOOK and config.server.address == ("::1", 8443)
    assert config.storage.url == "postgresql://alerts@db:5432/alerts"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
        timeout=60,
        check=False,
    )


def test_cli_reports_a_bad_key_in_one_line_with_status_2(tmp_path):
    config = tmp_path / "config.toml"
    config.write_text('[telegram]\ntoken = "1:secret-token"\n[limits]\nfollows = 3\n')
    result = run_cli("--config", str(config))
    assert result.returncode == 2
    assert result.stderr == "accountability-alerts: unknown config key limits.follows\n"
    assert "secret-token" not in result.stderr + result.stdout


def test_cli_reports_a_missing_token_and_a_missing_file(tmp_path):
    missing_token = run_cli("--config", str(ROOT / "config.example.toml"))
    assert missing_token.returncode == 2
    assert "the bot token is missing: create a bot with @BotFather" in missing_token.stderr
    assert len(missing_token.stderr.splitlines()) == 1
    missing_file = run_cli("--config", str(tmp_path / "nope.toml"))
    assert missing_file.returncode == 2
    assert "does not exist: copy config.example.toml to it" in missing_file.stderr


def test_cli_help_lists_the_options():
    result = run_cli("--help")
    assert result.returncode == 0
    assert "--config" in result.stdout and "--log-level" in result.stdout
    assert "migrate --from PATH --to URL" in result.stdout
    migrate = run_cli("migrate", "--help")
    assert migrate.returncode == 0 and "--from" in migrate.stdout and "--to" in migrate.stdout
