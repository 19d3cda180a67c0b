"""The convert node. The expected results are what node-red-contrib-prib-functions' transform
node (0.27.1) gives for the same input and settings, quirks included."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.testing import run_flow


def convert(action: str, payload: Any, **config: Any) -> tuple[list[Any], list[Any]]:
    flow = {"flowrt": 1, "nodes": {"c": {"type": "convert", "action": action, **config}}}
    result = run_flow(json.dumps(flow), [{"payload": payload}], into="c")
    assert result.errors == []
    return result.sent("c", 0), result.sent("c", 1)


@pytest.mark.parametrize(("action", "payload", "expected"), [
    ("JSONToCSV", [{"x": 1, "y": 0}, {"y": "q", "z": True}, [5]], "x,y,z\n1,,\n,q,true\n,,,[5]"),
    ("JSONToCSV", [[1, "a"], [2, None]], '1,"a"\n2,null'),
    ("JSONToCSV", [1, "two", 3.5], '1/n"two"/n3.5'),
    ("JSONToCSV", {"a": 1.0}, '{"a":1}'),
    ("JSONToArray", {"a": 1, "b": [1, 2], "c": {"d": "x"}},
     [["a", [1]], ["b", [["0", [1]], ["1", [2]]]], ["c", [["d", ["x"]]]]]),
    ("JSONToHTML", [1, "a b", None], "<table><tr>1</tr><tr>a%20b</tr><tr>null</tr><table>"),
    ("JSONToString", {"a": [1, None], "é": 2.5}, '{"a":[1,null],"é":2.5}'),
    ("ArrayToHTML", [[1, "a"], [2, None], "r"],
     "<table><tr><td><![CDATA[1]]></td><td><![CDATA[a]]></td></tr><tr><td><![CDATA[2]]></td>"
     "<td><![CDATA[null]]></td></tr><tr><![CDATA[r]]></tr></table>"),
    ("CSVWithHeaderToJSON", 'a,b,"c,d"\n1,"x",0\n2.5,y,3',
     [{"a": 1, "b": "x", '"c,d"': "0"}, {"a": 2.5, "b": "y", '"c,d"': 3}]),
    ("CSVToArray", '1,"a,b", 0\n2,x', [[1, "a,b", "0"], [2, "x"]]),
    ("StringToCamelize", "hello big_World", "helloBigWorld"),
    ("StringToDeunderscoreCapitilize", "big_world of_x", "Big World Of X"),
    ("StringToDropSquareBracketPrefix", "[x] a b", "a b"),
    ("StringToCodePointAt", "\U0001F600b", 128512),
    ("StringToCharAt", "\U0001F600b", "\ud83d"),
    ("StringToInteger", "0x1F", 0),
    ("StringToNumber", " 0x1F ", 31),
    ("StringToFloat", "  12.5abc ", 12.5),
    ("StringToJSON", '{"k": [1, 2]}', {"k": [1, 2]}),
    ("StringToTrim", "\u00a0 x \ufeff", "x"),
])
def test_conversions(action: str, payload: Any, expected: Any) -> None:
    sent, failed = convert(action, payload)
    assert failed == [] and sent[0]["payload"] == expected


def test_delimiter_on_case_uses_the_delimiter() -> None:
    (msg,), _ = convert("StringToDelimiterOnCase", "HelloWorld-test_case")
    assert msg["payload"] == "hello,world,test,case"
    (msg,), _ = convert("StringToDelimiterOnCase", "aB c", delimiter="-")
    assert msg["payload"] == "a-b-c"


def test_text_from_the_node_or_the_message_and_the_target() -> None:
    flow = {"flowrt": 1, "nodes": {"c": {
        "type": "convert", "action": "StringToPrepend", "property": "payload.a",
        "target": "payload.b", "text": {"type": "msg", "value": "prefix"}}}}
    result = run_flow(json.dumps(flow), [{"payload": {"a": "x"}, "prefix": ">"}], into="c")
    assert result.sent("c")[0]["payload"] == {"b": ">x"}  # the source is removed
    (msg,), _ = convert("StringToSplit", "a=>b", text="=>")
    assert msg["payload"] == ["a", "b"]
    (msg,), _ = convert("StringToAppend", "a", text="!", delete_source=False)
    assert msg["payload"] == "a!"


def test_failures_go_to_the_second_output_with_the_error() -> None:
    sent, (failed,) = convert("JSONToHTML", {"a": 1})
    assert sent == [] and failed["error"] == "JSON to HTML callback is not a function"
    sent, failed_twice = convert("ArrayToHTML", "notarray")
    assert [m["error"] for m in failed_twice] == [
        "Array to HTML expected source data type Array", "Array to HTML a.reduce is not a function"]
    _, (bad,) = convert("StringToJSON", "{bad")
    assert bad["error"].startswith("String to JSON") and bad["payload"] == "{bad"


def test_range_limit_of_texts() -> None:
    assert convert("StringToRangeLimit", "zz", min_string="a", max_string="bc")[0][0][
        "payload"] == "bc"
    assert convert("StringToRangeLimit", "b", min_string="a", max_string="bc")[0][0][
        "payload"] == "b"


def test_text_is_refused_where_nothing_reads_it() -> None:
    flow = {"flowrt": 1, "nodes": {"c": {"type": "convert", "action": "StringToTrim",
                                         "text": "x"}}}
    with pytest.raises(Exception, match="text"):
        run_flow(json.dumps(flow), [], into="c")


def test_the_declared_actions_are_the_ones_run() -> None:
    from typing import get_args

    from flowrt_nodes.prib.convert import Action
    from flowrt_nodes.prib.convert_actions import ACTIONS

    assert sorted(get_args(Action)) == ACTIONS
