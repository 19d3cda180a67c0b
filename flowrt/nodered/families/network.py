"""Node-RED's network nodes: HTTP (in, response, request); the TLS and proxy config nodes, whose
settings are folded into the connection or node that uses them. MQTT is in mqtt.py; TCP and UDP
in sockets.py; WebSocket in websocket.py."""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def import_http_in(node: NrNode, cx: MapContext) -> Mapped:
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


def import_http_response(node: NrNode, cx: MapContext) -> Mapped:
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


def import_http_request(node: NrNode, cx: MapContext) -> Mapped:
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


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def export_http_in(c: dict[str, Any]) -> dict[str, Any]:
    guarded = [k for k in ("auth", "rate", "quota", "cors") if c.get(k) not in (None, "none")]
    if guarded:  # exported without them, the endpoint would answer anyone, as often as asked
        raise NoCounterpart(f"Node-RED's http in has no {', '.join(guarded)}: the endpoint "
                            "would be open; protect it in Node-RED (httpNodeAuth, a proxy)")
    return {"url": c.get("url"), "method": c.get("method", "get"),
            "upload": bool(c.get("upload")), "swaggerDoc": ""}


def export_http_response(c: dict[str, Any]) -> dict[str, Any]:
    return {"statusCode": str(c.get("status_code") or ""),
            "headers": c.get("headers", {})}


def export_http_request(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "method": str(c.get("method", "get")).upper(),
        "ret": c.get("ret", "txt"), "paytoqs": "query" if c.get("payload_to_query") else "ignore",
        "url": c.get("url") or "", "tls": "", "persist": False, "proxy": "",
        "authType": "" if c.get("auth", "none") == "none" else c["auth"],
        "senderr": bool(c.get("fail_on_status")),
        "headers": [{"keyType": "other", "keyValue": k, "valueType": "other", "valueValue": v}
                    for k, v in (c.get("headers") or {}).items()],
    }
    if out["method"] == "USE":
        out["method"] = "use"
    creds = {"user": c.get("username"), "password": c.get("password") or c.get("token")}
    creds = {k: v for k, v in creds.items() if v}
    if creds:
        out["credentials"] = creds
    return out


TYPES = (
    NrType("http in", "http-in", import_http_in, export_http_in),
    NrType("http response", "http-response", import_http_response, export_http_response),
    NrType("http request", "http-request", import_http_request, export_http_request,
           credentials=("user", "password")),
    NrType("tls-config", config=True, folded=True),
    NrType("http proxy", config=True, folded=True),
)
