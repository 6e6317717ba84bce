"""Hostile input, generated: whatever a user types, taps or an operator configures, the bot never
raises, never follows what the text does not name, and replies in valid, escaped Telegram HTML
within Telegram's limits.

The services run against sources whose hosts refuse connections, so a reference that looks
right still fails safely (and fast) at the look-up.
"""

from __future__ import annotations

import asyncio
import re
import tempfile
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.alertsettings import SettingsService
from bot.app import utc_now, wire
from bot.charting import Charts
from bot.config import ConfigError, parse_config
from bot.following import OWN_QUESTION, FollowService
from bot.http import budget
from bot.portability import Portability
from bot.presses import ButtonService
from bot.sharing import Sharing
from bot.sources.base import Placement, Reply
from bot.sources.petitions.links import find_petition_reference
from bot.storage.tinydb_store import TinyDBStore
from tests.fakes.telegram import telegram_html_text

DEAD = "http://127.0.0.1:9"  # nothing listens: every look-up is refused at once
CONFIG = {
    "telegram": {"token": "1:a"},
    "petitions": {"base_url": DEAD},
    "govuk": {"base_url": DEAD},
    "parliament": {
        "statements_base_url": DEAD,
        "whatson_base_url": DEAD,
        "members_base_url": DEAD,
    },
    "http": {"retries": 0, "timeout_seconds": 0.5, "polite_interval_seconds": 0.001},
}
NASTY = [
    "<script>alert(1)</script>",
    "300412 & <b>bold</b>",
    "https://evil.example.com/petitions/300412",
    "https://petition.parliament.uk/petitions/300412/../../../etc/passwd",
    "99999999999999999999999999",
    "-5",
    "0",
    "1e9",
    "\x00\x01\u202e",
    "💥" * 3000,
    "p_" + "9" * 80,
    "s_" + "A" * 100,
    "statements home-office " + "<i>" * 50,
    "debates",
    "f:" + "x" * 70,
    "xa:",
    "l:-1",
    "l:99999999999",
    "²",  # a digit to str.isdigit, not to int(): it once raised
    "l:²",
    "p_³",
]
TEXT = st.text(max_size=400) | st.sampled_from(NASTY)
EXAMPLES = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def assert_clean(reply: Reply | None) -> None:
    if reply is None:
        return
    assert len(reply.toast or "") <= 200  # Telegram's limit for a toast
    if reply.placement in {Placement.BUTTONS, Placement.MARK, Placement.TOAST}:
        # Only the tapped message's buttons change, or only a toast shows.
        assert reply.placement is Placement.TOAST or reply.text == ""
        return
    shown = telegram_html_text(reply.text)
    assert shown is not None, f"invalid HTML: {reply.text!r}"
    assert 0 < len(shown) <= 4096
    for row in reply.buttons:
        for button in row:
            assert button.url or 0 < len(button.data.encode()) <= 64


async def _every_entry_point(text: str) -> None:
    wiring = wire(parse_config(CONFIG, environ={}))
    with tempfile.TemporaryDirectory() as directory:
        store = TinyDBStore(Path(directory) / "alerts.json")
        follows = FollowService(store, wiring.kinds, 50, utc_now)
        clock = utc_now
        settings = SettingsService(store, follows, clock)
        sharing = Sharing(store, follows, clock, "alerts_bot")
        charts = Charts(store, follows, clock)
        buttons = ButtonService(store, follows, settings, charts, sharing)
        portability = Portability(store, follows, clock)
        try:
            with budget(2.0):
                assert_clean(await follows.follow(1, text))
                assert_clean(await follows.status(1, text))
                assert_clean(await follows.unfollow(1, text))
                assert_clean(await follows.read_message(1, text))
                assert_clean(await follows.answer(1, (OWN_QUESTION, "follow"), text, True))
                assert_clean(await follows.answer(1, (OWN_QUESTION, "status"), text, True))
                assert_clean(await sharing.share(1, text))
                assert_clean(await charts.chart(1, text))
                assert_clean(await follows.start(1, text, True))
                assert_clean(await follows.browse(1, "statements", text, True))
                assert_clean(await follows.browse(1, "search", text, True))
                assert_clean(await buttons.press(1, text, True))
                assert_clean(await settings.command(1, text))
                assert_clean(await settings.command(1, f"timezone {text}"))
                assert_clean(await settings.command(1, f"quiet {text}"))
                assert_clean(await settings.command(1, f"digest {text}"))
                assert_clean(await portability.restore(1, text.encode("utf-8", "replace")))
            # Nothing can be looked up, so nothing may be followed.
            assert await store.follows_of(1) == []
        finally:
            store.close_now()
            await wiring.http.close()


@EXAMPLES
@given(text=TEXT)
def test_anything_typed_or_tapped_gets_a_clean_reply_and_follows_nothing(text):
    asyncio.run(_every_entry_point(text))


@pytest.mark.parametrize("text", NASTY)
def test_each_known_nasty_input_gets_a_clean_reply(text):
    asyncio.run(_every_entry_point(text))


@settings(max_examples=300)
@given(text=TEXT)
def test_a_petition_is_only_read_from_digits_the_text_contains(text):
    found = find_petition_reference(text)
    assert found is None or str(found) in re.sub(r"\D", " ", text).split()


CONFIG_KEYS = [
    ("telegram", "api_base_url"),
    ("telegram", "admin_ids"),
    ("storage", "path"),
    ("petitions", "base_url"),
    ("petitions", "poll_interval_seconds"),
    ("http", "timeout_seconds"),
    ("http", "retries"),
    ("limits", "follows_per_chat"),
    ("limits", "actions_per_minute"),
]
VALUES = st.one_of(
    st.text(min_size=8, max_size=40).map(lambda s: "SECRET" + s),
    st.integers(),
    st.floats(allow_nan=True),
    st.booleans(),
    st.lists(st.text(min_size=8, max_size=20).map(lambda s: "SECRET" + s), max_size=3),
    st.dictionaries(st.text(max_size=5), st.integers(), max_size=2),
)


@settings(max_examples=300)
@given(key=st.sampled_from(CONFIG_KEYS), value=VALUES)
def test_a_config_value_is_accepted_or_refused_without_being_echoed(key, value: Any):
    section, name = key
    raw: dict[str, Any] = {"telegram": {"token": "1:a"}}
    raw.setdefault(section, {})[name] = value
    try:
        parse_config(raw, environ={})
    except ConfigError as exc:
        message = str(exc)
        assert f"{section}.{name}" in message and "SECRET" not in message
        assert "\n" not in message
