"""The bot token never reaches the log output, not even inside a traceback."""

from __future__ import annotations

import logging

from bot.logs import REDACTED, configure_logging

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
