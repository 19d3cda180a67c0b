"""The filter node (Node-RED's rbe): report by exception, dead- and narrowband, per stream."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow


def filter_flow(options: str = "") -> str:
    return f"flowrt: 1\nnodes:\n  f: {{type: filter{', ' + options if options else ''}}}\n"


def passed(options: str, payloads: list[Any]) -> list[Any]:
    result = run_flow(filter_flow(options), inputs=[{"payload": p} for p in payloads])
    assert result.errors == []
    return result.payloads("f")


@pytest.mark.parametrize(
    ("options", "payloads", "expected"),
    [
        ("", [1, 1, 2, 2, 1], [1, 2, 1]),
        ("mode: changes-ignore-initial", [1, 1, 2, 2, 1], [2, 1]),
        ("", ["a", "a", "b"], ["a", "b"]),
        ("", [{"a": 1}, {"a": 1}, {"a": 2}, [1], [1]], [{"a": 1}, {"a": 2}, [1]]),
        ("", [1, 1.0, True, True, None, None], [1, True, None]),
        ("", [{"a": 1, "b": 2}, {"b": 2, "a": 1}], [{"a": 1, "b": 2}]),
        ("mode: deadband, band: 10", [0, 5, 10, 11, 15, 22], [0, 11, 22]),
        ("mode: deadband-equal, band: 10", [0, 5, 10, 15, 20], [0, 10, 20]),
        ("mode: deadband, band: 10", [0, 6, 12, 18, 30], [0, 12, 30]),
        ("mode: deadband, band: 10, compare_to: last-input", [0, 6, 12, 18, 30], [0, 30]),
        ("mode: narrowband, band: 10", [20, 25, 50, 30, 31], [20, 25, 30, 31]),
        ("mode: narrowband-equal, band: 5", [0, 5, 4], [0, 4]),
        ("mode: narrowband, band: 10, start: 100", [20, 95, 104], [95, 104]),
        ("mode: narrowband, band: 10", [0, 50, 55], [0]),
        ("mode: narrowband, band: 10, compare_to: last-input", [0, 50, 55], [0, 55]),
        ("mode: deadband, band: 10, percent: true", [100, 105, 111, 120], [100, 111]),
        ("mode: deadband, band: 1", ["12.5 kg", "13", 20.0], ["12.5 kg", 20.0]),
    ],
)
def test_what_passes(options: str, payloads: list[Any], expected: list[Any]) -> None:
    assert passed(options, payloads) == expected


def test_band_modes_warn_about_values_without_a_number() -> None:
    result = run_flow(
        filter_flow("mode: deadband, band: 1"),
        inputs=[{"payload": "n/a"}, {"payload": True}, {"payload": 3}],
    )
    assert result.payloads("f") == [3]
    assert [node for node, _ in result.warnings] == ["f", "f"]


@pytest.mark.parametrize(
    ("options", "messages", "expected"),
    [
        (
            "",
            [("a", 1), ("b", 1), ("a", 1), ("b", 2), (None, 1), (None, 1)],
            [("a", 1), ("b", 1), ("b", 2), (None, 1)],
        ),
        ("group_by: null", [("a", 1), ("b", 1), ("a", 1), ("b", 2)], [("a", 1), ("b", 2)]),
        ("group_by: device", [("a", 1), ("b", 1)], [("a", 1)]),
    ],
)
def test_each_topic_is_a_stream_of_its_own(
    options: str, messages: list[tuple[Any, Any]], expected: list[tuple[Any, Any]]
) -> None:
    inputs = [{"payload": p} | ({"topic": t} if t is not None else {}) for t, p in messages]
    result = run_flow(filter_flow(options), inputs=inputs)
    assert [(m.get("topic"), m["payload"]) for m in result.sent("f")] == expected


def test_group_by_another_property() -> None:
    inputs = [{"device": d, "payload": p} for d, p in [("x", 1), ("y", 1), ("x", 1), ("y", 1)]]
    result = run_flow(filter_flow("group_by: device"), inputs=inputs)
    assert [m["device"] for m in result.sent("f")] == ["x", "y"]


@pytest.mark.parametrize(
    ("messages", "expected"),
    [
        # a reset without a topic forgets every stream
        (
            [("a", 1), ("b", 1), {"reset": True}, ("a", 1), ("b", 1)],
            [("a", 1), ("b", 1), ("a", 1), ("b", 1)],
        ),
        # a reset with a topic forgets that stream only, and its own payload then counts
        (
            [("a", 1), ("b", 1), {"reset": True, "topic": "a", "payload": 1}, ("a", 1), ("b", 1)],
            [("a", 1), ("b", 1), ("a", 1)],
        ),
    ],
)
def test_reset(messages: list[Any], expected: list[tuple[Any, Any]]) -> None:
    inputs = [m if isinstance(m, dict) else {"topic": m[0], "payload": m[1]} for m in messages]
    result = run_flow(filter_flow(), inputs=inputs)
    assert [(m.get("topic"), m["payload"]) for m in result.sent("f")] == expected


def test_watches_the_configured_property_and_drops_messages_without_it() -> None:
    inputs = [{"payload": {"t": 1}}, {"payload": {"t": 1}}, {"payload": {}}, {"payload": {"t": 2}}]
    result = run_flow(filter_flow("property: payload.t"), inputs=inputs)
    assert result.payloads("f") == [{"t": 1}, {"t": 2}]


def test_passes_the_message_unchanged() -> None:
    result = run_flow(filter_flow(), inputs=[{"payload": 1, "topic": "t", "extra": [1, 2]}])
    sent = result.sent("f")[0]
    assert {k: v for k, v in sent.items() if k != "_msgid"} == {
        "payload": 1,
        "topic": "t",
        "extra": [1, 2],
    }


@pytest.mark.parametrize(
    "options",
    ["band: 5", "percent: true", "mode: deadband, start: 3", "mode: deadband, band: -1"],
)
def test_inconsistent_configuration_is_refused(options: str) -> None:
    with pytest.raises(CheckError):
        run_flow(filter_flow(options))
