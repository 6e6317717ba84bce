"""The garbage collector's schedule (bot.collector): young garbage in cycles is still freed after
each poll cycle, what survives is kept from the collector's walks, and the daily full collection
frees what was frozen."""

from __future__ import annotations

import gc
import logging
import weakref
from datetime import timedelta

from bot import collector
from tests.conftest import running_bot


class Node:
    """A container that can be in a reference cycle and be watched by a weak reference."""

    def __init__(self) -> None:
        self.me = self


def test_started_bot_never_walks_its_old_objects_in_a_full_collection():
    collector.freeze_loaded()
    assert gc.get_threshold() == collector.YOUNG_ONLY
    assert gc.get_freeze_count() > 0
    assert gc.get_count()[2] == 0


def test_after_a_cycle_young_cycles_are_freed_and_survivors_frozen():
    garbage, kept = Node(), Node()
    gone = weakref.ref(garbage)
    del garbage
    frozen = gc.get_freeze_count()
    collector.freeze_survivors()
    assert gone() is None
    assert gc.get_freeze_count() > frozen
    assert not any(o is kept for o in gc.get_objects())  # the collector walks it no more


async def test_the_full_collection_frees_cycles_that_were_frozen(caplog):
    frozen = Node()
    gone = weakref.ref(frozen)
    gc.freeze()
    del frozen
    gc.collect()
    assert gone() is not None  # frozen: out of the automatic collections' reach
    with caplog.at_level(logging.INFO, logger="bot.collector"):
        assert await collector.collect_everything() >= 2  # the node and its __dict__
    assert gone() is None
    assert "objects in cycles freed" in caplog.text
    assert gc.get_freeze_count() > 0  # and the rest is frozen again


async def test_a_running_bot_freezes_what_each_cycle_left_and_collects_everything_daily(
    telegram, petitions, make_config
):
    async with running_bot(make_config()) as application:
        assert gc.get_threshold() == collector.YOUNG_ONLY  # no full collection of its own
        (daily,) = application.job_queue.get_jobs_by_name("collector")
        assert daily.trigger.interval == timedelta(seconds=collector.COLLECT_EVERYTHING_EVERY)
        frozen = gc.get_freeze_count()
        # Cycles every 0.5 s: each freezes what it left.
        await telegram.wait_until(lambda: gc.get_freeze_count() > frozen, timeout=5)
