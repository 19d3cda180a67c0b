"""Node-RED's MQTT nodes: mqtt-broker (a connection), mqtt in and mqtt out; and
node-red-contrib-aedes's `aedes broker`, which becomes an mqtt-server node."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flowrt.netloc import host_port
from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def fold_tls(tls_id: Any, cx: MapContext, config: dict[str, Any], insecure_key: str,
             insecure_when_unverified: bool) -> None:
    """Copy a tls-config node's file paths into ``config``; certificates pasted into the editor
    (kept in credentials) cannot be, and are noted."""
    tls = cx.config_node(tls_id) if tls_id else None
    if tls is None:
        if tls_id:
            cx.note(f"the TLS settings `{tls_id}` are not in the export")
        return
    for ours, theirs in (("ca_file", "ca"), ("cert_file", "cert"), ("key_file", "key")):
        path = tls.get(theirs)
        if isinstance(path, str) and path:
            config[ours] = path
    if any(tls.get(k) for k in ("caname", "certname", "keyname")):
        cx.note("certificates uploaded into Node-RED's TLS settings are not imported: save them "
                "as files and set ca_file / cert_file / key_file")
    verify = as_bool(tls.get("verifyservercert"), True)
    if not verify:
        config[insecure_key] = insecure_when_unverified


def _mqtt_message(node: NrNode, prefix: str, cx: MapContext) -> dict[str, Any] | None:
    topic = node.get(f"{prefix}Topic")
    if not isinstance(topic, str) or not topic:
        return None
    message: dict[str, Any] = {"topic": topic}
    payload = node.get(f"{prefix}Payload")
    if isinstance(payload, str) and payload:
        message["payload"] = payload
    qos = as_number(node.get(f"{prefix}Qos"))
    if qos:
        message["qos"] = int(qos)
    if node.flag(f"{prefix}Retain"):
        message["retain"] = True
    if node.get(f"{prefix}Msg"):
        cx.note(f"MQTT 5 properties of the {prefix} message are not imported")
    return message


def import_mqtt_broker(node: NrNode, cx: MapContext) -> Mapped:
    broker = str(node.get("broker") or "").strip()
    if not broker:
        raise Unsupported("the broker has no address")
    tls = node.flag("usetls")
    if "://" in broker:
        parts = urlsplit(broker)
        if parts.scheme in ("ws", "wss"):
            raise Unsupported("MQTT over WebSockets is not offered by flowrt's mqtt-broker")
        tls = tls or parts.scheme in ("mqtts", "ssl", "tls")
        host, given = parts.hostname or "", parts.port
    else:
        host, given = broker, None
    port = given or as_number(node.get("port")) or (8883 if tls else 1883)
    scheme = "mqtts" if tls else "mqtt"
    config: dict[str, Any] = {"url": f"{scheme}://{host_port(host, int(port))}"}
    client_id = node.get("clientid")
    if isinstance(client_id, str) and client_id:
        config["client_id"] = client_id
    creds = cx.credentials()
    if creds.get("user"):
        config["username"] = creds["user"]
    if creds.get("password"):
        config["password"] = cx.secret(cx.flowrt_id, "password", creds["password"])
    version = as_number(node.get("protocolVersion")) or 4
    if version == 5:
        config["protocol"] = "5"
        expiry = as_number(node.get("sessionExpiry"))
        if expiry is not None:
            config["session_expiry"] = int(expiry)
    elif version == 3:
        cx.note("MQTT 3.1 becomes 3.1.1")
    keepalive = as_number(node.get("keepalive"))
    if keepalive and keepalive != 60:
        config["keepalive"] = int(keepalive)
    config["clean_session"] = as_bool(node.get("cleansession"), True)
    if tls:
        fold_tls(node.get("tls"), cx, config, "insecure", True)
    for ours, prefix in (("will", "will"), ("birth", "birth"), ("close", "close")):
        message = _mqtt_message(node, prefix, cx)
        if message:
            config[ours] = message
    if not as_bool(node.get("autoConnect"), True):
        cx.note("connects when its first node starts (Node-RED's `connect automatically` off "
                "waits for a connect action)")
    return Mapped("mqtt-broker", config)


_MQTT_FORMATS = {"auto-detect": "auto", "auto": "string", "utf8": "string", "json": "json",
                 "buffer": "bytes", "base64": "bytes"}


def import_mqtt_in(node: NrNode, cx: MapContext) -> Mapped:
    if as_number(node.get("inputs")) == 1:
        return _import_mqtt_in_dynamic(node, cx)
    connection = cx.connection(node.get("broker"), "mqtt-broker", "broker")
    topic = node.get("topic")
    if not isinstance(topic, str) or not topic:
        raise Unsupported("the node subscribes to no topic")
    config: dict[str, Any] = {"connection": connection, "topic": topic}
    qos = as_number(node.get("qos"))
    config["qos"] = int(qos) if qos in (0, 1, 2) else 2
    datatype = node.word("datatype") or "utf8"
    config["payload"] = _MQTT_FORMATS.get(datatype, "auto")
    if datatype == "auto":
        cx.note("payloads that are not UTF-8 text are errors, where Node-RED gives a Buffer")
    elif datatype == "base64":
        cx.note("the payload is bytes, not base64 text")
    broker = cx.config_node(node.get("broker"))
    v5 = broker is not None and str(broker.get("protocolVersion")) == "5"
    # Node-RED sends these options only over MQTT 5
    if v5 and (node.flag("nl") or node.flag("rap") or as_number(node.get("rh"))):
        cx.note("MQTT 5 subscription options (no local, retain as published, retain handling) "
                "are not imported")
    return Mapped("mqtt-in", config)


def _import_mqtt_in_dynamic(node: NrNode, cx: MapContext) -> Mapped:
    """An mqtt in with an input: its subscriptions come from action messages."""
    connection = cx.connection(node.get("broker"), "mqtt-broker", "broker")
    datatype = node.word("datatype") or "utf8"
    config: dict[str, Any] = {"connection": connection,
                              "payload": _MQTT_FORMATS.get(datatype, "auto")}
    if datatype == "auto":
        cx.note("payloads that are not UTF-8 text are errors, where Node-RED gives a Buffer")
    elif datatype == "base64":
        cx.note("the payload is bytes, not base64 text")
    cx.note("the disconnect action, and connect with msg.broker, are errors: the connection "
            "is shared and reconnects by itself")
    return Mapped("mqtt-in-dynamic", config)


def import_mqtt_out(node: NrNode, cx: MapContext) -> Mapped:
    connection = cx.connection(node.get("broker"), "mqtt-broker", "broker")
    config: dict[str, Any] = {"connection": connection}
    topic = node.get("topic")
    if isinstance(topic, str) and topic:
        config["topic"] = topic
    qos = as_number(node.get("qos"))
    if qos in (0, 1, 2):
        config["qos"] = int(qos)
    retain = node.get("retain")
    if retain not in (None, ""):
        config["retain"] = as_bool(retain)
    if any(node.get(k) for k in ("respTopic", "correl", "contentType", "expiry", "userProps")):
        cx.note("MQTT 5 publish properties set on the node are not imported")
    return Mapped("mqtt-out", config)


def import_aedes_broker(node: NrNode, cx: MapContext) -> Mapped:
    """node-red-contrib-aedes's broker: the port, its one user, WebSockets on a port, TLS
    from files. Node-RED listens on every interface; flowrt does so only with a user."""
    config: dict[str, Any] = {"port": int(as_number(node.get("mqtt_port")) or 1883)}
    creds = cx.credentials()
    user, password = creds.get("username"), creds.get("password")
    if user and password:
        config["host"] = "0.0.0.0"
        config["users"] = {str(user): cx.secret(cx.flowrt_id, "password", password)}
    else:
        cx.note("the broker has no user, so it listens on 127.0.0.1 only (Node-RED's listens "
                "on every interface): give it `users` and `host: 0.0.0.0` for other machines")
    ws_port = as_number(node.get("mqtt_ws_port"))
    if node.word("mqtt_ws_bind") == "path":
        if node.get("mqtt_ws_path"):
            cx.note("MQTT over WebSockets on a path of Node-RED's web server is not offered: "
                    "set `ws_port` to serve it on a port of its own")
    elif ws_port:
        config["ws_port"] = int(ws_port)
    if node.flag("usetls"):
        cert, key = str(node.get("cert") or "").strip(), str(node.get("key") or "").strip()
        if cert and key:
            config.update(cert_file=cert, key_file=key)
        else:
            cx.note("the TLS certificate and key uploaded into the node are not imported: save "
                    "them as files and set `cert_file` and `key_file` (plain MQTT until then)")
    if node.get("dburl") and node.word("persistence_bind", "mongodb") != "memory":
        cx.note("persistence in MongoDB (`dburl`) is not imported: sessions and retained "
                "messages live in memory; set `store` to keep them in an SQLite file")
    return Mapped("mqtt-server", config)


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def export_mqtt_broker(c: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(str(c.get("url", "")))
    out: dict[str, Any] = {
        "broker": parts.hostname or "",
        "port": str(parts.port or (8883 if parts.scheme == "mqtts" else 1883)),
        "usetls": parts.scheme == "mqtts", "clientid": c.get("client_id") or "",
        "protocolVersion": "5" if str(c.get("protocol")) == "5" else "4",
        "keepalive": str(c.get("keepalive", 60)),
        "cleansession": c.get("clean_session", False), "autoConnect": True,
    }
    if str(c.get("protocol")) == "5":
        out["sessionExpiry"] = str(c.get("session_expiry", 3600))
    for prefix in ("will", "birth", "close"):
        message = c.get(prefix)
        if isinstance(message, dict):
            out.update({f"{prefix}Topic": message.get("topic", ""),
                        f"{prefix}Payload": message.get("payload", ""),
                        f"{prefix}Qos": str(message.get("qos", 0)),
                        f"{prefix}Retain": str(bool(message.get("retain"))).lower()})
    creds = {"user": c.get("username"), "password": c.get("password")}
    if any(creds.values()):
        out["credentials"] = {k: v for k, v in creds.items() if v}
    return out


_DATATYPES = {"auto": "auto-detect", "string": "utf8", "json": "json", "bytes": "buffer"}


def export_mqtt_in(c: dict[str, Any]) -> dict[str, Any]:
    return {"broker": c.get("connection"), "topic": c.get("topic"),
            "qos": str(c.get("qos", 1)), "datatype": _DATATYPES[c.get("payload", "auto")],
            "nl": False, "rap": True, "rh": 0, "inputs": 0}


def export_mqtt_in_dynamic(c: dict[str, Any]) -> dict[str, Any]:
    return {"broker": c.get("connection"), "topic": "", "topicType": "dynamic", "qos": "2",
            "datatype": _DATATYPES[c.get("payload", "auto")], "nl": False, "rap": True,
            "rh": 0, "inputs": 1}


def export_mqtt_out(c: dict[str, Any]) -> dict[str, Any]:
    return {"broker": c.get("connection"), "topic": c.get("topic") or "",
            "qos": "" if c.get("qos") is None else str(c["qos"]),
            "retain": "" if c.get("retain") is None else str(c["retain"]).lower()}


def export_aedes_broker(c: dict[str, Any]) -> dict[str, Any]:
    users = c.get("users") or {}
    if len(users) > 1 or c.get("acl"):
        raise NoCounterpart("aedes broker has one user and no topic ACLs")
    out: dict[str, Any] = {
        "mqtt_port": int(c.get("port", 1883)), "mqtt_ws_bind": "port",
        "mqtt_ws_port": c.get("ws_port") or "", "mqtt_ws_path": "",
        "usetls": bool(c.get("cert_file")), "cert": c.get("cert_file") or "",
        "key": c.get("key_file") or "", "certname": "", "keyname": "",
        "persistence_bind": "memory", "dburl": "",
    }
    for user, password in users.items():
        out["credentials"] = {"username": user, "password": password}
    return out


TYPES = (
    NrType("mqtt-broker", "mqtt-broker", import_mqtt_broker, export_mqtt_broker, config=True,
           credentials=("user", "password"), stub="url"),
    NrType("mqtt in", "mqtt-in", import_mqtt_in, export_mqtt_in,
           variants=(("mqtt-in-dynamic", export_mqtt_in_dynamic),)),
    NrType("mqtt out", "mqtt-out", import_mqtt_out, export_mqtt_out),
    NrType("aedes broker", "mqtt-server", import_aedes_broker, export_aedes_broker,
           credentials=("username", "password")),
)
