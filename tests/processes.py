"""Real bot processes for the tests and benchmarks that run them: a config file (for one in webhook
mode on a shared PostgreSQL, or any other), and the process itself with its log read as it
comes."""

from __future__ import annotations

import asyncio
import contextlib
import signal
import socket
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

from tests.conftest import TOKEN, serving
from tests.fakes.proxy import Balancer

SECRET = "test-webhook-secret-0123456789"
LEADS = "this process leads"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def config_file(folder: Path, name: str, port: int, urls: dict[str, str]) -> Path:
    """A webhook-mode process's config on the shared database, polling every half second."""
    sections: dict[str, dict[str, Any]] = {
        "telegram": {
            "token": TOKEN,
            "api_base_url": urls["telegram"],
            "webhook_url": urls["webhook"],
            "webhook_secret": SECRET,
        },
        "server": {"listen": f"127.0.0.1:{port}"},
        "storage": {"url": urls["database"]},
        "petitions": {"base_url": urls["petitions"], "poll_interval_seconds": 0.5},
        "govuk": {"base_url": urls["govuk"], "poll_interval_seconds": 0.5},
        "parliament": {
            f"{source}_base_url": urls["parliament"]
            for source in ("statements", "whatson", "members")
        }
        | {"poll_interval_seconds": 0.5},
        "http": {"timeout_seconds": 1, "retries": 1, "backoff_seconds": 0.01},
        "limits": {"actions_per_minute": 10_000},
    }
    return write_config(folder / f"{name}.toml", sections)


def write_config(path: Path, sections: dict[str, dict[str, Any]]) -> Path:
    """`sections` as a TOML config file at `path` (strings and numbers)."""
    lines = []
    for section, values in sections.items():
        lines.append(f"[{section}]")
        lines += [f"{key} = {value!r}".replace("'", '"') for key, value in values.items()]
    path.write_text("\n".join(lines) + "\n")
    return path


class BotProcess:
    """One `python -m bot` process, its stderr read line by line as it comes."""

    def __init__(self, config: Path, port: int) -> None:
        self.config, self.port = config, port
        self.lines: list[str] = []
        self.process: asyncio.subprocess.Process | None = None
        self._reader: asyncio.Task[None] | None = None

    async def start(self) -> None:
        self.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "--config", str(self.config),
            stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        self._reader = asyncio.create_task(self._read())

    async def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        while line := await self.process.stderr.readline():
            self.lines.append(line.decode())

    def said(self, words: str) -> bool:
        return any(words in line for line in self.lines)

    async def wait_for(self, words: str, timeout: float = 30) -> None:
        async with asyncio.timeout(timeout):
            while not self.said(words):
                assert self.process is not None
                assert self.process.returncode is None, "".join(self.lines)
                await asyncio.sleep(0.05)

    async def end(self, signum: int) -> int:
        assert self.process is not None
        if self.process.returncode is None:
            self.process.send_signal(signum)
        code = await asyncio.wait_for(self.process.wait(), 30)
        if self._reader is not None:
            await self._reader
        return code


@contextlib.asynccontextmanager
async def running_processes(
    folder: Path, database: str, fakes: dict[str, Any], count: int = 2
) -> AsyncIterator[tuple[list[BotProcess], Balancer]]:
    """`count` bot processes in webhook mode on `database`, behind a reverse proxy the fake
    Telegram (`fakes["telegram"]`) posts to, against the other fakes; killed at the end."""
    ports = [free_port() for _ in range(count)]
    async with serving(Balancer([f"http://127.0.0.1:{port}" for port in ports])) as proxy:
        urls = {name: fake.base_url for name, fake in fakes.items()}
        urls |= {"webhook": f"{proxy.base_url}/telegram", "database": database}
        bots = [
            BotProcess(config_file(folder, f"bot{n}", port, urls), port)
            for n, port in enumerate(ports)
        ]
        try:
            for bot in bots:
                await bot.start()
            for bot in bots:
                await bot.wait_for("Receiving updates on")
            yield bots, proxy
        finally:
            for bot in bots:
                await bot.end(signal.SIGKILL)
