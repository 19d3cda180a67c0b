"""Node-RED's WebSocket nodes: websocket in and websocket out, with their config nodes
websocket-listener (a path served) and websocket-client (a server to connect to), which
become connections of the same names."""

from __future__ import annotations

from typing import Any

from flowrt.load.env import URL_PASSWORD
from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def _is_url(path: str) -> bool:
    return path.lower().startswith(("ws://", "wss://"))


def import_websocket_listener(node: NrNode, cx: MapContext) -> Mapped:
    path = node.get("path")
    if not isinstance(path, str) or not path.strip():
        raise Unsupported("the listener has no path")
    if _is_url(path):
        raise Unsupported("a websocket-listener whose path is a ws:// URL connects out: use a "
                          "websocket-client")
    config: dict[str, Any] = {"path": path if path.startswith("/") else "/" + path}
    if as_bool(node.get("wholemsg")):
        config["whole_message"] = True
    return Mapped("websocket-listener", config)


def _client_url(url: str, cx: MapContext) -> str:
    """The URL; one with a password in it becomes a secret reference, whole (the import
    writes a reference only as a whole value)."""
    if URL_PASSWORD.search(url) is None:
        return url
    return cx.secret(cx.flowrt_id, "url", url)


def _headers(node: NrNode, cx: MapContext) -> dict[str, str]:
    headers: dict[str, str] = {}
    for item in node.get("headers") or []:
        if not isinstance(item, dict):
            continue
        key = item.get("keyValue") if item.get("keyType") == "other" else item.get("keyType")
        value_type = item.get("valueType")
        value = item.get("valueValue")
        if value_type == "env":
            value = "${" + str(value) + "}"
        elif value_type != "other":
            value = value_type
        if key and isinstance(value, str) and value:
            headers[str(key)] = value
    return headers


def import_websocket_client(node: NrNode, cx: MapContext) -> Mapped:
    url = node.get("path")
    if not isinstance(url, str) or not _is_url(url.strip()):
        raise Unsupported("the client has no ws:// or wss:// URL")
    config: dict[str, Any] = {"url": _client_url(url.strip(), cx)}
    subprotocol = node.get("subprotocol")
    if isinstance(subprotocol, str) and subprotocol.strip():
        config["subprotocols"] = [p.strip() for p in subprotocol.split(",") if p.strip()]
    if as_bool(node.get("wholemsg")):
        config["whole_message"] = True
    heartbeat = as_number(node.get("hb"))
    if heartbeat and heartbeat > 0:
        config["heartbeat"] = heartbeat
    headers = _headers(node, cx)
    if headers:
        config["headers"] = headers
    tls = cx.config_node(node.get("tls")) if node.get("tls") else None
    if tls is not None:
        if not as_bool(tls.get("verifyservercert"), True):
            config["tls_verify"] = False
        if any(tls.get(k) for k in ("ca", "cert", "key", "caname", "certname", "keyname")):
            cx.note("client certificates and CA files of the TLS settings are not used")
    elif node.get("tls"):
        cx.note(f"the TLS settings `{node.get('tls')}` are not in the export")
    return Mapped("websocket-client", config)


def _endpoint(node: NrNode, cx: MapContext) -> dict[str, Any]:
    client = node.get("client")
    if isinstance(client, str) and client:
        return {"client": cx.connection(client, "websocket-client", "client")}
    return {"listener": cx.connection(node.get("server"), "websocket-listener", "server")}


def import_websocket_in(node: NrNode, cx: MapContext) -> Mapped:
    return Mapped("websocket-in", _endpoint(node, cx))


def import_websocket_out(node: NrNode, cx: MapContext) -> Mapped:
    return Mapped("websocket-out", _endpoint(node, cx))


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def export_websocket_listener(c: dict[str, Any]) -> dict[str, Any]:
    guarded = [k for k in ("auth", "rate", "quota") if c.get(k) not in (None, "none")]
    if guarded:  # exported without them, anyone could connect and send as much as they like
        raise NoCounterpart(f"Node-RED's websocket-listener has no {', '.join(guarded)}: the "
                            "path would be open; protect it in Node-RED (a proxy)")
    return {"path": c.get("path"), "wholemsg": str(bool(c.get("whole_message"))).lower()}


def export_websocket_client(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "path": str(c.get("url", "")), "tls": "",
        "wholemsg": str(bool(c.get("whole_message"))).lower(),
        "hb": str(c.get("heartbeat") or 0),
        "subprotocol": ",".join(c.get("subprotocols") or []),
        "headers": [{"keyType": "other", "keyValue": k, "valueType": "other", "valueValue": v}
                    for k, v in (c.get("headers") or {}).items()],
    }
    return out


def _export_endpoint(c: dict[str, Any]) -> dict[str, Any]:
    return {"server": c.get("listener") or "", "client": c.get("client") or ""}


TYPES = (
    NrType("websocket-listener", "websocket-listener", import_websocket_listener,
           export_websocket_listener, config=True, stub="path"),
    NrType("websocket-client", "websocket-client", import_websocket_client,
           export_websocket_client, config=True, stub="url"),
    NrType("websocket in", "websocket-in", import_websocket_in, _export_endpoint),
    NrType("websocket out", "websocket-out", import_websocket_out, _export_endpoint),
)
