"""Bundles: a chat's alerts of one event heard as one message, within Telegram's limit."""

from __future__ import annotations

from dataclasses import dataclass

from bot.bundles import LIMIT, gather
from bot.sources.base import Bundle
from tests.fakes.telegram import telegram_html_text


@dataclass(frozen=True)
class Held:
    text: str
    bundle: Bundle | None = None


def dissolved(line: str) -> Bundle:
    return Bundle("petition:dissolution:2029-05-01", "Parliament dissolved", "🗳 <b>Dissolved</b>",
                  line, "Foot.")  # fmt: skip


def test_a_bundles_alerts_join_where_the_first_was_and_others_keep_their_place():
    first, other, second = Held("a", dissolved("• a")), Held("x"), Held("b", dissolved("• b"))
    messages = gather([first, other, second])
    assert [m.text for m in messages] == ["🗳 <b>Dissolved</b>\n• a\n• b\n\nFoot.", "x"]
    assert messages[0].deliveries == (first, second) and messages[0].bundle is not None
    assert messages[1].deliveries == (other,) and messages[1].bundle is None


def test_one_alone_of_its_bundle_keeps_its_own_full_text():
    alone = Held("The full alert.", dissolved("• a"))
    [message] = gather([alone])
    assert message.text == "The full alert." and message.bundle is None


def test_a_long_bundle_splits_within_telegrams_limit_and_loses_nobody():
    held = [Held(f"{n}", dissolved(f"• <b>Petition {n}</b> " + "x" * 150)) for n in range(60)]
    messages = gather(held)
    assert len(messages) > 1
    assert sum(len(m.deliveries) for m in messages) == 60
    for message in messages:
        assert len(message.text) <= LIMIT
        assert telegram_html_text(message.text) is not None
        assert message.text.startswith("🗳 <b>Dissolved</b>\n") and message.text.endswith("Foot.")
