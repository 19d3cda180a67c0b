"""Node-RED groups <-> flowrt groups: a group on a tab becomes a group of its flow (label, fill
colour, members, nesting), reported with what it loses; the export makes Node-RED group nodes
again, its members' `g` naming them; import -> export -> import keeps the groups."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from flowrt.load import load_text
from flowrt.nodered import convert, read_data
from flowrt.nodered.export import export_documents, export_project
from flowrt.nodered.writer import write_flows
from tests.nodered.helpers import entry, errors, nodered_home, nr_import, tab, texts
from tests.nodered.live import nodered_serving
from tests.nodered.test_roundtrip import graph

GROUPED: list[dict[str, Any]] = [
    tab(),
    {"id": "a1b2c3d4e5f60718", "type": "group", "z": "t1", "name": "Inputs",
     "style": {"fill": "#D1E7FF", "stroke": "#777777", "label": True},
     "nodes": ["a", "b", "g2"], "x": 34, "y": 39, "w": 400, "h": 200},
    {"id": "g2", "type": "group", "z": "t1", "g": "a1b2c3d4e5f60718", "nodes": ["c"],
     "env": [{"name": "X", "type": "str", "value": "1"}]},
    {"id": "a", "type": "inject", "z": "t1", "g": "a1b2c3d4e5f60718", "x": 100, "y": 100,
     "wires": [["b"]]},
    {"id": "b", "type": "debug", "z": "t1", "g": "a1b2c3d4e5f60718", "x": 300, "y": 100,
     "wires": []},
    {"id": "c", "type": "debug", "z": "t1", "g": "g2", "x": 300, "y": 200, "wires": []},
    {"id": "d", "type": "debug", "z": "t1", "x": 500, "y": 200, "wires": []},
]


def test_groups_on_a_tab_become_groups_of_its_flow() -> None:
    conversion = nr_import(GROUPED)
    assert not errors(conversion)
    doc = load_text(texts(conversion)["t1.yaml"], "t1.yaml")
    assert doc.data["groups"] == {
        "inputs": {"label": "Inputs", "color": "#d1e7ff", "nodes": ["a", "b"]},
        "g2": {"nodes": ["c"], "group": "inputs"},
    }
    assert entry(conversion, "a1b2c3d4e5f60718").flowrt_id == "inputs"
    assert entry(conversion, "a1b2c3d4e5f60718").notes == [
        "its style's stroke not kept (flowrt groups have a label and a fill colour)"]
    assert entry(conversion, "g2").notes == [
        "the group's environment variables are not imported"]


def test_the_export_makes_node_red_groups_around_their_members() -> None:
    doc = load_text(texts(nr_import(GROUPED))["t1.yaml"], "t1.yaml")
    nodes, notes = export_documents([doc])
    assert notes.items == []
    by_id = {n["id"]: n for n in nodes}
    assert len(by_id) == len(nodes)
    outer, inner = by_id["inputs"], by_id["g2"]
    assert (outer["type"], outer["z"], outer["name"], outer["style"]) == (
        "group", "t1", "Inputs", {"label": True, "fill": "#d1e7ff"})
    assert outer["nodes"] == ["a", "b", "g2"] and "g" not in outer
    assert (inner["nodes"], inner["g"], inner["name"]) == (["c"], "inputs", "")
    assert [by_id[n].get("g") for n in "abcd"] == ["inputs", "inputs", "g2", None]
    # each box holds its members (Node-RED positions are a node's centre) and nested boxes
    for member in ("a", "b"):
        assert outer["x"] < by_id[member]["x"] < outer["x"] + outer["w"]
        assert outer["y"] < by_id[member]["y"] < outer["y"] + outer["h"]
    assert outer["x"] < inner["x"] and inner["x"] + inner["w"] < outer["x"] + outer["w"]
    assert inner["y"] + inner["h"] < outer["y"] + outer["h"]


def test_a_group_id_another_node_has_gets_the_flow_id_in_front() -> None:
    text = ("flowrt: 1\nid: f\nnodes:\n  read: {type: debug}\n"
            "groups:\n  read: {label: Read, nodes: [read]}\n")
    nodes, _ = export_documents([load_text(text, "f.yaml")])
    [group] = [n for n in nodes if n["type"] == "group"]
    assert group["id"] == "f.read"
    assert next(n for n in nodes if n["id"] == "read")["g"] == "f.read"


def test_groups_survive_import_export_import(tmp_path: Path) -> None:
    first, second = tmp_path / "first", tmp_path / "second"
    write_flows(nr_import(GROUPED).flows, first)
    exported, _ = export_project([str(first)])
    again = convert(read_data(json.loads(json.dumps(exported))), {}, "export.json")
    assert not errors(again)
    write_flows(again.flows, second)
    before, after = graph(first), graph(second)
    assert before[("t1", "group", "g2")] == (None, None, ["c"], "inputs")
    assert after == before


def test_node_red_runs_the_exported_groups(tmp_path: Path) -> None:
    """Real Node-RED 4 loads the exported group: a function node inside it reads the group's
    name as NR_GROUP_NAME, which Node-RED gives only to a member of a group it knows."""
    conversion = nr_import([
        tab(),
        {"id": "api", "type": "group", "z": "t1", "name": "API", "style": {"fill": "#dff5d8"},
         "nodes": ["in", "fn", "out"]},
        {"id": "in", "type": "http in", "z": "t1", "g": "api", "url": "/group", "method": "get",
         "x": 100, "y": 100, "wires": [["fn"]]},
        {"id": "fn", "type": "function", "z": "t1", "g": "api", "outputs": 1,
         "func": "msg.payload = String(env.get('NR_GROUP_NAME'));\nreturn msg;",
         "x": 300, "y": 100, "wires": [["out"]]},
        {"id": "out", "type": "http response", "z": "t1", "g": "api", "x": 500, "y": 100,
         "wires": []},
    ])
    assert not errors(conversion)
    write_flows(conversion.flows, tmp_path / "flows")
    assert "groups:" in (tmp_path / "flows" / "t1.yaml").read_text()
    exported, _ = export_project([str(tmp_path / "flows")])
    [group] = [n for n in exported if n["type"] == "group"]
    assert (group["id"], group["name"], group["nodes"]) == ("api", "API", ["in", "fn", "out"])
    with nodered_serving(exported, nodered_home(), tmp_path, ready="/group") as base:
        assert httpx.get(f"{base}/group", timeout=10).text == "API"
