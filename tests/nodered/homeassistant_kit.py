"""What the Home Assistant differential tests share: the package compared
(node-red-contrib-home-assistant-websocket, installed from npm on first use, see
tests/nodered/contrib.py), the keys of a message compared, the test entities, the nodes every
export starts with, and the run of an export in flowrt against the same real Home Assistant
(FLOWRT_TEST_HOMEASSISTANT)."""

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
from tests.nodes.homeassistant.ha_kit import URL, eventually, token

PACKAGE = "node-red-contrib-home-assistant-websocket"
PINNED = "0.64.0"
"""A release of the package for Home Assistant 2024.3 (later ones ask for newer servers)."""
KEYS = ("payload", "topic", "data")
TEXT, SWITCH, LEVEL = "input_text.flowrt_text", "input_boolean.flowrt_switch", \
    "input_number.flowrt_level"


def with_package(tmp_path: Path) -> dict[str, Any]:
    """Node-RED's user directory under ``tmp_path`` with the package (installed when missing)
    and the server's credentials (the test Home Assistant's URL and token); returns those."""
    if not (CONTRIB_DIR / "node_modules" / PACKAGE / "package.json").exists():
        contrib_modules(f"{PACKAGE}@{PINNED}")
    with_contrib(tmp_path, PACKAGE)
    creds = {"srv": {"host": URL, "access_token": token()}}
    (tmp_path / "user" / "flows_cred.json").write_text(json.dumps(creds))
    return creds


def inject(nid: str, to: str, payload: str, kind: str = "str") -> dict[str, Any]:
    return {"id": nid, "type": "inject", "z": "t1", "props": [{"p": "payload"}],
            "payload": payload, "payloadType": kind, "repeat": "", "once": True,
            "onceDelay": "3", "topic": "", "wires": [[to]]}


def debug(nid: str) -> dict[str, Any]:
    return {"id": nid, "type": "debug", "z": "t1", "active": True, "complete": "true",
            "wires": []}


def tab_and_server() -> list[dict[str, Any]]:
    """The tab t1 and the server config node srv every export starts with."""
    return [
        {"id": "t1", "type": "tab", "label": "HA"},
        {"id": "srv", "type": "server", "name": "HA", "version": 5, "addon": False,
         "rejectUnauthorizedCerts": True, "ha_boolean": "y|yes|true|on|home|open",
         "connectionDelay": False, "cacheJson": True, "heartbeat": False,
         "heartbeatInterval": 30},
    ]


def setter(word: str) -> list[dict[str, Any]]:
    """An inject (i1) of ``word`` into a call service (set) setting the text entity to it: the
    change the flow itself makes."""
    return [inject("i1", "set", word),
            {"id": "set", "type": "api-call-service", "z": "t1", "server": "srv",
             "version": 5, "domain": "input_text", "service": "set_value", "areaId": [],
             "deviceId": [], "entityId": [TEXT], "data": "{\"value\": \"{{payload}}\"}",
             "dataType": "json", "mergeContext": "", "mustacheAltTags": False,
             "outputProperties": [], "queue": "none", "wires": [[]]}]


def steady(received: dict[str, list[Any]]) -> dict[str, list[Any]]:
    """Without `timeSinceChangedMs` of `data` (the moment each ran)."""
    for messages in received.values():
        for msg in messages:
            if isinstance(msg, dict) and isinstance(msg.get("data"), dict):
                msg["data"].pop("timeSinceChangedMs", None)
    return received


def run_in_flowrt(nodes: list[dict[str, Any]], creds: dict[str, Any],
                  expected: int) -> dict[str, list[Any]]:
    """The export imported and run in flowrt until its debug nodes got ``expected`` messages
    (and a second more): debug node id -> the KEYS of each message it got."""
    conversion = convert(read_data(nodes), creds, "ha.json")
    text = render(conversion.flows[0])
    env = dict(conversion.secrets)
    debugs = {e.flowrt_id: e.nr_id for e in conversion.report.entries if e.nr_type == "debug"}

    async def main() -> dict[str, list[Any]]:
        plan, _ = build_plan(Project(documents=[load_text(text, "ha.yaml")]), env=env)
        harness = Harness(plan, env=env, virtual_time=False, timeout=60.0)
        await harness.start()
        try:
            def got() -> int:
                return sum(len(harness.result.arrivals[f]) for f in debugs)
            await eventually(lambda: got() >= expected, "the debug messages")
            await asyncio.sleep(1.0)  # anything more than expected would show up now
        finally:
            await harness.stop()
        return {debugs[f]: [json.loads(json.dumps({k: m[k] for k in KEYS if k in m}))
                            for m in harness.result.arrivals[f]]
                for f in debugs if harness.result.arrivals[f]}

    return asyncio.run(main())
