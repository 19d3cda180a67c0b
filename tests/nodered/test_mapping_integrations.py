"""Mappings of MQTT, HTTP and the contrib nodes (InfluxDB, PostgreSQL, AMQP); an imported MQTT
flow runs against the real broker."""

from __future__ import annotations

import asyncio
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flowrt.nodered.writer import write_flows
from flowrt.testing import Harness
from tests.nodered.helpers import entry, errors, node, nr_import, tab
from tests.nodes.influx.influx_kit import influxql, rows
from tests.support.servers import url
from tests.support.waiting import eventually

BROKER = {"id": "ab12cd34ef56ab78", "type": "mqtt-broker", "name": "Plant", "broker": "localhost",
          "port": "1883", "clientid": "", "usetls": False, "protocolVersion": "4",
          "keepalive": "60", "cleansession": True, "birthTopic": "plant/online",
          "birthQos": "1", "birthRetain": "true", "birthPayload": "yes", "willTopic": ""}


def mapped(*nodes: dict[str, Any], configs: tuple[dict[str, Any], ...] = ()) -> Any:
    conversion = nr_import([tab(), *configs, *({"z": "t1", "wires": [[]], **n} for n in nodes)])
    assert not errors(conversion), errors(conversion)
    return conversion


def test_mqtt_broker_in_and_out() -> None:
    conversion = mapped(
        {"id": "i", "type": "mqtt in", "broker": BROKER["id"], "topic": "plant/+/t", "qos": "2",
         "datatype": "json", "nl": False, "rap": True, "rh": 0, "inputs": 0},
        {"id": "o", "type": "mqtt out", "broker": BROKER["id"], "topic": "", "qos": "",
         "retain": ""},
        configs=(BROKER,),
    )
    broker = conversion.flows[0].connections["plant"].data()
    assert broker == {"type": "mqtt-broker", "label": "Plant", "url": "mqtt://localhost:1883",
                      "clean_session": True,
                      "birth": {"topic": "plant/online", "payload": "yes", "qos": 1,
                                "retain": True}}
    assert node(conversion, "i") == {"type": "mqtt-in", "connection": "plant",
                                     "topic": "plant/+/t", "qos": 2, "payload": "json"}
    assert node(conversion, "o") == {"type": "mqtt-out", "connection": "plant"}
    assert entry(conversion, "o").notes == []  # no qos publishes at QoS 0 on both sides


def test_mqtt_in_with_an_input_subscribes_by_message() -> None:
    conversion = mapped(
        {"id": "d", "type": "mqtt in", "broker": BROKER["id"], "topic": "", "qos": "2",
         "datatype": "json", "topicType": "dynamic", "inputs": 1},
        configs=(BROKER,),
    )
    made = node(conversion, "d")
    assert (made["type"], made["connection"], made["payload"]) == (
        "mqtt-in-dynamic", "plant", "json")
    assert "topic" not in made and "qos" not in made
    assert any("disconnect action" in n for n in entry(conversion, "d").notes)


def test_an_ipv6_broker_address_gets_brackets_in_the_url() -> None:
    for given in ("::1", "mqtt://[::1]:1884"):
        conversion = mapped({"id": "i", "type": "mqtt in", "broker": BROKER["id"], "topic": "a",
                             "qos": "0", "datatype": "utf8"},
                            configs=({**BROKER, "broker": given, "port": "1884"},))
        url = conversion.flows[0].connections["plant"].data()["url"]
        assert url == "mqtt://[::1]:1884", given
        assert urlsplit(url).hostname == "::1"


def test_a_missing_broker_becomes_a_connection_to_fill_in() -> None:
    conversion = mapped({"id": "i", "type": "mqtt in", "broker": "gone", "topic": "a",
                         "qos": "0", "datatype": "utf8"})
    flow = conversion.flows[0]
    stub = flow.connections["missing-mqtt-broker"]
    assert stub.config == {"url": "${MISSING_MQTT_BROKER_URL}"}
    assert conversion.report.variables == ["MISSING_MQTT_BROKER_URL"]
    assert node(conversion, "i")["connection"] == "missing-mqtt-broker"
    assert entry(conversion, "i").status == "caveats"


def test_mqtt_over_websockets_is_unsupported_with_its_nodes() -> None:
    ws = {**BROKER, "broker": "ws://localhost:9001/mqtt"}
    conversion = nr_import([tab(), ws, {"id": "i", "type": "mqtt in", "z": "t1",
                                        "broker": ws["id"], "topic": "a", "wires": [[]]}])
    assert "WebSockets" in entry(conversion, ws["id"]).reason
    assert "could not be imported" in entry(conversion, "i").reason
    assert not errors(conversion)


def test_an_imported_mqtt_flow_runs_against_the_broker(tmp_path: Path) -> None:
    address = urlsplit(url("mqtt"))
    topic = f"flowrt/nodered/{uuid.uuid4().hex}"
    broker = {**BROKER, "broker": address.hostname, "port": str(address.port or 1883),
              "birthTopic": ""}
    conversion = nr_import([
        tab(), broker,
        {"id": "tick", "type": "inject", "z": "t1", "props": [{"p": "payload"}],
         "payload": "{\"t\": 21}", "payloadType": "json", "repeat": "0.5", "once": True,
         "wires": [["pub"]]},
        {"id": "pub", "type": "mqtt out", "z": "t1", "broker": broker["id"], "topic": topic,
         "qos": "1", "retain": "false", "wires": []},
        {"id": "sub", "type": "mqtt in", "z": "t1", "broker": broker["id"], "topic": topic,
         "qos": "1", "datatype": "auto-detect", "wires": [["out"]]},
        {"id": "out", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion), errors(conversion)
    write_flows(conversion.flows, tmp_path)

    async def receive() -> list[dict[str, Any]]:
        harness = Harness.load(tmp_path, virtual_time=False, timeout=30)
        await harness.start()
        try:
            loop = asyncio.get_running_loop()
            deadline = loop.time() + 30
            while not harness.result.received("out") and loop.time() < deadline:
                await asyncio.sleep(0.1)
            return harness.result.received("out")
        finally:
            await harness.stop()

    received = asyncio.run(receive())
    assert received, "the imported mqtt in node received nothing within 30 s"
    assert received[0]["payload"] == {"t": 21} and received[0]["topic"] == topic


def test_http_nodes() -> None:
    conversion = mapped(
        {"id": "in", "type": "http in", "url": "items/:id", "method": "post", "upload": False,
         "swaggerDoc": ""},
        {"id": "res", "type": "http response", "statusCode": "201",
         "headers": {"x-a": "1"}},
        {"id": "req", "type": "http request", "method": "use", "ret": "obj", "paytoqs": "query",
         "url": "http://127.0.0.1:1/{{{payload.id}}}", "senderr": True,
         "headers": [{"keyType": "other", "keyValue": "X-Key", "valueType": "other",
                      "valueValue": "v"},
                     {"keyType": "Accept", "keyValue": "", "valueType": "application/json",
                      "valueValue": ""}]},
    )
    assert node(conversion, "in") == {"type": "http-in", "url": "/items/:id", "method": "post"}
    assert node(conversion, "res") == {"type": "http-response", "status_code": 201,
                                       "headers": {"x-a": "1"}}
    assert node(conversion, "req") == {
        "type": "http-request", "method": "use", "url": "http://127.0.0.1:1/{{{payload.id}}}",
        "headers": {"X-Key": "v", "Accept": "application/json"}, "payload_to_query": True,
        "ret": "obj", "fail_on_status": True}


INFLUX_V1 = {"id": "ff00ff00ff00ff00", "type": "influxdb", "name": "Legacy",
             "hostname": "127.0.0.1", "port": "8086", "protocol": "http",
             "database": "plant", "influxdbVersion": "1.x", "usetls": False}
INFLUX_V2 = {"id": "ee00ee00ee00ee00", "type": "influxdb", "name": "Cloud",
             "influxdbVersion": "2.0", "url": "https://influx.example:8086",
             "rejectUnauthorized": False}


def test_influxdb_nodes() -> None:
    conversion = nr_import(
        [tab(), INFLUX_V1, INFLUX_V2,
         {"id": "o1", "type": "influxdb out", "z": "t1", "influxdb": INFLUX_V1["id"],
          "measurement": "temp", "precision": "s", "retentionPolicy": "week", "wires": []},
         {"id": "o2", "type": "influxdb out", "z": "t1", "influxdb": INFLUX_V2["id"],
          "measurement": "temp", "precisionV18FluxV20": "ms", "bucket": "b", "org": "o",
          "wires": []},
         {"id": "b1", "type": "influxdb batch", "z": "t1", "influxdb": INFLUX_V1["id"],
          "precision": "", "wires": []},
         {"id": "q1", "type": "influxdb in", "z": "t1", "influxdb": INFLUX_V1["id"],
          "query": "SELECT * FROM temp", "precision": "ms", "rawOutput": False,
          "wires": [[]]}],
        credentials={INFLUX_V1["id"]: {"username": "u", "password": "p"},
                     INFLUX_V2["id"]: {"token": "tok"}},
    )
    assert not errors(conversion), errors(conversion)
    connections = conversion.flows[0].connections
    assert connections["legacy"].data() == {
        "type": "influxdb", "label": "Legacy", "version": "1", "url": "http://127.0.0.1:8086",
        "database": "plant", "username": "u", "password": "${LEGACY_PASSWORD}"}
    assert connections["cloud"].data() == {
        "type": "influxdb", "label": "Cloud", "version": "2",
        "url": "https://influx.example:8086", "token": "${CLOUD_TOKEN}", "verify_ssl": False}
    assert conversion.secrets == {"LEGACY_PASSWORD": "p", "CLOUD_TOKEN": "tok"}
    assert node(conversion, "o1") == {"type": "influx-out", "connection": "legacy",
                                      "measurement": "temp", "bucket": "plant/week",
                                      "precision": "s"}
    assert node(conversion, "o2")["bucket"] == "b"
    assert node(conversion, "b1") == {"type": "influx-out", "connection": "legacy",
                                      "precision": "ns"}
    assert node(conversion, "q1") == {"type": "influx-query", "connection": "legacy",
                                      "query": "SELECT * FROM temp", "epoch": "ms"}


INFLUX_FLUX18 = {"id": "cc00cc00cc00cc00", "type": "influxdb", "name": "Eighteen",
                 "influxdbVersion": "1.8-flux", "url": "http://127.0.0.1:8086"}


def test_influxdb_2_and_flux_nodes_carry_bucket_org_and_flux() -> None:
    """The contrib package's variants on a 2.0 and a 1.8-flux server: out and batch write in
    the node's bucket and organisation (1.8: `database/retention_policy`), in runs Flux."""
    conversion = nr_import(
        [tab(), INFLUX_V2, INFLUX_FLUX18,
         {"id": "o2", "type": "influxdb out", "z": "t1", "influxdb": INFLUX_V2["id"],
          "measurement": "temp", "precisionV18FluxV20": "s", "bucket": "b", "org": "acme",
          "wires": []},
         {"id": "b2", "type": "influxdb batch", "z": "t1", "influxdb": INFLUX_V2["id"],
          "precisionV18FluxV20": "us", "bucket": "raw", "org": "acme", "wires": []},
         {"id": "b18", "type": "influxdb batch", "z": "t1", "influxdb": INFLUX_FLUX18["id"],
          "precisionV18FluxV20": "ms", "database": "plant", "retentionPolicyV18Flux": "",
          "org": "ignored", "wires": []},
         {"id": "q2", "type": "influxdb in", "z": "t1", "influxdb": INFLUX_V2["id"],
          "query": 'from(bucket: "b") |> range(start: -1h)', "org": "acme",
          "precision": "ms", "rawOutput": False, "wires": [[]]},
         {"id": "q18", "type": "influxdb in", "z": "t1", "influxdb": INFLUX_FLUX18["id"],
          "query": 'from(bucket: "plant/autogen") |> range(start: -1h)', "org": "x",
          "wires": [[]]}],
        credentials={str(INFLUX_V2["id"]): {"token": "tok"},
                     str(INFLUX_FLUX18["id"]): {"username": "u", "password": "p"}},
    )
    assert not errors(conversion), errors(conversion)
    assert conversion.secrets == {"CLOUD_TOKEN": "tok", "EIGHTEEN_TOKEN": "u:p"}
    picked = ("type", "connection", "bucket", "org", "precision", "measurement", "query",
              "epoch")

    def made(nr_id: str) -> dict[str, Any]:
        return {k: v for k, v in node(conversion, nr_id).items() if k in picked}

    assert made("o2") == {"type": "influx-out", "connection": "cloud", "measurement": "temp",
                          "bucket": "b", "org": "acme", "precision": "s"}
    assert made("b2") == {"type": "influx-out", "connection": "cloud", "bucket": "raw",
                          "org": "acme", "precision": "us"}
    assert made("b18") == {"type": "influx-out", "connection": "eighteen",
                           "bucket": "plant/autogen", "precision": "ms"}
    assert made("q2") == {"type": "influx-query", "connection": "cloud", "org": "acme",
                          "query": 'from(bucket: "b") |> range(start: -1h)'}
    assert made("q18") == {"type": "influx-query", "connection": "eighteen",
                           "query": 'from(bucket: "plant/autogen") |> range(start: -1h)'}
    assert any("raw records" in n for n in entry(conversion, "q2").notes)
    assert any("`i`" in n for n in entry(conversion, "b2").notes)


def test_an_imported_influxdb_batch_writes_what_the_imported_query_reads(tmp_path: Path) -> None:
    """Against the real InfluxDB 1.x: a batch of points (measurement, fields, tags and a
    timestamp each) through `influxdb batch`, read back through `influxdb in`."""
    base = urlsplit(url("influx"))
    database = "flowrt_nr_" + uuid.uuid4().hex[:10]
    server = {**INFLUX_V1, "hostname": base.hostname, "port": str(base.port),
              "database": database}
    conversion = nr_import([
        tab(), server,
        {"id": "b", "type": "influxdb batch", "z": "t1", "influxdb": server["id"],
         "precision": "ms", "retentionPolicy": "", "wires": []},
        {"id": "q", "type": "influxdb in", "z": "t1", "influxdb": server["id"],
         "query": "SELECT * FROM temp ORDER BY time", "precision": "ms", "rawOutput": False,
         "wires": [["out"]]},
        {"id": "out", "type": "debug", "z": "t1", "wires": []},
    ])
    assert not errors(conversion), errors(conversion)
    write_flows(conversion.flows, tmp_path)
    batch = [{"measurement": "temp", "fields": {"value": 21.5, "state": "ok"},
              "tags": {"room": "a"}, "timestamp": 1_700_000_000_000},
             {"measurement": "temp", "fields": {"value": 22}, "tags": {"room": "b"},
              "timestamp": 1_700_000_001_000},
             {"measurement": "other", "fields": {"value": 1}, "timestamp": 1_700_000_002_000}]
    influxql(url("influx"), f'CREATE DATABASE "{database}"')

    async def run() -> list[dict[str, Any]]:
        harness = Harness.load(tmp_path, virtual_time=False, timeout=30)
        await harness.start()
        try:
            harness.send(entry(conversion, "b").flowrt_id, {"payload": batch})
            await eventually(lambda: len(rows(url("influx"), database, "SELECT * FROM /.*/"))
                             == 3, "the batch in InfluxDB")
            harness.send(entry(conversion, "q").flowrt_id, {"payload": "go"})
            await eventually(lambda: harness.result.received("out"), "the query's rows")
            return harness.result.received("out")
        finally:
            await harness.stop()

    try:
        received = asyncio.run(run())
    finally:
        influxql(url("influx"), f'DROP DATABASE "{database}"')
    got = [{k: v for k, v in row.items() if k != "measurement"}
           for row in received[0]["payload"]]
    assert got == [
        {"time": 1_700_000_000_000, "room": "a", "value": 21.5, "state": "ok"},
        {"time": 1_700_000_001_000, "room": "b", "value": 22, "state": None}]


PG = {"id": "dd00dd00dd00dd00", "type": "postgreSQLConfig", "name": "Plant DB",
      "host": "127.0.0.1", "hostFieldType": "str", "port": "5432", "portFieldType": "num",
      "database": "plant", "databaseFieldType": "str", "ssl": "false", "sslFieldType": "bool",
      "user": "app", "userFieldType": "str", "password": "PG_PASS", "passwordFieldType": "env",
      "max": "10", "maxFieldType": "num", "connectionTimeout": "5000"}


def test_postgresql_nodes() -> None:
    conversion = nr_import([
        tab(), PG,
        {"id": "q", "type": "postgresql", "z": "t1", "postgreSQLConfig": PG["id"],
         "query": "SELECT * FROM t WHERE id = $1", "split": False, "outputs": 1,
         "wires": [[]]},
        {"id": "m", "type": "postgresql", "z": "t1", "postgreSQLConfig": PG["id"],
         "query": "SELECT '{{msg.payload}}'", "wires": [[]]},
    ])
    assert not errors(conversion), errors(conversion)
    assert conversion.flows[0].connections["plant-db"].data() == {
        "type": "postgres", "label": "Plant DB", "dsn": "postgresql://app@127.0.0.1:5432/plant",
        "password": "${PG_PASS}", "pool_size": 10, "connect_timeout": 5}
    assert node(conversion, "q") == {"type": "postgres-query", "connection": "plant-db",
                                     "query": "SELECT * FROM t WHERE id = :p1"}
    assert node(conversion, "m") == {  # tests/nodered/test_postgresql_mustache.py: more
        "type": "postgres-query", "connection": "plant-db", "query": "SELECT :m1",
        "text_params": {"m1": "'{{msg.payload}}'"}}


def test_old_postgres_node_gets_a_change_node_in_front() -> None:
    db = {"id": "cc00cc00cc00cc00", "type": "postgresdb", "name": "old", "hostname": "db",
          "port": "5432", "db": "app", "ssl": False}
    conversion = nr_import([
        tab(), db,
        {"id": "f", "type": "function", "z": "t1", "func": "return msg;", "outputs": 1,
         "wires": [["p"]]},
        {"id": "p", "type": "postgres", "z": "t1", "postgresdb": db["id"], "output": True,
         "outputs": 1, "wires": [[]]},
    ], credentials={db["id"]: {"user": "app", "password": "pw"}})
    assert not errors(conversion), errors(conversion)
    assert node(conversion, "f")["to"] == "p-in"
    nodes = conversion.flows[0].nodes
    assert nodes["p-in"].type == "change" and nodes["p-in"].to == {0: ["p"]}
    assert nodes["p"].config["allow_msg_query"] is True
    assert conversion.flows[0].connections["old"].config["dsn"] == "postgresql://app@db:5432/app"


AMQP = {"id": "bb00bb00bb00bb00", "type": "amqp-broker", "name": "Rabbit", "host": "localhost",
        "port": "5672", "vhost": "plant", "tls": "", "credsFromSettings": False}


def test_amqp_nodes_with_manual_ack() -> None:
    conversion = nr_import([
        tab(), AMQP,
        {"id": "in", "type": "amqp-in-manual-ack", "z": "t1", "broker": AMQP["id"],
         "prefetch": 5, "exchangeName": "events", "exchangeType": "topic",
         "exchangeRoutingKey": "a.*, b.#", "exchangeDurable": True, "queueName": "jobs",
         "queueExclusive": False, "queueDurable": True, "queueAutoDelete": False,
         "wires": [["ack"]]},
        {"id": "ack", "type": "change", "z": "t1", "rules": [
            {"t": "set", "p": "manualAck", "pt": "msg", "to": "{\"ackMode\":\"ack\"}",
             "tot": "json"}], "wires": [["in"]]},
        {"id": "out", "type": "amqp-out", "z": "t1", "broker": AMQP["id"],
         "exchangeName": "events", "exchangeType": "topic", "exchangeRoutingKey": "a.b",
         "exchangeRoutingKeyType": "str", "amqpProperties": "{\"deliveryMode\": 2}",
         "wires": []},
    ], credentials={AMQP["id"]: {"username": "guest", "password": "guest"}})
    assert not errors(conversion), errors(conversion)
    assert conversion.flows[0].connections["rabbit"].data() == {
        "type": "amqp-broker", "label": "Rabbit", "url": "amqp://localhost:5672/",
        "vhost": "plant", "username": "guest", "password": "${RABBIT_PASSWORD}"}
    assert node(conversion, "in") == {
        "type": "amqp-in", "connection": "rabbit", "declare": True, "queue": "jobs",
        "durable": True, "exclusive": False, "auto_delete": False, "exchange": "events",
        "exchange_type": "topic", "binding_keys": ["a.*", "b.#"], "prefetch": 5, "to": "ack"}
    assert "manual ack" in entry(conversion, "in").notes[0]
    assert "to" not in node(conversion, "ack")
    assert any("dropped" in n for n in entry(conversion, "ack").notes)
    assert node(conversion, "out") == {"type": "amqp-out", "connection": "rabbit",
                                       "exchange": "events", "declare": True,
                                       "exchange_type": "topic", "routing_key": "a.b",
                                       "persistent": True}


def test_mqtt_5_subscription_options_are_noted_only_for_an_mqtt_5_broker() -> None:
    def notes(version: str) -> list[str]:
        conversion = nr_import([
            tab(),
            {"id": "b", "type": "mqtt-broker", "broker": "127.0.0.1", "port": "1883",
             "protocolVersion": version},
            {"id": "m", "type": "mqtt in", "z": "t1", "topic": "a/b", "qos": "2",
             "datatype": "utf8", "broker": "b", "nl": False, "rap": True, "rh": 0,
             "wires": [[]]},
        ])
        return entry(conversion, "m").notes

    assert not any("MQTT 5" in n for n in notes("4"))  # Node-RED sends them over MQTT 5 only
    assert any("MQTT 5" in n for n in notes("5"))
