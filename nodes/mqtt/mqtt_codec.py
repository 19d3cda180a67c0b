"""Payloads and MQTT 5 properties: bytes on the wire to message values, and back.

On the way in, a payload is decoded as its node says: ``auto`` gives parsed JSON when the bytes
are JSON, else the UTF-8 text, else the bytes; ``json``, ``string`` and ``bytes`` insist on one.
On the way out, objects and lists become JSON, text is UTF-8, bytes go as they are, numbers and
booleans as their JSON text, and a missing or ``None`` payload is an empty message.

MQTT 5 properties travel in ``msg.properties`` with snake_case keys: ``user_properties`` (a
mapping of names to text; a name the sender repeated maps to a list), ``content_type``,
``response_topic``, ``correlation_data`` (bytes; text is accepted on the way out),
``message_expiry_interval`` (seconds) and ``payload_format_indicator`` (1: the payload is UTF-8).
"""

from __future__ import annotations

import json
from typing import Any, Literal

from flowrt.api import js_dumps

PayloadMode = Literal["auto", "json", "string", "bytes"]

PROPERTY_NAMES = {
    "content_type": "ContentType",
    "response_topic": "ResponseTopic",
    "correlation_data": "CorrelationData",
    "message_expiry_interval": "MessageExpiryInterval",
    "payload_format_indicator": "PayloadFormatIndicator",
}
"""Key in ``msg.properties`` -> paho's name of the MQTT 5 property (besides user properties)."""


def _no_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")  # NaN and Infinity: Python accepts them, JSON does not


def decode_payload(data: bytes, mode: PayloadMode) -> Any:
    """The message payload for the received bytes; ValueError when ``mode`` cannot hold them."""
    if mode == "bytes":
        return data
    if mode == "string":
        try:
            return data.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise ValueError(
                f"the payload is not UTF-8 text ({exc.reason} at byte {exc.start}): "
                "set `payload: bytes` or `payload: auto` to receive it as bytes"
            ) from exc
    if mode == "json":
        try:
            return json.loads(data, parse_constant=_no_constant)
        except ValueError as exc:
            preview = data[:40].decode("utf-8", "replace")
            raise ValueError(
                f"the payload is not JSON ({exc}): {preview!r}; set `payload: auto` to receive "
                "text that is not JSON as a string"
            ) from exc
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return data
    first = text.lstrip()[:1]
    if first in ('"', "{", "[", "-", "t", "f", "n") or first.isdigit():
        try:
            return json.loads(text, parse_constant=_no_constant)
        except ValueError:
            pass
    return text


def encode_payload(value: Any) -> bytes:
    """The bytes published for a message payload."""
    if value is None:
        return b""
    if isinstance(value, bytes | bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str):
        return value.encode("utf-8")
    return js_dumps(value, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def properties_to_dict(props: Any) -> dict[str, Any]:
    """``msg.properties`` for the MQTT 5 properties of a received message (paho's Properties)."""
    found: dict[str, Any] = {}
    pairs = getattr(props, "UserProperty", None)
    if pairs:
        users: dict[str, Any] = {}
        for name, value in pairs:
            if name in users:
                before = users[name]
                users[name] = [*before, value] if isinstance(before, list) else [before, value]
            else:
                users[name] = value
        found["user_properties"] = users
    for key, attr in PROPERTY_NAMES.items():
        value = getattr(props, attr, None)
        if value is not None:
            found[key] = value
    return found


def properties_from_dict(given: Any) -> Any:
    """paho's PUBLISH Properties for ``msg.properties``; ValueError naming a bad entry."""
    from .mqtt_client import new_properties

    if not isinstance(given, dict):
        raise ValueError(f"msg.properties must be an object; got {type(given).__name__}")
    props = new_properties("PUBLISH")
    for key, value in given.items():
        if value is None:
            continue
        if key == "user_properties":
            props.UserProperty = _user_pairs(value)
        elif key in ("content_type", "response_topic"):
            if not isinstance(value, str):
                raise ValueError(f"msg.properties.{key} must be text; got {value!r}")
            setattr(props, PROPERTY_NAMES[key], value)
        elif key == "correlation_data":
            if isinstance(value, str):
                value = value.encode("utf-8")
            if not isinstance(value, bytes | bytearray):
                raise ValueError(
                    f"msg.properties.correlation_data must be bytes or text; got {value!r}"
                )
            props.CorrelationData = bytes(value)
        elif key in ("message_expiry_interval", "payload_format_indicator"):
            if isinstance(value, bool) or not isinstance(value, int) or value < 0:
                raise ValueError(f"msg.properties.{key} must be a whole number >= 0; got {value!r}")
            setattr(props, PROPERTY_NAMES[key], value)
        else:
            known = ", ".join(["user_properties", *PROPERTY_NAMES])
            raise ValueError(
                f"msg.properties.{key} is not an MQTT 5 property flowrt sends ({known})"
            )
    return props


def with_traceparent(props: Any, traceparent: str) -> Any:
    """``props`` (paho's PUBLISH Properties, or None for none) with the user property
    ``traceparent`` (W3C Trace Context) set to ``traceparent``, instead of any it had."""
    from .mqtt_client import new_properties

    if props is None:
        props = new_properties("PUBLISH")
    pairs = [p for p in getattr(props, "UserProperty", None) or [] if p[0] != "traceparent"]
    props.UserProperty = [*pairs, ("traceparent", traceparent)]
    return props


def user_property(props: Any, name: str) -> str | None:
    """The (first) user property ``name`` of paho's Properties, or None."""
    for key, value in getattr(props, "UserProperty", None) or []:
        if key == name:
            return str(value)
    return None


def _user_pairs(value: Any) -> list[tuple[str, str]]:
    pairs: list[tuple[str, str]] = []
    items = value.items() if isinstance(value, dict) else value
    try:
        for name, item in items:
            for one in item if isinstance(item, list) else [item]:
                pairs.append((str(name), one if isinstance(one, str) else js_dumps(one)))
    except (TypeError, ValueError) as exc:
        raise ValueError(
            "msg.properties.user_properties must map names to text (or lists of text); "
            f"got {value!r}"
        ) from exc
    return pairs
