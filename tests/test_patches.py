"""The tracking journal's lines (bot.storage.patches): what changed, written small, and replayed
to exactly the documents the store held."""

import copy
import random

import orjson
import pytest

from bot.storage.patches import ABSENT, changes_line, replay

STATE = {
    "snapshot": {
        "id": 1,
        "count": 12_123,
        "observed_at": "12:00",
        "response": {"on": "2022-12-06"},
    },
    "history": [[1, 10], [2, 11]],
    "sitting": None,
}


def round_trip(old: dict, new: dict) -> dict:
    """`old` as the journal's line turns it into, after going through JSON as on disk."""
    tables = {"targets": {"1": copy.deepcopy(old)}}
    line = orjson.loads(orjson.dumps(changes_line({"targets": {"1": (old, new)}})))
    replay(tables, line)
    return tables["targets"]["1"]


@pytest.mark.parametrize(
    "new",
    [
        {**STATE, "snapshot": {**STATE["snapshot"], "observed_at": "12:01"}},
        {**STATE, "history": [*STATE["history"], [3, 12]]},
        {**STATE, "sitting": {"day": "2026-12-08"}},
        {"snapshot": STATE["snapshot"]},  # keys removed
        {**STATE, "snapshot": {**STATE["snapshot"], "response": None}},
        {**STATE, "snapshot": {**STATE["snapshot"], "count": 12_123.0}},  # equal, not the same
        {**STATE, "sitting": False},
    ],
)
def test_a_change_replays_to_the_new_document(new):
    assert round_trip(STATE, new) == new
    assert repr(round_trip(STATE, new)) == repr(new)  # types too: 0 is not False


def test_random_documents_replay_exactly():
    chooser = random.Random(7)

    def value(depth: int):
        roll = chooser.random()
        if depth < 3 and roll < 0.3:
            return {chooser.choice("abcde"): value(depth + 1) for _ in range(chooser.randint(0, 4))}
        if roll < 0.4:
            return [value(depth + 1) for _ in range(chooser.randint(0, 2))]
        return chooser.choice([None, True, False, 0, 1, 2.5, "x", "y"])

    for _ in range(500):
        old = {k: value(0) for k in "pqrs" if chooser.random() < 0.7}
        new = {k: value(0) for k in "pqrs" if chooser.random() < 0.7}
        assert round_trip(old, new) == new


def test_a_quiet_cycle_writes_one_patch_for_every_target_checked():
    old = {str(n): {**STATE, "snapshot": {**STATE["snapshot"], "id": n}} for n in range(1_000)}
    new = {
        n: {**doc, "snapshot": {**doc["snapshot"], "observed_at": "12:01"}}
        for n, doc in old.items()
    }
    line = changes_line({"targets": {n: (old[n], new[n]) for n in old}})
    assert line == {"targets": {"patch": [[[[["snapshot", "observed_at"], "12:01"]], list(old)]]}}
    assert len(orjson.dumps(line)) < 1_000 * 8  # the ids, and the change once
    tables = {"targets": copy.deepcopy(old)}
    replay(tables, line)
    assert tables["targets"] == new


def test_new_removed_and_unchanged_documents():
    line = changes_line(
        {
            "deliveries": {"1": (ABSENT, {"key": "k"}), "2": ({"key": "j"}, ABSENT)},
            "sent": {"5": ({"keys": {}}, {"keys": {}})},
            "digests": {"9": (ABSENT, ABSENT)},  # made and gone between two saves
        }
    )
    assert line == {"deliveries": {"put": {"1": {"key": "k"}}, "drop": ["2"]}}


def test_a_shared_value_is_not_shared_after_replay():
    """One entry carries the value for many documents: each must get its own copy, or a later
    line changing one document's value would change them all."""
    old = {"1": {"s": {}}, "2": {"s": {}}}
    line = changes_line({"t": {n: (doc, {"s": {"list": [1]}}) for n, doc in old.items()}})
    tables = {"t": copy.deepcopy(old)}
    replay(tables, line)
    replay(tables, changes_line({"t": {"1": ({"s": {"list": [1]}}, {"s": {"list": [1, 2]}})}}))
    assert tables["t"] == {"1": {"s": {"list": [1, 2]}}, "2": {"s": {"list": [1]}}}


def test_a_line_that_does_not_fit_is_refused():
    with pytest.raises(KeyError):
        replay({"targets": {}}, {"targets": {"patch": [[[[["a"], 1]], ["7"]]]}})
