"""A full disk, end to end (simulated ENOSPC: no test may mount a filesystem): a follow that can't
be saved is refused and undone, queued alerts still go out, and the bot recovers when space
returns, with nothing lost or repeated after a restart.
"""

from __future__ import annotations

import errno
import time

from bot.storage import tinydb_store as store_module
from bot.storage.files import Journal
from handlers.errors import NOT_SAVED
from tests.conftest import running_bot
from tests.e2e import ask
from tests.samples import OPEN_BELOW_10K
from tests.test_reliability_petitions import quiet

ANN = 1001


async def test_a_full_disk_refuses_a_follow_keeps_sending_and_recovers(
    telegram, petitions, make_config, monkeypatch
):
    petitions.add(1, OPEN_BELOW_10K, signature_count=4_000)
    petitions.add(2, OPEN_BELOW_10K, action="Plant more trees")
    disk = {"full": False}
    write, append = store_module.replace_atomically, Journal.append

    def no_space(real):
        def attempt(*args):
            if disk["full"]:
                raise OSError(errno.ENOSPC, "No space left on device")
            return real(*args)

        return attempt

    monkeypatch.setattr(store_module, "replace_atomically", no_space(write))
    monkeypatch.setattr(Journal, "append", no_space(append))
    config = make_config()
    async with running_bot(config):
        await ask(telegram, ANN, "/follow 1")
        disk["full"] = True
        assert await ask(telegram, ANN, "/follow 2") == NOT_SAVED
        # Undone, not "already follows" on a retry.
        assert await ask(telegram, ANN, "/follow 2") == NOT_SAVED
        assert "Plant more trees" not in await ask(telegram, ANN, "/list")

        petitions.update(1, signature_count=5_002)
        alert = await telegram.next_message(ANN)
        assert alert.startswith("📈 <b>5,000 signatures</b>")

        disk["full"] = False
        assert "Following" in await ask(telegram, ANN, "/follow 2")
    async with running_bot(config):
        listing = await ask(telegram, ANN, "/list")
        assert "Plant more trees" in listing and "5,002" in listing
        assert await quiet(telegram, ANN, 1.5) == []  # the milestone is not sent again


async def test_slow_writes_never_slow_sending(telegram, petitions, make_config, monkeypatch):
    """A tracking write that takes half a second (a big file on a slow disk) must not be
    repeated per message: the fold timer starts when a write ends."""
    petitions.add(1, OPEN_BELOW_10K, signature_count=4_000)
    chats = [5000 + n for n in range(40)]
    write = store_module.replace_atomically
    writes: list[float] = []

    def slow(*args):
        time.sleep(0.5)
        writes.append(time.monotonic())
        return write(*args)

    async with running_bot(make_config()):
        for chat in chats:
            await ask(telegram, chat, "/follow 1")
        monkeypatch.setattr(store_module, "replace_atomically", slow)
        started = time.monotonic()
        petitions.update(1, signature_count=5_002)
        await telegram.wait_until(
            lambda: all(telegram.messages_to(chat)[-1].startswith("📈") for chat in chats), 30
        )
        sending = time.monotonic() - started
        during = [at for at in writes if at >= started]
    # 40 messages at Telegram's pace take ~1.5 s: a handful of writes (cycles, folds), not 40.
    assert sending < 10 and len(during) < 12, (sending, len(during))
