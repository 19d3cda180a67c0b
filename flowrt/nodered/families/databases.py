"""The database contrib nodes of the IoT world flowrt grew out of:

- node-red-contrib-influxdb: `influxdb` (a connection), `influxdb out`, `influxdb batch`,
  `influxdb in`;
- node-red-contrib-postgresql: `postgreSQLConfig` (a connection), `postgresql`;
- node-red-contrib-postgres (the older package): `postgresdb` (a connection), `postgres`.

Other database packages' config nodes are listed, with no counterpart, in others.py.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from flowrt.netloc import host_port
from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.sql_mustache import WHOLE, NotAValue, bind_tags
from flowrt.nodered.values import env_reference

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def import_influxdb(node: NrNode, cx: MapContext) -> Mapped:
    version = node.get("influxdbVersion") or "1.x"
    creds = cx.credentials()
    config: dict[str, Any] = {}
    if version == "1.x":
        tls = node.flag("usetls") or node.get("protocol") == "https"
        host = node.get("hostname") or "127.0.0.1"
        port = as_number(node.get("port")) or 8086
        scheme = "https" if tls else "http"
        config.update(version="1", url=f"{scheme}://{host_port(host, int(port))}",
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


def _influx_version(node: NrNode, cx: MapContext) -> str:
    """The API of the node's server: 1.x, 1.8-flux or 2.0."""
    server = cx.config_node(node.get("influxdb"))
    return str((server.get("influxdbVersion") if server else None) or "1.x")


def _influx_target(node: NrNode, cx: MapContext, config: dict[str, Any]) -> None:
    """Bucket, database / retention policy, organisation and precision of an influx write
    node."""
    server = cx.config_node(node.get("influxdb"))
    version = _influx_version(node, cx)
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
            if isinstance(node.get("org"), str) and node.get("org"):
                config["org"] = node.get("org")
            cx.note("a number is written as an integer field only as a text ending in `i` in "
                    "Node-RED (`\"42i\"`); flowrt writes that text as a string field")
        elif node.get("database"):
            rp = node.get("retentionPolicyV18Flux") or "autogen"
            config["bucket"] = f"{node.get('database')}/{rp}"
    if precision not in _PRECISIONS:
        cx.note(f"time precision `{precision}` is not offered; milliseconds are used")
        precision = "ms"
    config["precision"] = _PRECISIONS[precision]


def import_influxdb_out(node: NrNode, cx: MapContext) -> Mapped:
    connection = cx.connection(node.get("influxdb"), "influxdb", "influxdb")
    config: dict[str, Any] = {"connection": connection}
    measurement = node.get("measurement")
    if isinstance(measurement, str) and measurement:
        config["measurement"] = measurement
    else:
        cx.note("without msg.measurement the measurement is msg.topic (Node-RED reports an error)")
    _influx_target(node, cx, config)
    _msg_overrides(cx, "msg.measurement does not replace the node's measurement, and ")
    return Mapped("influx-out", config)


def _msg_overrides(cx: MapContext, first: str = "") -> None:
    cx.note(f"{first}msg.precision and msg.retentionPolicy are not read (Node-RED's 1.x nodes "
            "take them over the node's)")


def import_influxdb_batch(node: NrNode, cx: MapContext) -> Mapped:
    connection = cx.connection(node.get("influxdb"), "influxdb", "influxdb")
    config: dict[str, Any] = {"connection": connection}
    _influx_target(node, cx, config)
    if _influx_version(node, cx) == "1.x":
        _msg_overrides(cx)
    return Mapped("influx-out", config)


def import_influxdb_in(node: NrNode, cx: MapContext) -> Mapped:
    connection = cx.connection(node.get("influxdb"), "influxdb", "influxdb")
    config: dict[str, Any] = {"connection": connection}
    query = node.get("query")
    if isinstance(query, str) and query.strip():
        config["query"] = query
    if _influx_version(node, cx) != "1.x":
        return _import_flux_query(node, cx, config)
    if node.get("retentionPolicy"):
        cx.note("the node's retention policy is not carried: name it in the query "
                "(`FROM \"rp\".\"measurement\"`)")
    precision = str(node.get("precision") or "")
    if precision in ("n", "u", "ms", "s"):
        config["epoch"] = _PRECISIONS[precision]
    elif precision:
        cx.note(f"time precision `{precision}` is not offered; times are RFC 3339 texts")
    if node.flag("rawOutput"):
        cx.note("the raw output of the InfluxDB client is not offered: rows are objects")
    cx.note("rows carry `time`, `measurement`, tags and fields (flowrt's row form)")
    return Mapped("influx-query", config)


def _import_flux_query(node: NrNode, cx: MapContext, config: dict[str, Any]) -> Mapped:
    """An influxdb in on a 2.0 or 1.8-flux server: a Flux query."""
    org = node.get("org")
    if _influx_version(node, cx) == "2.0" and isinstance(org, str) and org:
        config["org"] = org
    cx.note("Flux records become rows with `time`, `measurement` and each `_field` / `_value` "
            "as a field (Node-RED sends the raw records with `_time`, `_value`, `result`, "
            "`table`...)")
    return Mapped("influx-query", config)


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


def import_postgres_config(node: NrNode, cx: MapContext) -> Mapped:
    creds = cx.credentials()
    if node.type == "postgresdb":
        host, port, database = node.get("hostname"), node.get("port"), node.get("db")
        user, password, ssl = creds.get("user"), creds.get("password"), node.flag("ssl")
    else:
        host, port = _typed_field(node, "host", cx), _typed_field(node, "port", cx)
        database, user = _typed_field(node, "database", cx), _typed_field(node, "user", cx)
        password, ssl = _typed_field(node, "password", cx), as_bool(_typed_field(node, "ssl", cx))
    login = f"{user}@" if user else ""
    dsn = f"postgresql://{login}{host_port(host or '127.0.0.1', port or 5432)}/{database or ''}"
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


def import_postgresql(node: NrNode, cx: MapContext) -> Mapped:
    query = node.get("query")
    if not isinstance(query, str) or not query.strip():
        raise Unsupported("the node has no query")
    whole = WHOLE.fullmatch(query)
    texts: dict[str, str] = {}
    if "{{" in query and not whole:
        try:
            query, texts = bind_tags(query)
        except NotAValue as exc:
            raise Unsupported(
                f"the query is built from message text with mustache, and {exc}: flowrt sends "
                "message values apart from the SQL text, so a tag may stand only for a value; "
                "rewrite the query with :name parameters (postgres-query `params`)") from None
    connection = cx.connection(node.get("postgreSQLConfig"), "postgres", "postgreSQLConfig")
    config: dict[str, Any] = {"connection": connection}
    if texts:
        config["text_params"] = texts
        cx.note("mustache tags become parameters :m1.. sent apart from the SQL text, with the "
                "text mustache would have written, so no message can change the statement; a "
                "tag standing alone is read as a value, never as SQL (a message holding "
                "`now()` or `NULL` gives that text)")
    if whole:
        return _whole_query(whole.group(1) or whole.group(2), config, node, cx)
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


def _whole_query(name: str, config: dict[str, Any], node: NrNode, cx: MapContext) -> Mapped:
    """A query made of one raw tag (`{{{msg.payload}}}`): the message is the statement."""
    config["allow_msg_query"] = True
    if node.flag("split"):
        cx.note("rows are sent in one message, not split into a sequence")
    cx.note(f"the statement is {name}, as node-red-contrib-postgresql runs it: any message "
            "can run any SQL the connection's role may (`allow_msg_query`: only for trusted "
            "flows); the row count is msg.rowcount, not msg.pgsql")
    mapped = Mapped("postgres-query", config)
    mapped.prelude = Mapped("change", {"rules": [
        {"set": "query", "to": {"type": "msg", "value": name.removeprefix("msg.")}}]})
    return mapped


_NAMED = r"$replace(payload, /\$([A-Za-z_][A-Za-z0-9_]*)/, ':$1')"


def import_postgres(node: NrNode, cx: MapContext) -> Mapped:
    """node-red-contrib-postgres: the SQL comes in msg.payload, named `$name` parameters in
    msg.queryParameters. A change node in front moves them where postgres-query reads them."""
    config: dict[str, Any] = {
        "connection": cx.connection(node.get("postgresdb"), "postgres", "postgresdb"),
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


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def export_influxdb(c: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(str(c.get("url", "http://127.0.0.1:8086")))
    if str(c.get("version", "2")) == "1":
        out: dict[str, Any] = {"influxdbVersion": "1.x",
                               "hostname": parts.hostname or "127.0.0.1",
                               "port": str(parts.port or 8086),
                               "protocol": parts.scheme or "http",
                               "usetls": parts.scheme == "https",
                               "database": c.get("database", "")}
        creds = {"username": c.get("username"), "password": c.get("password")}
    else:
        out = {"influxdbVersion": "2.0", "url": c.get("url")}
        creds = {"token": c.get("token")}
    out["rejectUnauthorized"] = c.get("verify_ssl", True)
    if any(creds.values()):
        out["credentials"] = {k: v for k, v in creds.items() if v}
    return out


_PRECISION_EXPORT = {"ns": "n", "us": "u", "ms": "ms", "s": "s"}


def export_influx_out(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("tags"):
        raise NoCounterpart("tags set on the node have no counterpart in influxdb out")
    bucket = str(c.get("bucket") or "")
    precision = c.get("precision", "ms")
    return {"influxdb": c.get("connection"),
            "measurement": c.get("measurement") or "", "precision": _PRECISION_EXPORT[precision],
            "precisionV18FluxV20": precision,
            "retentionPolicy": bucket.split("/", 1)[1] if "/" in bucket else "",
            "database": "", "retentionPolicyV18Flux": "", "org": c.get("org") or "",
            "bucket": bucket}


def export_influx_query(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("params"):
        raise NoCounterpart("bound parameters have no counterpart in influxdb in")
    epoch = c.get("epoch")
    return {"influxdb": c.get("connection"), "query": c.get("query") or "",
            "rawOutput": False, "precision": _PRECISION_EXPORT[epoch] if epoch else "",
            "retentionPolicy": "", "org": c.get("org") or ""}


def export_postgres(c: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(str(c.get("dsn", "")))
    if parts.scheme not in ("postgres", "postgresql"):
        raise NoCounterpart("a libpq key=value DSN has no counterpart; write it as a URL")
    out: dict[str, Any] = {
        "host": parts.hostname or "127.0.0.1", "hostFieldType": "str",
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


def export_postgres_query(c: dict[str, Any]) -> dict[str, Any]:
    if not c.get("query") or c.get("params") or c.get("text_params") or c.get("single"):
        raise NoCounterpart("postgresql takes a fixed query with no parameter mapping and "
                            "sends every row")
    return {"postgreSQLConfig": c.get("connection"), "query": c["query"],
            "split": False, "rowsPerMsg": 1, "outputs": 1}


TYPES = (
    NrType("influxdb", "influxdb", import_influxdb, export_influxdb, config=True,
           credentials=("username", "password", "token"), stub="url"),
    NrType("influxdb out", "influx-out", import_influxdb_out, export_influx_out),
    NrType("influxdb batch", "influx-out", import_influxdb_batch),
    NrType("influxdb in", "influx-query", import_influxdb_in, export_influx_query),
    NrType("postgreSQLConfig", "postgres", import_postgres_config, export_postgres, config=True,
           stub="dsn"),
    NrType("postgresdb", "postgres", import_postgres_config, config=True,
           credentials=("user", "password")),
    NrType("postgresql", "postgres-query", import_postgresql, export_postgres_query),
    NrType("postgres", "postgres-query", import_postgres),
)
