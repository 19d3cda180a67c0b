"""Mappings of function, change, switch, range, template, delay, trigger and rbe nodes; the
imported nodes run with Node-RED's results."""

from __future__ import annotations

from typing import Any

from tests.nodered.helpers import entry, errors, node, nr_import, run_imported, tab


def imported(*nodes: dict[str, Any]) -> Any:
    conversion = nr_import([tab(), *({"z": "t1", "wires": [[]], **n} for n in nodes)])
    assert not errors(conversion), errors(conversion)
    return conversion


def run_one(nr: dict[str, Any], inputs: list[Any], port: int = 0) -> list[Any]:
    """Run one imported node on messages; the payloads it sent on ``port``."""
    conversion = imported(nr)
    result = run_imported(conversion, inputs, into=entry(conversion, nr["id"]).flowrt_id)
    return result.payloads(entry(conversion, nr["id"]).flowrt_id, port)


def test_function_keeps_its_javascript_and_runs_it() -> None:
    nr = {"id": "f", "type": "function", "name": "split words", "outputs": 2,
          "func": "const parts = msg.payload.split(' ');\n"
                  "node.send([{payload: parts.length}, null]);\n"
                  "return [null, {payload: `${parts[0]}!`}];",
          "initialize": "", "finalize": "", "libs": []}
    conversion = imported(nr)
    data = node(conversion, "f")
    assert data["func"].startswith("const parts") and data["outputs"] == 2
    assert "$${parts[0]}" in data["func"]  # flowrt's escape, so ${...} stays JavaScript
    result = run_imported(conversion, [{"payload": "hello big world"}], into="f")
    assert result.payloads("f", 0) == [3]
    assert result.payloads("f", 1) == ["hello!"]


def test_function_with_npm_modules_is_a_caveat() -> None:
    conversion = imported({"id": "f", "type": "function", "func": "return msg;", "outputs": 1,
                           "libs": [{"var": "moment", "module": "moment"}]})
    assert "moment" in entry(conversion, "f").notes[0]


def test_change_rules_of_every_kind() -> None:
    data = node(imported({"id": "c", "type": "change", "rules": [
        {"t": "set", "p": "payload.a", "pt": "msg", "to": "1", "tot": "num"},
        {"t": "set", "p": "count", "pt": "flow", "to": "payload", "tot": "msg", "dc": True},
        {"t": "change", "p": "topic", "pt": "msg", "from": "^a(\\d)", "fromt": "re",
         "to": "b$1", "tot": "str"},
        {"t": "delete", "p": "x", "pt": "msg"},
        {"t": "move", "p": "y", "pt": "msg", "to": "z", "tot": "global"},
    ]}), "c")
    assert data["rules"] == [
        {"set": "payload.a", "to": 1},
        {"set": {"type": "flow", "value": "count"}, "to": {"type": "msg", "value": "payload"},
         "deep_copy": True},
        {"change": "topic", "from": {"type": "re", "value": "^a(\\d)", "syntax": "javascript"},
         "to": "b$1"},
        {"delete": "x"},
        {"move": "y", "to": {"type": "global", "value": "z"}},
    ]


def test_legacy_change_node_without_rules() -> None:
    data = node(imported({"id": "c", "type": "change", "action": "change",
                          "property": "payload", "from": "cat", "to": "dog", "reg": False}), "c")
    assert data["rules"] == [{"change": "payload", "from": "cat", "to": "dog"}]
    assert run_one({"id": "c", "type": "change", "action": "replace", "property": "payload",
                    "to": "hi"}, [{"payload": 1}]) == ["hi"]


def test_switch_rules_map_and_route_as_node_red() -> None:
    nr = {"id": "s", "type": "switch", "property": "payload", "propertyType": "msg",
          "rules": [{"t": "gt", "v": "10", "vt": "num"}, {"t": "btwn", "v": "1", "vt": "num",
                                                         "v2": "10", "v2t": "num"},
                    {"t": "regex", "v": "^a", "vt": "str", "case": True},
                    {"t": "null"}, {"t": "istype", "v": "string", "vt": "string"},
                    {"t": "else"}],
          "checkall": "false", "repair": False, "outputs": 6}
    conversion = imported(nr)
    assert node(conversion, "s")["rules"] == [
        {"gt": 10}, {"between": [1, 10]}, {"regex": "^a", "ignore_case": True}, {"is": "null"},
        {"is_type": "string"}, {"else": True}]
    assert node(conversion, "s")["check"] == "first"
    result = run_imported(conversion, [{"payload": p} for p in (20, 5, "Apple", None, "b", [])],
                          into="s")
    assert [result.payloads("s", port) for port in range(6)] == [
        [20], [5], ["Apple"], [None], ["b"], [[]]]


def test_switch_on_a_jsonata_property_and_previous_value() -> None:
    conversion = imported({"id": "s", "type": "switch", "property": "payload.a + 1",
                           "propertyType": "jsonata", "rules": [{"t": "eq", "v": "3",
                                                                 "vt": "num"}], "outputs": 1})
    assert node(conversion, "s")["property"] == {"type": "jsonata", "value": "payload.a + 1"}
    conversion = imported({"id": "p", "type": "switch", "rules": [
        {"t": "eq", "v": "", "vt": "prev"}, {"t": "btwn", "v": "1", "vt": "num", "v2": "",
                                             "v2t": "prev"}], "outputs": 2})
    assert node(conversion, "p")["rules"] == [{"eq": {"type": "prev"}},
                                              {"between": [1, {"type": "prev"}]}]
    result = run_imported(conversion, [{"payload": p} for p in (1, 1, 5, 3)], into="p")
    assert [result.payloads("p", port) for port in range(2)] == [[1], [1, 1, 3]]
    conversion = nr_import([tab(), {"id": "h", "type": "switch", "z": "t1", "rules": [
        {"t": "head", "v": "", "vt": "prev"}], "outputs": 1, "wires": [[]]}])
    assert entry(conversion, "h").status == "unsupported"
    assert "previous value" in entry(conversion, "h").reason


def test_range_actions() -> None:
    data = node(imported({"id": "r", "type": "range", "minin": "0", "maxin": "10",
                          "minout": "0", "maxout": "100", "action": "roll", "round": True,
                          "property": "payload"}), "r")
    assert data == {"type": "range", "min_in": 0, "max_in": 10, "min_out": 0, "max_out": 100,
                    "action": "wrap", "round": True}
    assert run_one({"id": "r", "type": "range", "minin": "0", "maxin": "10", "minout": "0",
                    "maxout": "100", "action": "scale", "round": False},
                   [{"payload": 5}]) == [50]


def test_template_renders_mustache_as_node_red() -> None:
    nr = {"id": "t", "type": "template", "field": "payload", "fieldType": "msg",
          "format": "handlebars", "syntax": "mustache", "output": "str",
          "template": "Hello {{payload.name}} <{{{payload.tag}}}>"}
    assert node(imported(nr), "t")["syntax"] == "mustache"
    assert run_one(nr, [{"payload": {"name": "<b>", "tag": "i"}}]) == ["Hello &lt;b&gt; <i>"]
    data = node(imported({"id": "t2", "type": "template", "field": "body", "fieldType": "flow",
                          "syntax": "plain", "template": "x", "output": "json"}), "t2")
    assert data == {"type": "template", "syntax": "plain", "template": "x", "scope": "flow",
                    "property": "body", "output": "json"}


def test_delay_modes() -> None:
    def delay(**fields: Any) -> dict[str, Any]:
        return node(imported({"id": "d", "type": "delay", **fields}), "d")

    assert delay(pauseType="delay", timeout="500", timeoutUnits="milliseconds") == {
        "type": "delay", "delay": 0.5}
    assert delay(pauseType="delayv", timeout="2", timeoutUnits="minutes")["allow_override"]
    assert delay(pauseType="random", randomFirst="1", randomLast="3",
                 randomUnits="seconds") == {"type": "delay", "mode": "random", "delay": 1,
                                            "max_delay": 3}
    assert delay(pauseType="rate", rate="5", nbRateUnits="2", rateUnits="minute", drop=True,
                 outputs=2) == {"type": "delay", "mode": "rate", "rate": 5, "per": 120,
                                "drop": True, "dropped_output": True}
    assert delay(pauseType="timed", rate="1", nbRateUnits="1", rateUnits="second")[
        "release"] == "all"


def test_delayed_messages_leave_after_the_delay() -> None:
    conversion = imported({"id": "d", "type": "delay", "pauseType": "delay", "timeout": "2",
                           "timeoutUnits": "seconds", "wires": [[]]})
    result = run_imported(conversion, [{"payload": 1}], into="d")
    assert result.payloads("d") == [1]
    assert result.elapsed >= 2


def test_trigger_values_and_modes() -> None:
    data = node(imported({"id": "t", "type": "trigger", "op1": "", "op1type": "val",
                          "op2": "0", "op2type": "str", "duration": "250", "units": "ms",
                          "extend": "false", "reset": "", "bytopic": "all", "topic": "topic",
                          "outputs": 1}), "t")
    assert data == {"type": "trigger", "first": "1", "second": "0", "duration": 0.25}
    data = node(imported({"id": "w", "type": "trigger", "op1": "", "op1type": "nul",
                          "op2": "", "op2type": "payl", "duration": "-2", "units": "s",
                          "bytopic": "topic", "topic": "topic", "outputs": 2}), "w")
    assert data["send"] == "second" and data["second_from"] == "latest"
    assert data["then"] == "resend" and data["duration"] == 2
    assert data["group_by"] == "topic" and data["second_output"] is True
    assert node(imported({"id": "b", "type": "trigger", "duration": "0"}), "b")[
        "then"] == "block"


def test_trigger_sends_first_then_second() -> None:
    nr = {"id": "t", "type": "trigger", "op1": "on", "op1type": "str", "op2": "off",
          "op2type": "str", "duration": "1", "units": "s", "outputs": 1}
    assert run_one(nr, [{"payload": "go"}]) == ["on", "off"]


def test_rbe_becomes_filter() -> None:
    data = node(imported({"id": "r", "type": "rbe", "func": "deadbandEq", "gap": "10%",
                          "start": "", "inout": "in", "septopics": False,
                          "property": "payload.v", "topi": "topic"}), "r")
    assert data == {"type": "filter", "mode": "deadband-equal", "percent": True, "band": 10,
                    "compare_to": "last-input", "property": "payload.v", "group_by": None}
    assert run_one({"id": "r", "type": "rbe", "func": "rbe", "gap": "", "property": "payload",
                    "septopics": True, "topi": "topic"},
                   [{"payload": p} for p in (1, 1, 2, 2, 1)]) == [1, 2, 1]


def test_an_unsupported_node_is_kept_in_a_stand_in() -> None:
    conversion = nr_import([tab(), {"id": "e", "type": "serial request", "z": "t1",
                                    "serial": "", "wires": [[], [], []]}])
    assert entry(conversion, "e").status == "unsupported"
    data = node(conversion, "e")
    assert data["type"] == "unsupported" and data["nodered"]["serial"] == ""
    assert data["outputs"] == 3
    assert not errors(conversion)


def test_switch_recreate_message_sequences_maps_and_exports() -> None:
    from flowrt.nodered.families.function import export_switch

    conversion = imported({"id": "s", "type": "switch", "property": "payload", "rules": [
        {"t": "gt", "v": "1", "vt": "num"}], "repair": True, "outputs": 1})
    data = node(conversion, "s")
    assert data["recreate_sequences"] is True
    assert entry(conversion, "s").status == "mapped"
    assert export_switch(data)["repair"] is True
    result = run_imported(conversion, [{"payload": p, "parts": {"id": "q", "index": p,
                                                                "count": 3}} for p in range(3)],
                          into="s")
    assert [(m["payload"], m["parts"]["index"], m["parts"]["count"])
            for m in result.sent("s")] == [(2, 0, 1)]
