"""Run every benchmark, one after another, each in its own process.

    python benchmarks/run.py                       # full size: the figures in docs/benchmarks.md
    python benchmarks/run.py --small               # seconds each (tests/test_benchmarks.py)
    python benchmarks/run.py --postgres URL [NAME ...]

Prints the commit and the machine first, then each benchmark's own output. Every benchmark
asserts that it did the work it reports, so a broken one exits non-zero and so does this. Those
that need PostgreSQL run only with `--postgres` (a server's URL; each makes and drops a database
of its own).
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
POSTGRES = "{postgres}"  # replaced by --postgres's URL

# A small store for the store's benchmarks, on either adapter.
SMALL_STORE = "--follows 1000 --petitions 200 --changed 20 --rounds 10 --only-run"
# name: (full-size arguments, small arguments, whether it needs PostgreSQL)
BENCHMARKS: dict[str, tuple[str, str, bool]] = {
    "bench_poll": ("--peers", "--followed 60 --cycles 2 --open 200 --closed 100", False),
    "bench_store": ("", SMALL_STORE, False),
    "bench_mixed": ("--follows 30000 100000", "--follows 600 --cycles 1", False),
    "bench_fanout": ("--chats 2000 10000", "--chats 60 --commands 0 4", False),
    "bench_statements": ("", "--follows 20 --cycles 2", False),
    "bench_questions": ("", "--cycles 2", False),
    "bench_history": (
        "",
        "--follows 500 --petitions 100 --deliveries 2000 --seconds 2",
        False,
    ),
    "bench_counts": (
        "",
        "--follows 500 --petitions 100 --changing 30 --cycles 2 --runs 1",
        False,
    ),
    "bench_startup": ("", "--follows 1000 --petitions 200 --deliveries 2000 --runs 1", False),
    "bench_port": ("", "--follows 1000 --petitions 200 --runs 1", False),
    "bench_port_postgres": (
        f"--postgres {POSTGRES}",
        f"--follows 1000 --petitions 200 --runs 1 --postgres {POSTGRES}",
        True,
    ),
    "bench_store_postgres": (
        f"--only-run --postgres {POSTGRES}",
        f"{SMALL_STORE} --postgres {POSTGRES}",
        True,
    ),
    "bench_processes": (
        f"--postgres {POSTGRES}",
        f"--chats 60 --commands 2 --kills 1 --postgres {POSTGRES}",
        True,
    ),
}


def script(name: str) -> Path:
    """The file a benchmark runs from (the PostgreSQL runs reuse the TinyDB ones)."""
    return HERE / f"{name.removesuffix('_postgres')}.py"


def command(name: str, small: bool, postgres: str) -> list[str]:
    full, reduced, _ = BENCHMARKS[name]
    arguments = [postgres if a == POSTGRES else a for a in (reduced if small else full).split()]
    return [sys.executable, str(script(name)), *arguments]


def commit() -> str:
    done = subprocess.run(
        ["git", "-C", str(HERE), "log", "-1", "--format=%h %cs %s"], capture_output=True, text=True
    )
    changed = subprocess.run(
        ["git", "-C", str(HERE), "status", "--porcelain"], capture_output=True, text=True
    )
    dirty = " (with uncommitted changes)" if changed.stdout.strip() else ""
    return (done.stdout.strip() or "not a git checkout") + dirty


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help=f"some of: {', '.join(BENCHMARKS)}")
    parser.add_argument("--small", action="store_true", help="a size that takes seconds")
    parser.add_argument("--postgres", default="", help="a PostgreSQL server's URL")
    args = parser.parse_args()
    names = args.names or list(BENCHMARKS)
    if unknown := set(names) - set(BENCHMARKS):
        parser.error(f"no benchmark {', '.join(sorted(unknown))}")
    print(f"commit {commit()}")
    print(
        f"machine: {platform.machine()}, {os.cpu_count()} cores, Python "
        f"{platform.python_version()}, {platform.platform()}\n",
        flush=True,
    )
    failed = []
    for name in names:
        if BENCHMARKS[name][2] and not args.postgres:
            print(f"== {name}: skipped (needs --postgres)\n", flush=True)
            continue
        print(f"== {name}", flush=True)
        started = time.perf_counter()
        done = subprocess.run(command(name, args.small, args.postgres), cwd=HERE.parent)
        print(f"== {name}: {time.perf_counter() - started:.0f} s\n", flush=True)
        if done.returncode != 0:
            failed.append(name)
    if failed:
        sys.exit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
