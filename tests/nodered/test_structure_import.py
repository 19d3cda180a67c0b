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


def test_a_subflow_property_whose_name_is_no_variable_name_is_left_out_and_noted() -> None:
    sub = [dict(SUBFLOW[0], env=[*SUBFLOW[0]["env"],
                                 {"name": "panel power", "type": "num", "value": "1"}]),
           SUBFLOW[1]]
    conversion = nr_import([tab(), *sub,
                            {"id": "i1", "type": "subflow:aa11bb22cc33dd44", "z": "t1",
                             "env": [{"name": "panel power", "type": "num", "value": "3"}],
                             "wires": [[]]}])
    assert not errors(conversion), errors(conversion)
    assert list(conversion.flows[0].subflows["scale-by-factor"].params) == ["FACTOR"]
    assert any("`panel power`" in n for n in entry(conversion, "aa11bb22cc33dd44").notes)
    assert any("`panel power`" in n for n in entry(conversion, "i1").notes)



def test_a_variable_an_instance_sets_and_the_subflow_does_not_declare_reaches_its_nodes() -> None:
    inner = dict(SUBFLOW[1], rules=[{"t": "set", "p": "unit", "pt": "msg", "to": "UNIT",
                                     "tot": "env"}])
    conversion = nr_import([tab(), SUBFLOW[0], inner,
                            {"id": "i1", "type": "subflow:aa11bb22cc33dd44", "z": "t1",
                             "env": [{"name": "UNIT", "type": "str", "value": "kW"}],
                             "wires": [["d"]]},
                            {"id": "d", "type": "debug", "z": "t1", "wires": []}])
    assert not errors(conversion), errors(conversion)
    assert entry(conversion, "i1").status != "unsupported"
    assert conversion.flows[0].subflows["scale-by-factor"].params["UNIT"] == {}
    assert any("`UNIT`" in n for n in entry(conversion, "aa11bb22cc33dd44").notes)
    result = run_imported(conversion, [{"payload": 3}], into="i1/c1")
    assert [m["unit"] for m in result.received("d")] == ["kW"]

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


def test_groups_inside_subflows_are_kept_as_comments_in_the_file() -> None:
    conversion = nr_import([
        tab(),
        SUBFLOW[0],
        {**SUBFLOW[1], "g": "g"},
        {"id": "g", "type": "group", "z": "aa11bb22cc33dd44", "name": "Inputs",
         "info": "the inputs", "nodes": ["c1"]},
        {"id": "s", "type": "subflow:aa11bb22cc33dd44", "z": "t1", "wires": [[]]},
    ])
    text = texts(conversion)["t1.yaml"]
    assert "# group 'Inputs': c1" in text and "#   the inputs" in text
    assert "groups:" not in text
    assert entry(conversion, "g").notes == [
        "kept as a comment: a subflow definition has no groups"]


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



def test_hardware_nodes_of_other_packages_say_they_need_the_device() -> None:
    kinds = ("pi-gpiod in", "pi-gpiod out", "arduino in", "arduino out", "ds18b20",
             "socketcan-in", "socketcan-out")
    conversion = nr_import([
        tab(),
        *({"id": f"h{i}", "type": kind, "z": "t1", "wires": [["d"]]}
          for i, kind in enumerate(kinds)),
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion)
    for i in range(len(kinds)):
        assert entry(conversion, f"h{i}").reason.startswith("needs hardware flowrt does not drive")

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
