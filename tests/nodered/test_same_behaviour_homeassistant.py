"""Imported Home Assistant nodes answer as node-red-contrib-home-assistant-websocket does: one
Node-RED export runs in real Node-RED 4 with the contrib package (installed from npm on first
use, see tests/nodered/contrib.py) and, imported, in flowrt, both against the same real Home
Assistant (FLOWRT_TEST_HOMEASSISTANT); every debug node gets the same messages.

- current state (version 3) of a text entity, with an `if state` that passes and one that
  fails (two outputs): `payload`, `topic` and `data` (the state object);
- current state of a boolean as `habool`;
- call service (version 5) setting a number from `{{payload}}`: the message passes on, and Home
  Assistant has the value;
- events: state (version 4), as text and as habool, and trigger: state with two conditions
  (one fails: the second output) and with one on the previous state (as habool), of a change
  the flow itself makes; events: state with `for` one second (sent once the state held).
- get entities (array, a JSONata count, split) of sensors made for the test, and wait until
  (a current state that passes at once; a test that never passes, timing out).
- wait until passed by a change the flow makes (the entity's times in their form);
- events: state with a JSONata `if state`, and trigger: state's custom outputs.
- output properties: current state's (the state twice, JSONata with `$entity()` seeing the
  property set before it, a message property, global context), call service's (JSONata
  with `$outputData('data')`, the data sent), events: state's (JSONata with `$prevEntity()`,
  fixed text); trigger: state with an `if state` of type prevEntity.

Compared: payload, topic and data, less `timeSinceChangedMs` (the moment each ran): the state
object with its times in milliseconds (`...T10:30:00.123Z`), and for `habool` the converted
state with the text in `original_state`, as the package gives them.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_homeassistant.py`.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.nodered import convert, read_data
from flowrt.nodered.writer import render
from flowrt.testing import Harness
from tests.nodered.contrib import CONTRIB_DIR, contrib_modules, with_contrib
from tests.nodered.differential import run_nodered
from tests.nodered.helpers import nodered_home
from tests.nodes.homeassistant.ha_kit import (
    URL,
    call,
    eventually,
    set_state,
    state,
    token,
    unique,
)

PACKAGE = "node-red-contrib-home-assistant-websocket"
PINNED = "0.64.0"
"""A release of the package for Home Assistant 2024.3 (later ones ask for newer servers)."""
KEYS = ("payload", "topic", "data")
TEXT, SWITCH, LEVEL = "input_text.flowrt_text", "input_boolean.flowrt_switch", \
    "input_number.flowrt_level"


def _inject(nid: str, to: str, payload: str, kind: str = "str") -> dict[str, Any]:
    return {"id": nid, "type": "inject", "z": "t1", "props": [{"p": "payload"}],
            "payload": payload, "payloadType": kind, "repeat": "", "once": True,
            "onceDelay": "3", "topic": "", "wires": [[to]]}


def _debug(nid: str) -> dict[str, Any]:
    return {"id": nid, "type": "debug", "z": "t1", "active": True, "complete": "true",
            "wires": []}


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
        {"id": "t1", "type": "tab", "label": "HA"},
        {"id": "srv", "type": "server", "name": "HA", "version": 5, "addon": False,
         "rejectUnauthorizedCerts": True, "ha_boolean": "y|yes|true|on|home|open",
         "connectionDelay": False, "cacheJson": True, "heartbeat": False,
         "heartbeatInterval": 30},
        _inject("i1", "cs1", ""), _inject("i2", "cs2", ""), _inject("i3", "cs3", ""),
        _inject("i4", "call", "21", "num"), _inject("i5", "cs4", ""),
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
        *(_debug(d) for d in ("pass", "fail", "pass2", "fail2", "bool", "called", "props")),
    ]


EXPECTED = 5


def _steady(received: dict[str, list[Any]]) -> dict[str, list[Any]]:
    for messages in received.values():
        for msg in messages:
            if isinstance(msg, dict) and isinstance(msg.get("data"), dict):
                msg["data"].pop("timeSinceChangedMs", None)
    return received


def run_in_flowrt(nodes: list[dict[str, Any]], creds: dict[str, Any],
                  expected: int = EXPECTED) -> dict[str, list[Any]]:
    conversion = convert(read_data(nodes), creds, "ha.json")
    text = render(conversion.flows[0])
    env = dict(conversion.secrets)
    debug = {e.flowrt_id: e.nr_id for e in conversion.report.entries if e.nr_type == "debug"}

    async def main() -> dict[str, list[Any]]:
        plan, _ = build_plan(Project(documents=[load_text(text, "ha.yaml")]), env=env)
        harness = Harness(plan, env=env, virtual_time=False, timeout=60.0)
        await harness.start()
        try:
            def got() -> int:
                return sum(len(harness.result.arrivals[f]) for f in debug)
            await eventually(lambda: got() >= expected, "the debug messages")
            await asyncio.sleep(1.0)  # anything more than expected would show up now
        finally:
            await harness.stop()
        return {debug[f]: [json.loads(json.dumps({k: m[k] for k in KEYS if k in m}))
                           for m in harness.result.arrivals[f]]
                for f in debug if harness.result.arrivals[f]}

    return asyncio.run(main())


def test_home_assistant_nodes_answer_as_in_node_red(tmp_path: Path) -> None:
    if not (CONTRIB_DIR / "node_modules" / PACKAGE / "package.json").exists():
        contrib_modules(f"{PACKAGE}@{PINNED}")
    with_contrib(tmp_path, PACKAGE)
    word = unique()
    call("input_text", "set_value", entity_id=TEXT, value=word)
    creds = {"srv": {"host": URL, "access_token": token()}}
    (tmp_path / "user" / "flows_cred.json").write_text(json.dumps(creds))

    call("input_number", "set_value", entity_id=LEVEL, value=0)
    theirs = _steady(run_nodered({"ha": export(word)}, nodered_home(), tmp_path,
                                 expected=EXPECTED, keys=KEYS)["ha"])
    assert state(LEVEL) == "21.0"
    call("input_number", "set_value", entity_id=LEVEL, value=0)
    ours = _steady(run_in_flowrt(export(word), creds))
    assert state(LEVEL) == "21.0"

    assert sorted(theirs) == ["bool", "called", "fail2", "pass", "props"], theirs
    assert theirs["pass"][0]["payload"] == word
    assert theirs["props"][0]["topic"] == f"{TEXT}={word}"
    assert theirs["called"][0]["topic"] == "21!"
    for name in theirs:
        assert ours.get(name) == theirs[name], name


def changed_export(word: str) -> list[dict[str, Any]]:
    """events: state (version 4, habool and string) on the text entity; the flow changes it
    itself, through call service, once both are connected. As habool both the old and the
    new text are false: no change, nothing sent."""
    def state_changed(nid: str, state_type: str, debug: str, **extra: Any) -> dict[str, Any]:
        return {"id": nid, "type": "server-state-changed", "z": "t1", "server": "srv",
                "version": 4, "exposeToHomeAssistant": False, "entityidfilter": TEXT,
                "entityidfiltertype": "exact", "outputinitially": False,
                "state_type": state_type, "haltifstate": "", "halt_if_type": "str",
                "halt_if_compare": "is", "outputs": 1, "output_only_on_state_change": True,
                "for": 0, "forType": "num", "forUnits": "minutes",
                "ignorePrevStateNull": False, "ignorePrevStateUnknown": False,
                "ignorePrevStateUnavailable": False, "ignoreCurrentStateUnknown": False,
                "ignoreCurrentStateUnavailable": False, "outputProperties": [
                    {"property": "payload", "propertyType": "msg", "value": "",
                     "valueType": "entityState"},
                    {"property": "data", "propertyType": "msg", "value": "",
                     "valueType": "eventData"},
                    {"property": "topic", "propertyType": "msg", "value": "",
                     "valueType": "triggerId"}], "wires": [[debug]], **extra}
    nodes = export(word)[:2]
    return [*nodes, _inject("i1", "set", word),
            {"id": "set", "type": "api-call-service", "z": "t1", "server": "srv",
             "version": 5, "domain": "input_text", "service": "set_value", "areaId": [],
             "deviceId": [], "entityId": [TEXT], "data": "{\"value\": \"{{payload}}\"}",
             "dataType": "json", "mergeContext": "", "mustacheAltTags": False,
             "outputProperties": [], "queue": "none", "wires": [[]]},
            state_changed("sc", "str", "changed"), state_changed("sb", "habool", "bool"),
            state_changed("sh", "str", "held", **{"for": "1", "forUnits": "seconds"}),
            {"id": "ts", "type": "trigger-state", "z": "t1", "server": "srv",
             "entityid": TEXT, "entityidfiltertype": "exact", "debugenabled": False,
             "constraints": [
                 {"targetType": "this_entity", "targetValue": "",
                  "propertyType": "current_state", "propertyValue": "new_state.state",
                  "comparatorType": "is", "comparatorValueDatatype": "str",
                  "comparatorValue": word},
                 {"targetType": "entity_id", "targetValue": SWITCH,
                  "propertyType": "current_state", "propertyValue": "new_state.state",
                  "comparatorType": "is", "comparatorValueDatatype": "str",
                  "comparatorValue": "no such state"}],
             "constraintsmustmatch": "all", "outputs": 2, "customoutputs": [],
             "outputinitially": False, "state_type": "str", "wires": [["hit"], ["miss"]]},
            {"id": "ts2", "type": "trigger-state", "z": "t1", "server": "srv",
             "entityid": "input_text.", "entityidfiltertype": "substring",
             "constraints": [
                 {"targetType": "this_entity", "targetValue": "",
                  "propertyType": "previous_state", "propertyValue": "old_state.state",
                  "comparatorType": "is_not", "comparatorValueDatatype": "str",
                  "comparatorValue": word}],
             "constraintsmustmatch": "all", "outputs": 2, "customoutputs": [],
             "outputinitially": False, "state_type": "habool", "wires": [["trig"], []]},
            state_changed("so", "str", "custom", outputProperties=[
                {"property": "payload", "propertyType": "msg", "valueType": "jsonata",
                 "value": "$prevEntity().state & \">\" & $entity().state"},
                {"property": "topic", "propertyType": "msg", "value": "changed",
                 "valueType": "str"},
                {"property": "data", "propertyType": "msg", "valueType": "jsonata",
                 "value": "{\"old_state\": $prevEntity(), \"new_state\": $entity()}"}]),
            {"id": "ts3", "type": "trigger-state", "z": "t1", "server": "srv",
             "entityid": TEXT, "entityidfiltertype": "exact", "constraints": [
                 {"targetType": "this_entity", "targetValue": "",
                  "propertyType": "current_state", "propertyValue": "new_state.state",
                  "comparatorType": "is_not", "comparatorValueDatatype": "prevEntity",
                  "comparatorValue": "state"}],
             "constraintsmustmatch": "all", "outputs": 2, "customoutputs": [],
             "outputinitially": False, "state_type": "str", "wires": [["prev"], []]},
            _debug("changed"), _debug("bool"), _debug("trig"), _debug("hit"), _debug("miss"),
            _debug("held"), _debug("custom"), _debug("prev")]


def _same_moment(received: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Without what differs between two runs: the times and contexts of the states."""
    for messages in _steady(received).values():
        for msg in messages:
            data = msg.get("data") or {}
            for volatile in ("context", "time_fired"):
                data.pop(volatile, None)
            for key in ("old_state", "new_state"):
                found = data.get(key) or (data.get("event") or {}).get(key)
                if isinstance(found, dict):
                    for volatile in ("last_changed", "last_updated", "context",
                                     "timeSinceChangedMs"):
                        found.pop(volatile, None)
    return received


def test_state_changes_arrive_as_in_node_red(tmp_path: Path) -> None:
    if not (CONTRIB_DIR / "node_modules" / PACKAGE / "package.json").exists():
        contrib_modules(f"{PACKAGE}@{PINNED}")
    with_contrib(tmp_path, PACKAGE)
    word, before = unique(), unique()
    creds = {"srv": {"host": URL, "access_token": token()}}
    (tmp_path / "user" / "flows_cred.json").write_text(json.dumps(creds))
    call("input_text", "set_value", entity_id=TEXT, value=before)
    theirs = _same_moment(run_nodered({"ha": changed_export(word)}, nodered_home(), tmp_path,
                                      expected=6, keys=KEYS)["ha"])
    call("input_text", "set_value", entity_id=TEXT, value=before)
    ours = _same_moment(run_in_flowrt(changed_export(word), creds, expected=6))
    # the habool node sends nothing: both states read false, which is no change
    assert sorted(theirs) == ["changed", "custom", "held", "miss", "prev", "trig"], theirs
    assert theirs["changed"][0]["payload"] == word
    assert theirs["custom"][0]["payload"] == f"{before}>{word}"
    assert ours == theirs


def entities_export(prefix: str) -> list[dict[str, Any]]:
    """get entities (array, count by JSONata, split) and wait until (the current state passes
    at once; a test that never passes times out after a second) on two sensors made for the
    test, which the flow does not change."""
    def get(nid: str, rules: list[dict[str, str]], output: str, debug: str) -> dict[str, Any]:
        return {"id": nid, "type": "ha-get-entities", "z": "t1", "server": "srv", "version": 1,
                "rules": [{"property": "entity_id", "logic": "starts_with", "value": prefix,
                           "valueType": "str"}, *rules], "outputType": output,
                "outputEmptyResults": False, "outputLocationType": "msg",
                "outputLocation": "payload", "outputResultsCount": 1, "wires": [[debug]]}

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
    return [*export("")[:2],
            _inject("i1", "ga", "100", "num"), _inject("i2", "gc", "100", "num"),
            _inject("i3", "gs", "100", "num"), _inject("i4", "w1", ""),
            _inject("i5", "w2", ""),
            get("ga", above, "array", "array"), get("gc", below, "count", "count"),
            get("gs", [], "split", "split"),
            wait("w1", f"{prefix}_a", "W", "0", ["passed"]),
            wait("w2", f"{prefix}_b", "never", "1", ["never", "timed_out"]),
            *(_debug(d) for d in ("array", "count", "split", "passed", "never", "timed_out"))]


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
    if not (CONTRIB_DIR / "node_modules" / PACKAGE / "package.json").exists():
        contrib_modules(f"{PACKAGE}@{PINNED}")
    with_contrib(tmp_path, PACKAGE)
    prefix = f"sensor.flowrt_{unique()}"
    for name, level in (("a", "5"), ("b", "15")):
        set_state(f"{prefix}_{name}", level, unit="W", friendly_name=f"Flowrt {name}")
    creds = {"srv": {"host": URL, "access_token": token()}}
    (tmp_path / "user" / "flows_cred.json").write_text(json.dumps(creds))
    theirs = _no_moments(run_nodered({"ha": entities_export(prefix)}, nodered_home(), tmp_path,
                                     expected=6, keys=KEYS)["ha"])
    ours = _no_moments(run_in_flowrt(entities_export(prefix), creds, expected=6))
    assert sorted(theirs) == ["array", "count", "passed", "split", "timed_out"], theirs
    assert [e["entity_id"] for e in theirs["array"][0]["payload"]] == [f"{prefix}_b"]
    assert theirs["count"][0]["payload"] == 2 and len(theirs["split"]) == 2
    assert sorted(ours) == sorted(theirs)
    for name in theirs:
        assert ours.get(name) == theirs[name], name


def jsonata_export(word: str) -> list[dict[str, Any]]:
    """events: state with a JSONata `if state` ($entity(), $prevEntity()) and trigger: state
    with custom outputs (the default message always; the payload from mustache when the new
    state is the word; a JSONata message of $outputData), of a change the flow makes."""
    rising = f"$entity().state = '{word}' and $prevEntity().state != $entity().state"

    def custom(kind: str, value: str, value_type: str, when: str = "always",
               compared: str = "") -> dict[str, Any]:
        return {"messageType": kind, "messageValue": value, "messageValueType": value_type,
                "comparatorPropertyType": when, "comparatorPropertyValue": "new_state.state",
                "comparatorType": "is", "comparatorValue": compared,
                "comparatorValueDataType": "str"}

    changed = changed_export(word)
    return [*changed[:4],
            {"id": "js", "type": "server-state-changed", "z": "t1", "server": "srv",
             "version": 5, "entityId": TEXT, "entityIdType": "exact",
             "outputInitially": False, "stateType": "str", "ifState": rising,
             "ifStateType": "jsonata", "ifStateOperator": "jsonata", "outputs": 2,
             "outputOnlyOnStateChange": True, "for": "0", "forType": "num",
             "forUnits": "minutes", "outputProperties": [
                 {"property": "payload", "propertyType": "msg", "value": "",
                  "valueType": "entityState"},
                 {"property": "data", "propertyType": "msg", "value": "",
                  "valueType": "eventData"},
                 {"property": "topic", "propertyType": "msg", "value": "",
                  "valueType": "triggerId"}], "wires": [["jpass"], ["jfail"]]},
            {"id": "tc", "type": "trigger-state", "z": "t1", "server": "srv",
             "entityid": TEXT, "entityidfiltertype": "exact", "constraints": [],
             "constraintsmustmatch": "all", "outputs": 5, "customoutputs": [
                 custom("default", "", "json"),
                 custom("payload", "{{new_state.state}}!", "str", "current_state", word),
                 custom("custom", "{\"payload\": $outputData(\"eventData\").entity_id}",
                        "jsonata")],
             "outputinitially": False, "state_type": "str",
             "wires": [["t0"], [], ["c1"], ["c2"], ["c3"]]},
            *(_debug(d) for d in ("jpass", "jfail", "t0", "c1", "c2", "c3"))]


def test_jsonata_if_state_and_custom_outputs_answer_as_in_node_red(tmp_path: Path) -> None:
    if not (CONTRIB_DIR / "node_modules" / PACKAGE / "package.json").exists():
        contrib_modules(f"{PACKAGE}@{PINNED}")
    with_contrib(tmp_path, PACKAGE)
    word, before = unique(), unique()
    creds = {"srv": {"host": URL, "access_token": token()}}
    (tmp_path / "user" / "flows_cred.json").write_text(json.dumps(creds))
    call("input_text", "set_value", entity_id=TEXT, value=before)
    theirs = _same_moment(run_nodered({"ha": jsonata_export(word)}, nodered_home(), tmp_path,
                                      expected=5, keys=KEYS)["ha"])
    call("input_text", "set_value", entity_id=TEXT, value=before)
    ours = _same_moment(run_in_flowrt(jsonata_export(word), creds, expected=5))
    assert sorted(theirs) == ["c1", "c2", "c3", "jpass", "t0"], theirs
    assert theirs["c2"][0]["payload"] == f"{word}!" and theirs["c3"][0]["payload"] == TEXT
    assert ours == theirs


def waited_export(word: str) -> list[dict[str, Any]]:
    """wait until on the text entity, not checking its current state, and the change the flow
    makes two seconds later, through call service."""
    changed = changed_export(word)
    return [*export(word)[:2],
            {**_inject("i1", "wu", ""), "onceDelay": "3"},
            {**next(n for n in changed if n["id"] == "i1"), "id": "i2", "onceDelay": "5"},
            {**next(n for n in changed if n["id"] == "set"), "wires": [[]]},
            {"id": "wu", "type": "ha-wait-until", "z": "t1", "server": "srv", "version": 2,
             "outputs": 2, "entityId": TEXT, "entityIdFilterType": "exact",
             "property": "state", "comparator": "is", "value": word, "valueType": "str",
             "timeout": "1", "timeoutType": "num", "timeoutUnits": "minutes",
             "checkCurrentState": False, "blockInputOverrides": True, "outputProperties": [
                 {"property": "data", "propertyType": "msg", "value": "",
                  "valueType": "entity"}], "wires": [["waited"], ["late"]]},
            _debug("waited"), _debug("late")]


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
    if not (CONTRIB_DIR / "node_modules" / PACKAGE / "package.json").exists():
        contrib_modules(f"{PACKAGE}@{PINNED}")
    with_contrib(tmp_path, PACKAGE)
    word, before = unique(), unique()
    creds = {"srv": {"host": URL, "access_token": token()}}
    (tmp_path / "user" / "flows_cred.json").write_text(json.dumps(creds))
    call("input_text", "set_value", entity_id=TEXT, value=before)
    theirs = _shape_of_times(run_nodered({"ha": waited_export(word)}, nodered_home(),
                                         tmp_path, expected=1, keys=KEYS)["ha"])
    call("input_text", "set_value", entity_id=TEXT, value=before)
    ours = _shape_of_times(run_in_flowrt(waited_export(word), creds, expected=1))
    assert sorted(theirs) == ["waited"], theirs
    assert theirs["waited"][0]["data"]["state"] == word
    assert ours == theirs
