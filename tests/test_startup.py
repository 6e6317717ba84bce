"""Start-up, as an operator meets it: the real process, each way it can fail, one line on stderr,
the exit status, and a recognisable token that appears nowhere, not even at DEBUG; and when it
works, the line that says how to reach the bot, without the scheduler's line per job."""

from __future__ import annotations

import asyncio
import signal
import socket
import sys
from pathlib import Path

import pytest

from tests.fakes.telegram import BOT_USER, FakeTelegram

TOKEN = "987654321:NEVER-SHOWN-secret-abcdef"


def config_file(
    folder: Path, telegram: str, *, token: str | None = TOKEN, data: Path | None = None
) -> Path:
    path = folder / "config.toml"
    lines = ["[telegram]", f'api_base_url = "{telegram}"']
    if token is not None:
        lines.append(f'token = "{token}"')
    lines += ["[storage]", f'path = "{data or folder / "data" / "alerts.json"}"']
    lines += ["[petitions]", 'base_url = "http://127.0.0.1:9"', "poll_interval_seconds = 3600"]
    lines += ["[govuk]", 'base_url = "http://127.0.0.1:9"', "poll_interval_seconds = 3600"]
    lines += ["[parliament]", "poll_interval_seconds = 3600"] + [
        f'{name}_base_url = "http://127.0.0.1:9"' for name in ("statements", "whatson", "members")
    ]
    path.write_text("\n".join(lines) + "\n")
    return path


async def start(config: Path, env: dict[str, str] | None, level: str) -> tuple[int, str, str]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config), "--log-level", level,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin", **(env or {})},
    )  # fmt: skip
    out, err = await asyncio.wait_for(process.communicate(), 60)
    return process.returncode or 0, out.decode(), err.decode()


async def run(config: Path, env: dict[str, str] | None = None) -> tuple[int, str, str]:
    """The start as an operator sees it (INFO); the same at DEBUG must not show the token
    either, nor any traceback. One after the other: two processes on one store are refused."""
    code, out, err = await start(config, env, "INFO")
    _, debug_out, debug_err = await start(config, env, "DEBUG")
    assert TOKEN not in debug_out + debug_err, debug_err
    assert TOKEN.split(":")[1] not in debug_out + debug_err, debug_err
    assert "Traceback" not in debug_err, debug_err
    return code, out, err


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def one_line(code: int, out: str, err: str, status: int, *saying: str) -> None:
    assert code == status, err
    assert len(err.strip().splitlines()) == 1, err
    assert "Traceback" not in err
    for words in saying:
        assert words in err, err
    assert TOKEN not in out + err and TOKEN.split(":")[1] not in out + err


@pytest.fixture
async def telegram():
    fake = FakeTelegram(TOKEN)
    await fake.start()
    yield fake
    await fake.stop()


async def test_a_malformed_api_base_url_is_refused_naming_the_key(tmp_path):
    # Without /bot, the token would run into the port: "Invalid port: '…<token>…'".
    code, out, err = await run(config_file(tmp_path, "http://127.0.0.1:9"))
    one_line(code, out, err, 2, "telegram.api_base_url must be an http(s) URL ending in /bot")


async def test_a_token_that_is_not_one_is_refused_without_showing_it(tmp_path):
    code, out, err = await run(
        config_file(tmp_path, "http://127.0.0.1:9/bot", token=None),
        {"TELEGRAM_BOT_TOKEN": TOKEN.replace(":", " ")},
    )
    one_line(code, out, err, 2, "TELEGRAM_BOT_TOKEN is not a bot token")
    assert TOKEN.replace(":", " ") not in err


async def test_a_missing_token_says_how_to_get_one(tmp_path):
    code, out, err = await run(config_file(tmp_path, "http://127.0.0.1:9/bot", token=None))
    one_line(code, out, err, 2, "create a bot with @BotFather (send it /newbot)",
             "TELEGRAM_BOT_TOKEN")  # fmt: skip


async def test_a_missing_config_file_says_to_copy_the_example(tmp_path):
    code, out, err = await run(tmp_path / "config.toml")
    one_line(code, out, err, 2, "does not exist: copy config.example.toml to it")


async def test_a_data_folder_that_cannot_be_written_is_named(tmp_path):
    (tmp_path / "a-file").write_text("not a folder")
    data = tmp_path / "a-file" / "data" / "alerts.json"
    code, out, err = await run(config_file(tmp_path, "http://127.0.0.1:9/bot", data=data))
    one_line(code, out, err, 2, "the database folder cannot be written",
             "point storage.path elsewhere")  # fmt: skip


async def test_telegram_unreachable_is_one_line_not_a_page_of_tracebacks(tmp_path):
    api = f"http://127.0.0.1:{closed_port()}/bot"
    code, out, err = await run(config_file(tmp_path, api))
    one_line(code, out, err, 1, f"cannot reach the Telegram Bot API at {api}")


async def test_a_wrong_token_is_refused_by_telegram_in_one_line(tmp_path, telegram):
    telegram.token = "111111:another-bots-token"
    code, out, err = await run(config_file(tmp_path, telegram.base_url))
    one_line(code, out, err, 2, "Telegram refused the bot token", "@BotFather")


async def test_a_working_start_says_where_to_find_the_bot_keeps_the_log_quiet_and_its_store(
    tmp_path, telegram
):
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "--config", str(config_file(tmp_path, telegram.base_url)),
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        env={"PATH": "/usr/bin:/bin"},
    )  # fmt: skip
    name = BOT_USER["username"]
    assert process.stderr is not None
    lines: list[str] = []
    while not any(f"Running as @{name}" in line for line in lines):
        line = await asyncio.wait_for(process.stderr.readline(), 30)
        assert line, "".join(lines)
        lines.append(line.decode())
    config = config_file(tmp_path, telegram.base_url)
    second = await start(config, None, "INFO")  # started twice by mistake: refused, not both
    one_line(*second, 2, "another bot process is using this database", "storage.path")
    telegram.user_says(1001, "/help")  # answered: polling runs, so a stop now is a clean one
    await telegram.next_message(1001, after=0, timeout=15)
    process.send_signal(signal.SIGTERM)
    out, rest = await asyncio.wait_for(process.communicate(), 15)
    log = "".join(lines) + rest.decode()
    assert f"Running as @{name}: open https://t.me/{name} and send /start" in log
    assert "Running job" not in log and "executed successfully" not in log
    assert TOKEN not in log + out.decode() and TOKEN.split(":")[1] not in log
    assert process.returncode == 0, log


async def test_a_webhook_that_cannot_listen_is_one_line_and_keeps_its_secret(tmp_path, telegram):
    secret = "webhook-secret-NEVER-shown-0123"
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        config = config_file(tmp_path, telegram.base_url)
        lines = config.read_text().replace(
            "[storage]",
            f'webhook_url = "https://alerts.example.org/telegram"\nwebhook_secret = "{secret}"\n'
            f'[server]\nlisten = "127.0.0.1:{port}"\n[storage]',
        )
        config.write_text(lines)
        code, out, err = await start(config, None, "DEBUG")
    one_line(code, out, err.splitlines()[-1], 2, f"cannot listen on 127.0.0.1:{port}")
    assert secret not in out + err and "Traceback" not in err
    assert telegram.webhook is None  # Telegram still delivers wherever it did
