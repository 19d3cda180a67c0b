"""The flows the fault tests run: a broker source, a script, an optional rate limit, a sink.

    source (amqp-in | mqtt-in) -> work (script) [-> pace (delay, rate)] -> store (sink)

``work`` adds what the sink checks: ``payload.doubled`` (twice ``seq``) and ``payload.worker``,
the ``WORKER`` variable of the process that handled the message. ``pace`` spreads a short
stream over some seconds, so that a fault is sure to land in its middle; the messages it holds
are in flight (unacknowledged) like any other.

Passwords are ``${VAR}`` references, as the flow checker wants; the variables are in
:data:`ENV`, which every worker gets.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

ENV = {"FAULT_AMQP_PASSWORD": "guest"}

WORK = """\
p = msg["payload"]
p["doubled"] = p["seq"] * 2
p["worker"] = env.get("WORKER")
p["size"] = len(p.get("pad", ""))
return msg
"""

WORK_COUNTED = WORK.replace(
    "return msg",
    'with open(env.get("SEEN_FILE"), "a") as seen:\n    seen.write(".")\nreturn msg',
)
"""WORK, and one byte appended to the file ``SEEN_FILE`` per message: how many messages the
flow has taken from its source, read from outside while it runs."""

WORK_INFLUX = """\
p = msg["payload"]
msg["timestamp"] = p["seq"]
msg["payload"] = {"seq": p["seq"], "doubled": p["seq"] * 2}
msg["tags"] = {"worker": env.get("WORKER")}
return msg
"""


def amqp_source(url: str, queue: str, prefetch: int) -> tuple[dict[str, Any], dict[str, Any]]:
    parts = urlsplit(url)
    connection = {
        "type": "amqp-broker", "url": f"amqp://{parts.hostname}:{parts.port or 5672}/",
        "username": "guest", "password": "${FAULT_AMQP_PASSWORD}",
        "connection_name": "${WORKER}", "heartbeat": 10,
    }
    node = {"type": "amqp-in", "connection": "source_server", "queue": queue, "declare": True,
            "prefetch": prefetch}
    return connection, node


def mqtt_source(
    url: str, topic: str, client_id: str, receive_maximum: int | None = None,
    protocol: str = "3.1.1",
) -> tuple[dict[str, Any], dict[str, Any]]:
    connection: dict[str, Any] = {
        "type": "mqtt-broker", "url": url, "client_id": client_id, "clean_session": False,
        "protocol": protocol, "keepalive": 10,
    }
    if receive_maximum is not None:
        connection["receive_maximum"] = receive_maximum
    node = {"type": "mqtt-in", "connection": "source_server", "topic": topic, "qos": 1}
    return connection, node


def postgres_sink(
    dsn: str, table: str, mode: str = "insert", buffer: int | None = None
) -> tuple[dict[str, Any], dict[str, Any]]:
    connection = {"type": "postgres", "dsn": dsn, "application_name": "${WORKER}",
                  "connect_timeout": 5}
    node: dict[str, Any] = {
        "type": "postgres-out", "connection": "sink_server", "table": table, "mode": mode,
        "columns": {"seq": "payload.seq", "body": "payload.body",
                    "doubled": "payload.doubled", "worker": "payload.worker",
                    "size": "payload.size"},
    }
    if mode == "ignore":
        node["conflict"] = ["seq"]
    if buffer is not None:
        node["buffer"] = buffer
    return connection, node


def influx_sink(url: str, database: str, measurement: str) -> tuple[dict[str, Any], dict[str, Any]]:
    connection = {"type": "influxdb", "version": "1", "url": url, "database": database,
                  "timeout": 5}
    node = {"type": "influx-out", "connection": "sink_server", "measurement": measurement,
            "batch_size": 200, "batch_interval": 0.2}
    return connection, node


def pipeline(
    source: tuple[dict[str, Any], dict[str, Any]],
    sink: tuple[dict[str, Any], dict[str, Any]],
    rate: float | None = None,
    work: str = WORK,
) -> dict[str, Any]:
    """The flow document (without ``flowrt`` and ``id``, which :func:`write_flow` adds)."""
    (source_conn, source_node), (sink_conn, sink_node) = source, sink
    nodes: dict[str, Any] = {
        "source": {**source_node, "to": "work"},
        "work": {"type": "script", "code": work, "to": "pace" if rate else "store"},
        "store": sink_node,
    }
    if rate:
        nodes["pace"] = {"type": "delay", "mode": "rate", "rate": rate, "per": 1,
                         "to": "store"}
    return {"connections": {"source_server": source_conn, "sink_server": sink_conn},
            "nodes": nodes}
