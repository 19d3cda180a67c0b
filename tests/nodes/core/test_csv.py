"""The csv node, through the real engine: parsing with its options, writing, headers, parts."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import FlowResult, run_flow


def run(msgs: list[dict[str, Any]], **options: Any) -> FlowResult:
    node = {"type": "csv", **options}
    return run_flow(json.dumps({"flowrt": 1, "nodes": {"c": node}}), inputs=msgs)


def parsed(text: str, **options: Any) -> Any:
    result = run([{"payload": text}], output="all", **options)
    assert result.errors == [] and result.warnings == []
    [msg] = result.sent("c")
    return msg["payload"]


@pytest.mark.parametrize(
    ("text", "options", "rows"),
    [
        (
            "1,2,3\n4,5,6\n",
            {},
            [{"col1": 1, "col2": 2, "col3": 3}, {"col1": 4, "col2": 5, "col3": 6}],
        ),
        ("a,b\n1,x\n", {"header_in": True}, [{"a": 1, "b": "x"}]),
        ("a,b\r\n1,2\r\n", {"header_in": True}, [{"a": 1, "b": 2}]),
        ("a,b\r1,2", {"header_in": True}, [{"a": 1, "b": 2}]),
        ("1,2", {"columns": ["x", "y"]}, [{"x": 1, "y": 2}]),
        ("1,2,3", {"columns": ["x", "", "z"]}, [{"x": 1, "z": 3}]),
        ("1,2,3", {"columns": ["x"]}, [{"x": 1}]),
        ("h1,h2\n1,2", {"header_in": True, "columns": ["x", "y"]}, [{"h1": 1, "h2": 2}]),
        (
            "1.5,-2,1e3,+1,007,0x1F,abc",
            {},
            [
                {
                    "col1": 1.5,
                    "col2": -2,
                    "col3": 1000,
                    "col4": "+1",
                    "col5": "007",
                    "col6": 31,
                    "col7": "abc",
                }
            ],
        ),
        ("1,2", {"parse_numbers": False}, [{"col1": "1", "col2": "2"}]),
        ('"a,b","say ""hi""",c', {}, [{"col1": "a,b", "col2": 'say "hi"', "col3": "c"}]),
        ('"multi\nline",2', {}, [{"col1": "multi\nline", "col2": 2}]),
        ('1,,""', {}, [{"col1": 1}]),
        ('1,,""', {"include_nulls": True}, [{"col1": 1, "col2": None}]),
        ('1,,""', {"include_empty_strings": True}, [{"col1": 1, "col3": ""}]),
        (",,\n", {}, []),
        ("junk\nmore junk\na,b\n1,2", {"skip_lines": 2, "header_in": True}, [{"a": 1, "b": 2}]),
        ("1;2", {"separator": ";"}, [{"col1": 1, "col2": 2}]),
        ("1\t'a\tb'", {"separator": "\t", "quote": "'"}, [{"col1": 1, "col2": "a\tb"}]),
        ("", {}, []),
    ],
)
def test_parse(text: str, options: dict[str, Any], rows: list[Any]) -> None:
    assert parsed(text, **options) == rows


def test_parse_one_message_per_row_with_parts() -> None:
    result = run([{"payload": "a,b\n1,2\n3,4\n", "topic": "t"}], header_in=True)
    msgs = result.sent("c")
    assert [m["payload"] for m in msgs] == [{"a": 1, "b": 2}, {"a": 3, "b": 4}]
    assert [(m["parts"]["index"], m["parts"]["count"]) for m in msgs] == [(0, 2), (1, 2)]
    assert len({m["parts"]["id"] for m in msgs}) == 1
    assert all(m["topic"] == "t" and m["columns"] == "a,b" for m in msgs)


def test_columns_are_reported_when_parsing() -> None:
    result = run([{"payload": 'x,"y,z"\n1,2'}], header_in=True, output="all")
    assert result.sent("c")[0]["columns"] == 'x,"y,z"'


@pytest.mark.parametrize(
    ("payload", "options", "text"),
    [
        ({"a": 1, "b": "x"}, {}, "1,x\n"),
        ([{"a": 1, "b": 2}, {"a": 3}], {}, "1,2\n3,\n"),
        ([{"a": 1, "b": 2}], {"columns": ["b", "a"]}, "2,1\n"),
        ([{"a": 1, "b": 2}], {"header_out": "all"}, "a,b\n1,2\n"),
        ([[1, 2], [3, 4]], {}, "1,2\n3,4\n"),
        ([1, "two", None, True], {}, "1,two,null,true\n"),
        ([{"a": None, "c": 1}], {"columns": ["a", "b", "c"]}, "null,,1\n"),
        ([["", 0, 1, "x", "y"]], {"columns": ["a", "", "c"]}, ",0,1,x,y\n"),
        ([["", 0, 1, "x", "y"]], {"columns": ["a", "", "c"], "list_rows": "columns"}, ",,1\n"),
        ([[0, 1]], {"columns": ["a", "b", "c"], "list_rows": "columns"}, "0,1,\n"),
        ([{"a": 'say "hi"', "b": "x,y"}], {}, '"say ""hi""","x,y"\n'),
        ([{"a": "two\nlines"}], {}, '"two\nlines"\n'),
        ([{"a": 1.0, "b": {"c": 1}}], {}, '1,"{""c"":1}"\n'),
        ([{"a": 1, "b": 2}], {"separator": ";", "newline": "crlf"}, "1;2\r\n"),
        ([{"x,y": 1}], {"header_out": "all"}, '"x,y"\n1\n'),
    ],
)
def test_write(payload: Any, options: dict[str, Any], text: str) -> None:
    result = run([{"payload": payload}], **options)
    assert result.errors == []
    assert result.payloads("c") == [text]


def test_write_uses_msg_columns_and_reports_them() -> None:
    result = run([{"payload": {"a": 1, "b": 2, "c": 3}, "columns": "c,a"}])
    [msg] = result.sent("c")
    assert msg["payload"] == "3,1\n" and msg["columns"] == "c,a"


def test_header_once_until_reset() -> None:
    def row() -> dict[str, Any]:
        return {"payload": {"a": 1}}

    result = run([row(), row(), {"reset": True}, row()], header_out="once")
    assert result.payloads("c") == ["a\n1\n", "1\n", "a\n1\n"]


def test_round_trip() -> None:
    flow = """
flowrt: 1
nodes:
  write: {type: csv, header_out: all, to: read}
  read: {type: csv, header_in: true, output: all}
"""
    rows = [{"name": "a,b", "n": 1.5, "quote": 'x"y'}, {"name": "c", "n": 2, "quote": "z"}]
    result = run_flow(flow, inputs=[{"payload": rows}])
    assert result.payloads("read") == [rows]


def test_other_payloads() -> None:
    result = run([{"payload": 5}, {"topic": "no payload"}])
    assert len(result.warnings) == 1  # a number is neither CSV text nor rows: dropped
    [passed] = result.sent("c")  # a message without payload passes unchanged
    assert passed["topic"] == "no payload" and "payload" not in passed


@pytest.mark.parametrize(
    ("options", "error"),
    [
        ({"separator": ";;"}, "at most 1"),
        ({"header_out": "yes"}, "must be one of"),
        ({"skip_lines": -1}, "at least 0"),
        ({"output": "rows"}, "must be one of"),
    ],
)
def test_invalid_config_fails_at_load(options: dict[str, Any], error: str) -> None:
    with pytest.raises(CheckError, match=error):
        run([], **options)
