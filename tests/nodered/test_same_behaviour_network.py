"""Imported flows with network nodes answer as in Node-RED: the same HTTP requests, sent over
real sockets to real Node-RED and to ``flowrt run`` on the same flow, get the same answers.

- http-in's ``msg.req``: a change node copies fields of the request (``ip``,
  ``connection.remoteAddress``, headers, cookies, query, params, the parsed body...) into the
  payload, and a flow that lets only 127.0.0.1 in (a switch on ``msg.req.ip``) answers 200.
- mqtt-out without a qos on the node or the message publishes at QoS 0 (``msg.qos`` as text
  is read as a number): a subscriber at QoS 2 sees the QoS each side published at.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_network.py`.
"""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt

from tests.nodered.helpers import nodered_home
from tests.nodered.live import flowrt_serving, nodered_serving

REQ_FIELDS = ["ip", "connection.remoteAddress", "headers", "cookies", "query", "params", "body",
              "method", "url", "originalUrl", "baseUrl", "path", "hostname", "protocol",
              "secure", "xhr", "httpVersion", "ips"]


def _copy_req() -> dict[str, Any]:
    rules = [{"t": "set", "p": f"out.{name}", "pt": "msg", "to": f"req.{name}", "tot": "msg"}
             for name in REQ_FIELDS]
    rules.append({"t": "set", "p": "payload", "pt": "msg", "to": "out", "tot": "msg"})
    return {"id": "copy", "type": "change", "z": "t", "rules": rules, "wires": [["answer"]]}


HTTP_FLOW = [
    {"id": "t", "type": "tab", "label": "req"},
    {"id": "req-get", "type": "http in", "z": "t", "url": "/req/:id", "method": "get",
     "upload": False, "swaggerDoc": "", "wires": [["copy"]]},
    {"id": "req-post", "type": "http in", "z": "t", "url": "/req/:id", "method": "post",
     "upload": False, "swaggerDoc": "", "wires": [["copy"]]},
    _copy_req(),
    {"id": "answer", "type": "http response", "z": "t", "statusCode": "", "headers": {},
     "wires": []},
    {"id": "local", "type": "http in", "z": "t", "url": "/local", "method": "get",
     "upload": False, "swaggerDoc": "", "wires": [["only"]]},
    {"id": "only", "type": "switch", "z": "t", "property": "req.ip", "propertyType": "msg",
     "rules": [{"t": "eq", "v": "127.0.0.1", "vt": "str"}, {"t": "else"}], "checkall": "false",
     "outputs": 2, "wires": [["ok"], ["refuse"]]},
    {"id": "ok", "type": "change", "z": "t", "rules": [
        {"t": "set", "p": "payload", "pt": "msg", "to": "welcome", "tot": "str"}],
     "wires": [["answer"]]},
    {"id": "refuse", "type": "change", "z": "t", "rules": [
        {"t": "set", "p": "statusCode", "pt": "msg", "to": "403", "tot": "num"},
        {"t": "set", "p": "payload", "pt": "msg", "to": "forbidden", "tot": "str"}],
     "wires": [["answer"]]},
]

HEADERS = {"Host": "example.test:1880", "Cookie": "session=abc; theme=dark", "X-Custom": "V"}


def _http_answers(base: str) -> list[Any]:
    with httpx.Client(base_url=base, timeout=30.0, trust_env=False, headers=HEADERS) as client:
        answers = [
            client.get("/req/42?a=1&a=2&b=x"),
            client.get("/req/7", headers={"X-Requested-With": "XMLHttpRequest"}),
            client.post("/req/1", json={"k": [1, 2], "n": None}),
            client.post("/req/2?q=1", data={"k": "v", "m": ["1", "2"]}),
            client.post("/req/3", content=b"hello", headers={"Content-Type": "text/plain"}),
            client.get("/local"),
        ]
    return [(r.status_code, r.json() if r.headers.get("content-type", "").startswith(
        "application/json") else r.text) for r in answers]


def test_http_in_gives_the_request_node_red_gives(tmp_path: Path) -> None:
    home = nodered_home()
    with nodered_serving(HTTP_FLOW, home, tmp_path, ready="/local") as base:
        theirs = _http_answers(base)
    with flowrt_serving(HTTP_FLOW, tmp_path, ready="/local") as base:
        ours = _http_answers(base)
    assert theirs[-1] == (200, "welcome")
    assert theirs[0][1]["connection"] == {"remoteAddress": "127.0.0.1"}
    assert ours == theirs, json.dumps({"flowrt": ours, "node-red": theirs}, indent=1)[:6000]


def _mqtt_flow(base: str) -> list[dict[str, Any]]:
    """GET /publish publishes three messages: without qos, with msg.qos "1", and with msg.qos 2
    through a node whose qos is "0"; GET /ready answers once the flow runs."""
    def message(name: str, qos: dict[str, str] | None, to: str) -> dict[str, Any]:
        rules = [{"t": "set", "p": "topic", "pt": "msg", "to": f"{base}/{name}", "tot": "str"}]
        if qos is not None:
            rules.append({"t": "set", "p": "qos", "pt": "msg", **qos})
        return {"id": name, "type": "change", "z": "t", "rules": rules, "wires": [[to]]}

    return [
        {"id": "t", "type": "tab", "label": "mqtt"},
        {"id": "broker", "type": "mqtt-broker", "broker": "127.0.0.1", "port": "1883",
         "clientid": "", "protocolVersion": "4", "keepalive": "60", "cleansession": True},
        {"id": "in", "type": "http in", "z": "t", "url": "/publish", "method": "get",
         "upload": False, "swaggerDoc": "", "wires": [["none", "text-one", "node-zero",
                                                       "answer"]]},
        {"id": "ready", "type": "http in", "z": "t", "url": "/ready", "method": "get",
         "upload": False, "swaggerDoc": "", "wires": [["answer"]]},
        message("none", None, "out"),
        message("text-one", {"to": "1", "tot": "str"}, "out"),
        message("node-zero", {"to": "2", "tot": "num"}, "zero"),
        {"id": "out", "type": "mqtt out", "z": "t", "broker": "broker", "topic": "", "qos": "",
         "retain": "", "wires": []},
        {"id": "zero", "type": "mqtt out", "z": "t", "broker": "broker", "topic": "",
         "qos": "0", "retain": "", "wires": []},
        {"id": "answer", "type": "http response", "z": "t", "wires": []},
    ]


def _published(serving: Any, tmp_path: Path) -> list[tuple[str, int]]:
    base = f"flowrt-qos/{uuid.uuid4().hex}"
    got: list[tuple[str, int]] = []
    client = mqtt.Client(mqtt.CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, m: got.append((m.topic.rsplit("/", 1)[1], m.qos))
    client.connect("127.0.0.1", 1883)
    client.subscribe(f"{base}/#", qos=2)
    client.loop_start()
    try:
        with serving(_mqtt_flow(base), tmp_path) as url:
            assert httpx.get(f"{url}/publish", timeout=30.0, trust_env=False).status_code == 200
            for _ in range(100):
                if len(got) >= 3:
                    break
                time.sleep(0.1)
    finally:
        client.loop_stop()
        client.disconnect()
    return sorted(got)


def test_mqtt_out_publishes_at_the_qos_node_red_uses(tmp_path: Path) -> None:
    home = nodered_home()
    theirs = _published(
        lambda nodes, work: nodered_serving(nodes, home, work / "nr", ready="/ready"), tmp_path)
    ours = _published(lambda nodes, work: flowrt_serving(nodes, work / "rt", ready="/ready"),
                      tmp_path)
    assert theirs == [("node-zero", 0), ("none", 0), ("text-one", 1)]
    assert ours == theirs
