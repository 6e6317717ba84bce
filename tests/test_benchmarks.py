"""Every benchmark runs, at a size that takes seconds, so none can rot: each asserts that it did
the work it reports (follows stored, requests made, alerts sent, commands answered) and exits
non-zero otherwise. Full size, for the figures in docs/benchmarks.md: `python benchmarks/run.py`."""

from __future__ import annotations

import subprocess

import pytest

from benchmarks.run import BENCHMARKS, command

# The peers of bench_poll are installed from PyPI at full size only.
NAMES = sorted(BENCHMARKS)


@pytest.mark.parametrize("name", NAMES)
def test_the_benchmark_runs_and_reports_its_work(name: str, request: pytest.FixtureRequest):
    postgres = request.getfixturevalue("postgres_server") if BENCHMARKS[name][2] else ""
    done = subprocess.run(
        command(name, small=True, postgres=postgres), capture_output=True, text=True, timeout=240
    )
    assert done.returncode == 0, done.stderr[-3_000:]
    assert any(ch.isdigit() for ch in done.stdout), done.stdout
