"""An imported mqtt in with an input (dynamic subscriptions) behaves as in Node-RED: the same
flow served by real Node-RED and by ``flowrt run``, driven by the same HTTP requests (each sets
an action message or publishes through the flow's mqtt out), reports the same messages.

The flow subscribes to a filter, to a list of a filter and an object (QoS 1, JSON payloads),
lists its subscriptions, unsubscribes from one and then from all, and refuses a bad filter;
what the mqtt in sends (and what the catch node catches) is republished to a results topic
that the test watches with its own MQTT client (without `msg.action`, which mqtt out would read
as an action of its own).

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_mqtt_dynamic.py`.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from tests.nodered.helpers import nodered_home
from tests.nodered.live import flowrt_serving, nodered_serving


def _set(name: str, rules: list[tuple[str, str, str]]) -> dict[str, Any]:
    return {"id": name, "type": "change", "z": "t", "wires": [["dyn"]], "rules": [
        {"t": "set", "p": p, "pt": "msg", "to": to, "tot": tot} for p, to, tot in rules]}


def _endpoint(name: str, to: str) -> dict[str, Any]:
    return {"id": f"get-{name}", "type": "http in", "z": "t", "url": f"/{name}", "method": "get",
            "upload": False, "swaggerDoc": "", "wires": [[to, "answer"]]}


def _flow(base: str) -> list[dict[str, Any]]:
    results = f"{base}-results"
    actions = {
        "sub1": [("action", "subscribe", "str"), ("topic", f"{base}/a", "str")],
        "sub2": [("action", "subscribe", "str"), ("topic", json.dumps(
            [f"{base}/b", {"topic": f"{base}/c/+", "qos": 1, "datatype": "json"}]), "json")],
        "list": [("action", "getSubscriptions", "str")],
        "unsub": [("action", "unsubscribe", "str"), ("topic", json.dumps(
            {"topic": f"{base}/b"}), "json")],
        "unall": [("action", "unsubscribe", "str"), ("topic", "true", "bool")],
        "bad": [("action", "subscribe", "str"), ("topic", "a/#/b", "str")],
    }
    nodes: list[dict[str, Any]] = [
        {"id": "t", "type": "tab", "label": "dynamic"},
        {"id": "broker", "type": "mqtt-broker", "broker": "127.0.0.1", "port": "1883",
         "clientid": "", "protocolVersion": "4", "keepalive": "60", "cleansession": True},
        {"id": "dyn", "type": "mqtt in", "z": "t", "broker": "broker", "topic": "",
         "topicType": "dynamic", "qos": "2", "datatype": "utf8", "nl": False, "rap": True,
         "rh": 0, "inputs": 1, "wires": [["record"]]},
        {"id": "record", "type": "change", "z": "t", "wires": [["results"]], "rules": [
            {"t": "set", "p": "out.topic", "pt": "msg", "to": "topic", "tot": "msg"},
            {"t": "set", "p": "out.payload", "pt": "msg", "to": "payload", "tot": "msg"},
            {"t": "set", "p": "payload", "pt": "msg", "to": "out", "tot": "msg"},
            {"t": "set", "p": "topic", "pt": "msg", "to": results, "tot": "str"},
            {"t": "delete", "p": "action", "pt": "msg"}]},
        {"id": "caught", "type": "catch", "z": "t", "scope": ["dyn"], "uncaught": False,
         "wires": [["record-error"]]},
        {"id": "record-error", "type": "change", "z": "t", "wires": [["results"]], "rules": [
            {"t": "set", "p": "payload", "pt": "msg", "to": "error.message", "tot": "msg"},
            {"t": "set", "p": "topic", "pt": "msg", "to": results, "tot": "str"},
            {"t": "delete", "p": "action", "pt": "msg"}]},
        {"id": "results", "type": "mqtt out", "z": "t", "broker": "broker", "topic": "",
         "qos": "1", "retain": "false", "wires": []},
        _endpoint("pub", "publish"),
        {"id": "publish", "type": "change", "z": "t", "wires": [["out"]], "rules": [
            {"t": "set", "p": "topic", "pt": "msg", "to": "payload.t", "tot": "msg"},
            {"t": "set", "p": "payload", "pt": "msg", "to": "payload.p", "tot": "msg"}]},
        {"id": "out", "type": "mqtt out", "z": "t", "broker": "broker", "topic": "",
         "qos": "1", "retain": "false", "wires": []},
        _endpoint("ready", "answer"),
        {"id": "answer", "type": "http response", "z": "t", "wires": []},
    ]
    for name, rules in actions.items():
        nodes += [_endpoint(name, name), _set(name, rules)]
    return nodes


def _reported(serving: Callable[[list[dict[str, Any]], Path], Any], work: Path) -> list[Any]:
    base = f"flowrt-dyn/{uuid.uuid4().hex}"
    got: list[Any] = []
    lock = threading.Lock()
    subscribed = threading.Event()

    def arrived(message: Any) -> None:
        text = message.payload.decode()
        try:
            value = json.loads(text)  # mqtt out sends an object as JSON, a text as it is
        except ValueError:
            value = text
        with lock:
            got.append(value)

    client = mqtt.Client(CallbackAPIVersion.VERSION2)
    client.on_message = lambda _c, _u, m: arrived(m)
    client.on_subscribe = lambda *_: subscribed.set()
    client.connect("127.0.0.1", 1883)
    client.subscribe(f"{base}-results", qos=1)
    client.loop_start()
    assert subscribed.wait(30), "the test's client could not subscribe"

    def seen(what: Any) -> bool:
        with lock:
            return what in got

    try:
        with serving(_flow(base), work) as url, httpx.Client(
                base_url=url, timeout=30.0, trust_env=False) as http:

            def pub(topic: str, payload: str) -> None:
                assert http.get("/pub", params={"t": f"{base}/{topic}", "p": payload}
                                ).status_code == 200

            def wait_for(what: Any) -> None:
                for _ in range(300):
                    if seen(what):
                        return
                    time.sleep(0.1)
                raise AssertionError(f"{what!r} never reported; got {got}")

            for step in ("sub1", "sub2", "list"):
                assert http.get(f"/{step}").status_code == 200
            pub("a", "one")
            pub("b", '{"x": 1}')
            pub("c/1", '{"y": 2}')
            pub("d", "not subscribed")
            wait_for({"topic": f"{base}/c/1", "payload": {"y": 2}})
            for step in ("unsub", "list"):
                assert http.get(f"/{step}").status_code == 200
            pub("b", "gone")
            pub("a", "two")
            wait_for({"topic": f"{base}/a", "payload": "two"})
            for step in ("bad", "unall", "list"):
                assert http.get(f"/{step}").status_code == 200
            pub("a", "three")
            assert http.get("/sub1").status_code == 200
            pub("a", "end")
            wait_for({"topic": f"{base}/a", "payload": "end"})
            time.sleep(0.5)  # a message that should not have come would be here by now
    finally:
        client.loop_stop()
        client.disconnect()
    with lock:
        # Node-RED's mqtt in ends a refused action with done(new Error(text)), and its catch
        # node then reads "Error: text"; flowrt's reads the text (docs/nodered.md)
        text = json.dumps(got).replace(base, "BASE").replace('"Error: ', '"')
    return sorted(json.loads(text), key=lambda item: json.dumps(item, sort_keys=True))


def test_dynamic_subscriptions_report_what_node_red_reports(tmp_path: Path) -> None:
    home = nodered_home()
    theirs = _reported(
        lambda nodes, work: nodered_serving(nodes, home, work / "nr", ready="/ready"), tmp_path)
    ours = _reported(lambda nodes, work: flowrt_serving(nodes, work / "rt", ready="/ready"),
                     tmp_path)
    payloads = [item.get("payload") if isinstance(item, dict) else item for item in theirs]
    assert "Invalid topic specified" in payloads and {"x": 1} not in payloads
    assert '{"x": 1}' in payloads and "gone" not in payloads and "three" not in payloads
    assert ours == theirs, json.dumps({"flowrt": ours, "node-red": theirs}, indent=1)[:6000]
