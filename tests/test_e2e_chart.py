"""End to end: /chart and the card's Chart button send a PNG drawn from the history the bot
keeps, with the pace and the next threshold's date in the caption; a fresh follow is told to
come back in an hour."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from bot.storage.history import History
from bot.storage.tinydb_store import history_path
from tests.conftest import running_bot
from tests.e2e import ScriptedClock, ask
from tests.samples import OPEN_BELOW_10K
from tests.test_chart import png_size
from tests.test_e2e_settings import tap

ANN = 1001
TITLE = "Reduce fixed penalty for speeding in a 20mph zone to 1 penalty point"
NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)


def seed_history(config, target: str, count: int, per_hour: int, hours: int) -> None:
    """What the bot would have recorded: hourly samples rising `per_hour` to `count` now."""
    History(history_path(Path(config.storage.path))).append(
        (target, int((NOW - timedelta(hours=back)).timestamp()), count - per_hour * back)
        for back in range(hours, 0, -1)
    )


async def test_chart_is_a_png_with_the_pace_and_the_eta_from_seeded_history(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K, signature_count=5_000)
    config = make_config()
    seed_history(config, "petition:300412", 5_000, 100, 30)
    async with running_bot(config, ScriptedClock(NOW)):
        await ask(telegram, ANN, "/follow 300412")
        card = telegram.last_to(ANN)
        caption = await ask(telegram, ANN, "/chart 300412")
        # 100 an hour is 2,400 a day: the 5,000 to go take 2 days and 2 hours.
        assert caption == (
            f"📈 <b>{TITLE}</b>\n"
            "5,000 signatures · petition 300412\n"
            "+100 an hour over the last hour, +100 an hour over the last day\n"
            "At this pace, 10,000 by 24 November 2026"
        )
        chart = telegram.last_to(ANN)
        assert chart.photo is not None and png_size(chart.photo) == (800, 450)

        await tap(telegram, card, "📈 Chart")
        again = telegram.last_to(ANN)
        assert again.photo is not None and again.text == caption


async def test_a_petition_followed_minutes_ago_has_not_enough_history(
    telegram, petitions, make_config
):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config(), ScriptedClock(NOW)):
        await ask(telegram, ANN, "/follow 300412")
        assert await ask(telegram, ANN, "/chart 300412") == (
            "📈 Not enough history yet: try again in an hour."
        )


async def test_chart_of_what_has_no_history_or_no_count_says_why(telegram, petitions, make_config):
    petitions.add(300412, OPEN_BELOW_10K)
    async with running_bot(make_config()):
        unfollowed = await ask(telegram, ANN, "/chart 300412")
        assert unfollowed.startswith("I record the history of petition 300412")
        assert "/follow 300412" in unfollowed
        debates = await ask(telegram, ANN, "/chart debates")
        assert debates == (
            "There is no chart for all petition debates: charts show a count over time, such as a "
            "petition's."
        )
        assert all(m.photo is None for m in telegram.sent)


async def test_a_damaged_history_never_breaks_chart_and_is_logged_once(
    telegram, petitions, make_config, caplog
):
    petitions.add(300412, OPEN_BELOW_10K, signature_count=5_000)
    config = make_config()
    seed_history(config, "petition:300412", 5_000, 100, 30)
    [samples] = history_path(Path(config.storage.path)).iterdir()
    samples.unlink()
    samples.mkdir()  # a folder where its file was
    async with running_bot(config, ScriptedClock(NOW)):
        await ask(telegram, ANN, "/follow 300412")
        for count in (5_001, 5_002, 5_003):  # cycles append, and fail, quietly
            seen = petitions.count("/petitions/300412.json")
            petitions.update(300412, signature_count=count)
            await petitions.wait_until(lambda s=seen: petitions.count("/petitions/300412.json") > s)
        assert await ask(telegram, ANN, "/chart 300412") == (
            "📈 Not enough history yet: try again in an hour."
        )
    said = [r.getMessage() for r in caplog.records if r.levelname in ("WARNING", "ERROR")]
    assert len([line for line in said if "history of petition:300412" in line]) == 2, said
    assert not any("Traceback" in line or "error while handling" in line for line in said), said
