"""What changed in a table's documents since they last reached disk, as one journal line.

Pure: no I/O. The TinyDB store journals a save as the changes alone, not the whole file
(bot/storage/tinydb_store.py), so a cycle in which every target was checked but nothing happened
writes a few bytes per target, not every state again.

A line is `{<table>: {"put": {<doc id>: <whole document>}, "drop": [<doc id>, ...],
"patch": [[<ops>, [<doc id>, ...]], ...]}}`. An op is `[<path>, <value>]` (set the value at the
path of keys) or `[<path>]` (remove it). Documents whose changes are the same ops share one entry:
a quiet cycle's thousands of "checked at 12:01" changes are written once, with their ids.

Ops set values, never add to them, so replaying a line over a file that already has it changes
nothing.
"""

from __future__ import annotations

import copy
from collections import defaultdict
from collections.abc import Mapping
from typing import Any

import orjson

Op = list[Any]
# A document that did not exist before the change (or no longer does after it).
ABSENT: Any = None


def diff(old: Mapping[str, Any], new: Mapping[str, Any]) -> list[Op]:
    """The ops that turn `old` into `new`: nested documents are compared key by key, any other
    value (lists included) is replaced whole."""
    return _diff(old, new, [])


def _diff(old: Mapping[str, Any], new: Mapping[str, Any], path: list[str]) -> list[Op]:
    ops: list[Op] = []
    for key, value in new.items():
        if key in old:
            before = old[key]
            # The store replaces what changes and keeps the rest: most values are the same object.
            if before is value:
                continue
            if isinstance(before, dict) and isinstance(value, dict):
                ops += _diff(before, value, [*path, key])
                continue
            if before == value and type(before) is type(value):
                continue
        ops.append([[*path, key], value])
    ops += [[[*path, key]] for key in old.keys() - new.keys()]
    return ops


def changes_line(
    changes: Mapping[str, Mapping[str, tuple[Any, Any]]],
) -> dict[str, dict[str, Any]]:
    """The journal line for `changes` ({table: {doc id: (old document, new document)}}, either
    ABSENT); tables and documents that ended as they began are left out."""
    line: dict[str, dict[str, Any]] = {}
    for table, documents in changes.items():
        put: dict[str, Any] = {}
        drop: list[str] = []
        patched: dict[bytes, list[str]] = defaultdict(list)
        for doc_id, (old, new) in documents.items():
            if new is ABSENT:
                if old is not ABSENT:
                    drop.append(doc_id)
            elif old is ABSENT:
                put[doc_id] = new
            elif ops := diff(old, new):
                patched[orjson.dumps(ops, option=orjson.OPT_NON_STR_KEYS)].append(doc_id)
        entry: dict[str, Any] = {}
        if put:
            entry["put"] = put
        if drop:
            entry["drop"] = drop
        if patched:
            entry["patch"] = [[orjson.loads(ops), ids] for ops, ids in patched.items()]
        if entry:
            line[table] = entry
    return line


def replay(tables: dict[str, dict[str, Any]], line: Mapping[str, Any]) -> None:
    """Apply a journal line to `tables` in place (at opening, when nothing else holds them).
    Raises ValueError, KeyError or TypeError when the line does not fit the tables."""
    for name, entry in line.items():
        table = tables.setdefault(name, {})
        for doc_id in entry.get("drop", ()):
            table.pop(str(doc_id), None)
        for doc_id, doc in (entry.get("put") or {}).items():
            if not isinstance(doc, dict):
                raise ValueError(f"a {name} document is not a document")
            table[str(doc_id)] = doc
        for ops, ids in entry.get("patch", ()):
            for doc_id in ids:
                _apply(table[str(doc_id)], ops)


def _apply(doc: dict[str, Any], ops: list[Op]) -> None:
    for op in ops:
        *parents, key = op[0]
        place = doc
        for step in parents:
            place = place[step]
        if len(op) == 1:
            place.pop(key, None)
        else:
            # One value object is shared by every document of the entry: each gets its own.
            value = op[1]
            place[key] = copy.deepcopy(value) if isinstance(value, dict | list) else value
