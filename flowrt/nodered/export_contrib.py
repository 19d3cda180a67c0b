"""flowrt InfluxDB, PostgreSQL and AMQP nodes -> the contrib nodes mapping_contrib.py imports:
node-red-contrib-influxdb, node-red-contrib-postgresql and node-red-contrib-amqp."""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flowrt.nodered.export_values import Exporter, NoCounterpart


def influxdb(c: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(str(c.get("url", "http://127.0.0.1:8086")))
    if str(c.get("version", "2")) == "1":
        out: dict[str, Any] = {"type": "influxdb", "influxdbVersion": "1.x",
                               "hostname": parts.hostname or "127.0.0.1",
                               "port": str(parts.port or 8086),
                               "protocol": parts.scheme or "http",
                               "usetls": parts.scheme == "https",
                               "database": c.get("database", "")}
        creds = {"username": c.get("username"), "password": c.get("password")}
    else:
        out = {"type": "influxdb", "influxdbVersion": "2.0", "url": c.get("url")}
        creds = {"token": c.get("token")}
    out["rejectUnauthorized"] = c.get("verify_ssl", True)
    if any(creds.values()):
        out["credentials"] = {k: v for k, v in creds.items() if v}
    return out


_PRECISION = {"ns": "n", "us": "u", "ms": "ms", "s": "s"}


def influx_out(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("tags"):
        raise NoCounterpart("tags set on the node have no counterpart in influxdb out")
    bucket = str(c.get("bucket") or "")
    precision = c.get("precision", "ms")
    return {"type": "influxdb out", "influxdb": c.get("connection"),
            "measurement": c.get("measurement") or "", "precision": _PRECISION[precision],
            "precisionV18FluxV20": precision,
            "retentionPolicy": bucket.split("/", 1)[1] if "/" in bucket else "",
            "database": "", "retentionPolicyV18Flux": "", "org": "", "bucket": bucket}


def influx_query(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("params"):
        raise NoCounterpart("bound parameters have no counterpart in influxdb in")
    epoch = c.get("epoch")
    return {"type": "influxdb in", "influxdb": c.get("connection"), "query": c.get("query") or "",
            "rawOutput": False, "precision": _PRECISION[epoch] if epoch else "",
            "retentionPolicy": "", "org": ""}


def postgres(c: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(str(c.get("dsn", "")))
    if parts.scheme not in ("postgres", "postgresql"):
        raise NoCounterpart("a libpq key=value DSN has no counterpart; write it as a URL")
    out: dict[str, Any] = {
        "type": "postgreSQLConfig", "host": parts.hostname or "127.0.0.1", "hostFieldType": "str",
        "port": str(parts.port or 5432), "portFieldType": "num",
        "database": parts.path.lstrip("/"), "databaseFieldType": "str",
        "ssl": "true" if c.get("sslmode") in ("require", "verify-ca", "verify-full") else "false",
        "sslFieldType": "bool", "user": parts.username or "", "userFieldType": "str",
        "password": c.get("password") or "", "passwordFieldType": "str",
        "max": str(c.get("pool_size", 5)), "maxFieldType": "num",
        "connectionTimeout": str(int(c.get("connect_timeout", 10)) * 1000),
        "connectionTimeoutFieldType": "num",
    }
    return out


def postgres_query(c: dict[str, Any]) -> dict[str, Any]:
    if not c.get("query") or c.get("params") or c.get("single"):
        raise NoCounterpart("postgresql takes a fixed query with no parameter mapping and "
                            "sends every row")
    return {"type": "postgresql", "postgreSQLConfig": c.get("connection"), "query": c["query"],
            "split": False, "rowsPerMsg": 1, "outputs": 1}


def amqp_broker(c: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(str(c.get("url", "amqp://127.0.0.1:5672/")))
    out: dict[str, Any] = {"type": "amqp-broker", "host": parts.hostname or "127.0.0.1",
                           "port": str(parts.port or (5671 if parts.scheme == "amqps" else 5672)),
                           "vhost": c.get("vhost") or parts.path.lstrip("/") or "",
                           "tls": "", "credsFromSettings": False}
    creds = {"username": c.get("username"), "password": c.get("password")}
    if any(creds.values()):
        out["credentials"] = {k: v for k, v in creds.items() if v}
    return out


def amqp_in(c: dict[str, Any]) -> dict[str, Any]:
    if not c.get("declare"):
        raise NoCounterpart("amqp-in always declares its queue; a queue used as it is has no "
                            "counterpart")
    return {"type": "amqp-in-manual-ack", "broker": c.get("connection"),
            "prefetch": c.get("prefetch", 100), "exchangeName": c.get("exchange") or "",
            "exchangeType": c.get("exchange_type", "topic"),
            "exchangeRoutingKey": ",".join(c.get("binding_keys", [])),
            "exchangeDurable": True, "queueName": c.get("queue") or "",
            "queueExclusive": c.get("exclusive", False), "queueDurable": c.get("durable", True),
            "queueAutoDelete": c.get("auto_delete", False)}


def amqp_out(c: dict[str, Any]) -> dict[str, Any]:
    properties = {"headers": {}, **({"deliveryMode": 2} if c.get("persistent", True) else {})}
    return {"type": "amqp-out", "broker": c.get("connection"),
            "exchangeName": c.get("exchange", ""), "exchangeType": c.get("exchange_type", "topic"),
            "exchangeRoutingKey": c.get("routing_key") or "", "exchangeRoutingKeyType": "str",
            "exchangeDurable": True, "amqpProperties": json.dumps(properties),
            "rpcTimeoutMilliseconds": 3000, "outputs": 0}


CONTRIB: dict[str, Exporter] = {
    "influxdb": influxdb, "influx-out": influx_out, "influx-query": influx_query,
    "postgres": postgres, "postgres-query": postgres_query,
    "amqp-broker": amqp_broker, "amqp-in": amqp_in, "amqp-out": amqp_out,
}
