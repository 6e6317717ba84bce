"""Try the README's quick start exactly as written, on a fresh clone, offline.

    python3 tests/try_readme.py [--skip-tests]

1. Clones the committed HEAD of this repository into a temporary folder.
2. Runs the README's first command there, word for word: it installs the bot and runs it with
   the README's placeholder token. Offline, Telegram can't be reached (online, it refuses the
   placeholder), so it must end in one plain line on stderr saying so, with no traceback.
3. Follows the README's steps from "Copy the config" to the first alert against the test fakes
   (a fake Telegram and petitions site on 127.0.0.1): copies config.example.toml to config.toml,
   points its URLs at the fakes, sets the token, runs the bot, waits for its "Running as" line,
   sends /start, follows petition 300412, moves its count past 5,000, and checks the alert.
4. Runs the README's second command there, word for word (installs the tests and runs them),
   unless --skip-tests.

Prints each step and exits 0 only if every one of them did what the README says.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import re
import signal
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TOKEN = "123456789:TRY-the-readme-offline"
DEAD = "http://127.0.0.1:9"  # nothing listens: sources the walk-through does not need
STEP_SECONDS = 900


def readme_commands(readme: Path) -> list[str]:
    """The README's first two ```sh blocks: install and run the bot, install and run the tests."""
    blocks = re.findall(r"```sh\n(.*?)\n```", readme.read_text(encoding="utf-8"), re.DOTALL)
    if len(blocks) < 2:
        raise SystemExit("the README does not start with its two commands")
    return blocks[:2]


def run_first_command(clone: Path, command: str) -> None:
    done = subprocess.run(
        ["bash", "-c", command], cwd=clone, capture_output=True, text=True, timeout=STEP_SECONDS
    )
    last = done.stderr.strip().splitlines()[-1] if done.stderr.strip() else ""
    print(f"   exit {done.returncode}; its last line: {last}")
    if done.returncode == 0 or not last.startswith("accountability-alerts: "):
        raise SystemExit(f"the first command did not end in one plain line:\n{done.stderr}")
    if "Telegram" not in last or "Traceback" in done.stderr:
        raise SystemExit(f"the first command failed another way:\n{done.stderr}")


def walk_through(clone: Path) -> None:
    """Steps 2 to 7 of the README, in the clone's own virtual environment."""
    python = clone / ".venv" / "bin" / "python"
    subprocess.run([python, "-m", "tests.try_readme", "--walk-through"], cwd=clone, check=True)


async def _walk_through() -> None:
    # Imported here: this part runs inside the clone, with the bot installed.
    from tests.fakes.petitions import FakePetitions
    from tests.fakes.telegram import BOT_USER, FakeTelegram
    from tests.samples import OPEN_BELOW_10K

    telegram, petitions = FakeTelegram(TOKEN), FakePetitions()
    await telegram.start()
    await petitions.start()
    petitions.add(300412, OPEN_BELOW_10K)
    config = Path("config.toml")
    text = Path("config.example.toml").read_text(encoding="utf-8")  # step 2: copy the config
    for key, value in (
        ("api_base_url", telegram.base_url),
        ("base_url", petitions.base_url),
        ("statements_base_url", DEAD),
        ("whatson_base_url", DEAD),
        ("members_base_url", DEAD),
    ):
        text = re.sub(rf'(?m)^{key} = ".*"$', f'{key} = "{value}"', text, count=1)
    text = text.replace('base_url = "https://www.gov.uk"', f'base_url = "{DEAD}"')
    text = re.sub(r"(?m)^poll_interval_seconds = \d+$", "poll_interval_seconds = 1", text)
    config.write_text(text, encoding="utf-8")
    environment = {**os.environ, "TELEGRAM_BOT_TOKEN": TOKEN}  # step 3: set the token
    bot = await asyncio.create_subprocess_exec(  # step 4: run it
        sys.executable, "-m", "bot", "--config", str(config),
        env=environment, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert bot.stderr is not None
    try:
        name = BOT_USER["username"]
        line = ""
        while "Running as" not in line:
            line = (await asyncio.wait_for(bot.stderr.readline(), 60)).decode()
            if not line:
                raise SystemExit("the bot stopped before saying it runs")
        expected = f"Running as @{name}: open https://t.me/{name} and send /start"
        assert expected in line, line
        print(f"   {expected}")
        chat = 1001
        telegram.user_says(chat, "/start")  # step 5
        welcome = await telegram.next_message(chat, after=0, timeout=30)
        assert welcome.startswith("👋 <b>Accountability Alerts</b>"), welcome
        print("   /start: the welcome")
        telegram.user_says(chat, "/follow 300412")  # step 6
        followed = await telegram.next_message(chat, after=1, timeout=30)
        assert "🔔 Following." in followed, followed
        print("   /follow 300412: its card, and the alerts to expect")
        petitions.update(300412, signature_count=5_002)  # step 7
        alert = await telegram.next_message(chat, after=2, timeout=30)
        assert alert.startswith("📈 <b>5,000 signatures</b>"), alert
        print(f"   the first alert: {alert.splitlines()[0]}")
    finally:
        bot.send_signal(signal.SIGTERM)
        await asyncio.wait_for(bot.wait(), 20)
        await telegram.stop()
        await petitions.stop()
    if bot.returncode != 0:
        raise SystemExit(f"the bot exited with {bot.returncode} when stopped")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--skip-tests", action="store_true", help="leave out the second command")
    parser.add_argument("--walk-through", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.walk_through:
        asyncio.run(_walk_through())
        return
    first, second = readme_commands(ROOT / "README.md")
    with tempfile.TemporaryDirectory(prefix="try-readme-") as folder:
        clone = Path(folder) / "accountability-alerts"
        print(f"1. a fresh clone of HEAD in {clone}")
        subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True)
        print("2. the README's first command, as written")
        run_first_command(clone, first)
        print("3. the steps from BotFather to the first alert, against the fakes")
        walk_through(clone)
        if options.skip_tests:
            print("4. the README's second command: skipped")
        else:
            print("4. the README's second command, as written")
            subprocess.run(["bash", "-c", second], cwd=clone, check=True, timeout=STEP_SECONDS)
    print("The README's quick start works as written.")


if __name__ == "__main__":
    main()
