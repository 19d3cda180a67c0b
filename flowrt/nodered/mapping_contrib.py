"""Mappings of the contrib nodes of the IoT world flowrt grew out of:

- node-red-contrib-influxdb: `influxdb` (config), `influxdb out`, `influxdb batch`, `influxdb in`;
- node-red-contrib-postgresql: `postgreSQLConfig` (config), `postgresql`;
- node-red-contrib-postgres (the older package): `postgresdb` (config), `postgres`;
- node-red-contrib-amqp: `amqp-broker` (config), `amqp-in`, `amqp-in-manual-ack`, `amqp-out`.

Dashboard and hardware nodes are listed with the reason they are not imported.
"""

from __future__ import annotations

import json
import re
from typing import Any
from urllib.parse import urlsplit

from flowrt.nodered.mapping import MapContext, Mapped, Mapper, Unsupported
from flowrt.nodered.reader import NrNode, as_bool, as_number
from flowrt.nodered.values import env_reference

INFLUXDB = ("influxdb",)
POSTGRES = ("postgreSQLConfig", "postgresdb")
AMQP = ("amqp-broker",)

# -- InfluxDB ------------------------------------------------------------------------------------


def influxdb(node: NrNode, cx: MapContext) -> Mapped:
    version = node.get("influxdbVersion") or "1.x"
    creds = cx.credentials()
    config: dict[str, Any] = {}
    if version == "1.x":
        tls = node.flag("usetls") or node.get("protocol") == "https"
        host = node.get("hostname") or "127.0.0.1"
        port = as_number(node.get("port")) or 8086
        config.update(version="1", url=f"{'https' if tls else 'http'}://{host}:{int(port)}",
                      database=node.get("database") or "")
        if creds.get("username"):
            config["username"] = creds["username"]
        if creds.get("password"):
            config["password"] = cx.secret(cx.flowrt_id, "password", creds["password"])
        if tls and node.get("tls"):
            tls_node = cx.config_node(node.get("tls"))
            if tls_node is not None and not as_bool(tls_node.get("verifyservercert"), True):
                config["verify_ssl"] = False
        return Mapped("influxdb", config)
    config.update(version="2", url=node.get("url") or "http://localhost:8086")
    if version == "1.8-flux":
        cx.note("InfluxDB 1.8 with Flux: the token is `username:password`; nodes name the "
                "bucket as `database/retention_policy`")
        if creds.get("username") or creds.get("password"):
            token = f"{creds.get('username', '')}:{creds.get('password', '')}"
            config["token"] = cx.secret(cx.flowrt_id, "token", token)
    elif creds.get("token"):
        config["token"] = cx.secret(cx.flowrt_id, "token", creds["token"])
    if not as_bool(node.get("rejectUnauthorized"), True):
        config["verify_ssl"] = False
    return Mapped("influxdb", config)


_PRECISIONS = {"": "ns", "n": "ns", "ns": "ns", "u": "us", "us": "us", "ms": "ms", "s": "s"}


def _influx_target(node: NrNode, cx: MapContext, config: dict[str, Any]) -> None:
    """Bucket, database / retention policy and precision of an influx write node."""
    server = cx.config_node(node.get("influxdb"))
    version = (server.get("influxdbVersion") if server else None) or "1.x"
    if version == "1.x":
        precision = str(node.get("precision") or "")
        rp = node.get("retentionPolicy")
        if rp and server is not None:
            config["bucket"] = f"{server.get('database') or ''}/{rp}"
    else:
        precision = str(node.get("precisionV18FluxV20") or "ms")
        if version == "2.0":
            if node.get("bucket"):
                config["bucket"] = node.get("bucket")
            if node.get("org"):
                cx.note("the organisation is the connection's, not the node's")
        elif node.get("database"):
            rp = node.get("retentionPolicyV18Flux") or "autogen"
            config["bucket"] = f"{node.get('database')}/{rp}"
    if precision not in _PRECISIONS:
        cx.note(f"time precision `{precision}` is not offered; milliseconds are used")
        precision = "ms"
    config["precision"] = _PRECISIONS[precision]


def influxdb_out(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"connection": cx.connection(node.get("influxdb"), INFLUXDB,
                                                          "influxdb")}
    measurement = node.get("measurement")
    if isinstance(measurement, str) and measurement:
        config["measurement"] = measurement
    else:
        cx.note("without msg.measurement the measurement is msg.topic (Node-RED reports an error)")
    _influx_target(node, cx, config)
    return Mapped("influx-out", config)


def influxdb_batch(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"connection": cx.connection(node.get("influxdb"), INFLUXDB,
                                                          "influxdb")}
    _influx_target(node, cx, config)
    return Mapped("influx-out", config)


def influxdb_in(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"connection": cx.connection(node.get("influxdb"), INFLUXDB,
                                                          "influxdb")}
    query = node.get("query")
    if isinstance(query, str) and query.strip():
        config["query"] = query
    precision = str(node.get("precision") or "")
    if precision in ("n", "u", "ms", "s"):
        config["epoch"] = _PRECISIONS[precision]
    elif precision:
        cx.note(f"time precision `{precision}` is not offered; times are RFC 3339 texts")
    if node.flag("rawOutput"):
        cx.note("the raw output of the InfluxDB client is not offered: rows are objects")
    cx.note("rows carry `time`, `measurement`, tags and fields (flowrt's row form)")
    return Mapped("influx-query", config)


# -- PostgreSQL ----------------------------------------------------------------------------------


def _typed_field(node: NrNode, key: str, cx: MapContext) -> Any:
    """A postgreSQLConfig field with its `<key>FieldType` (str, num, bool, env...)."""
    value = node.get(key)
    kind = node.get(f"{key}FieldType") or "str"
    if kind == "env" and isinstance(value, str) and value:
        return "${" + (env_reference(value) or value) + "}"
    if kind in ("flow", "global"):
        cx.note(f"`{key}` from {kind} context is not offered by connections")
        return None
    return value


def postgres_config(node: NrNode, cx: MapContext) -> Mapped:
    creds = cx.credentials()
    if node.type == "postgresdb":
        host, port, database = node.get("hostname"), node.get("port"), node.get("db")
        user, password, ssl = creds.get("user"), creds.get("password"), node.flag("ssl")
    else:
        host, port = _typed_field(node, "host", cx), _typed_field(node, "port", cx)
        database, user = _typed_field(node, "database", cx), _typed_field(node, "user", cx)
        password, ssl = _typed_field(node, "password", cx), as_bool(_typed_field(node, "ssl", cx))
    login = f"{user}@" if user else ""
    dsn = f"postgresql://{login}{host or '127.0.0.1'}:{port or 5432}/{database or ''}"
    config: dict[str, Any] = {"dsn": dsn}
    if isinstance(password, str) and password:
        config["password"] = (password if env_reference(password)
                              else cx.secret(cx.flowrt_id, "password", password))
    if ssl:
        config["sslmode"] = "require"
    pool = as_number(node.get("max"))
    if pool:
        config["pool_size"] = int(pool)
    timeout = as_number(node.get("connectionTimeout"))
    if timeout:
        config["connect_timeout"] = max(1, round(timeout / 1000))
    return Mapped("postgres", config)


def postgresql(node: NrNode, cx: MapContext) -> Mapped:
    query = node.get("query")
    if not isinstance(query, str) or not query.strip():
        raise Unsupported("the node has no query")
    if "{{" in query:
        raise Unsupported("the query is built from message text with mustache: flowrt sends "
                          "values apart from the SQL text; rewrite it with :name parameters")
    config: dict[str, Any] = {"connection": cx.connection(node.get("postgreSQLConfig"), POSTGRES,
                                                          "postgreSQLConfig")}
    positional = sorted({int(n) for n in re.findall(r"\$(\d+)", query)})
    if positional:
        query = re.sub(r"\$(\d+)", r":p\1", query)
        cx.note("positional parameters $1.. are named :p1..; msg.params is then an object "
                "{p1: ...} rather than a list")
    config["query"] = query
    if node.flag("split"):
        cx.note("rows are sent in one message, not split into a sequence")
    cx.note("the row count is msg.rowcount, not msg.pgsql")
    return Mapped("postgres-query", config)


_NAMED = r"$replace(payload, /\$([A-Za-z_][A-Za-z0-9_]*)/, ':$1')"


def postgres(node: NrNode, cx: MapContext) -> Mapped:
    """node-red-contrib-postgres: the SQL comes in msg.payload, named `$name` parameters in
    msg.queryParameters. A change node in front moves them where postgres-query reads them."""
    config: dict[str, Any] = {
        "connection": cx.connection(node.get("postgresdb"), POSTGRES, "postgresdb"),
        "allow_msg_query": True,
    }
    if not node.flag("output"):
        cx.note("the rows are sent on even though Node-RED's `receive output` is off")
    cx.note("a change node before it sets msg.query from msg.payload ($name parameters become "
            ":name) and msg.params from msg.queryParameters")
    mapped = Mapped("postgres-query", config)
    mapped.prelude = Mapped("change", {"rules": [
        {"set": "query", "to": {"type": "jsonata", "value": _NAMED}},
        {"set": "params", "to": {"type": "msg", "value": "queryParameters"}},
    ]})
    return mapped


# -- AMQP ----------------------------------------------------------------------------------------


def amqp_broker(node: NrNode, cx: MapContext) -> Mapped:
    host = str(node.get("host") or "127.0.0.1")
    tls = bool(node.get("tls"))
    if "://" in host:
        parts = urlsplit(host)
        host, tls = parts.hostname or host, tls or parts.scheme == "amqps"
    port = as_number(node.get("port")) or (5671 if tls else 5672)
    config: dict[str, Any] = {"url": f"{'amqps' if tls else 'amqp'}://{host}:{int(port)}/"}
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


def amqp_in(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"connection": cx.connection(node.get("broker"), AMQP, "broker"),
                              "declare": True}
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


def amqp_out(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"connection": cx.connection(node.get("broker"), AMQP, "broker")}
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


MAPPINGS: dict[str, Mapper] = {
    "influxdb": influxdb,
    "influxdb out": influxdb_out,
    "influxdb batch": influxdb_batch,
    "influxdb in": influxdb_in,
    "postgreSQLConfig": postgres_config,
    "postgresdb": postgres_config,
    "postgresql": postgresql,
    "postgres": postgres,
    "amqp-broker": amqp_broker,
    "amqp-in": amqp_in,
    "amqp-in-manual-ack": amqp_in,
    "amqp-out": amqp_out,
}

_HARDWARE = "needs hardware flowrt does not drive ({}); read it elsewhere and publish over MQTT"
UNSUPPORTED: dict[str, str] = {
    "rpi-gpio in": _HARDWARE.format("Raspberry Pi GPIO"),
    "rpi-gpio out": _HARDWARE.format("Raspberry Pi GPIO"),
    "rpi-mouse": _HARDWARE.format("a mouse"),
    "rpi-keyboard": _HARDWARE.format("a keyboard"),
    "serial in": _HARDWARE.format("a serial port"),
    "serial out": _HARDWARE.format("a serial port"),
    "serial request": _HARDWARE.format("a serial port"),
    "serial-port": _HARDWARE.format("a serial port"),
    "ui_base": "dashboard (node-red-dashboard) settings: flowrt has no dashboard",
    "ui_tab": "a dashboard tab: flowrt has no dashboard",
    "ui_group": "a dashboard group: flowrt has no dashboard",
    "ui_spacer": "a dashboard spacer: flowrt has no dashboard",
}
