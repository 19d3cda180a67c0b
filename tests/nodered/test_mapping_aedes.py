"""node-red-contrib-aedes's ``aedes broker`` imports as an mqtt-server node: its port, its one
user (the password to the secrets, never the flow), WebSockets on a port, TLS from files, and
notes for what is not carried (a WebSocket path, uploaded certificates, MongoDB persistence);
it exports back as an aedes broker; the imported flow runs a broker that paho reaches."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.broker.broker_kit import Client
from tests.nodered.helpers import entry, errors, node, nr_import, tab, texts
from tests.nodes.mqtt.mqtt_kit import eventually, free_port, running

AEDES = {"id": "a", "type": "aedes broker", "z": "t1", "name": "", "mqtt_port": 1883,
         "mqtt_ws_bind": "port", "mqtt_ws_port": "", "mqtt_ws_path": "", "cert": "",
         "key": "", "certname": "", "keyname": "", "dburl": "", "usetls": False,
         "wires": [["d"], []]}
DEBUG = {"id": "d", "type": "debug", "z": "t1", "wires": []}


def aedes(**changes: Any) -> dict[str, Any]:
    return {**AEDES, **changes}


def test_aedes_without_a_user_listens_on_loopback_and_says_so() -> None:
    conversion = nr_import([
        tab(), AEDES, DEBUG,
        {"id": "b", "type": "mqtt-broker", "broker": "localhost", "port": "1883"},
        {"id": "i", "type": "mqtt in", "z": "t1", "broker": "b", "topic": "x/#", "qos": "0",
         "wires": [["d"]]}])
    assert errors(conversion) == []
    found = entry(conversion, "a")
    assert found.flowrt_type == "mqtt-server"
    assert "127.0.0.1" in " ".join(found.notes)
    made = node(conversion, "a")
    assert made["type"] == "mqtt-server" and made.get("port") == 1883
    assert "host" not in made and "users" not in made
    assert entry(conversion, "i").status != "unsupported"


def test_aedes_with_a_user_ws_port_and_tls_files() -> None:
    conversion = nr_import(
        [tab(), aedes(mqtt_port=1884, mqtt_ws_port="8080", usetls=True, cert="/etc/b.crt",
                      key="/etc/b.key"), DEBUG],
        credentials={"a": {"username": "dev", "password": "pa:ss-word"}})
    assert errors(conversion) == []
    made = node(conversion, "a")
    [reference] = made["users"].values()
    made.pop("to", None)
    assert made == {"type": "mqtt-server", "host": "0.0.0.0", "port": 1884,
                    "users": {"dev": reference}, "ws_port": 8080,
                    "cert_file": "/etc/b.crt", "key_file": "/etc/b.key"}
    assert reference.startswith("${") and "pa:ss-word" in conversion.secrets.values()
    assert "pa:ss-word" not in "".join(texts(conversion).values())


def test_what_is_not_carried_is_noted() -> None:
    conversion = nr_import([tab(), aedes(mqtt_ws_bind="path", mqtt_ws_path="/mqtt",
                                         usetls=True, certname="b.crt", keyname="b.key",
                                         dburl="mongodb://db/aedes"), DEBUG])
    notes = " ".join(entry(conversion, "a").notes)
    assert "WebSockets on a path" in notes
    assert "cert_file" in notes
    assert "MongoDB" in notes
    made = node(conversion, "a")
    assert "ws_port" not in made and "cert_file" not in made


def test_the_imported_broker_runs_and_reports_a_client() -> None:
    port = free_port()
    conversion = nr_import([tab(), aedes(mqtt_port=port), DEBUG])
    [text] = texts(conversion).values()

    async def scenario() -> None:
        async with running(text) as harness:
            broker = entry(conversion, "a").flowrt_id
            await eventually(lambda: any(n == broker for n, _ in harness.result.statuses),
                             "the broker's status")
            client = await asyncio.to_thread(Client, port, "nr-1")
            assert client.code == 0
            await eventually(lambda: harness.result.messages[(broker, 0)], "the client event")
            assert harness.result.messages[(broker, 0)][0]["topic"] == "client"
            await asyncio.to_thread(client.close)

    asyncio.run(scenario())
