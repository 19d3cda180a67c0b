"""The split node: strings, bytes, arrays and objects into sequences, and stream mode."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow


def split_flow(options: str = "") -> str:
    return f"flowrt: 1\nnodes:\n  s: {{type: split{', ' + options if options else ''}}}\n"


@pytest.mark.parametrize(
    ("options", "payload", "payloads", "parts"),
    [
        ("", "a\nb\nc", ["a", "b", "c"], {"type": "string", "ch": "\n", "count": 3}),
        ("", "a\nb\n", ["a", "b", ""], {"type": "string", "ch": "\n", "count": 3}),
        ("", "abc", ["abc"], {"type": "string", "ch": "\n", "count": 1}),
        ("separator: ', '", "x, y", ["x", "y"], {"type": "string", "ch": ", ", "count": 2}),
        ("separator_bytes: [44]", "x,y", ["x", "y"], {"type": "string", "ch": [44], "count": 2}),
        (
            "length: 2",
            "abcde",
            ["ab", "cd", "e"],
            {"type": "string", "ch": "", "len": 2, "count": 3},
        ),
        ("", b"a\nb", [b"a", b"b"], {"type": "buffer", "ch": "\n", "count": 2}),
        (
            "separator_bytes: [0, 0]",
            b"a\0\0b\0c",
            [b"a", b"b\0c"],
            {"type": "buffer", "ch": [0, 0], "count": 2},
        ),
        (
            "length: 3",
            b"abcdefg",
            [b"abc", b"def", b"g"],
            {"type": "buffer", "ch": "", "len": 3, "count": 3},
        ),
        ("", [1, "two", [3]], [1, "two", [3]], {"type": "array", "len": 1, "count": 3}),
        ("array_length: 2", [1, 2, 3], [[1, 2], [3]], {"type": "array", "len": 2, "count": 2}),
        ("", [], [], {}),
        ("", {"x": 1, "y": [2]}, [1, [2]], {"type": "object", "count": 2}),
    ],
)
def test_splits_by_type(
    options: str, payload: Any, payloads: list[Any], parts: dict[str, Any]
) -> None:
    result = run_flow(split_flow(options), inputs=[{"payload": payload, "topic": "t"}])
    sent = result.sent("s")
    assert [m["payload"] for m in sent] == payloads
    for index, msg in enumerate(sent):
        assert msg["topic"] == "t"
        assert {k: v for k, v in msg["parts"].items() if k not in ("id", "key")} == {
            **parts,
            "index": index,
        }
    assert len({m["parts"]["id"] for m in sent}) <= 1
    assert len({m["_msgid"] for m in sent}) == len(sent)
    assert result.errors == []


def test_object_parts_carry_their_key_and_may_copy_it() -> None:
    result = run_flow(split_flow("key_property: topic"), inputs=[{"payload": {"x": 1, "y": 2}}])
    assert [(m["parts"]["key"], m["topic"]) for m in result.sent("s")] == [("x", "x"), ("y", "y")]


@pytest.mark.parametrize("payload", [5, 1.5, True, None])
def test_other_values_are_dropped(payload: Any) -> None:
    result = run_flow(split_flow(), inputs=[{"payload": payload}, {"topic": "no payload"}])
    assert result.sent("s") == []
    assert result.errors == []


def test_each_message_is_a_sequence_of_its_own() -> None:
    result = run_flow(split_flow(), inputs=[{"payload": "a\nb"}, {"payload": "c\nd"}])
    sent = result.sent("s")
    assert [m["parts"]["index"] for m in sent] == [0, 1, 0, 1]
    assert sent[0]["parts"]["id"] == sent[1]["parts"]["id"] != sent[2]["parts"]["id"]


def test_a_sequence_inside_a_sequence_keeps_the_outer_parts() -> None:
    outer = {"id": "outer", "index": 1, "count": 2, "type": "array"}
    result = run_flow(split_flow(), inputs=[{"payload": "a\nb", "parts": outer}])
    assert [m["parts"]["parts"] for m in result.sent("s")] == [outer, outer]


def test_splits_the_configured_property() -> None:
    result = run_flow(
        split_flow("property: payload.items"),
        inputs=[{"payload": {"items": [1, 2], "unit": "kg"}}],
    )
    assert result.payloads("s") == [{"items": 1, "unit": "kg"}, {"items": 2, "unit": "kg"}]


@pytest.mark.parametrize(
    ("options", "payloads", "expected"),
    [
        ("stream: true", ["a\nb", "c\nd\n", "e"], ["a", "bc", "d"]),
        ("stream: true, separator: ;", ["x;", ";y", "z;"], ["x", "", "yz"]),
        ("stream: true, length: 3", ["abcd", "ef", "g"], ["abc", "def"]),
        ("stream: true, length: 2", [b"abc", b"d"], [b"ab", b"cd"]),
        ("stream: true", [b"a\nb", b"c\n"], [b"a", b"bc"]),
    ],
)
def test_stream_mode_keeps_the_incomplete_end_for_the_next_message(
    options: str, payloads: list[Any], expected: list[Any]
) -> None:
    result = run_flow(split_flow(options), inputs=[{"payload": p} for p in payloads], until=1)
    sent = result.sent("s")
    assert [m["payload"] for m in sent] == expected
    assert [m["parts"]["index"] for m in sent] == list(range(len(expected)))
    assert all("count" not in m["parts"] for m in sent)


@pytest.mark.parametrize(
    "options",
    [
        "separator: ''",
        "length: 0",
        "array_length: 0",
        "length: 2, separator_bytes: [1]",
        "separator_bytes: [256]",
    ],
)
def test_inconsistent_configuration_is_refused(options: str) -> None:
    with pytest.raises(CheckError):
        run_flow(split_flow(options))
