"""${VAR} substitution."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.load.env import is_reference, make_lookup, references, substitute

LOOKUP = make_lookup({"N": 30, "NAME": "plant", "NOTHING": None}, {"HOST": "db", "PORT": "5432"})


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("${N}", 30),
        ("${PORT}", 5432),
        ("${HOST}", "db"),
        ("${MISSING:-7}", 7),
        ("${MISSING:-true}", True),
        ("${MISSING:-}", ""),
        ("x-${NAME}-${PORT}", "x-plant-5432"),
        ("${NOTHING}", None),
        ("a${NOTHING}b", "ab"),
        ("$${NAME}", "${NAME}"),
        ("no refs", "no refs"),
        ({"k": ["${N}", "${HOST}"]}, {"k": [30, "db"]}),
        ("${N:-1}", 30),
    ],
)
def test_substitute(value: Any, expected: Any) -> None:
    assert substitute(value, LOOKUP) == expected


def test_missing_names_are_collected_and_left_in_place() -> None:
    missing: list[str] = []
    assert substitute("${A}/${B:-b}/${C}", LOOKUP, missing) == "${A}/b/${C}"
    assert missing == ["A", "C"]


def test_flow_env_comes_before_process_env() -> None:
    lookup = make_lookup({"X": "flow"}, {"X": "process"})
    assert substitute("${X}", lookup) == "flow"


def test_references_and_is_reference() -> None:
    assert list(references({"a": "${A} ${B:-2}", "b": ["$${C}", 3]})) == [("A", None), ("B", "2")]
    assert is_reference("${A}") and is_reference("${A:-x}")
    assert not is_reference("x${A}") and not is_reference(3)
