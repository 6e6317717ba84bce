"""When Python's cyclic garbage collector runs, so that it never stalls the event loop for long.

A full collection walks every container object not frozen, and stops everything while it does:
a busy poll cycle at 100,000 follows holds about 100,000 of them (its targets' states and
snapshots, its alerts), and the collector's own trigger walked them three or four times a cycle,
60 to 140 ms each (bench_mixed). Reference counting frees all of that as soon as the cycle drops
it; only objects in reference cycles need the collector, and the bot's data makes none (a full
collection during those cycles found nothing to free).

So: the store is loaded with the collector paused (`collector_paused`); once the bot has started,
everything alive is frozen out of the collector's reach and automatic full collections are
turned off (`freeze_loaded`); after each poll cycle the young generations are collected, which
takes a few milliseconds, and what survives is frozen too (`freeze_survivors`). Cyclic garbage
that had grown old before a freeze would then never be freed; `collect_everything`, run once a
day, collects the whole heap once and logs what it found, so such a leak is bounded and seen.
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from collections.abc import Iterator

log = logging.getLogger(__name__)

COLLECT_EVERYTHING_EVERY = 24 * 3600  # seconds
# The young generations keep CPython's defaults; the oldest is never collected automatically
# (its threshold counts collections of the middle one, so this one is never reached).
YOUNG_ONLY = (700, 10, 2**31 - 1)


def freeze_loaded() -> None:
    """Keep the collector off everything alive now, and off anything that grows old from now
    on (call once start-up has loaded the store)."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(*YOUNG_ONLY)


def freeze_survivors() -> None:
    """After a poll cycle: free the young garbage in cycles, and freeze what the cycle left."""
    gc.collect(1)
    gc.freeze()


async def collect_everything() -> int:
    """One collection of the whole heap, frozen part included; the number of objects freed."""
    started = time.perf_counter()
    gc.unfreeze()
    found = gc.collect()
    gc.freeze()
    log.log(
        logging.INFO if found else logging.DEBUG,
        "full garbage collection: %d objects in cycles freed in %.0f ms",
        found,
        (time.perf_counter() - started) * 1000,
    )
    return found


@contextlib.contextmanager
def collector_paused() -> Iterator[None]:
    """No cyclic collection while a store loads: each collection would walk its hundreds of
    thousands of new documents again (opening 100,000 follows: 0.4 s paused, 1.2 s not)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()
