"""Mappings of Node-RED's network nodes: MQTT (broker, in, out) and HTTP (in, response,
request). TLS and proxy config nodes are folded into the connection or node that uses them."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from flowrt.nodered.mapping import MapContext, Mapped, Mapper, Unsupported
from flowrt.nodered.reader import NrNode, as_bool, as_number

MQTT_BROKER = ("mqtt-broker",)


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


def mqtt_broker(node: NrNode, cx: MapContext) -> Mapped:
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
    config: dict[str, Any] = {"url": f"{scheme}://{host}:{int(port)}"}
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


def mqtt_in(node: NrNode, cx: MapContext) -> Mapped:
    if as_number(node.get("inputs")) == 1:
        raise Unsupported("dynamic subscriptions (an mqtt in node with an input) have no flowrt "
                          "counterpart: subscribe to a fixed topic filter")
    connection = cx.connection(node.get("broker"), MQTT_BROKER, "broker")
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
    if node.flag("nl") or node.flag("rap") or as_number(node.get("rh")):
        cx.note("MQTT 5 subscription options (no local, retain as published, retain handling) "
                "are not imported")
    return Mapped("mqtt-in", config)


def mqtt_out(node: NrNode, cx: MapContext) -> Mapped:
    connection = cx.connection(node.get("broker"), MQTT_BROKER, "broker")
    config: dict[str, Any] = {"connection": connection}
    topic = node.get("topic")
    if isinstance(topic, str) and topic:
        config["topic"] = topic
    qos = as_number(node.get("qos"))
    if qos in (0, 1, 2):
        config["qos"] = int(qos)
    else:
        cx.note("without msg.qos flowrt publishes with QoS 1, where Node-RED uses 0")
    retain = node.get("retain")
    if retain not in (None, ""):
        config["retain"] = as_bool(retain)
    if any(node.get(k) for k in ("respTopic", "correl", "contentType", "expiry", "userProps")):
        cx.note("MQTT 5 publish properties set on the node are not imported")
    return Mapped("mqtt-out", config)


def http_in(node: NrNode, cx: MapContext) -> Mapped:
    url = node.get("url")
    if not isinstance(url, str) or not url:
        raise Unsupported("the endpoint has no URL")
    config: dict[str, Any] = {"url": url if url.startswith("/") else "/" + url}
    method = str(node.get("method") or "get").lower()
    if method not in ("get", "post", "put", "delete", "patch"):
        raise Unsupported(f"HTTP method `{method}` is not offered by http-in")
    if method != "get":
        config["method"] = method
    if node.flag("upload"):
        config["upload"] = True
    if node.flag("skipBodyParsing"):
        cx.note("the body is parsed: `skip body parsing` is not offered")
    if node.get("swaggerDoc"):
        cx.note("the Swagger documentation of the endpoint is not imported")
    return Mapped("http-in", config)


def http_response(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    status_code = as_number(node.get("statusCode"))
    if status_code:
        config["status_code"] = int(status_code)
    headers = node.get("headers")
    if isinstance(headers, dict) and headers:
        config["headers"] = {str(k): str(v) for k, v in headers.items()}
    return Mapped("http-response", config)


def _request_headers(node: NrNode, cx: MapContext) -> dict[str, str]:
    headers: dict[str, str] = {}
    for item in node.get("headers") or []:
        if not isinstance(item, dict):
            continue
        key = item.get("keyValue") if item.get("keyType") == "other" else item.get("keyType")
        value_type = item.get("valueType")
        value = item.get("valueValue") if value_type == "other" else value_type
        if value_type in ("msg", "flow", "global", "env", "jsonata"):
            if value_type == "env":
                value = "${" + str(item.get("valueValue")) + "}"
            else:
                cx.note(f"header `{key}` from {value_type} is left out: headers are fixed text")
                continue
        if key and isinstance(value, str):
            headers[str(key)] = value
    return headers


def http_request(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {}
    method = str(node.get("method") or "GET").lower()
    if method not in ("get", "post", "put", "delete", "patch", "head", "options", "use"):
        raise Unsupported(f"HTTP method `{method}` is not offered by http-request")
    if method != "get":
        config["method"] = method
    url = node.get("url")
    if isinstance(url, str) and url.strip():
        config["url"] = url.strip()
    headers = _request_headers(node, cx)
    if headers:
        config["headers"] = headers
    paytoqs = node.get("paytoqs")
    if paytoqs is True or paytoqs == "query":
        config["payload_to_query"] = True
    elif paytoqs == "body":
        cx.note("`send payload as body` for GET is not offered")
    ret = node.get("ret") or "txt"
    if ret in ("bin", "obj"):
        config["ret"] = ret
    creds = cx.credentials()
    auth = node.get("authType") or ("basic" if creds.get("user") else "")
    if auth == "bearer" and creds.get("password"):
        config["auth"] = "bearer"
        config["token"] = cx.secret(cx.flowrt_id, "token", creds["password"])
    elif auth in ("basic", "digest") and (creds.get("user") or creds.get("password")):
        config["auth"] = auth
        config["username"] = creds.get("user") or ""
        if creds.get("password"):
            config["password"] = cx.secret(cx.flowrt_id, "password", creds["password"])
    if node.get("tls"):
        tls = cx.config_node(node.get("tls"))
        if tls is None:
            cx.note(f"the TLS settings `{node.get('tls')}` are not in the export")
        elif not as_bool(tls.get("verifyservercert"), True):
            config["tls_verify"] = False
        if tls is not None and any(tls.get(k) for k in ("ca", "cert", "key")):
            cx.note("client certificates and CA files of the TLS settings are not used")
    proxy = cx.config_node(node.get("proxy")) if node.get("proxy") else None
    if proxy is not None and isinstance(proxy.get("url"), str):
        config["proxy"] = proxy.get("url")
    if node.flag("senderr"):
        config["fail_on_status"] = True
    if node.flag("insecureHTTPParser"):
        cx.note("the lenient (insecure) HTTP parser is not offered")
    return Mapped("http-request", config)


MAPPINGS: dict[str, Mapper] = {
    "mqtt-broker": mqtt_broker,
    "mqtt in": mqtt_in,
    "mqtt out": mqtt_out,
    "http in": http_in,
    "http response": http_response,
    "http request": http_request,
}

_SOCKETS = "flowrt has no raw {} nodes; MQTT, AMQP or HTTP nodes carry messages instead"
UNSUPPORTED: dict[str, str] = {
    "tcp in": _SOCKETS.format("TCP"),
    "tcp out": _SOCKETS.format("TCP"),
    "tcp request": _SOCKETS.format("TCP"),
    "udp in": _SOCKETS.format("UDP"),
    "udp out": _SOCKETS.format("UDP"),
    "websocket in": "flowrt has no WebSocket nodes",
    "websocket out": "flowrt has no WebSocket nodes",
    "websocket-listener": "flowrt has no WebSocket nodes",
    "websocket-client": "flowrt has no WebSocket nodes",
}

FOLDED = frozenset({"tls-config", "http proxy"})
"""Config nodes whose settings are copied into the nodes using them, not made connections."""
