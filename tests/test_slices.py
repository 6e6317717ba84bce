"""Long work in slices (bot.slices): other work runs between the slices, and a few workers do
what a task per item did, in the items' order, never more at once than allowed."""

import asyncio

from bot import slices
from bot.slices import in_slices, with_workers


async def test_other_work_runs_between_slices(monkeypatch):
    monkeypatch.setattr(slices, "SLICE_SECONDS", 0)
    seen: list[int] = []

    def pairs():
        for n in range(5):
            seen.append(n)
            yield n, n * n

    async def meanwhile() -> int:
        await asyncio.sleep(0)
        return len(seen)

    other = asyncio.create_task(meanwhile())
    assert await in_slices(pairs()) == {n: n * n for n in range(5)}
    assert await other < 5  # it ran while the pairs were still being made


async def test_workers_keep_order_and_their_number():
    running, most = 0, 0

    async def work(n: int) -> int:
        nonlocal running, most
        running += 1
        most = max(most, running)
        await asyncio.sleep(0.001 * (n % 3))
        running -= 1
        return n * 10

    assert await with_workers(list(range(100)), work, 8) == [n * 10 for n in range(100)]
    assert most == 8
    assert await with_workers([], work, 8) == []
