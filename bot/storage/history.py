"""The history of each target's number over time (a petition's count), for charts.

One file a target, in a folder beside the store's files, so that a poll cycle appends a line to
the files of the targets whose number moved (or that had no line for an hour) and rewrites no
history: a year of it at 2,000 petitions is some 100 MB, and rewriting it each minute would cost
more than the whole cycle (decision record 8). A file is `<Unix seconds> <value>` lines, oldest
first. When a file has had COMPACT_AFTER lines appended, it is thinned and replaced atomically:
every sample of the last day, the last of each hour for 90 days, the last of each day before. A
few files are thinned per append call (THIN_AT_MOST), so files that grew together are thinned
over several cycles rather than all in one.

Appends are not fsynced: a crash can lose the last few samples of a chart, never the file (a torn
last line is skipped on reading), and never an alert. A damaged file (a folder in its place, a
line no sample could be, absurd values) is read as what it holds of real samples, and logged
once; a chart never fails on it. Blocking I/O: the store runs it in a thread.
"""

from __future__ import annotations

import contextlib
import hashlib
import itertools
import logging
import os
from collections.abc import Iterable
from pathlib import Path

from bot.storage.files import replace_atomically

log = logging.getLogger(__name__)
HOUR, DAY = 3_600, 86_400
KEEP_EVERY_SAMPLE_FOR = DAY
KEEP_HOURLY_FOR = 90 * DAY
BEAT = HOUR  # an unchanged number is still written this often, so a chart shows it flat
COMPACT_AFTER = 1_500  # about a day of samples at one a minute
# Files thinned per append call at most: petitions that grew together (every one followed since
# the same start) would otherwise all be thinned in the same cycle, 6 ms each.
THIN_AT_MOST = 4
Sample = tuple[int, int]
# A sample is Unix seconds and a count: a field longer than this was not written by us (a
# damaged file), and would break a chart (10^400 signatures) or int() (a 20 MB line).
MOST_DIGITS = 12


def thin(samples: list[Sample], now: int) -> list[Sample]:
    """Every sample of the last day, the last of each hour back to 90 days, the last of each day
    before that: at most about 1,440 + 2,160 + 1 a day. Pure."""
    kept: dict[tuple[str, int], Sample] = {}
    for at, value in samples:
        age = now - at
        if age <= KEEP_EVERY_SAMPLE_FOR:
            bucket = ("sample", at)
        elif age <= KEEP_HOURLY_FOR:
            bucket = ("hour", at // HOUR)
        else:
            bucket = ("day", at // DAY)
        kept[bucket] = (at, value)  # the last of its bucket wins
    return sorted(kept.values())


def sample_due(last: Sample | None, at: int, value: int) -> bool:
    """Whether a sample is worth keeping after `last`: the number moved, or an hour passed."""
    return last is None or last[1] != value or at - last[0] >= BEAT


class History:
    def __init__(self, folder: Path) -> None:
        self._folder = folder
        self._last: dict[str, Sample] = {}  # the newest sample written, per target
        self._appended: dict[str, int] = {}  # lines appended since the file was last thinned
        self._to_thin: dict[str, None] = {}  # files past COMPACT_AFTER, in the order they got there
        # (read or write, file) found damaged or unwritable: logged once, and a write again once
        # it works again.
        self._reported: set[tuple[str, str]] = set()

    def due(self, target: str, at: int, value: int) -> bool:
        """Whether a sample is worth a line: the number moved, or an hour passed, or this run
        has written none for the target yet."""
        return sample_due(self._last.get(target), at, value)

    def append(self, samples: Iterable[tuple[str, int, int]]) -> None:
        """Append (target, at, value) samples, one line each; thin the files grown long. A file
        or folder that cannot be written is logged once, not every cycle, until it can be."""
        try:
            self._folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            self._report("write", str(self._folder), f"cannot be written ({exc.strerror or exc})")
            return
        self._reported.discard(("write", str(self._folder)))
        for target, at, value in samples:
            try:
                with open(self._path(target), "a", encoding="ascii") as file:
                    file.write(f"{at} {value}\n")
            except OSError as exc:
                self._report("write", target, f"cannot be added to ({exc.strerror or exc})")
                continue
            self._reported.discard(("write", target))
            self._last[target] = (at, value)
            self._appended[target] = self._appended.get(target, 0) + 1
            if self._appended[target] >= COMPACT_AFTER:
                self._to_thin[target] = None
        for target in list(itertools.islice(self._to_thin, THIN_AT_MOST)):
            del self._to_thin[target]
            self._thin(target, self._last[target][0])

    def read(self, target: str) -> list[Sample]:
        """The target's samples, oldest first; a damaged line (a crash mid-append) is skipped."""
        try:
            text = self._path(target).read_text(encoding="ascii", errors="replace")
        except FileNotFoundError:
            return []
        except OSError as exc:  # a folder in its place, no permission: no history, said once
            self._report("read", target, f"cannot be read ({exc.strerror or exc})")
            return []
        samples, absurd = [], 0
        # A last line without its newline was cut short by a crash: its value may be too.
        for line in text.split("\n")[:-1]:
            at, _, value = line.partition(" ")
            if len(at) > MOST_DIGITS or len(value) > MOST_DIGITS:
                absurd += 1  # not written by us, and no chart could draw it
            elif at.isdecimal() and value.isdecimal():
                samples.append((int(at), int(value)))
        if absurd:
            self._report("read", target, f"has {absurd} damaged line(s), skipped")
        return samples

    def _report(self, way: str, target: str, problem: str) -> None:
        if (way, target) not in self._reported:
            self._reported.add((way, target))
            log.warning("the history of %s %s; its chart skips what it lacks", target, problem)

    def forget(self, target: str) -> None:
        """A target nobody follows any more: a later follower starts a history of its own."""
        self._last.pop(target, None)
        self._appended.pop(target, None)
        self._to_thin.pop(target, None)
        with contextlib.suppress(FileNotFoundError):
            os.unlink(self._path(target))

    def _thin(self, target: str, now: int) -> None:
        samples = thin(self.read(target), now)
        content = "".join(f"{at} {value}\n" for at, value in samples).encode("ascii")
        try:
            replace_atomically(self._path(target), content)
        except OSError as exc:
            log.warning("could not thin the history of %s (kept whole): %s", target, exc)
            return
        self._appended[target] = 0

    def _path(self, target: str) -> Path:
        # A target key may hold any character (a statements follow's keywords).
        return self._folder / f"{hashlib.sha1(target.encode()).hexdigest()[:20]}.samples"
