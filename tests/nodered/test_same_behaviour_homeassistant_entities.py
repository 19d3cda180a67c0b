"""Imported device actions and sensors do to Home Assistant what
node-red-contrib-home-assistant-websocket's do: one Node-RED export runs in real Node-RED 4 with
the package (0.64.0) and, imported, in flowrt, each against the tests' own Home Assistant with a
device and the Node-RED Companion integration (tests/nodes/homeassistant/ha_devices.py), which
the package needs for these nodes.

- a device action (version 0, the corpus's shape) turns the lamp on: the message passes on, and
  the lamp is on after each run; a device trigger (version 1) of the lamp turned on fires with
  the same trigger data (less the states' times and contexts);
- a sensor (ha-sensor with its ha-entity-config) and a binary sensor (ha-binary-sensor) get a state
  and an attribute: the import keeps the ids the companion knows Node-RED's entities by, so
  flowrt's run takes over the same entities (whose states the test resets in between) and
  gives them the same state and attributes again.

Run: `python -m pytest -q -p no:cacheprovider
tests/nodered/test_same_behaviour_homeassistant_entities.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.nodered.contrib import CONTRIB_DIR, contrib_modules, with_contrib
from tests.nodered.differential import run_nodered
from tests.nodered.helpers import nodered_home
from tests.nodered.homeassistant_kit import KEYS, PACKAGE, PINNED, run_in_flowrt
from tests.nodes.homeassistant.ha_devices import LAMP, DeviceHome, device_home, device_id
from tests.nodes.homeassistant.ha_kit import unique

__all__ = ["device_home"]  # the fixture, used by name


def _placed(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """With a position (Node-RED takes a node without one for a config node)."""
    return [{"x": 100, "y": 100 + 40 * i, **n} if n.get("z") and "wires" in n else n
            for i, n in enumerate(nodes)]


def _inject(nid: str, to: str, payload: str, kind: str = "str") -> dict[str, Any]:
    return {"id": nid, "type": "inject", "z": "t1", "props": [{"p": "payload"}, {"p": "topic",
                                                                                 "vt": "str"}],
            "payload": payload, "payloadType": kind, "repeat": "", "once": True,
            "onceDelay": "3", "topic": "kitchen", "wires": [[to]]}


def _debug(nid: str) -> dict[str, Any]:
    return {"id": nid, "type": "debug", "z": "t1", "active": True, "complete": "true",
            "wires": []}


def export(device: str, word: str) -> list[dict[str, Any]]:
    action = {"type": "turn_on", "device_id": device, "entity_id": LAMP, "domain": "switch"}
    return _placed([
        {"id": "t1", "type": "tab", "label": "HA entities"},
        {"id": "srv", "type": "server", "name": "HA", "version": 5, "addon": False,
         "rejectUnauthorizedCerts": True, "ha_boolean": "y|yes|true|on|home|open",
         "connectionDelay": False, "cacheJson": True, "heartbeat": False,
         "heartbeatInterval": 30},
        {"id": "ec", "type": "ha-entity-config", "server": "srv", "deviceConfig": "",
         "name": "boiler", "version": "6", "entityType": "sensor",
         "haConfig": [{"property": "name", "value": f"flowrt boiler {word}"},
                      {"property": "icon", "value": ""},
                      {"property": "device_class", "value": "temperature"},
                      {"property": "unit_of_measurement", "value": "°C"}],
         "resend": False, "debugEnabled": False},
        _inject("i1", "act", "go"), _inject("i2", "boiler", "21.5", "num"),
        _inject("i3", "garage", "open"),
        {"id": "act", "type": "ha-device", "z": "t1", "server": "srv", "version": 0,
         "exposeToHomeAssistant": False, "haConfig": [], "inputs": 1, "deviceType": "action",
         "device": device, "event": action, "capabilities": [], "outputProperties": [],
         "wires": [["acted"]]},
        {"id": "boiler", "type": "ha-sensor", "z": "t1", "entityConfig": "ec", "version": 0,
         "state": "payload", "stateType": "msg",
         "attributes": [{"property": "Room", "value": "topic", "valueType": "msg"}],
         "inputOverride": "allow", "outputProperties": [], "wires": [["sensed"]]},
        {"id": "ec2", "type": "ha-entity-config", "server": "srv", "deviceConfig": "",
         "name": "garage", "version": "6", "entityType": "binary_sensor",
         "haConfig": [{"property": "name", "value": f"flowrt garage {word}"},
                      {"property": "device_class", "value": "door"}],
         "resend": False, "debugEnabled": False},
        {"id": "garage", "type": "ha-binary-sensor", "z": "t1", "entityConfig": "ec2",
         "version": 0, "state": "payload", "stateType": "msg", "attributes": [],
         "inputOverride": "allow", "outputProperties": [], "wires": [["opened"]]},
        {"id": "fires", "type": "ha-device", "z": "t1", "server": "srv", "version": 1,
         "exposeAsEntityConfig": "", "inputs": 0, "deviceType": "trigger", "device": device,
         "event": {**action, "platform": "device", "type": "turned_on"}, "capabilities": [],
         "outputProperties": [
             {"property": "payload", "propertyType": "msg", "value": "",
              "valueType": "eventData"},
             {"property": "topic", "propertyType": "msg", "value": "",
              "valueType": "triggerId"}], "wires": [["fired"]]},
        _debug("acted"), _debug("sensed"), _debug("opened"), _debug("fired"),
    ])


def _steady(received: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Without what differs between two runs: the times and contexts of the lamp's states."""
    for msg in received.get("fired", []):
        for key in ("from_state", "to_state"):
            for volatile in ("last_changed", "last_updated", "context"):
                (msg["payload"].get(key) or {}).pop(volatile, None)
    return received


def _entities(home: DeviceHome, word: str) -> dict[str, dict[str, Any]]:
    return {s["entity_id"]: {"state": s["state"], "attributes": s["attributes"]}
            for s in home.api("GET", "states") if word in s["entity_id"]}


def test_device_actions_and_sensors_do_what_they_do_in_node_red(
        tmp_path: Path, device_home: DeviceHome) -> None:
    if not (CONTRIB_DIR / "node_modules" / PACKAGE / "package.json").exists():
        contrib_modules(f"{PACKAGE}@{PINNED}")
    with_contrib(tmp_path, PACKAGE)
    word, device = unique(), device_id(device_home)
    creds = {"srv": {"host": device_home.url, "access_token": device_home.token}}
    (tmp_path / "user" / "flows_cred.json").write_text(json.dumps(creds))

    device_home.api("POST", "services/switch/turn_off", {"entity_id": LAMP})
    theirs = _steady(run_nodered({"ha": export(device, word)}, nodered_home(), tmp_path,
                                 expected=4, keys=KEYS)["ha"])
    lamp_theirs = device_home.state(LAMP)
    made_theirs = _entities(device_home, word)
    device_home.api("POST", "services/switch/turn_off", {"entity_id": LAMP})
    for entity in made_theirs:
        device_home.api("POST", f"states/{entity}", {"state": "reset", "attributes": {}})
    ours = _steady(run_in_flowrt(export(device, word), creds, expected=4))
    lamp_ours = device_home.state(LAMP)
    made = _entities(device_home, word)

    assert sorted(theirs) == ["acted", "fired", "opened", "sensed"], theirs
    assert theirs["fired"][0]["topic"] == device
    assert theirs["fired"][0]["payload"]["to_state"]["state"] == "on"
    assert (lamp_theirs, lamp_ours) == ("on", "on")
    for name in theirs:
        assert ours.get(name) == theirs[name], name
    boiler, garage = f"sensor.flowrt_boiler_{word}", f"binary_sensor.flowrt_garage_{word}"
    assert made_theirs[boiler]["state"] == "21.5" and made_theirs[garage]["state"] == "on"
    assert made_theirs[boiler]["attributes"]["room"] == "kitchen"
    assert made == made_theirs  # the same entities, set again
