"""The bot token never reaches the log output, not even inside a traceback; JSON lines say
which chat, target and source a line is about."""

from __future__ import annotations

import io
import json
import logging

from bot.logs import REDACTED, JsonFormatter, configure_logging, log_context
from tests.conftest import running_bot
from tests.e2e import ask
from tests.samples import OPEN_BELOW_10K

TOKEN = "987654:very-secret"


def test_token_is_redacted_from_messages_and_tracebacks(capsys):
    configure_logging(TOKEN)
    log = logging.getLogger("telegram.ext.test")
    log.info("POST https://api.telegram.org/bot%s/sendMessage", TOKEN)
    try:
        raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/getMe")
    except RuntimeError:
        log.exception("request failed")
    logging.getLogger("httpx").info("HTTP Request: POST .../bot%s/getUpdates", TOKEN)
    output = capsys.readouterr().err
    assert TOKEN not in output
    assert output.count(REDACTED) == 2
    assert "getUpdates" not in output  # httpx request lines are held back entirely
    logging.getLogger().handlers.clear()


def test_json_lines_carry_the_context_and_never_the_token(capsys):
    configure_logging(TOKEN, "INFO", form="json")
    log = logging.getLogger("bot.test")
    with log_context(source="petitions"), log_context(target="petition:1"):
        log.warning("fetch of %s failed", f"https://api.telegram.org/bot{TOKEN}/x")
    with log_context(chat=-100200):
        try:
            raise RuntimeError(f"failed https://api.telegram.org/bot{TOKEN}/getMe")
        except RuntimeError:
            log.exception("request failed")
    log.info("plain")
    output = capsys.readouterr().err
    logging.getLogger().handlers.clear()
    assert TOKEN not in output
    lines = [json.loads(line) for line in output.splitlines()]
    told = [{k: v for k, v in line.items() if k not in ("time", "exception")} for line in lines]
    assert told == [
        {"level": "WARNING", "logger": "bot.test", "source": "petitions", "target": "petition:1",
         "message": f"fetch of https://api.telegram.org/bot{REDACTED}/x failed"},
        {"level": "ERROR", "logger": "bot.test", "chat": -100200, "message": "request failed"},
        {"level": "INFO", "logger": "bot.test", "message": "plain"},
    ]  # fmt: skip
    assert "RuntimeError: failed" in lines[1]["exception"] and REDACTED in lines[1]["exception"]
    assert lines[2]["time"].endswith("+00:00")


async def test_a_failing_petition_is_logged_with_its_source_and_target(
    telegram, petitions, make_config
):
    """In the running bot, the poller and a petition's read say where a line comes from."""
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter((TOKEN,)))
    root = logging.getLogger()
    root.addHandler(handler)
    petitions.add(1, OPEN_BELOW_10K)
    try:
        async with running_bot(make_config()):
            await ask(telegram, 1001, "/follow 1")
            petitions.fail("/petitions/1.json", "503")
            await petitions.wait_until(lambda: "not refreshed" in stream.getvalue(), 10)
    finally:
        root.removeHandler(handler)
    lines = [json.loads(line) for line in stream.getvalue().splitlines()]
    failed = next(line for line in lines if "not refreshed" in line["message"])
    assert (failed["source"], failed["target"], failed["level"]) == (
        "petitions", "petition:1", "WARNING"
    )  # fmt: skip
