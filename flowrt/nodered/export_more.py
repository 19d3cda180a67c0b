"""flowrt parser, sequence, file and integration nodes -> Node-RED node properties: the reverse
of mapping_parser.py, mapping_sequence.py, mapping_network.py and mapping_contrib.py.

Secrets stay references: a password is exported as ``${NAME}`` in the node's ``credentials``,
for the Node-RED side to fill in.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlsplit

from flowrt.nodered.export_values import Exporter, NoCounterpart, typed, unescape


def json_(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("schema"):
        raise NoCounterpart("a schema set on the node has no Node-RED counterpart")
    action = {"string": "str", "object": "obj"}.get(c.get("action", "auto"), "")
    return {"type": "json", "property": c.get("property", "payload"), "action": action,
            "pretty": bool(c.get("pretty"))}


def yaml(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "yaml", "property": c.get("property", "payload")}


def _escape_separator(text: str) -> str:
    return text.replace("\n", "\\n").replace("\r", "\\r").replace("\t", "\\t")


def csv(c: dict[str, Any]) -> dict[str, Any]:
    columns = ",".join(
        f'"{col}"' if "," in col else col for col in c.get("columns", [])
    )
    newline = {"lf": "\\n", "crlf": "\\r\\n", "cr": "\\r"}[c.get("newline", "lf")]
    return {"type": "csv", "spec": "", "sep": _escape_separator(c.get("separator", ",")),
            "hdrin": bool(c.get("header_in")), "hdrout": c.get("header_out", "none"),
            "multi": "mult" if c.get("output") == "all" else "one", "ret": newline,
            "temp": columns, "skip": str(c.get("skip_lines", 0)),
            "strings": c.get("parse_numbers", True),
            "include_empty_strings": bool(c.get("include_empty_strings")),
            "include_null_values": bool(c.get("include_nulls"))}


def split(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "split", "property": c.get("property", "payload"),
                           "splt": "\\n", "spltType": "str",
                           "arraySplt": c.get("array_length", 1), "arraySpltType": "len",
                           "stream": bool(c.get("stream")), "addname": c.get("key_property") or ""}
    if c.get("separator_bytes") is not None:
        out.update(splt=json.dumps(c["separator_bytes"]), spltType="bin")
    elif c.get("length") is not None:
        out.update(splt=str(c["length"]), spltType="len")
    else:
        out["splt"] = _escape_separator(unescape(c.get("separator", "\n")))
    return out


def join(c: dict[str, Any]) -> dict[str, Any]:
    mode = c.get("mode", "auto")
    out: dict[str, Any] = {"type": "join", "mode": {"manual": "custom"}.get(mode, mode),
                           "build": c.get("build", "array"),
                           "property": c.get("property", "payload"),
                           "propertyType": "full" if c.get("whole_message") else "msg",
                           "key": c.get("key", "topic"), "joiner": "\\n", "joinerType": "str",
                           "accumulate": bool(c.get("accumulate")),
                           "timeout": str(c.get("timeout") or ""),
                           "count": str(c.get("count") or ""), "useparts": True,
                           "reduceRight": bool(c.get("reduce_right"))}
    if c.get("joiner_bytes") is not None:
        out.update(joiner=json.dumps(c["joiner_bytes"]), joinerType="bin")
    else:
        out["joiner"] = _escape_separator(unescape(c.get("joiner", "\n")))
    if mode == "reduce":
        init, init_type = typed(c.get("reduce_initial", 0))
        out.update(reduceExp=unescape(c.get("reduce_expression")), reduceInit=init,
                   reduceInitType=init_type, reduceFixup=unescape(c.get("reduce_fixup") or ""))
    return out


def sort(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {"type": "sort", "order": c.get("order", "ascending"),
                           "as_num": bool(c.get("numeric")), "target": "payload",
                           "targetType": "seq", "msgKey": "payload", "msgKeyType": "elem",
                           "seqKey": "payload", "seqKeyType": "msg"}
    if c.get("mode", "property") == "property":
        out.update(target=c.get("property", "payload"), targetType="msg")
        if c.get("key"):
            raise NoCounterpart("sorting array elements by a key property needs JSONata in "
                                "Node-RED")
        if c.get("key_expression"):
            out.update(msgKey=unescape(c["key_expression"]), msgKeyType="jsonata")
    elif c.get("key_expression"):
        out.update(seqKey=unescape(c["key_expression"]), seqKeyType="jsonata")
    else:
        out["seqKey"] = c.get("key") or "payload"
    return out


def batch(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "batch", "mode": c.get("mode", "count"), "count": c.get("count", 10),
            "overlap": c.get("overlap", 0), "interval": c.get("interval", 10),
            "allowEmptySequence": bool(c.get("send_empty")), "honourParts": False,
            "topics": [{"topic": t} for t in c.get("topics", [])]}


_ENCODING = {None: "none", "utf-8": "none", "utf-16-le": "utf16le", "latin-1": "latin1"}


def file_out(c: dict[str, Any]) -> dict[str, Any]:
    action = c.get("action", "append")
    return {"type": "file", "filename": c.get("filename") or "filename",
            "filenameType": "str" if c.get("filename") else "msg",
            "appendNewline": c.get("add_newline", True),
            "createDir": bool(c.get("create_directories")),
            "overwriteFile": {"append": "false", "overwrite": "true"}.get(action, action),
            "encoding": _ENCODING.get(c.get("encoding"), c.get("encoding"))}


def file_in(c: dict[str, Any]) -> dict[str, Any]:
    form = {"text": "utf8", "lines": "lines", "bytes": "", "chunks": "stream"}
    return {"type": "file in", "filename": c.get("filename") or "filename",
            "filenameType": "str" if c.get("filename") else "msg",
            "format": form[c.get("format", "text")], "chunk": False, "sendError": False,
            "encoding": _ENCODING.get(c.get("encoding"), c.get("encoding")),
            "allProps": bool(c.get("keep_properties"))}


def http_in(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "http in", "url": c.get("url"), "method": c.get("method", "get"),
            "upload": bool(c.get("upload")), "swaggerDoc": ""}


def http_response(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "http response", "statusCode": str(c.get("status_code") or ""),
            "headers": c.get("headers", {})}


def http_request(c: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "type": "http request", "method": str(c.get("method", "get")).upper(),
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


def mqtt_broker(c: dict[str, Any]) -> dict[str, Any]:
    parts = urlsplit(str(c.get("url", "")))
    out: dict[str, Any] = {
        "type": "mqtt-broker", "broker": parts.hostname or "",
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


_MQTT_FORMATS = {"auto": "auto-detect", "string": "utf8", "json": "json", "bytes": "buffer"}


def mqtt_in(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "mqtt in", "broker": c.get("connection"), "topic": c.get("topic"),
            "qos": str(c.get("qos", 1)), "datatype": _MQTT_FORMATS[c.get("payload", "auto")],
            "nl": False, "rap": True, "rh": 0, "inputs": 0}


def mqtt_out(c: dict[str, Any]) -> dict[str, Any]:
    return {"type": "mqtt out", "broker": c.get("connection"), "topic": c.get("topic") or "",
            "qos": "" if c.get("qos") is None else str(c["qos"]),
            "retain": "" if c.get("retain") is None else str(c["retain"]).lower()}


MORE: dict[str, Exporter] = {
    "json": json_, "yaml": yaml, "csv": csv, "split": split, "join": join, "sort": sort,
    "batch": batch, "file-out": file_out, "file-in": file_in, "http-in": http_in,
    "http-response": http_response, "http-request": http_request,
    "mqtt-broker": mqtt_broker, "mqtt-in": mqtt_in, "mqtt-out": mqtt_out,
}
