"""Imported Home Assistant event nodes answer as node-red-contrib-home-assistant-websocket does:
one Node-RED export runs in real Node-RED 4 with the package (tests/nodered/homeassistant_kit.py)
and, imported, in flowrt, both against the same real Home Assistant (FLOWRT_TEST_HOMEASSISTANT);
every debug node gets the same messages.

- events: state (version 4), as text and as habool, and trigger: state with two conditions
  (one fails: the second output) and with one on the previous state (as habool), of a change
  the flow itself makes; events: state with `for` one second (sent once the state held);
- events: state's output properties (JSONata with `$prevEntity()`, fixed text); trigger: state
  with an `if state` of type prevEntity;
- events: state with a JSONata `if state`, and trigger: state's custom outputs.

Compared: payload, topic and data, less what differs between two runs (the states' times and
contexts, `timeSinceChangedMs`). The nodes that read states or call services are compared in
test_same_behaviour_homeassistant_states.py.

Run: `python -m pytest -q -p no:cacheprovider
tests/nodered/test_same_behaviour_homeassistant_events.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.nodered.differential import run_nodered
from tests.nodered.helpers import nodered_home
from tests.nodered.homeassistant_kit import (
    KEYS,
    SWITCH,
    TEXT,
    debug,
    run_in_flowrt,
    setter,
    steady,
    tab_and_server,
    with_package,
)
from tests.nodes.homeassistant.ha_kit import call, unique


def changed_export(word: str) -> list[dict[str, Any]]:
    """events: state (version 4, habool and string) on the text entity; the flow changes it
    itself, through call service, once both are connected. As habool both the old and the
    new text are false: no change, nothing sent."""
    def state_changed(nid: str, state_type: str, to: str, **extra: Any) -> dict[str, Any]:
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
                     "valueType": "triggerId"}], "wires": [[to]], **extra}
    return [*tab_and_server(), *setter(word),
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
            *(debug(d) for d in ("changed", "bool", "trig", "hit", "miss", "held", "custom",
                                 "prev"))]


def _same_moment(received: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Without what differs between two runs: the times and contexts of the states."""
    for messages in steady(received).values():
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
    creds = with_package(tmp_path)
    word, before = unique(), unique()
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

    return [*tab_and_server(), *setter(word),
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
            *(debug(d) for d in ("jpass", "jfail", "t0", "c1", "c2", "c3"))]


def test_jsonata_if_state_and_custom_outputs_answer_as_in_node_red(tmp_path: Path) -> None:
    creds = with_package(tmp_path)
    word, before = unique(), unique()
    call("input_text", "set_value", entity_id=TEXT, value=before)
    theirs = _same_moment(run_nodered({"ha": jsonata_export(word)}, nodered_home(), tmp_path,
                                      expected=5, keys=KEYS)["ha"])
    call("input_text", "set_value", entity_id=TEXT, value=before)
    ours = _same_moment(run_in_flowrt(jsonata_export(word), creds, expected=5))
    assert sorted(theirs) == ["c1", "c2", "c3", "jpass", "t0"], theirs
    assert theirs["c2"][0]["payload"] == f"{word}!" and theirs["c3"][0]["payload"] == TEXT
    assert ours == theirs
