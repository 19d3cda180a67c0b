"""Mappings of inject, debug, catch, status, complete, link and comment nodes."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.check import check
from flowrt.load import Project, load_text
from tests.nodered.helpers import entry, errors, node, nr_import, run_imported, tab, texts


def warnings(conversion: Any) -> list[tuple[str, str | None]]:
    """What `flowrt validate` warns of in the imported flows: (code, node id)."""
    project = Project([load_text(text, name) for name, text in texts(conversion).items()])
    return [(d.code, d.node) for d in check(project, env={}) if d.severity == "warning"]


def one(nr: dict[str, Any], *more: dict[str, Any]) -> dict[str, Any]:
    conversion = nr_import([tab(), {"z": "t1", "wires": [[]], **nr}, *more])
    assert not errors(conversion), errors(conversion)
    return node(conversion, nr["id"])


def test_inject_with_props_repeat_and_once() -> None:
    data = one({"id": "i", "type": "inject", "props": [
        {"p": "payload"}, {"p": "topic", "vt": "str"},
        {"p": "site", "v": "SITE", "vt": "env"}, {"p": "n", "v": "5", "vt": "num"},
        {"p": "obj", "v": "{\"a\":1}", "vt": "json"}],
        "payload": "21.5", "payloadType": "num", "topic": "temp", "repeat": "10",
        "crontab": "", "once": "true", "onceDelay": "2"})
    assert data["payload"] == 21.5 and data["topic"] == "temp"
    assert data["properties"] == {"site": {"type": "env", "value": "SITE"}, "n": 5,
                                  "obj": {"type": "json", "value": {"a": 1}}}
    assert data["repeat"] == 10 and data["once"] is True and data["once_delay"] == 2


def test_inject_of_old_nodes_without_props_and_with_cron() -> None:
    data = one({"id": "i", "type": "inject", "payload": "", "payloadType": "date",
                "topic": "", "crontab": "*/5 * * * *"})
    assert data["payload"] == {"type": "date"}
    assert data["topic"] == "" and data["cron"] == "*/5 * * * *"



def test_inject_of_an_older_editor_with_a_string_payload_type() -> None:
    conversion = nr_import([tab(), {"id": "i", "type": "inject", "z": "t1",
                                    "payload": "{\"start\":\"A\"}", "payloadType": "string",
                                    "topic": "", "once": True, "wires": [[]]}])
    assert not errors(conversion), errors(conversion)
    assert node(conversion, "i")["payload"] == "{\"start\":\"A\"}"
    assert entry(conversion, "i").status == "mapped"
    assert [m["payload"] for m in run_imported(conversion).sent("i")] == ["{\"start\":\"A\"}"]

def test_inject_without_schedule_is_a_caveat() -> None:
    conversion = nr_import([tab(), {"id": "i", "type": "inject", "z": "t1", "props": [],
                                    "wires": [[]]}])
    assert entry(conversion, "i").status == "caveats"
    assert "button" in entry(conversion, "i").notes[-1]


def test_an_imported_inject_sends_what_node_red_sends() -> None:
    conversion = nr_import([
        tab(),
        {"id": "i", "type": "inject", "z": "t1", "props": [{"p": "payload"},
                                                          {"p": "topic", "vt": "str"}],
         "payload": "hello ${NAME}", "payloadType": "str", "topic": "t", "once": True,
         "onceDelay": 0.1, "wires": [["d"]]},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ])
    result = run_imported(conversion)
    sent = result.sent("i")
    assert [(m["payload"], m["topic"]) for m in sent] == [("hello ${NAME}", "t")]


def test_debug_variants() -> None:
    assert one({"id": "d", "type": "debug", "complete": "false"}) == {"type": "debug"}
    assert one({"id": "d", "type": "debug", "complete": "true", "targetType": "full"})[
        "complete"] is True
    assert one({"id": "d", "type": "debug", "complete": "payload.x", "targetType": "msg"})[
        "property"] == "payload.x"
    data = one({"id": "d", "type": "debug", "complete": "$count(payload)",
                "targetType": "jsonata", "active": False, "tosidebar": False,
                "console": False, "tostatus": True, "statusType": "counter"})
    assert data["expression"] == "$count(payload)"
    assert data["active"] is False and data["console"] is False and data["status"] == "count"


def test_catch_status_complete_scopes_name_flowrt_ids() -> None:
    conversion = nr_import([
        tab(),
        {"id": "aaaa1111.bbbb2", "type": "function", "z": "t1", "name": "Work",
         "func": "return msg;", "outputs": 1, "wires": [[]]},
        {"id": "c", "type": "catch", "z": "t1", "scope": ["aaaa1111.bbbb2"], "uncaught": False,
         "wires": [[]]},
        {"id": "s", "type": "status", "z": "t1", "scope": None, "wires": [[]]},
        {"id": "k", "type": "complete", "z": "t1", "scope": ["aaaa1111.bbbb2"], "wires": [[]]},
    ])
    assert not errors(conversion)
    assert node(conversion, "c")["scope"] == ["work"]
    assert "scope" not in node(conversion, "s")
    assert node(conversion, "k")["scope"] == ["work"]



def test_scopes_naming_only_nodes_missing_from_the_export_watch_nothing() -> None:
    conversion = nr_import([
        tab(),
        {"id": "c", "type": "catch", "z": "t1", "scope": ["gone"], "wires": [["d"]]},
        {"id": "k", "type": "complete", "z": "t1", "scope": ["gone"], "wires": [["d"]]},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion), errors(conversion)
    assert node(conversion, "c")["scope"] == []
    assert node(conversion, "k")["scope"] == []  # Node-RED's complete then never sends
    assert entry(conversion, "k").status == "caveats"
    assert any("watches no node of the export" in n for n in entry(conversion, "k").notes)


@pytest.mark.parametrize("scope", [[], None])
def test_a_complete_node_with_no_scope_imports_and_never_sends(scope: Any) -> None:
    """Node-RED 4 (24-complete.js, Flow.js) maps only the ids in `scope`: with none (an empty
    list, or null) the node is made but never sends."""
    conversion = nr_import([
        tab(),
        {"id": "i", "type": "inject", "z": "t1", "props": [{"p": "payload"}], "payload": "1",
         "payloadType": "num", "once": True, "wires": [["d"]]},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
        {"id": "k", "type": "complete", "z": "t1", "scope": scope, "uncaught": False,
         "wires": [["seen"]]},
        {"id": "seen", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion), errors(conversion)
    assert node(conversion, "k") == {"type": "complete", "scope": [], "to": "seen"}
    result = run_imported(conversion)
    assert [m["payload"] for m in result.received("d")] == [1] and result.received("seen") == []
    assert ("W111", "k") in warnings(conversion)

def test_catch_scope_group_is_the_group_members() -> None:
    conversion = nr_import([
        tab(),
        {"id": "g1", "type": "group", "z": "t1", "name": "Workers", "nodes": ["f", "c"]},
        {"id": "f", "type": "function", "z": "t1", "g": "g1", "func": "return msg;",
         "outputs": 1, "wires": [[]]},
        {"id": "c", "type": "catch", "z": "t1", "g": "g1", "scope": "group", "wires": [[]]},
    ])
    assert node(conversion, "c")["scope"] == ["f"]
    assert conversion.flows[0].groups["g1"].nodes == ["f", "c"]
    assert entry(conversion, "g1").status == "mapped"


def test_link_nodes_across_tabs_keep_working() -> None:
    conversion = nr_import([
        tab("t1", "One"), tab("t2", "Two"),
        {"id": "i", "type": "inject", "z": "t1", "props": [{"p": "payload"}],
         "payload": "x", "payloadType": "str", "once": True, "wires": [["lo"]]},
        {"id": "lo", "type": "link out", "z": "t1", "mode": "link", "links": ["li"],
         "wires": []},
        {"id": "li", "type": "link in", "z": "t2", "links": ["lo"], "wires": [["d"]]},
        {"id": "d", "type": "debug", "z": "t2", "wires": []},
    ])
    assert not errors(conversion)
    assert node(conversion, "lo")["links"] == ["li"]
    result = run_imported(conversion)
    assert [m["payload"] for m in result.received("d")] == ["x"]


def test_link_out_listed_only_by_the_link_in_still_links() -> None:
    conversion = nr_import([
        tab(),
        {"id": "lo", "type": "link out", "z": "t1", "links": [], "wires": []},
        {"id": "li", "type": "link in", "z": "t1", "links": ["lo"], "wires": [[]]},
    ])
    assert node(conversion, "lo")["links"] == ["li"]


def test_a_link_out_linked_to_nothing_imports_and_sends_nowhere() -> None:
    conversion = nr_import([
        tab(),
        {"id": "i", "type": "inject", "z": "t1", "props": [{"p": "payload"}], "payload": "1",
         "payloadType": "num", "once": True, "wires": [["lo"]]},
        {"id": "lo", "type": "link out", "z": "t1", "mode": "link", "links": [], "wires": []},
        {"id": "li", "type": "link in", "z": "t1", "links": [], "wires": [["d"]]},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion), errors(conversion)
    assert node(conversion, "lo") == {"type": "link-out", "links": []}
    assert entry(conversion, "lo").status == "caveats"
    result = run_imported(conversion)
    assert result.received("lo") != [] and result.received("d") == [] and result.errors == []
    assert ("W111", "lo") in warnings(conversion)


def test_a_link_call_in_a_subflow_calls_a_link_in_of_a_tab() -> None:
    """Node-RED remaps a subflow's ids per instance and leaves the others: a link call in a
    subflow may call a tab's link in by id (60-link.js, Subflow.js remapSubflowNodes)."""
    conversion = nr_import([
        tab(),
        {"id": "sf", "type": "subflow", "name": "Doubler",
         "in": [{"x": 0, "y": 0, "wires": [{"id": "call"}]}],
         "out": [{"x": 0, "y": 0, "wires": [{"id": "call", "port": 0}]}]},
        {"id": "call", "type": "link call", "z": "sf", "links": ["li"], "linkType": "static",
         "timeout": "5", "wires": [[]]},
        {"id": "i", "type": "inject", "z": "t1", "props": [{"p": "payload"}], "payload": "2",
         "payloadType": "num", "once": True, "wires": [["inst"]]},
        {"id": "inst", "type": "subflow:sf", "z": "t1", "x": 1, "y": 1, "wires": [["d"]]},
        {"id": "li", "type": "link in", "z": "t1", "wires": [["double"]]},
        {"id": "double", "type": "change", "z": "t1", "rules": [
            {"t": "set", "p": "payload", "pt": "msg", "to": "payload * 2", "tot": "jsonata"}],
         "wires": [["ret"]]},
        {"id": "ret", "type": "link out", "z": "t1", "mode": "return", "wires": []},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion), errors(conversion)
    assert entry(conversion, "call").status == "mapped"
    assert warnings(conversion) == []
    assert [m["payload"] for m in run_imported(conversion).received("d")] == [4]


def test_link_call_and_return() -> None:
    conversion = nr_import([
        tab(),
        {"id": "i", "type": "inject", "z": "t1", "props": [{"p": "payload"}], "payload": "2",
         "payloadType": "num", "once": True, "wires": [["call"]]},
        {"id": "call", "type": "link call", "z": "t1", "links": ["li"], "linkType": "static",
         "timeout": "5", "wires": [["d"]]},
        {"id": "li", "type": "link in", "z": "t1", "wires": [["double"]]},
        {"id": "double", "type": "change", "z": "t1", "rules": [
            {"t": "set", "p": "payload", "pt": "msg", "to": "payload * 2", "tot": "jsonata"}],
         "wires": [["ret"]]},
        {"id": "ret", "type": "link out", "z": "t1", "mode": "return", "wires": []},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion), errors(conversion)
    assert node(conversion, "call") == {"type": "link-call", "target": "li", "timeout": 5,
                                        "to": "d"}
    assert [m["payload"] for m in run_imported(conversion).received("d")] == [4]


def test_comment_text_and_a_disabled_node() -> None:
    data = one({"id": "c", "type": "comment", "name": "Read me", "info": "Some *notes*"})
    assert data == {"type": "comment", "label": "Read me", "text": "Some *notes*"}
    data = one({"id": "d", "type": "debug", "d": True, "info": "why", "outputLabels": ["x"]})
    assert data["disabled"] is True and data["info"] == "why"


def test_an_inject_without_payload_sends_none_as_node_red_does() -> None:
    """A delay node takes a message holding nothing but `flush` as a command only."""
    conversion = nr_import([
        tab(),
        {"id": "hello", "type": "inject", "z": "t1", "props": [{"p": "payload"}],
         "payload": "Hello", "payloadType": "str", "once": True, "onceDelay": 0.1,
         "wires": [["wait"]]},
        {"id": "flush", "type": "inject", "z": "t1", "props": [{"p": "flush", "v": "true",
                                                               "vt": "bool"}],
         "once": True, "onceDelay": 1, "wires": [["wait"]]},
        {"id": "wait", "type": "delay", "z": "t1", "pauseType": "delay", "timeout": "60",
         "timeoutUnits": "seconds", "wires": [["d"]]},
        {"id": "d", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion), errors(conversion)
    assert conversion.flows[0].nodes["flush-out"].config == {"rules": [{"delete": "payload"}]}
    assert "no payload" in entry(conversion, "flush").notes[0]
    result = run_imported(conversion)
    assert [m["payload"] for m in result.received("d")] == ["Hello"]
    assert "payload" not in result.received("wait")[1]
