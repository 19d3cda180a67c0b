"""The prib family's mapping (flowrt/nodered/families/prib.py): node-red-contrib-prib-functions'
test, Data Analysis, transform and Load Injector nodes as its own test flows write them, what
cannot be imported and why, and back."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.nodered.families.prib import (
    export_convert,
    export_data_analysis,
    export_flow_test,
    export_load_injector,
    export_monitor_flow,
    export_node_os,
)
from tests.nodered.helpers import entry, node, nr_import, tab

TEST = {"id": "t", "type": "test", "z": "t1", "name": "",
        "errorFactor": "0.001", "escapeString": False, "infiniteIsNull": False,
        "payload": "[0.05,0.01,-0.02]", "payloadType": "json", "result": "-0.38",
        "resultType": "num", "resultProperty": "msg.result", "topic": "", "wires": [[], [], []]}
ANALYSIS = {"id": "a", "type": "Data Analysis", "z": "t1", "name": "", "action": "avg",
            "outputs": 2, "outliersStdDevs": "3", "term": "3", "keyProperty": "msg.topic",
            "dataProperty": "msg.payload", "dataProperties": [], "wires": [[], []]}


def made(base: dict[str, Any], **props: Any) -> dict[str, Any]:
    conversion = nr_import([tab(), {**base, **props}])
    found = entry(conversion, base["id"])
    assert found.status != "unsupported", found.reason
    return node(conversion, base["id"])


def reason(base: dict[str, Any], **props: Any) -> str:
    found = entry(nr_import([tab(), {**base, **props}]), base["id"])
    assert found.status == "unsupported"
    return found.reason


def test_a_test_node() -> None:
    assert made(TEST) == {"type": "flow-test",
                          "payload": {"type": "json", "value": [0.05, 0.01, -0.02]},
                          "expected": -0.38, "property": "result", "error_factor": 0.001}


def test_test_node_variants() -> None:
    got = made(TEST, errorFactor="0", escapeString=True, payload="a\\nb", payloadType="str",
               result="$boolean(payload.p2=2)\t", resultType="jsonata", resultProperty="msg",
               topic="t")
    assert got == {"type": "flow-test", "payload": "a\\nb", "condition": "$boolean(payload.p2=2)",
                   "property": None, "error_factor": 0, "unescape": True, "topic": "t"}
    assert "error_factor" not in made(TEST, errorFactor="")
    assert made(TEST, payloadType="date", resultProperty=None)["payload"] == {"type": "date"}


@pytest.mark.parametrize(("props", "why"), [
    ({"resultType": "jsonata", "result": "payload = 1"}, "$boolean"),
    ({"resultType": "re", "result": "^a"}, "RegExp"),
    ({"resultProperty": "node.x"}, "JavaScript"),
    ({"errorFactor": "tiny"}, "not a number"),
])
def test_what_a_test_node_cannot_be(props: dict[str, Any], why: str) -> None:
    assert why in reason(TEST, **props)


def test_data_analysis_nodes() -> None:
    assert made(ANALYSIS) == {"type": "data-analysis", "action": "avg"}
    assert made(ANALYSIS, action="differenceSeasonal", lag="2", term="10",
                dataProperty="msg.payload.data") == {
        "type": "data-analysis", "action": "differenceSeasonal", "property": "payload.data",
        "term": 10, "lag": 2}
    assert made(ANALYSIS, action="realtime", outliersStdDevs="2", outliersBase="median",
                keyProperty="msg.payload.assignedColor", dataProperty="msg.payload.salary") == {
        "type": "data-analysis", "action": "realtime", "key_property": "payload.assignedColor",
        "property": "payload.salary", "outliers_std_devs": 2, "outliers_base": "median"}
    assert made(ANALYSIS, action="pearsonR",
                dataProperties=["msg.payload[0]", "msg.payload[1]"]) == {
        "type": "data-analysis", "action": "pearsonR",
        "properties": ["payload[0]", "payload[1]"]}


def test_what_a_data_analysis_node_cannot_be() -> None:
    assert "computes" in reason(ANALYSIS, action="distances")
    assert "key property" in reason(ANALYSIS, action="realtime", keyProperty="")
    assert "1, 2 or 3" in reason(ANALYSIS, action="realtime", outliersStdDevs="5")
    assert "two" in reason(ANALYSIS, action="pearsonR", dataProperties=["msg.payload"])


def test_host_nodes_say_why() -> None:
    for kind in ("Spawn Process", "Host Available"):
        assert "prib-functions" in reason({"id": "h", "type": kind, "z": "t1", "wires": [[]]})


@pytest.mark.parametrize("config", [
    {"payload": {"type": "json", "value": [1, 2]}, "expected": 3, "property": "result",
     "error_factor": 0.01, "topic": "t"},
    {"payload": "x\\ty", "condition": "$boolean($ = 'x')", "property": None, "unescape": True},
])
def test_flow_test_export_and_back(config: dict[str, Any]) -> None:
    exported = {"id": "t", "type": "test", "z": "t1", **export_flow_test(config),
                "wires": [[], [], []]}
    assert node(nr_import([tab(), exported]), "t") == {"type": "flow-test", **config}


@pytest.mark.parametrize("config", [
    {"action": "movingAvgSimple", "term": 5, "property": "payload.v"},
    {"action": "realtime", "key_property": "payload.id", "lag": 2, "outliers_std_devs": 1},
    {"action": "pearsonR", "properties": ["payload.a", "payload.b"]},
])
def test_data_analysis_export_and_back(config: dict[str, Any]) -> None:
    exported = {"id": "a", "type": "Data Analysis", "z": "t1", **export_data_analysis(config),
                "wires": [[], [], []]}
    assert node(nr_import([tab(), exported]), "a") == {"type": "data-analysis", **config}


TRANSFORM = {"id": "x", "type": "transform", "z": "t1", "name": "", "actionSource": "String",
             "actionTarget": "Append", "deleteSource": "true", "deleteSourceType": "bool",
             "sourceProperty": "msg.payload.a", "targetProperty": "msg.payload.b",
             "topicProperty": "msg.topic", "index": "0", "maxMessages": 1000, "radix": "10",
             "skipLeading": 0, "skipTrailing": 0, "string": "abc", "stringType": "str",
             "delimiter": ",", "wires": [[], []]}


def test_transform_nodes() -> None:
    assert made(TRANSFORM) == {"type": "convert", "action": "StringToAppend",
                               "property": "payload.a", "target": "payload.b", "text": "abc"}
    assert made(TRANSFORM, actionTarget="Integer", radix="", index="", string="",
                deleteSource="false") == {
        "type": "convert", "action": "StringToInteger", "property": "payload.a",
        "target": "payload.b", "delete_source": False, "radix": 0}
    assert made(TRANSFORM, actionSource="JSON", actionTarget="CSV", sourceProperty="",
                targetProperty=None, delimiter=";") == {
        "type": "convert", "action": "JSONToCSV", "delimiter": ";"}
    assert made(TRANSFORM, stringType="msg", string="payload.c")["text"] == {
        "type": "msg", "value": "payload.c"}


@pytest.mark.parametrize(("props", "why"), [
    ({"actionSource": "Buffer", "actionTarget": "Compressed"}, "compression"),
    ({"actionSource": "XLSX", "actionTarget": "Array"}, "XLSX"),
    ({"actionSource": "Date", "actionTarget": "ISODate"}, "Date"),
    ({"topicProperty": "msg.payload.a"}, "topic"),
    ({"stringType": "flow"}, "second text"),
    ({"actionSource": "JSON", "actionTarget": "JSON", "JSONataSource": "in.a"}, "JSONata"),
])
def test_what_a_transform_node_cannot_be(props: dict[str, Any], why: str) -> None:
    assert why in reason(TRANSFORM, **props)


@pytest.mark.parametrize("config", [
    {"action": "StringToSplit", "text": {"type": "msg", "value": "sep"}, "target": "parts"},
    {"action": "CSVToArray", "skip_leading": 1, "delete_source": False, "delimiter": ";"},
    {"action": "StringToRangeLimit", "min_string": "a", "max_string": "m", "index": 2},
])
def test_convert_export_and_back(config: dict[str, Any]) -> None:
    exported = {"id": "x", "type": "transform", "z": "t1", **export_convert(config),
                "wires": [[], []]}
    assert node(nr_import([tab(), exported]), "x") == {"type": "convert", **config}


INJECTOR = {"id": "l", "type": "Load Injector", "z": "t1", "name": "", "thinktimemin": "10",
            "thinktimemax": "100", "runtime": "60", "payload": "", "payloadType": "date",
            "topic": "", "topicType": "str", "wires": [[], []]}


def test_load_injectors() -> None:
    assert made(INJECTOR) == {"type": "load-injector", "think_time_min": 10,
                              "think_time_max": 100, "runtime": 60,
                              "payload": {"type": "date"}}
    got = made(INJECTOR, payload='["aaa"]', payloadType="json", topicType="genid")
    assert (got["payload"], got["topic_id"]) == ({"type": "json", "value": ["aaa"]}, True)
    assert made(INJECTOR, payload="true", payloadType="bool", topic="123",
                topicType="num")["topic"] == 123


def test_what_a_load_injector_cannot_be() -> None:
    no_topic = {k: v for k, v in INJECTOR.items() if k not in ("topic", "topicType")}
    assert "topic" in reason(no_topic)
    assert "generator" in reason(INJECTOR, payloadType="genDataJSON")
    assert "seconds" in reason(INJECTOR, runtime="soon")


def test_load_injector_export_and_back() -> None:
    config = {"think_time_min": 5, "think_time_max": 50, "runtime": 2.5, "payload": "x",
              "topic_id": True}
    exported = {"id": "l", "type": "Load Injector", "z": "t1",
                **export_load_injector(config), "wires": [[], []]}
    assert node(nr_import([tab(), exported]), "l") == {"type": "load-injector", **config}


def test_monitor_flow_both_ways() -> None:
    monitor = {"id": "m", "type": "Monitor Flow", "z": "t1", "name": "", "wires": [[]]}
    assert made(monitor) == {"type": "monitor-flow"}
    assert export_monitor_flow({}) == {}


def test_os_nodes() -> None:
    from flowrt_nodes.system.node_os import READINGS

    from flowrt.nodered.families.prib import _OS_VALUES

    assert sorted(_OS_VALUES) == sorted(READINGS)
    base = {"id": "o", "type": "os", "z": "t1", "name": "", "property": "hostname",
            "wires": [[], []]}
    assert made(base) == {"type": "node-os", "property": "hostname"}
    assert "priorities" in reason(base, property="setPriority")
    assert export_node_os({"property": "cpus"}) == {"property": "cpus"}
