"""The count history behind charts: bounded by thinning, safe against a crash mid-append."""

from __future__ import annotations

from pathlib import Path

from bot.storage.history import BEAT, COMPACT_AFTER, DAY, HOUR, THIN_AT_MOST, History, thin

NOW = 1_795_000_000  # late November 2026, in Unix seconds
MINUTE = 60


def test_thinning_keeps_the_last_day_whole_then_hourly_then_daily():
    year = [(NOW - back, NOW - back) for back in range(365 * DAY, -1, -MINUTE)]
    kept = thin(year, NOW)
    last_day = [s for s in kept if NOW - s[0] <= DAY]
    hourly = [s for s in kept if DAY < NOW - s[0] <= 90 * DAY]
    daily = [s for s in kept if NOW - s[0] > 90 * DAY]
    assert len(last_day) == 24 * 60 + 1
    assert 89 * 24 <= len(hourly) <= 89 * 24 + 2
    assert 274 <= len(daily) <= 276
    assert kept == sorted(kept)
    assert kept[-1] == year[-1]  # the newest sample always stays
    assert thin(kept, NOW) == kept  # thinning twice changes nothing


def test_appends_thin_the_file_once_it_grows(tmp_path: Path):
    history = History(tmp_path / "alerts.history")
    start = NOW - 3 * DAY
    for n in range(COMPACT_AFTER * 2):
        history.append([("petition:1", start + n * 2 * MINUTE, 1_000 + n)])
    samples = history.read("petition:1")
    # Three days at one sample per two minutes: the older two days are kept hourly.
    assert len(samples) < COMPACT_AFTER
    last = COMPACT_AFTER * 2 - 1
    assert samples[-1] == (start + last * 2 * MINUTE, 1_000 + last)
    assert [value for _, value in samples] == sorted(value for _, value in samples)


def test_files_that_grew_together_are_thinned_a_few_at_a_time(tmp_path: Path):
    history = History(tmp_path / "h")
    targets = [f"petition:{n}" for n in range(THIN_AT_MOST * 3)]
    start = NOW - 3 * DAY
    for n in range(COMPACT_AFTER - 1):
        history.append((target, start + n * 2 * MINUTE, n) for target in targets)
    lines = {t: len(history.read(t)) for t in targets}
    assert set(lines.values()) == {COMPACT_AFTER - 1}
    thinned_per_call = []
    for n in range(COMPACT_AFTER - 1, COMPACT_AFTER + 4):
        before = {t: len(history.read(t)) for t in targets}
        history.append((target, start + n * 2 * MINUTE, n) for target in targets)
        thinned_per_call.append(sum(len(history.read(t)) < before[t] for t in targets))
    assert thinned_per_call == [THIN_AT_MOST, THIN_AT_MOST, THIN_AT_MOST, 0, 0]


def test_a_sample_is_due_when_the_number_moves_or_an_hour_passes(tmp_path: Path):
    history = History(tmp_path / "h")
    assert history.due("petition:1", NOW, 5)  # nothing written by this run yet
    history.append([("petition:1", NOW, 5)])
    assert not history.due("petition:1", NOW + MINUTE, 5)
    assert history.due("petition:1", NOW + MINUTE, 6)
    assert history.due("petition:1", NOW + BEAT, 5)
    assert history.due("petition:2", NOW, 5)


def test_a_line_cut_short_by_a_crash_is_skipped_and_the_file_goes_on(tmp_path: Path):
    history = History(tmp_path / "h")
    history.append([("petition:1", NOW - HOUR, 1_200), ("petition:1", NOW - 1, 1_234)])
    path = next((tmp_path / "h").iterdir())
    path.write_bytes(path.read_bytes()[:-3])  # "... 1234\n" cut to "... 12"
    assert history.read("petition:1") == [(NOW - HOUR, 1_200)]
    history.append([("petition:1", NOW, 1_300)])
    assert history.read("petition:1")[0] == (NOW - HOUR, 1_200)
    assert 1_234 not in [value for _, value in history.read("petition:1")]
    assert 12 not in [value for _, value in history.read("petition:1")]


def test_forgetting_a_target_deletes_its_history_and_only_its(tmp_path: Path):
    history = History(tmp_path / "h")
    history.append([("petition:1", NOW, 1), ("statements:a b/c", NOW, 2)])
    history.forget("petition:1")
    assert history.read("petition:1") == []
    assert history.read("statements:a b/c") == [(NOW, 2)]
    history.forget("petition:1")  # twice is fine


def warnings(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelname == "WARNING"]


def test_a_damaged_file_keeps_its_real_samples_and_is_logged_once(tmp_path: Path, caplog):
    history = History(tmp_path / "h")
    history.append([("petition:1", NOW - HOUR, 1_200)])
    path = next((tmp_path / "h").iterdir())
    with path.open("a") as file:
        file.write(f"{NOW - 2} {10**400}\n")  # absurd: no chart could draw it
        file.write("7" * 20_000_000 + " 5\n")  # a 20 MB line: int() would refuse it
        file.write(f"{NOW - 1} 1234\n")
    for _ in range(3):
        assert history.read("petition:1") == [(NOW - HOUR, 1_200), (NOW - 1, 1_234)]
    assert warnings(caplog) == [
        "the history of petition:1 has 2 damaged line(s), skipped; its chart skips what it lacks"
    ]


def test_a_folder_in_place_of_a_file_or_of_the_history_is_logged_once(tmp_path: Path, caplog):
    history = History(tmp_path / "h")
    history.append([("petition:1", NOW - HOUR, 1_200)])
    path = next((tmp_path / "h").iterdir())
    path.unlink()
    path.mkdir()
    for minute in range(3):  # cycles go on; reads find nothing; one line each way
        history.append([("petition:1", NOW + minute * MINUTE, 1_300 + minute)])
        assert history.read("petition:1") == []
    assert len(warnings(caplog)) == 2
    assert all("petition:1" in line and "Is a directory" in line for line in warnings(caplog))

    other = tmp_path / "other"
    other.write_text("a file where the history folder goes")
    moved = History(other)
    for _ in range(3):
        moved.append([("petition:1", NOW, 1)])  # never raises: the cycle's write goes on
    assert len(warnings(caplog)) == 3 and "cannot be written" in warnings(caplog)[-1]
