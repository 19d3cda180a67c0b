"""Reading Node-RED exports: the forms they come in, old formats, broken ids, never a crash."""

from __future__ import annotations

import json

import pytest

from flowrt.nodered.reader import ReadError, as_bool, as_number, read_data, read_text
from tests.nodered.helpers import errors, node, nr_import, tab


def test_an_array_of_nodes_and_an_object_with_flows_read_the_same() -> None:
    nodes = [tab(), {"id": "n1", "type": "debug", "z": "t1", "wires": []}]
    plain = read_data(nodes)
    wrapped = read_data({"rev": "abc", "flows": nodes})
    assert list(plain.nodes) == list(wrapped.nodes) == ["t1", "n1"]
    assert [t.id for t in plain.tabs] == ["t1"]
    assert [n.id for n in plain.flow_nodes] == ["n1"]


def test_one_node_object_is_read_as_a_list_of_one() -> None:
    export = read_data({"id": "n1", "type": "debug", "z": "t1", "wires": []})
    assert list(export.nodes) == ["n1"]


@pytest.mark.parametrize("text", ["not json", "{\"a\": 1}", "42"])
def test_what_is_not_an_export_is_a_read_error_saying_what_is_expected(text: str) -> None:
    with pytest.raises(ReadError, match="Node-RED export|not JSON"):
        read_text(text)


def test_items_that_are_not_nodes_are_skipped_with_a_problem() -> None:
    export = read_data([tab(), "junk", {"id": "x"}, {"id": "n1", "type": "debug", "z": "t1"}])
    messages = [p.message for p in export.problems]
    assert any("item 1 is not a node object" in m for m in messages)
    assert any("item 2 has no type" in m for m in messages)
    assert "n1" in export.nodes


def test_empty_and_missing_ids_get_fresh_ones() -> None:
    export = read_data([tab(), {"id": "", "type": "debug", "z": "t1"},
                        {"type": "debug", "z": "t1"}])
    ids = [n.id for n in export.flow_nodes]
    assert len(set(ids)) == 2 and all(ids)
    assert sum("has no id" in p.message for p in export.problems) == 2


def test_a_duplicate_id_is_renamed_and_wires_go_to_the_first_node() -> None:
    conversion = nr_import([
        tab(),
        {"id": "a", "type": "inject", "z": "t1", "once": True, "wires": [["b"]]},
        {"id": "b", "type": "debug", "z": "t1", "name": "first", "wires": []},
        {"id": "b", "type": "debug", "z": "t1", "name": "second", "wires": []},
    ])
    problems = [p.message for p in conversion.report.problems]
    assert any("used by more than one node" in m for m in problems)
    assert node(conversion, "a")["to"] == "b"
    assert node(conversion, "b")["label"] == "first"
    assert node(conversion, "b-2")["label"] == "second"
    assert not errors(conversion)


def test_string_booleans_and_numbers_are_read_as_node_red_does() -> None:
    assert as_bool("true") is True and as_bool("false") is False
    assert as_bool("", default=True) is False
    assert as_bool(None, default=True) is True
    assert as_number("5") == 5 and as_number("2.5") == 2.5 and as_number("") is None
    assert as_number("x") is None and as_number(True) is None


def test_old_config_nodes_with_empty_z_are_config_nodes() -> None:
    export = read_data([
        tab(),
        {"id": "b", "type": "mqtt-broker", "z": "", "broker": "localhost"},
        {"id": "c", "type": "some-config", "z": "", "host": "x"},
        {"id": "n", "type": "mqtt in", "z": "t1", "broker": "b", "topic": "a", "wires": [[]]},
    ])
    assert [c.id for c in export.configs] == ["b", "c"]
    assert [n.id for n in export.flow_nodes] == ["n"]


def test_a_partial_export_goes_to_a_flow_named_after_the_file() -> None:
    conversion = nr_import([
        {"id": "a", "type": "inject", "z": "gone", "once": True, "wires": [["b"]]},
        {"id": "b", "type": "debug", "z": "gone", "wires": []},
    ], source="my export.json")
    assert [f.id for f in conversion.flows] == ["my-export"]
    assert any("not in the export" in p.message for p in conversion.report.problems)
    assert not errors(conversion)


def test_wires_to_missing_nodes_are_dropped_with_a_problem() -> None:
    conversion = nr_import([
        tab(),
        {"id": "a", "type": "inject", "z": "t1", "once": True, "wires": [["nowhere", "b"]]},
        {"id": "b", "type": "debug", "z": "t1", "wires": []},
    ])
    assert node(conversion, "a")["to"] == "b"
    assert any("nowhere" in p.message for p in conversion.report.problems)


def test_garbage_inside_nodes_never_crashes_the_import() -> None:
    nodes = [
        tab(),
        {"id": "a", "type": "inject", "z": "t1", "props": "x", "repeat": "abc", "wires": "x"},
        {"id": "b", "type": "change", "z": "t1", "rules": [None, {"t": "bogus"}], "wires": [[]]},
        {"id": "c", "type": "switch", "z": "t1", "rules": "x", "wires": [[], 5]},
        {"id": "d", "type": "delay", "z": "t1", "pauseType": "weird", "wires": []},
        {"id": "e", "type": "mqtt in", "z": "t1", "broker": 5, "wires": []},
        {"id": "f", "type": "function", "z": "t1", "func": None, "outputs": "x", "wires": []},
    ]
    conversion = nr_import(json.loads(json.dumps(nodes)))
    assert not errors(conversion)
    assert {e.nr_id for e in conversion.report.entries} >= {"a", "b", "c", "d", "e", "f"}
