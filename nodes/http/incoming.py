"""An incoming request as message properties: its body parsed as Node-RED's http-in parses it,
and ``req`` as plain JSON-able dicts."""

from __future__ import annotations

import codecs
import json
from email import policy
from email.parser import BytesParser
from typing import Any
from urllib.parse import parse_qsl


class BadRequest(Exception):
    """The request cannot be turned into a message; ``status`` is what to answer."""

    def __init__(self, status: int, text: str) -> None:
        super().__init__(text)
        self.status = status


async def read_body(request: Any, limit: int) -> bytes:
    """The whole body, refused (413) as soon as it passes ``limit`` bytes."""
    declared = request.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > limit:
        raise BadRequest(413, _too_large(limit))
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BadRequest(413, _too_large(limit))
        chunks.append(chunk)
    return b"".join(chunks)


def _too_large(limit: int) -> str:
    return f"request body larger than {limit} bytes"


def multi_dict(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Pairs as a dict; a name given more than once gets the list of its values (as qs)."""
    out: dict[str, Any] = {}
    for key, value in pairs:
        if key not in out:
            out[key] = value
        elif isinstance(out[key], list):
            out[key].append(value)
        else:
            out[key] = [out[key], value]
    return out


def parse_body(content_type: str, body: bytes, upload: bool) -> tuple[Any, list[Any] | None]:
    """``(payload, files)`` from a body, as Node-RED's body parsers would give them.

    No body gives ``{}``; JSON is parsed; a form becomes a dict; text, XML and other
    ``application/*`` types that are valid UTF-8 become a string; binary types stay bytes.
    ``multipart/form-data`` is parsed only with ``upload``: fields in the payload, files in the
    list (else the body stays bytes).
    """
    if not body:
        return {}, ([] if upload else None)
    mime, _, params = content_type.partition(";")
    mime = mime.strip().lower()
    charset = _codec(_param(params, "charset"))
    major, _, minor = mime.partition("/")
    if mime == "application/json" or minor.endswith("+json"):
        try:
            return json.loads(body.decode(charset)), None
        except (ValueError, LookupError) as exc:
            raise BadRequest(400, f"the body is not valid JSON: {exc}") from exc
    if mime == "application/x-www-form-urlencoded":
        text = body.decode(charset, errors="replace")
        return multi_dict(parse_qsl(text, keep_blank_values=True)), None
    if mime == "multipart/form-data" and upload:
        return parse_multipart(content_type, body)
    if major == "text" or minor == "xml" or minor.endswith("+xml"):
        return body.decode(charset, errors="replace"), None
    binary = {"octet-stream", "cbor", "x-protobuf"}
    if (major == "application" and minor not in binary) or not mime:
        try:
            return body.decode(charset), None
        except (UnicodeDecodeError, LookupError):
            return body, None
    return body, None


def _codec(charset: str) -> str:
    """The charset if Python knows it, else UTF-8 (an unknown name must not fail the request)."""
    try:
        return codecs.lookup(charset).name if charset else "utf-8"
    except LookupError:
        return "utf-8"


def _param(params: str, name: str) -> str:
    for item in params.split(";"):
        key, _, value = item.partition("=")
        if key.strip().lower() == name:
            return value.strip().strip('"')
    return ""


def parse_multipart(content_type: str, body: bytes) -> tuple[dict[str, Any], list[Any]]:
    """Fields (a dict) and files (``fieldname``, ``originalname``, ``mimetype``, ``size``,
    ``buffer``, as Node-RED's multer gives them) of a ``multipart/form-data`` body."""
    boundary = _param(content_type.partition(";")[2], "boundary")
    if boundary and body.strip() == b"--" + boundary.encode("latin-1", errors="replace") + b"--":
        return {}, []  # only the closing delimiter: an empty form, as a browser's or multer's
    head = b"Content-Type: " + content_type.encode("latin-1", errors="replace") + b"\r\n\r\n"
    parsed = BytesParser(policy=policy.HTTP).parsebytes(head + body)
    if not parsed.is_multipart():
        raise BadRequest(400, "the multipart body has no parts (check its boundary)")
    fields: list[tuple[str, str]] = []
    files: list[dict[str, Any]] = []
    for part in parsed.iter_parts():
        name = str(part.get_param("name", "", header="content-disposition"))
        data = part.get_payload(decode=True)
        data = data if isinstance(data, bytes) else b""
        filename = part.get_filename()
        if filename is None:
            charset = _codec(part.get_content_charset() or "")
            fields.append((name, data.decode(charset, errors="replace")))
        else:
            files.append({"fieldname": name, "originalname": filename,
                          "mimetype": part.get_content_type(), "size": len(data),
                          "buffer": data})
    return multi_dict(fields), files


def request_info(request: Any, files: list[Any] | None, body: Any = None) -> dict[str, Any]:
    """``msg.req``: the JSON-safe parts of the Express request Node-RED's http-in gives (method,
    url, path, params, query, headers, cookies, ip, connection.remoteAddress, body...), and
    flowrt's ``remote_address``; ``files`` when the node takes uploads. ``body`` (the parsed
    body) is left out of GET requests, as in Node-RED."""
    headers: dict[str, Any] = {}
    for key, value in request.headers.items():
        if key in headers:
            previous = headers[key]
            headers[key] = [*previous, value] if isinstance(previous, list) else [previous, value]
        else:
            headers[key] = value
    for key, value in headers.items():
        if isinstance(value, list) and key != "set-cookie":
            headers[key] = ", ".join(value)
    query = request.url.query
    url = request.url.path + (f"?{query}" if query else "")
    host, port = (request.client.host, request.client.port) if request.client else ("", 0)
    peer = {"remoteAddress": host, "remotePort": port,
            "remoteFamily": "IPv6" if ":" in host else "IPv4"}
    version = str(request.scope.get("http_version", "1.1"))
    major, _, minor = version.partition(".")
    info: dict[str, Any] = {
        "method": request.method,
        "url": url,
        "originalUrl": url,
        "baseUrl": "",
        "path": request.url.path,
        "params": dict(request.path_params),
        "query": multi_dict(list(request.query_params.multi_items())),
        "headers": headers,
        "cookies": dict(request.cookies),
        "signedCookies": {},
        "ip": host,
        "ips": [],
        "connection": peer,
        "socket": dict(peer),
        "hostname": _hostname(headers.get("host")),
        "protocol": request.url.scheme,
        "secure": request.url.scheme == "https",
        "xhr": str(headers.get("x-requested-with", "")).lower() == "xmlhttprequest",
        "httpVersion": version,
        "httpVersionMajor": int(major) if major.isdigit() else 1,
        "httpVersionMinor": int(minor) if minor.isdigit() else 0,
        "remote_address": host,
    }
    if request.method != "GET":
        info["body"] = body
    if files is not None:
        info["files"] = files
    return info


def _hostname(host: Any) -> str | None:
    """Express's ``req.hostname``: the Host header without its port (an IPv6 address keeps its
    brackets)."""
    if not isinstance(host, str) or not host:
        return None
    end = host.find("]") + 1 if host.startswith("[") else 0
    colon = host.find(":", end)
    return host if colon < 0 else host[:colon]
