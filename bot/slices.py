"""Long work on the event loop, cut into slices; and the garbage collector kept off the data
loaded at start.

A busy cycle's fan-out or a fold of thousands of sent outcomes runs for hundreds of milliseconds
of Python; done in one go, every command that arrives meanwhile waits for all of it. A loop that
calls `Slices.pause()` after each item gives the event loop back once its slice has used
SLICE_SECONDS, so a command waits for one slice at most. What may run in a pause is the caller's
to reason about: the store holds its cycle lock across one (bot/storage/tinydb_store.py).
`with_workers` does the same for work that waits (requests, sends): a few tasks take the items
in turn, where a task per item would be thousands made, and first run, in one go. The other long
stretch, Python's cyclic garbage collector, is bot/collector.py's.

Durable writes happen in threads (bot/storage), and a thread needs the interpreter lock for each
of its steps. While a busy cycle runs, the loop's thread keeps it for CPython's default 5 ms
before handing it over, so a command's one-line journal append took 30 to 265 ms at 100,000
follows; `switch_threads_often` makes that 1 ms (bench_mixed: command p95 106 to 72 ms).
"""

from __future__ import annotations

import asyncio
import sys
import time
from collections.abc import Awaitable, Callable, Iterable, Iterator, Sequence
from typing import Any, TypeVar

A = TypeVar("A")
K = TypeVar("K")
R = TypeVar("R")
V = TypeVar("V")

SLICE_SECONDS = 0.005
THREAD_SWITCH_SECONDS = 0.001


class Slices:
    def __init__(self) -> None:
        self._seconds = SLICE_SECONDS
        self._ends = time.perf_counter() + self._seconds

    async def pause(self) -> None:
        """Let other work run if this slice has used its time; a clock read when it has not."""
        if time.perf_counter() >= self._ends:
            await asyncio.sleep(0)
            self._ends = time.perf_counter() + self._seconds


async def in_slices(pairs: Iterable[tuple[K, V]]) -> dict[K, V]:
    """`pairs` (made lazily, an item's work at a time) as a dict, pausing between them."""
    slices = Slices()
    made = {}
    for key, value in pairs:
        made[key] = value
        await slices.pause()
    return made


async def with_workers(
    items: Sequence[A], work: Callable[[A], Awaitable[R]], workers: int
) -> list[R]:
    """`work(item)` for every item, at most `workers` at once, the results in the items' order.
    A few tasks take the items in turn: a task for each of thousands, made in one go, held the
    loop for tens of milliseconds (and then ran their first steps all in one turn of it)."""
    results: list[Any] = [None] * len(items)
    indexes = iter(range(len(items)))

    async def worker() -> None:
        for index in indexes:  # shared: each item goes to one worker
            results[index] = await work(items[index])

    await asyncio.gather(*(worker() for _ in range(min(workers, len(items)))))
    return results


def chunks(items: list[A], size: int) -> Iterator[list[A]]:
    """`items`, `size` at a time: the work between two pauses, or one statement's."""
    for start in range(0, len(items), size):
        yield items[start : start + size]


def switch_threads_often() -> None:
    """Let a thread waiting for the interpreter lock (a durable write) have it within 1 ms."""
    sys.setswitchinterval(THREAD_SWITCH_SECONDS)
