"""node-red-node-mysql: `MySQLdatabase` (a connection) and `mysql` (SQL from msg.topic, values
from msg.payload), both ways. The flowrt node runs the SQL of msg.topic only when told to
(``allow_msg_topic``), which the import sets: that is the Node-RED node's only way.
"""

from __future__ import annotations

import re
from typing import Any

from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.mapping import MapContext, Mapped
from flowrt.nodered.nrnode import NrNode, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import env_reference

_ZONE = re.compile(r"^(local|Z|[+-]\d{2}:?\d{2})$", re.IGNORECASE)
NODE_RED_CHARSET = "UTF8_GENERAL_CI"
"""The charset node-red-node-mysql connects with when its config node names none."""


def import_mysqldatabase(node: NrNode, cx: MapContext) -> Mapped:
    creds = cx.credentials()
    config: dict[str, Any] = {"host": node.get("host") or "127.0.0.1"}
    port = as_number(node.get("port"))
    config["port"] = int(port) if port else 3306
    if node.get("db"):
        config["database"] = node.get("db")
    if creds.get("user"):
        config["user"] = creds["user"]
    password = creds.get("password")
    if isinstance(password, str) and password:
        config["password"] = (password if env_reference(password)
                              else cx.secret(cx.flowrt_id, "password", password))
    tz = str(node.get("tz") or "local").strip()
    if not _ZONE.match(tz):
        cx.note(f"time zone `{tz}` is not one mysql2 reads (local, Z, +HH:MM); local is used")
        tz = "local"
    config["timezone"] = tz
    config["charset"] = str(node.get("charset") or NODE_RED_CHARSET)
    return Mapped("mysql", config)


def import_mysql(node: NrNode, cx: MapContext) -> Mapped:
    connection = cx.connection(node.get("mydb"), "mysql", "MySQLdatabase")
    cx.note("the SQL is msg.topic, run with the connection's rights (allow_msg_topic); "
            "statements run one at a time, in order")
    return Mapped("mysql-query", {"connection": connection, "allow_msg_topic": True})


def export_mysql(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "host": c.get("host", "127.0.0.1"), "port": str(c.get("port", 3306)),
        "db": c.get("database") or "", "tz": c.get("timezone", "local"),
        "charset": str(c.get("charset", "utf8mb4")).upper(),
    }
    creds = {"user": c.get("user"), "password": c.get("password")}
    if any(creds.values()):
        out["credentials"] = {k: v for k, v in creds.items() if v}
    return out


def export_mysql_query(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("query") or c.get("values", "payload") != "payload":
        raise NoCounterpart("Node-RED's mysql node takes the SQL from msg.topic and the "
                            "values from msg.payload; set them with a change node before it")
    if not c.get("allow_msg_topic"):
        raise NoCounterpart("Node-RED's mysql node always runs msg.topic as SQL; this node "
                            "does not (allow_msg_topic is false)")
    return {"mydb": c.get("connection")}


TYPES = (
    NrType("MySQLdatabase", "mysql", import_mysqldatabase, export_mysql, config=True,
           credentials=("user", "password"), stub="host"),
    NrType("mysql", "mysql-query", import_mysql, export_mysql_query),
)
