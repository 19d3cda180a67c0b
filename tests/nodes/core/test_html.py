"""The html node, through the real engine: the four kinds of return, one message or one per
element (with parts), the output property and msg.select."""

from __future__ import annotations

import json
from typing import Any

import pytest

from flowrt.testing import FlowResult, run_flow

PAGE = (
    "<html><head><title>T</title><style>p {}</style></head><body>"
    "<ul id='list'><li class='item' data-n='1'> One &amp; <b>two</b> </li>"
    "<li class='item'>é<br>3<script>var s = 1 < 2;</script></li><li></li></ul>"
    "</body></html>"
)


def run(msgs: list[dict[str, Any]], **options: Any) -> FlowResult:
    node = {"type": "html", **options}
    return run_flow(json.dumps({"flowrt": 1, "nodes": {"h": node}}), inputs=msgs)


@pytest.mark.parametrize(
    ("returned", "expected"),
    [
        ("html", ["One &amp; <b>two</b>", "&#xE9;<br/>3<script>var s = 1 &lt; 2;</script>", ""]),
        ("text", [" One & two ", "é3", ""]),
        ("attr", [{"class": "item", "data-n": "1"}, {"class": "item"}, {}]),
        ("compl", [{"_": "One &amp; <b>two</b>", "class": "item", "data-n": "1"},
                   {"_": "é<br>3<script>var s = 1 < 2;</script>", "class": "item"}, {"_": ""}]),
    ],
)
def test_what_each_element_gives(returned: str, expected: list[Any]) -> None:
    result = run([{"payload": PAGE}], selector="#list li", **{"return": returned})
    assert result.errors == []
    assert result.payloads("h") == [expected]


def test_no_match_gives_an_empty_list_and_the_output_property() -> None:
    result = run([{"payload": PAGE, "topic": "t"}], selector="h1", output_property="found")
    assert result.sent("h")[0]["found"] == [] and result.sent("h")[0]["payload"] == PAGE


def test_one_message_per_element_with_parts() -> None:
    result = run([{"payload": PAGE, "_msgid": "m1"}], selector="li", output="multiple",
                 **{"return": "text"})
    sent = result.sent("h")
    # the empty third element sends nothing, as in Node-RED; its index is skipped
    assert [m["payload"] for m in sent] == [" One & two ", "é3"]
    assert [m["parts"] for m in sent] == [
        {"id": "m1", "index": i, "count": 3, "type": "string", "ch": ""} for i in (0, 1)]


def test_compl_text_key_and_msg_select() -> None:
    result = run([{"payload": "<a href='/x'>go</a>", "select": "a"}],
                 text_key="content", **{"return": "compl"})
    assert result.payloads("h") == [[{"content": "go", "href": "/x"}]]
    nothing = run([{"payload": "<a href='/x'>go</a>"}])
    assert nothing.payloads("h") == [[]]


def test_a_message_without_the_property_passes() -> None:
    assert run([{"topic": "x"}], selector="p").sent("h")[0]["topic"] == "x"


@pytest.mark.parametrize(("payload", "selector"), [("<p>x</p>", "p[[["), ({"a": 1}, "p")])
def test_bad_selector_or_payload_is_an_error(payload: Any, selector: str) -> None:
    result = run([{"payload": payload}], selector=selector)
    assert result.sent("h") == [] and len(result.errors) == 1
