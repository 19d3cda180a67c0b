"""The debug node: values to the log with the node id, status, active flag."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow


def debug_flow(**options: Any) -> str:
    text = ", ".join(f"{key}: {value}" for key, value in options.items())
    return f"flowrt: 1\nnodes:\n  d: {{type: debug{', ' + text if text else ''}}}\n"


def logged(result: Any) -> list[str]:
    return [text for node, level, text in result.logs if node == "d" and level == "info"]


@pytest.mark.parametrize(
    ("options", "msg", "expected"),
    [
        ({}, {"payload": "hello"}, "hello"),
        ({}, {"payload": 3.5}, "3.5"),
        ({}, {"payload": True}, "true"),
        ({}, {"payload": None}, "null"),
        ({}, {"topic": "t"}, "undefined"),
        ({}, {"payload": {"a": [1, "é"]}}, '{"a": [1, "é"]}'),
        ({}, {"payload": b"\x00\xff"}, "<bytes 2: 00 ff>"),
        ({"property": "topic"}, {"payload": 1, "topic": "room"}, "room"),
        ({"property": '"payload.a[1]"'}, {"payload": {"a": [5, 6]}}, "6"),
        ({"complete": "true"}, {"payload": 1, "_msgid": "m"}, '{"payload": 1, "_msgid": "m"}'),
        ({"expression": '"payload * 2"'}, {"payload": 21}, "42"),
        ({"max_length": 10}, {"payload": "x" * 25}, "xxxxxxxxxx... (25 characters)"),
    ],
)
def test_logs_the_chosen_value(options: dict[str, Any], msg: Any, expected: str) -> None:
    result = run_flow(debug_flow(**options), inputs=[msg])
    assert logged(result) == [expected]
    assert result.errors == []


@pytest.mark.parametrize("options", [{"active": "false"}, {"console": "false"}])
def test_muted_node_logs_nothing(options: dict[str, str]) -> None:
    result = run_flow(debug_flow(**options), inputs=[{"payload": 1}])
    assert logged(result) == []


@pytest.mark.parametrize(
    ("options", "msgs", "texts"),
    [
        ({"status": "count"}, [{"payload": 1}, {"payload": 2}], ["", "1", "2", ""]),
        (
            {"status": "value"},
            [{"payload": "a"}, {"payload": "a"}, {"payload": 7}],
            ["", "a", "7", ""],
        ),
        ({"status": "value"}, [{"payload": "y" * 40}], ["", "y" * 32 + "...", ""]),
        ({"status": "value", "complete": "true"}, [{"payload": "p"}], ["", "p", ""]),
        ({"status": "value", "active": "false"}, [{"payload": "p"}], ["", "p", ""]),
    ],
)
def test_status_shows_value_or_count(
    options: dict[str, Any], msgs: list[Any], texts: list[str]
) -> None:
    result = run_flow(debug_flow(**options), inputs=msgs)
    assert [status["text"] for node, status in result.statuses if node == "d"] == texts


def test_status_of_an_error_or_a_status_value() -> None:
    result = run_flow(
        debug_flow(status="value"),
        inputs=[
            {"payload": 1, "error": {"message": "it broke"}},
            {"payload": {"fill": "yellow", "shape": "ring", "text": "warm"}},
        ],
    )
    assert result.statuses[1:3] == [
        ("d", {"fill": "red", "shape": "dot", "text": "it broke"}),
        ("d", {"fill": "yellow", "shape": "ring", "text": "warm"}),
    ]


def test_ignores_its_own_status_messages() -> None:
    result = run_flow(
        debug_flow(),
        inputs=[{"status": {"text": "x", "source": {"id": "d"}}}, {"payload": "real"}],
    )
    assert logged(result) == ["real"]


def test_logs_the_message_as_it_arrived_on_a_fan_out() -> None:
    flow = """
flowrt: 1
nodes:
  s: {type: script, code: "return msg", to: [d, after]}
  d: {type: debug, complete: true}
  after: {type: script, code: "msg['seen'] = True\\nreturn msg"}
"""
    result = run_flow(flow, inputs=[{"payload": {"n": 1}}], into="s")
    assert len(logged(result)) == 1
    assert '"seen"' not in logged(result)[0]
    assert result.sent("after")[0]["seen"] is True


def test_complete_and_expression_together_are_rejected() -> None:
    with pytest.raises(CheckError) as info:
        run_flow(debug_flow(complete="true", expression="payload"), inputs=[])
    assert "set either complete or expression" in str(info.value)


@pytest.mark.parametrize(
    ("options", "problem"),
    [({"property": '"a..b"'}, "property"), ({"expression": '"payload +"'}, "expression")],
)
def test_bad_property_or_expression_is_a_load_error(options: dict[str, str], problem: str) -> None:
    with pytest.raises(CheckError) as info:
        run_flow(debug_flow(**options), inputs=[])
    assert [d.code for d in info.value.diagnostics] == ["E020"]
    assert f"{problem}:" in str(info.value)
