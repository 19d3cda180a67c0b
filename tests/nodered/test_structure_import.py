"""Tabs, subflows (env, ports, instances), junctions, groups, env variables and disabled flows."""

from __future__ import annotations

from typing import Any

from tests.nodered.helpers import entry, errors, node, nr_import, run_imported, tab, texts

SUBFLOW = [
    {"id": "aa11bb22cc33dd44", "type": "subflow", "name": "Scale by factor", "info": "Scales.",
     "in": [{"x": 40, "y": 40, "wires": [{"id": "c1"}]}],
     "out": [{"x": 300, "y": 40, "wires": [{"id": "c1", "port": 0}]}],
     "env": [{"name": "FACTOR", "type": "num", "value": "2",
              "ui": {"label": {"en-US": "Multiplier"}}}],
     "status": {"x": 300, "y": 100, "wires": [{"id": "c1", "port": 0}]}},
    {"id": "c1", "type": "change", "z": "aa11bb22cc33dd44", "rules": [
        {"t": "set", "p": "factor", "pt": "msg", "to": "FACTOR", "tot": "env"},
        {"t": "set", "p": "payload", "pt": "msg", "to": "payload * factor", "tot": "jsonata"}],
     "x": 150, "y": 40, "wires": [[]]},
]


def scaled_flow() -> list[dict[str, Any]]:
    return [
        tab(),
        *SUBFLOW,
        {"id": "i1", "type": "subflow:aa11bb22cc33dd44", "z": "t1", "name": "times ten",
         "env": [{"name": "FACTOR", "type": "num", "value": "10"}], "wires": [["d"]]},
        {"id": "i2", "type": "subflow:aa11bb22cc33dd44", "z": "t1", "name": "default",
         "wires": [["d"]]},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ]


def test_subflow_definition_keeps_params_ports_and_its_instances_run() -> None:
    conversion = nr_import(scaled_flow())
    assert not errors(conversion), errors(conversion)
    flow = conversion.flows[0]
    sub = flow.subflows["scale-by-factor"]
    assert sub.params == {"FACTOR": {"default": 2, "description": "Multiplier"}}
    assert sub.input == ["c1"] and sub.outputs == 1
    assert sub.nodes["c1"].to == {0: ["$out.0"]}
    assert node(conversion, "i1") == {"type": "subflow:scale-by-factor", "label": "times ten",
                                      "env": {"FACTOR": 10}, "to": "d"}
    assert "status output" in entry(conversion, "aa11bb22cc33dd44").notes[0]
    one = run_imported(conversion, [{"payload": 3}], into="i1/c1")
    assert [m["payload"] for m in one.received("d")] == [30]
    two = run_imported(conversion, [{"payload": 3}], into="i2/c1")
    assert [m["payload"] for m in two.received("d")] == [6]


def test_junctions_fold_into_the_wires() -> None:
    conversion = nr_import([
        tab(),
        {"id": "i", "type": "inject", "z": "t1", "props": [{"p": "payload"}], "payload": "1",
         "payloadType": "num", "once": True, "wires": [["j1"]]},
        {"id": "j1", "type": "junction", "z": "t1", "wires": [["j2", "a"]]},
        {"id": "j2", "type": "junction", "z": "t1", "wires": [["b", "j1"]]},
        {"id": "a", "type": "debug", "z": "t1", "wires": []},
        {"id": "b", "type": "debug", "z": "t1", "wires": []},
    ])
    assert node(conversion, "i")["to"] == ["b", "a"]
    assert entry(conversion, "j1").status == "mapped"
    result = run_imported(conversion)
    assert len(result.received("a")) == len(result.received("b")) == 1


def test_tab_env_info_and_disabled_flow() -> None:
    conversion = nr_import([
        tab("t1", "Plant", info="Reads the *plant*.", disabled=True, env=[
            {"name": "SITE", "type": "str", "value": "north"},
            {"name": "LIMIT", "type": "num", "value": "30"},
            {"name": "ON", "type": "bool", "value": "true"},
            {"name": "HOME", "type": "env", "value": "PLANT_HOME"},
            {"name": "EXPR", "type": "jsonata", "value": "1+1"}]),
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ])
    flow = conversion.flows[0]
    assert flow.env == {"SITE": "north", "LIMIT": 30, "ON": True, "HOME": "${PLANT_HOME}"}
    assert flow.disabled and flow.description == "Reads the *plant*."
    assert entry(conversion, "t1").status == "caveats"
    text = texts(conversion)["t1.yaml"]
    assert "disabled: true" in text and "label: Plant" in text


def test_env_references_keep_node_red_meaning() -> None:
    conversion = nr_import([
        tab(),
        {"id": "i", "type": "inject", "z": "t1", "props": [{"p": "payload"}, {"p": "topic",
                                                                              "vt": "str"}],
         "payload": "${GREETING}", "payloadType": "str", "topic": "cost ${x} $(OLD)",
         "once": True, "wires": [["d"]]},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ])
    data = node(conversion, "i")
    assert data["payload"] == "${GREETING}"
    assert data["topic"] == "cost $${x} $(OLD)"
    result = run_imported(conversion, env={"GREETING": "hi", "x": "no"})
    assert [(m["payload"], m["topic"]) for m in result.received("d")] == [
        ("hi", "cost ${x} $(OLD)")]


def test_groups_are_kept_as_comments_in_the_file() -> None:
    conversion = nr_import([
        tab(),
        {"id": "g", "type": "group", "z": "t1", "name": "Inputs", "info": "the inputs",
         "nodes": ["a"]},
        {"id": "a", "type": "debug", "z": "t1", "g": "g", "wires": []},
    ])
    text = texts(conversion)["t1.yaml"]
    assert "# group 'Inputs': a" in text and "#   the inputs" in text


def test_unknown_contrib_and_dashboard_nodes_are_reported_not_dropped() -> None:
    conversion = nr_import([
        tab(),
        {"id": "u", "type": "ui_button", "z": "t1", "wires": [["d"]]},
        {"id": "g", "type": "rpi-gpio in", "z": "t1", "wires": [["d"]]},
        {"id": "x", "type": "something-else", "z": "t1", "wires": [["d"]]},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion)
    reasons = {e.nr_id: e.reason for e in conversion.report.entries if e.reason}
    assert "dashboard" in reasons["u"] and "GPIO" in reasons["g"]
    assert "something-else" in reasons["x"]
    assert {node(conversion, n)["type"] for n in "ugx"} == {"unsupported"}
    assert {node(conversion, n)["to"] for n in "ugx"} == {"d"}


def test_the_report_counts_and_renders() -> None:
    conversion = nr_import(scaled_flow())
    report = conversion.report
    counts = report.counts()
    assert sum(counts.values()) == len(report.entries) == 6
    text = report.render_text()
    assert "MAPPED" in text and "c1" in text
    data = report.to_dict()
    assert data["counts"] == counts
    assert {n["status"] for n in data["nodes"]} <= {"mapped", "caveats", "unsupported"}
