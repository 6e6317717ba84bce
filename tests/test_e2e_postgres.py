"""End to end on PostgreSQL: the real Application with `[storage] url` set, against the fakes.

The same user-visible flow as on TinyDB: follow (and the follow limit), the exact alert, settings
that hold across a restart, /stop deleting the chat; only the store differs.
"""

from __future__ import annotations

from tests.conftest import running_bot
from tests.e2e import ask
from tests.samples import OPEN_BELOW_10K
from tests.test_e2e_buttons import tap

ANN, BOB = 1001, 1002
TITLE = "Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point"


async def test_follow_alert_restart_and_stop_on_postgresql(
    telegram, petitions, make_config, postgres_url
):
    petitions.add(300412, OPEN_BELOW_10K)
    petitions.add(300413, OPEN_BELOW_10K)
    config = make_config(storage={"url": postgres_url}, limits={"follows_per_chat": 1})
    async with running_bot(config):
        assert (await ask(telegram, ANN, "/follow 300412")).startswith(f"📜 <b>{TITLE}</b>")
        assert (await ask(telegram, ANN, "/follow 300413")) == (
            "This chat is at its limit of 1 follows. Send /list and unfollow one first."
        )
        await ask(telegram, BOB, "/follow 300412")
        await ask(telegram, BOB, "/settings timezone Tokyo")
        seen = {chat: len(telegram.messages_to(chat)) for chat in (ANN, BOB)}
        petitions.update(300412, signature_count=5_002)
        alert = await telegram.next_message(ANN, after=seen[ANN])
        assert alert.startswith(f"📈 <b>5,000 signatures</b> for “{TITLE}”\nIt now has 5,002.")
        assert (await telegram.next_message(BOB, after=seen[BOB])) == alert
    async with running_bot(config):  # a restart: everything is still there
        listed = await ask(telegram, ANN, "/list")
        assert listed.startswith("<b>What this chat follows (1)</b>")
        assert "Asia/Tokyo" in await ask(telegram, BOB, "/settings")
        seen[ANN] = len(telegram.messages_to(ANN))
        petitions.update(300412, signature_count=10_004)
        alert = await telegram.next_message(ANN, after=seen[ANN])
        assert alert.startswith("📈 <b>10,000 signatures</b>")
        await ask(telegram, ANN, "/stop")
        stop = telegram.last_to(ANN)
        await tap(telegram, stop, "🗑 Yes, delete")
        assert stop.text.startswith("🗑 Done: this chat follows nothing")
        assert (await ask(telegram, ANN, "/list")).startswith("This chat doesn't follow anything")
        assert (await ask(telegram, BOB, "/list")).startswith("<b>What this chat follows (1)</b>")
