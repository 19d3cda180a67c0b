"""The API node's parts that need no Home Assistant: Node-RED's mustache as the package renders
it (HTML escaping, the message, the context, the entities) and the query a GET sends."""

from __future__ import annotations

from typing import Any

import pytest
from flowrt_nodes.homeassistant.homeassistant_api import _query
from flowrt_nodes.homeassistant.homeassistant_mustache import render_mustache

from flowrt.api import NodeError

STATES = {"sun.sun": {"entity_id": "sun.sun", "state": "above_horizon",
                      "attributes": {"elevation": 31.5, "rising": False}}}


class Store:
    def __init__(self, values: dict[str, Any]) -> None:
        self.values = values

    def get(self, key: str, default: Any = None) -> Any:
        return self.values.get(key, default)


class Ctx:
    flow = Store({"mode": "away", "deep": {"a": 1}})
    global_ = Store({"site": "<home>"})


def render(text: str, msg: dict[str, Any]) -> str:
    return render_mustache(text, msg, STATES, Ctx())


def test_double_braces_escape_html_and_triple_or_ampersand_do_not() -> None:
    msg = {"payload": "a<b & 'c' \"d\" /e `f` =g"}
    assert render("{{payload}}", msg) == (
        "a&lt;b &amp; &#39;c&#39; &quot;d&quot; &#x2F;e &#x60;f&#x60; &#x3D;g")
    assert render("{{{payload}}}", msg) == msg["payload"]
    assert render("{{& payload }}", msg) == msg["payload"]


def test_values_are_written_as_javascript_writes_them() -> None:
    msg = {"n": 2.0, "t": True, "o": {"a": 1}, "l": [1, "b"], "none": None}
    assert render("{{n}} {{t}} {{o}} {{l}} [{{none}}] [{{missing}}]", msg) == (
        "2 true [object Object] 1,b [] []")


def test_the_message_then_the_context_then_the_entities() -> None:
    assert render("{{ payload.id }}", {"payload": {"id": "x"}}) == "x"
    assert render("{{flow.mode}} {{flow.deep.a}} {{{global.site}}}", {}) == "away 1 <home>"
    assert render("{{states.sun.sun}}|{{entity.sun.sun.attributes.elevation}}|"
                  "{{entity.sun.sun.attributes.rising}}|{{entity.light.none}}", {}) == (
        "above_horizon|31.5|false|")
    assert render("{{flow.mode}}", {"flow": {"mode": "msg first"}}) == "msg first"


def test_sections_and_partials_are_refused_not_rendered_wrongly() -> None:
    for text in ("{{#payload}}x{{/payload}}", "{{> part}}", "{{^payload}}none{{/payload}}"):
        with pytest.raises(NodeError, match="not offered"):
            render(text, {"payload": 1})


def test_a_get_sends_its_data_as_the_query_axios_writes() -> None:
    assert _query({"filter_entity_id": "sun.sun", "n": 2, "yes": True, "skip": None,
                   "ids": ["a", 1], "o": {"k": 1}}) == {
        "filter_entity_id": "sun.sun", "n": "2", "yes": "true", "ids[]": ["a", "1"],
        "o": '{"k": 1}'}
    with pytest.raises(NodeError, match="must be an object"):
        _query(["not", "an", "object"])
