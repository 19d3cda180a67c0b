"""The same flow with node-red-contrib-aedes's `aedes broker` in real Node-RED 4 and, imported
as an mqtt-server node, in flowrt; the same paho client does the same things against each (a
refused login, a login, a subscription, a publish it gets back, an unsubscription, a
disconnect), and function nodes record what the two outputs sent: the same events, in the
same order, for the same clients, and the same published message.

node-red-contrib-aedes is installed with npm on first use (tests/nodered/contrib.py); the npm
registry reachable here has 0.6.0 (aedes 0.46). Two differences of that release are allowed
for, both fixed in node-red-contrib-aedes 1.x, whose shapes flowrt follows: its `subscribe`
and `unsubscribe` messages read `topic` off the array of subscriptions aedes gives, so their
`payload.topic` is undefined; and aedes's own `$SYS/...` messages (new and disconnected
clients) leave on output 2, which flowrt's broker does not publish (the recorder drops them).
Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_aedes.py`.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
from pathlib import Path
from typing import Any

from flowrt.nodered import convert, read_data
from flowrt.nodered.writer import render
from tests.broker.broker_kit import Client
from tests.nodered.contrib import with_contrib
from tests.nodered.differential import isolate, run_nodered
from tests.nodered.helpers import nodered_home
from tests.nodes.mqtt.mqtt_kit import eventually, running
from tests.support.servers import free_port
from tests.support.waiting import wait_until

PACKAGE = "node-red-contrib-aedes"
LOGIN = {"username": "dev", "password": "pw-123"}
EXPECTED = 7
"""Recorded messages: 6 events (clientError, client, clientReady, subscribe, unsubscribe,
clientDisconnect) and 1 publish."""

EVENT = """const p = msg.payload || {};
const c = p.client || {};
return {payload: {event: msg.topic, id: c.id === undefined ? null : c.id,
  user: c.user === undefined ? null : c.user,
  topic: p.topic === undefined ? null : p.topic,
  code: p.err ? p.err.errorCode : null}};"""
PUBLISHED = """const k = msg.payload.packet;
if (k.topic.startsWith('$SYS')) { return null; }
return {payload: {topic: k.topic, text: k.payload.toString(), qos: k.qos, retain: k.retain,
  id: msg.payload.client ? msg.payload.client.id : null}};"""


def flow(port: int) -> list[dict[str, Any]]:
    return [
        {"id": "t", "type": "tab", "label": "aedes"},
        {"id": "a", "type": "aedes broker", "z": "t", "name": "", "mqtt_port": port,
         "mqtt_ws_bind": "port", "mqtt_ws_port": "", "mqtt_ws_path": "", "cert": "",
         "key": "", "certname": "", "keyname": "", "dburl": "", "usetls": False,
         "wires": [["ev"], ["pub"]]},
        {"id": "ev", "type": "function", "z": "t", "func": EVENT, "outputs": 1,
         "wires": [["events"]]},
        {"id": "pub", "type": "function", "z": "t", "func": PUBLISHED, "outputs": 1,
         "wires": [["published"]]},
        {"id": "events", "type": "debug", "z": "t", "wires": []},
        {"id": "published", "type": "debug", "z": "t", "wires": []},
    ]


def probe(port: int) -> list[int]:
    """What the test's client does against the broker; the CONNACK codes it got."""
    wait_until(lambda: _accepts(port), f"a broker on port {port}", 90)
    intruder = Client(port, "intruder", LOGIN["username"], "wrong")
    intruder.close()
    client = Client(port, "probe", **LOGIN)
    client.subscribe("d/#", 1)
    client.publish("d/x", b"hello", 1)
    wait_until(lambda: client.seen, "its own message back")
    client.unsubscribe("d/#")
    client.close()
    return [intruder.code or 0, client.code or 0]


def _accepts(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


def test_aedes_broker_gives_the_same_events_and_publishes(tmp_path: Path) -> None:
    home = nodered_home()
    with_contrib(tmp_path, PACKAGE)

    theirs_port = free_port()
    nodes = isolate(flow(theirs_port), "nr-")
    (tmp_path / "user" / "flows_cred.json").write_text(json.dumps({"nr-a": LOGIN}))
    codes: list[list[int]] = []
    thread = threading.Thread(target=lambda: codes.append(probe(theirs_port)), daemon=True)
    thread.start()
    got = run_nodered({"aedes": nodes}, home, tmp_path, expected=EXPECTED, timeout=120)
    thread.join(60)
    theirs = {k.removeprefix("nr-"): v for k, v in got["aedes"].items()}

    ours_port = free_port()
    conversion = convert(read_data(flow(ours_port)), {"a": LOGIN}, "aedes.json")
    [text] = [render(f) for f in conversion.flows]
    debug = {e.nr_id: e.flowrt_id for e in conversion.report.entries if e.nr_type == "debug"}
    ours: dict[str, list[Any]] = {}

    async def scenario() -> None:
        async with running(text, env=dict(conversion.secrets)) as harness:
            codes.append(await asyncio.to_thread(probe, ours_port))
            await eventually(lambda: sum(len(harness.result.received(f))
                                         for f in debug.values()) >= EXPECTED,
                             f"{EXPECTED} recorded messages")
            for nr_id, flowrt_id in debug.items():
                ours[nr_id] = [m["payload"] for m in harness.result.received(flowrt_id)]

    asyncio.run(scenario())

    assert codes == [[135, 0], [135, 0]]
    assert theirs["published"] == ours["published"] == [
        {"topic": "d/x", "text": "hello", "qos": 1, "retain": False, "id": "probe"}]
    client = {"user": "dev", "topic": None, "code": None}
    assert ours["events"] == [
        {"event": "clientError", "id": "intruder", "user": None, "topic": None, "code": 5},
        {"event": "client", "id": "probe", **client},
        {"event": "clientReady", "id": "probe", **client},
        {"event": "subscribe", "id": "probe", **client, "topic": "d/#"},
        {"event": "unsubscribe", "id": "probe", **client, "topic": "d/#"},
        {"event": "clientDisconnect", "id": "probe", **client},
    ]
    assert theirs["events"] == [{**e, "topic": None} for e in ours["events"]]
