"""Imported Home Assistant nodes that read states or call services answer as
node-red-contrib-home-assistant-websocket does: one Node-RED export runs in real Node-RED 4 with
the package (tests/nodered/homeassistant_kit.py) and, imported, in flowrt, both against the same
real Home Assistant (FLOWRT_TEST_HOMEASSISTANT); every debug node gets the same messages.

- current state (version 3) of a text entity, with an `if state` that passes and one that
  fails (two outputs): `payload`, `topic` and `data` (the state object);
- current state of a boolean as `habool`;
- call service (version 5) setting a number from `{{payload}}`: the message passes on, and Home
  Assistant has the value;
- output properties: current state's (the state twice, JSONata with `$entity()` seeing the
  property set before it, a message property, global context), call service's (JSONata
  with `$outputData('data')`, the data sent);
- get entities (array, a JSONata count, split) of sensors made for the test, and wait until
  (a current state that passes at once; a test that never passes, timing out);
- wait until passed by a change the flow makes (the entity's times in their form).

Compared: payload, topic and data, less `timeSinceChangedMs` (the moment each ran): the state
object with its times in milliseconds (`...T10:30:00.123Z`), and for `habool` the converted
state with the text in `original_state`, as the package gives them. The events nodes are
compared in test_same_behaviour_homeassistant_events.py.

Run: `python -m pytest -q -p no:cacheprovider
tests/nodered/test_same_behaviour_homeassistant_states.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.nodered.differential import run_nodered
from tests.nodered.helpers import nodered_home
from tests.nodered.homeassistant_kit import (
    KEYS,
    LEVEL,
    SWITCH,
    TEXT,
    debug,
    inject,
    run_in_flowrt,
    setter,
    steady,
    tab_and_server,
    with_package,
)
from tests.nodes.homeassistant.ha_kit import call, set_state, state, unique


def _current(nid: str, entity: str, outs: list[str], **extra: Any) -> dict[str, Any]:
    return {"id": nid, "type": "api-current-state", "z": "t1", "server": "srv", "version": 3,
            "outputs": len(outs), "halt_if": "", "halt_if_type": "str",
            "halt_if_compare": "is", "entity_id": entity, "state_type": "str",
            "blockInputOverrides": False, "outputProperties": [
                {"property": "payload", "propertyType": "msg", "value": "",
                 "valueType": "entityState"},
                {"property": "data", "propertyType": "msg", "value": "", "valueType": "entity"}],
            "for": "0", "forType": "num", "forUnits": "minutes", "override_topic": True,
            "wires": [[o] for o in outs], **extra}


def export(word: str) -> list[dict[str, Any]]:
    return [
        *tab_and_server(),
        inject("i1", "cs1", ""), inject("i2", "cs2", ""), inject("i3", "cs3", ""),
        inject("i4", "call", "21", "num"), inject("i5", "cs4", ""),
        _current("cs4", TEXT, ["props"], override_topic=False, outputProperties=[
            {"property": "payload", "propertyType": "msg", "value": "",
             "valueType": "entityState"},
            {"property": "topic", "propertyType": "msg", "valueType": "jsonata",
             "value": "$entity().entity_id & \"=\" & payload"},
            {"property": "data", "propertyType": "msg", "value": "topic", "valueType": "msg"},
            {"property": "flowrt_last", "propertyType": "global", "value": "",
             "valueType": "entityState"}]),
        _current("cs1", TEXT, ["pass", "fail"], halt_if=word),
        _current("cs2", TEXT, ["pass2", "fail2"], halt_if="something else"),
        _current("cs3", SWITCH, ["bool"], state_type="habool"),
        {"id": "call", "type": "api-call-service", "z": "t1", "server": "srv", "version": 5,
         "domain": "input_number", "service": "set_value", "areaId": [], "deviceId": [],
         "entityId": [LEVEL], "data": "{\"value\": \"{{payload}}\"}", "dataType": "json",
         "mergeContext": "", "mustacheAltTags": False, "outputProperties": [
             {"property": "topic", "propertyType": "msg", "valueType": "jsonata",
              "value": "$outputData(\"data\").value & \"!\""},
             {"property": "data", "propertyType": "msg", "value": "", "valueType": "data"},
             {"property": "results", "propertyType": "msg", "value": "",
              "valueType": "results"}],
         "queue": "none", "wires": [["called"]]},
        *(debug(d) for d in ("pass", "fail", "pass2", "fail2", "bool", "called", "props")),
    ]


EXPECTED = 5


def test_home_assistant_nodes_answer_as_in_node_red(tmp_path: Path) -> None:
    creds = with_package(tmp_path)
    word = unique()
    call("input_text", "set_value", entity_id=TEXT, value=word)

    call("input_number", "set_value", entity_id=LEVEL, value=0)
    theirs = steady(run_nodered({"ha": export(word)}, nodered_home(), tmp_path,
                                expected=EXPECTED, keys=KEYS)["ha"])
    assert state(LEVEL) == "21.0"
    call("input_number", "set_value", entity_id=LEVEL, value=0)
    ours = steady(run_in_flowrt(export(word), creds, expected=EXPECTED))
    assert state(LEVEL) == "21.0"

    assert sorted(theirs) == ["bool", "called", "fail2", "pass", "props"], theirs
    assert theirs["pass"][0]["payload"] == word
    assert theirs["props"][0]["topic"] == f"{TEXT}={word}"
    assert theirs["called"][0]["topic"] == "21!"
    for name in theirs:
        assert ours.get(name) == theirs[name], name


def entities_export(prefix: str) -> list[dict[str, Any]]:
    """get entities (array, count by JSONata, split) and wait until (the current state passes
    at once; a test that never passes times out after a second) on two sensors made for the
    test, which the flow does not change."""
    def get(nid: str, rules: list[dict[str, str]], output: str, to: str) -> dict[str, Any]:
        return {"id": nid, "type": "ha-get-entities", "z": "t1", "server": "srv", "version": 1,
                "rules": [{"property": "entity_id", "logic": "starts_with", "value": prefix,
                           "valueType": "str"}, *rules], "outputType": output,
                "outputEmptyResults": False, "outputLocationType": "msg",
                "outputLocation": "payload", "outputResultsCount": 1, "wires": [[to]]}

    def wait(nid: str, entity: str, value: str, timeout: str, outs: list[str]
             ) -> dict[str, Any]:
        return {"id": nid, "type": "ha-wait-until", "z": "t1", "server": "srv", "version": 2,
                "outputs": len(outs), "entityId": entity, "entityIdFilterType": "exact",
                "property": "attributes.unit", "comparator": "is", "value": value,
                "valueType": "str", "timeout": timeout, "timeoutType": "num",
                "timeoutUnits": "seconds", "checkCurrentState": True,
                "blockInputOverrides": True, "outputProperties": [
                    {"property": "data", "propertyType": "msg", "value": "",
                     "valueType": "entity"}], "wires": [[o] for o in outs]}

    above = [{"property": "state", "logic": "gt", "value": "10", "valueType": "num"}]
    below = [{"property": "", "logic": "jsonata", "value": "$number($entity().state) < payload",
              "valueType": "jsonata"}]
    return [*tab_and_server(),
            inject("i1", "ga", "100", "num"), inject("i2", "gc", "100", "num"),
            inject("i3", "gs", "100", "num"), inject("i4", "w1", ""),
            inject("i5", "w2", ""),
            get("ga", above, "array", "array"), get("gc", below, "count", "count"),
            get("gs", [], "split", "split"),
            wait("w1", f"{prefix}_a", "W", "0", ["passed"]),
            wait("w2", f"{prefix}_b", "never", "1", ["never", "timed_out"]),
            *(debug(d) for d in ("array", "count", "split", "passed", "never", "timed_out"))]


def _no_moments(received: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Without `timeSinceChangedMs` (the moment each ran), wherever an entity is."""
    def strip(value: Any) -> None:
        if isinstance(value, dict):
            value.pop("timeSinceChangedMs", None)
            for inner in value.values():
                strip(inner)
        elif isinstance(value, list):
            for inner in value:
                strip(inner)
    strip(received)
    return received


def test_get_entities_and_wait_until_answer_as_in_node_red(tmp_path: Path) -> None:
    creds = with_package(tmp_path)
    prefix = f"sensor.flowrt_{unique()}"
    for name, level in (("a", "5"), ("b", "15")):
        set_state(f"{prefix}_{name}", level, unit="W", friendly_name=f"Flowrt {name}")
    theirs = _no_moments(run_nodered({"ha": entities_export(prefix)}, nodered_home(), tmp_path,
                                     expected=6, keys=KEYS)["ha"])
    ours = _no_moments(run_in_flowrt(entities_export(prefix), creds, expected=6))
    assert sorted(theirs) == ["array", "count", "passed", "split", "timed_out"], theirs
    assert [e["entity_id"] for e in theirs["array"][0]["payload"]] == [f"{prefix}_b"]
    assert theirs["count"][0]["payload"] == 2 and len(theirs["split"]) == 2
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours.get(name) == theirs[name], name


def waited_export(word: str) -> list[dict[str, Any]]:
    """wait until on the text entity, not checking its current state, and the change the flow
    makes two seconds later, through call service."""
    set_inject, set_call = setter(word)
    return [*tab_and_server(),
            {**inject("i1", "wu", ""), "onceDelay": "3"},
            {**set_inject, "id": "i2", "onceDelay": "5"},
            {**set_call, "wires": [[]]},
            {"id": "wu", "type": "ha-wait-until", "z": "t1", "server": "srv", "version": 2,
             "outputs": 2, "entityId": TEXT, "entityIdFilterType": "exact",
             "property": "state", "comparator": "is", "value": word, "valueType": "str",
             "timeout": "1", "timeoutType": "num", "timeoutUnits": "minutes",
             "checkCurrentState": False, "blockInputOverrides": True, "outputProperties": [
                 {"property": "data", "propertyType": "msg", "value": "",
                  "valueType": "entity"}], "wires": [["waited"], ["late"]]},
            debug("waited"), debug("late")]


def _shape_of_times(received: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """The entity's times with their digits zeroed (their form compared, not the moment), its
    context and `timeSinceChangedMs` left out."""
    for messages in received.values():
        for msg in messages:
            entity = msg.get("data") or {}
            for key in ("context", "timeSinceChangedMs"):
                entity.pop(key, None)
            for key in ("last_changed", "last_updated", "last_reported"):
                if isinstance(entity.get(key), str):
                    entity[key] = "".join("0" if c.isdigit() else c for c in entity[key])
    return received


def test_wait_until_passes_on_a_change_as_in_node_red(tmp_path: Path) -> None:
    creds = with_package(tmp_path)
    word, before = unique(), unique()
    call("input_text", "set_value", entity_id=TEXT, value=before)
    theirs = _shape_of_times(run_nodered({"ha": waited_export(word)}, nodered_home(),
                                         tmp_path, expected=1, keys=KEYS)["ha"])
    call("input_text", "set_value", entity_id=TEXT, value=before)
    ours = _shape_of_times(run_in_flowrt(waited_export(word), creds, expected=1))
    assert sorted(theirs) == ["waited"], theirs
    assert theirs["waited"][0]["data"]["state"] == word
    assert ours == theirs
