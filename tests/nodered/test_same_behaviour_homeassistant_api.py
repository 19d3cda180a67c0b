"""Imported API nodes (ha-api) answer as node-red-contrib-home-assistant-websocket's do: one
Node-RED export runs in real Node-RED 4 with the package (0.64.0, see
tests/nodered/homeassistant_kit.py) and, imported, in flowrt, both against the same real Home
Assistant (FLOWRT_TEST_HOMEASSISTANT); every debug node gets the same messages.

- a WebSocket command from JSON with a `{{payload}}` placeholder (`validate_config`);
- an HTTP GET of an entity's state with the path from a placeholder (version 0: `location`);
- HTTP POSTs to `template`, as text: the data from JSONata, and from JSON whose placeholder
  Node-RED's mustache HTML-escapes (`<&>`), next to `{{{ }}}` and an entity's state read from
  `{{entity.ID}}`;
- a payload overriding the protocol, method and path.

The device nodes are not compared: the package runs them through its companion integration,
which the test Home Assistant does not have (flowrt's need none).

Run: `python -m pytest -q -p no:cacheprovider
tests/nodered/test_same_behaviour_homeassistant_api.py`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from tests.nodered.contrib import CONTRIB_DIR, contrib_modules, with_contrib
from tests.nodered.differential import run_nodered
from tests.nodered.helpers import nodered_home
from tests.nodered.homeassistant_kit import KEYS, PACKAGE, PINNED, run_in_flowrt
from tests.nodes.homeassistant.ha_kit import URL, set_state, token, unique


def _inject(nid: str, to: str, payload: str, kind: str = "str") -> dict[str, Any]:
    return {"id": nid, "type": "inject", "z": "t1", "props": [{"p": "payload"}],
            "payload": payload, "payloadType": kind, "repeat": "", "once": True,
            "onceDelay": "3", "topic": "", "wires": [[to]]}


def _debug(nid: str) -> dict[str, Any]:
    return {"id": nid, "type": "debug", "z": "t1", "active": True, "complete": "true",
            "wires": []}


def _api(nid: str, out: str, **config: Any) -> dict[str, Any]:
    return {"id": nid, "type": "ha-api", "z": "t1", "server": "srv", "version": 1,
            "debugenabled": False, "protocol": "websocket", "method": "get", "path": "",
            "data": "", "dataType": "json", "responseType": "json", "outputProperties": [
                {"property": "payload", "propertyType": "msg", "value": "",
                 "valueType": "results"}], "wires": [[out]], **config}


def export(own: str) -> list[dict[str, Any]]:
    template = '{"template": "{{payload}}|{{{payload}}}|{{entity.' + own + '.attributes.unit}}"}'
    return [
        {"id": "t1", "type": "tab", "label": "HA API"},
        {"id": "srv", "type": "server", "name": "HA", "version": 5, "addon": False,
         "rejectUnauthorizedCerts": True, "ha_boolean": "y|yes|true|on|home|open",
         "connectionDelay": False, "cacheJson": True, "heartbeat": False,
         "heartbeatInterval": 30},
        _inject("i1", "api_ws", own), _inject("i2", "api_get", own),
        _inject("i3", "api_jsonata", own),
        _inject("i4", "api_escaped", "a<b & c"),
        _inject("i5", "api_over", json.dumps({"protocol": "http", "method": "get",
                                              "path": f"/api/states/{own}"}), "json"),
        _api("api_ws", "d_ws", data='{"type": "validate_config", "condition": [{"condition": '
             '"state", "entity_id": "{{payload}}", "state": "7"}]}'),
        {**_api("api_get", "d_get", protocol="http", path="states/{{payload}}",
                location="data", locationType="msg"), "version": 0,
         "outputProperties": None},
        _api("api_jsonata", "d_jsonata", protocol="http", method="post", path="/api/template",
             responseType="text", dataType="jsonata",
             data='{"template": "{{ states(\'" & payload & "\') }}-" & $string(1 + 1)}'),
        _api("api_escaped", "d_escaped", protocol="http", method="post", path="template",
             responseType="text", data=template),
        _api("api_over", "d_over", data='{"type": "ping"}'),
        *(_debug(d) for d in ("d_ws", "d_get", "d_jsonata", "d_escaped", "d_over")),
    ]


def _without_none(nodes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Without the properties set to None; with a position (Node-RED takes a node without one
    for a config node)."""
    return [{"x": 100, "y": 100 + 40 * i, **{k: v for k, v in n.items() if v is not None}}
            if n.get("z") else n for i, n in enumerate(nodes)]


def test_api_nodes_answer_as_in_node_red(tmp_path: Path) -> None:
    if not (CONTRIB_DIR / "node_modules" / PACKAGE / "package.json").exists():
        contrib_modules(f"{PACKAGE}@{PINNED}")
    with_contrib(tmp_path, PACKAGE)
    own = f"sensor.flowrt_api_{unique()}"  # this test's alone, unchanged by the runs
    set_state(own, "7", unit="<°C>")
    creds = {"srv": {"host": URL, "access_token": token()}}
    (tmp_path / "user" / "flows_cred.json").write_text(json.dumps(creds))
    nodes = _without_none(export(own))

    theirs = run_nodered({"ha": nodes}, nodered_home(), tmp_path, expected=5,
                         keys=KEYS)["ha"]
    ours = run_in_flowrt(_without_none(export(own)), creds, expected=5)

    assert sorted(theirs) == ["d_escaped", "d_get", "d_jsonata", "d_over", "d_ws"], theirs
    assert theirs["d_ws"][0]["payload"] == {"condition": {"valid": True, "error": None}}
    assert theirs["d_jsonata"][0]["payload"] == "7-2"
    assert theirs["d_escaped"][0]["payload"] == "a&lt;b &amp; c|a<b & c|&lt;°C&gt;"
    assert theirs["d_get"][0]["data"]["state"] == "7"
    assert theirs["d_over"][0]["payload"]["entity_id"] == own
    for name in theirs:
        assert ours.get(name) == theirs[name], name
