"""AMQP messages to flowrt messages and back: payload decoding and encoding, properties."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, Literal

from flowrt.api import Message, js_dumps

PayloadFormat = Literal["auto", "json", "string", "bytes"]

PROPERTIES = (
    "content_type", "content_encoding", "headers", "correlation_id", "reply_to", "expiration",
    "message_id", "timestamp", "priority", "delivery_mode", "type", "app_id",
)
"""The basic properties a message carries in ``msg.amqp.properties``."""

TEXT_PROPERTIES = frozenset(
    ("content_type", "content_encoding", "correlation_id", "reply_to", "expiration",
     "message_id", "type", "app_id")
)
PUBLISHED = frozenset(PROPERTIES) - {"delivery_mode"}
"""What amqp-out takes from ``msg.amqp.properties``: ``delivery_mode`` comes from its own
``persistent`` setting, ``user_id`` is never forwarded (the broker refuses a foreign one)."""


class PayloadError(ValueError):
    """A body that cannot be read in the format the node was told to expect."""


def is_json_type(content_type: str) -> bool:
    base = content_type.split(";", 1)[0].strip().lower()
    return base == "application/json" or base.endswith("+json")


def decode_payload(body: bytes, content_type: str | None, fmt: PayloadFormat) -> Any:
    """The payload for a body.

    ``auto``: JSON when the content type says so (``application/json``, ``*+json``), text for
    ``text/*``, bytes for ``application/octet-stream``; with any other content type, or none,
    JSON if the body parses as JSON, else text if it is UTF-8, else bytes. ``json``, ``string``
    and ``bytes`` force one reading; a body that does not fit raises PayloadError.
    """
    if fmt == "bytes":
        return body
    if fmt == "string":
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise PayloadError(f"the body is not UTF-8 text ({exc})") from exc
    if fmt == "json":
        try:
            return json.loads(body)
        except ValueError as exc:
            raise PayloadError(f"the body is not JSON ({exc})") from exc
    kind = (content_type or "").split(";", 1)[0].strip().lower()
    if kind == "application/octet-stream":
        return body
    if kind.startswith("text/"):
        try:
            return body.decode("utf-8")
        except UnicodeDecodeError:
            return body
    if is_json_type(kind) or (body and body[0] in _JSON_STARTS):
        try:
            return json.loads(body)
        except ValueError:
            pass
    try:
        return body.decode("utf-8")
    except UnicodeDecodeError:
        return body


_JSON_STARTS = frozenset(b'{["-0123456789tfn \t\r\n')


def properties_dict(props: Any) -> dict[str, Any]:
    """pika's BasicProperties as a dict with every name of :data:`PROPERTIES` (None when the
    message did not set it; ``headers`` is ``{}`` then)."""
    found = {name: getattr(props, name, None) for name in PROPERTIES}
    if found["headers"] is None:
        found["headers"] = {}
    return found


def incoming(method: Any, props: Any, body: bytes, fmt: PayloadFormat) -> Message:
    """The flowrt message for a delivery (``payload``, ``topic``, ``amqp``)."""
    properties = properties_dict(props)
    return {
        "payload": decode_payload(body, properties["content_type"], fmt),
        "topic": method.routing_key,
        "amqp": {
            "exchange": method.exchange,
            "routing_key": method.routing_key,
            "delivery_tag": method.delivery_tag,
            "redelivered": bool(method.redelivered),
            "properties": properties,
        },
    }


def encode_payload(payload: Any) -> tuple[bytes, str | None]:
    """The body for a payload and the content type it implies: objects, lists, numbers and
    booleans as JSON (``application/json``), text as UTF-8 (``text/plain``), bytes as they
    are (no content type); no payload is an empty body."""
    if payload is None:
        return b"", None
    if isinstance(payload, bytes | bytearray | memoryview):
        return bytes(payload), None
    if isinstance(payload, str):
        return payload.encode("utf-8"), "text/plain"
    text = js_dumps(payload, ensure_ascii=False, separators=(",", ":"), default=str)
    return text.encode("utf-8"), "application/json"


def outgoing_properties(msg: Message, implied_type: str | None, persistent: bool) -> dict[str, Any]:
    """Keyword arguments for pika's BasicProperties: ``msg.amqp.properties`` (the names of
    :data:`PUBLISHED`), ``msg.headers`` merged over its headers, ``delivery_mode`` from
    ``persistent``. A JSON body is always ``application/json``; text and bytes keep a content
    type the message gives."""
    given: Mapping[str, Any] = {}
    amqp = msg.get("amqp")
    if isinstance(amqp, Mapping) and isinstance(amqp.get("properties"), Mapping):
        given = amqp["properties"]
    out: dict[str, Any] = {}
    for name in PUBLISHED:
        value = given.get(name)
        if value is None or name == "headers":
            continue
        if name in TEXT_PROPERTIES:
            out[name] = str(value)
        else:
            out[name] = _integer(name, value)
    headers: dict[str, Any] = {}
    if isinstance(given.get("headers"), Mapping):
        headers.update(given["headers"])
    if isinstance(msg.get("headers"), Mapping):
        headers.update(msg["headers"])
    if headers:
        out["headers"] = headers
    if implied_type == "application/json" or (implied_type and "content_type" not in out):
        out["content_type"] = implied_type
    out["delivery_mode"] = 2 if persistent else 1
    return out


def _integer(name: str, value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise PayloadError(f"the property {name} must be a whole number; got {value!r}") from None
