"""The AMQP contrib nodes (node-red-contrib-amqp): `amqp-broker` (a connection), `amqp-in`,
`amqp-in-manual-ack` and `amqp-out`."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flowrt.netloc import host_port
from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def import_amqp_broker(node: NrNode, cx: MapContext) -> Mapped:
    host = str(node.get("host") or "127.0.0.1")
    tls = bool(node.get("tls"))
    if "://" in host:
        parts = urlsplit(host)
        host, tls = parts.hostname or host, tls or parts.scheme == "amqps"
    port = as_number(node.get("port")) or (5671 if tls else 5672)
    scheme = "amqps" if tls else "amqp"
    config: dict[str, Any] = {"url": f"{scheme}://{host_port(host, int(port))}/"}
    vhost = node.get("vhost")
    if isinstance(vhost, str) and vhost and vhost != "/":
        config["vhost"] = vhost
    creds = cx.credentials()
    if creds.get("username"):
        config["username"] = creds["username"]
    if creds.get("password"):
        config["password"] = cx.secret(cx.flowrt_id, "password", creds["password"])
    if node.flag("credsFromSettings"):
        cx.note("credentials from Node-RED's settings file are not read: set username and "
                "password")
    if tls and node.get("tls"):
        tls_node = cx.config_node(node.get("tls"))
        if tls_node is not None:
            for ours, theirs in (("ca_file", "ca"), ("cert_file", "cert"), ("key_file", "key")):
                if tls_node.get(theirs):
                    config[ours] = tls_node.get(theirs)
            if not as_bool(tls_node.get("verifyservercert"), True):
                config["verify"] = False
    return Mapped("amqp-broker", config)


def import_amqp_in(node: NrNode, cx: MapContext) -> Mapped:
    connection = cx.connection(node.get("broker"), "amqp-broker", "broker")
    config: dict[str, Any] = {"connection": connection, "declare": True}
    queue = node.get("queueName")
    if isinstance(queue, str) and queue:
        config["queue"] = queue
    config["durable"] = as_bool(node.get("queueDurable"), False)
    config["exclusive"] = as_bool(node.get("queueExclusive"), True)
    config["auto_delete"] = as_bool(node.get("queueAutoDelete"), True)
    exchange = node.get("exchangeName")
    if isinstance(exchange, str) and exchange:
        config["exchange"] = exchange
        kind = node.get("exchangeType") or "topic"
        if kind not in ("direct", "fanout", "topic", "headers"):
            raise Unsupported(f"exchange type `{kind}` is not known")
        config["exchange_type"] = kind
        keys = str(node.get("exchangeRoutingKey") or "")
        config["binding_keys"] = [k.strip() for k in keys.split(",") if k.strip()] or ["#"]
        if not as_bool(node.get("exchangeDurable"), True):
            cx.note("the exchange is declared durable")
    elif "queue" not in config:
        raise Unsupported("the node names neither a queue nor an exchange")
    prefetch = as_number(node.get("prefetch"))
    if prefetch:
        config["prefetch"] = int(prefetch)
    if node.type == "amqp-in-manual-ack":
        cx.note("acknowledged by flowrt once the flow finished the message (ack), or settled "
                "by on_error when it failed (nack): the manual ack messages are not needed")
    else:
        cx.note("acknowledged once the flow finished the message (at-least-once), not on "
                "receipt")
    return Mapped("amqp-in", config)


def import_amqp_out(node: NrNode, cx: MapContext) -> Mapped:
    connection = cx.connection(node.get("broker"), "amqp-broker", "broker")
    config: dict[str, Any] = {"connection": connection}
    exchange = node.get("exchangeName")
    if isinstance(exchange, str) and exchange:
        config.update(exchange=exchange, declare=True,
                      exchange_type=node.get("exchangeType") or "topic")
    key = node.get("exchangeRoutingKey")
    key_type = node.get("exchangeRoutingKeyType") or "str"
    if isinstance(key, str) and key:
        if key_type == "str":
            config["routing_key"] = key
        elif key_type == "msg" and key == "topic":
            pass
        else:
            raise Unsupported(f"a routing key from {key_type} `{key}` is not offered: flowrt "
                              "takes it from the node or msg.topic")
    else:
        cx.note("without a routing key on the node flowrt uses msg.topic (not msg.routingKey)")
    properties = node.get("amqpProperties")
    try:
        props = json.loads(properties) if isinstance(properties, str) and properties else {}
    except json.JSONDecodeError:
        props = {}
    config["persistent"] = isinstance(props, dict) and props.get("deliveryMode") == 2
    if as_number(node.get("outputs")) == 1:
        cx.note("the RPC reply (an output) is not offered; the reply wires are dropped")
    return Mapped("amqp-out", config)


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def export_amqp_broker(c: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(str(c.get("url", "amqp://127.0.0.1:5672/")))
    out: dict[str, Any] = {"host": parts.hostname or "127.0.0.1",
                           "port": str(parts.port or (5671 if parts.scheme == "amqps" else 5672)),
                           "vhost": c.get("vhost") or parts.path.lstrip("/") or "",
                           "tls": "", "credsFromSettings": False}
    creds = {"username": c.get("username"), "password": c.get("password")}
    if any(creds.values()):
        out["credentials"] = {k: v for k, v in creds.items() if v}
    return out


def export_amqp_in(c: dict[str, Any]) -> dict[str, Any]:
    if not c.get("declare"):
        raise NoCounterpart("amqp-in always declares its queue; a queue used as it is has no "
                            "counterpart")
    return {"broker": c.get("connection"),
            "prefetch": c.get("prefetch", 100), "exchangeName": c.get("exchange") or "",
            "exchangeType": c.get("exchange_type", "topic"),
            "exchangeRoutingKey": ",".join(c.get("binding_keys", [])),
            "exchangeDurable": True, "queueName": c.get("queue") or "",
            "queueExclusive": c.get("exclusive", False), "queueDurable": c.get("durable", True),
            "queueAutoDelete": c.get("auto_delete", False)}


def export_amqp_out(c: dict[str, Any]) -> dict[str, Any]:
    properties = {"headers": {}, **({"deliveryMode": 2} if c.get("persistent", True) else {})}
    return {"broker": c.get("connection"),
            "exchangeName": c.get("exchange", ""), "exchangeType": c.get("exchange_type", "topic"),
            "exchangeRoutingKey": c.get("routing_key") or "", "exchangeRoutingKeyType": "str",
            "exchangeDurable": True, "amqpProperties": json.dumps(properties),
            "rpcTimeoutMilliseconds": 3000, "outputs": 0}


TYPES = (
    NrType("amqp-broker", "amqp-broker", import_amqp_broker, export_amqp_broker, config=True,
           credentials=("username", "password"), stub="url"),
    NrType("amqp-in", "amqp-in", import_amqp_in),
    NrType("amqp-in-manual-ack", "amqp-in", import_amqp_in, export_amqp_in),
    NrType("amqp-out", "amqp-out", import_amqp_out, export_amqp_out),
)
