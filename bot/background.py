"""Work that runs beside the updates (poll cycles, the departments refresh, the sender), as tasks
owned here.

The JobQueue says when; this runs the work. python-telegram-bot waits for a running job when the
bot stops, and a poll can hang on a slow site or the sender on a flood wait, so a job only
starts a task here and returns at once: stopping cancels the tasks and exits in seconds. One
name never runs twice at once (a cycle still running when the next is due is not overlapped),
and a failure is logged without stopping the schedule.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable

log = logging.getLogger(__name__)


class Background:
    def __init__(self) -> None:
        self._tasks: dict[str, asyncio.Task[None]] = {}

    def start(self, name: str, work: Callable[[], Awaitable[object]]) -> bool:
        """Run `work()` as the task `name`, unless that task is still running."""
        running = self._tasks.get(name)
        if running is not None and not running.done():
            return False
        self._tasks[name] = asyncio.create_task(self._run(name, work), name=name)
        return True

    @staticmethod
    async def _run(name: str, work: Callable[[], Awaitable[object]]) -> None:
        try:
            await work()
        except Exception:
            log.exception("%s failed", name)

    async def stop(self, timeout: float) -> None:
        """Cancel every task and wait (at most `timeout` seconds) for them to unwind."""
        tasks = [task for task in self._tasks.values() if not task.done()]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=timeout)
