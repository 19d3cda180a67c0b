"""The subscriptions of an mqtt-in-dynamic node: what its action messages ask for, read as
Node-RED's mqtt in (with an input) reads them, and the set the node holds.

A subscribe or unsubscribe message names its topics in ``msg.topic``: a filter, a list of them,
an object ``{topic, qos, rh, rap, nl, datatype}`` or a list mixing both; ``topic: true``
unsubscribes from everything. Every entry is checked before any is applied, so a message with
one bad filter changes nothing.
"""

from __future__ import annotations

import math
import re
from typing import Any

from .mqtt_codec import PayloadMode
from .mqtt_topics import parse_filter

ACTIONS = ("connect", "disconnect", "subscribe", "unsubscribe", "getSubscriptions")
DEFAULT_QOS = 2
"""Node-RED's mqtt in subscribes with QoS 2 when the message gives none."""
DATATYPES: dict[str, PayloadMode] = {
    "auto": "auto", "json": "json", "string": "string", "bytes": "bytes",
    "auto-detect": "auto", "utf8": "string", "buffer": "bytes", "base64": "bytes",
}
"""``datatype`` of a subscription: flowrt's payload modes and Node-RED's names for them."""
_LEADING_INT = re.compile(r"^\s*([+-]?\d+)")


class ActionError(ValueError):
    """An action message Node-RED's mqtt in refuses (its wording)."""


def js_int(value: Any) -> int | None:
    """JavaScript's ``parseInt(value)``: None where it gives NaN."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return math.trunc(value) if math.isfinite(value) else None
    found = _LEADING_INT.match(value) if isinstance(value, str) else None
    return int(found.group(1)) if found else None


def action_of(msg: dict[str, Any]) -> str:
    action = msg.get("action")
    if action not in ACTIONS:
        raise ActionError("Invalid action specified")
    return str(action)


def requested(msg: dict[str, Any], action: str, held: dict[str, dict[str, Any]]
              ) -> list[dict[str, Any]]:
    """The subscriptions a subscribe or unsubscribe message names, each an object with a valid
    ``topic`` filter; ActionError when ``msg.topic`` is not one of the accepted shapes."""
    topic = msg.get("topic")
    if action == "unsubscribe" and topic is True:
        return [dict(sub) for sub in held.values()]
    if isinstance(topic, list):
        items = topic
    elif isinstance(topic, str | dict) or (topic is None and "topic" in msg):
        items = [topic]
    else:
        raise ActionError("msg.topic is missing or invalid")
    found = []
    for item in items:
        sub = {"topic": item} if isinstance(item, str) else dict(item) if isinstance(
            item, dict) else {}
        text = sub.get("topic")
        if not isinstance(text, str) or not text:
            raise ActionError("Invalid topic specified")
        try:
            parse_filter(text)
        except ValueError as exc:
            raise ActionError("Invalid topic specified") from exc
        found.append(sub)
    return found


def settle_options(sub: dict[str, Any], mqtt5: bool) -> dict[str, Any]:
    """The subscription as it is held and listed: ``qos`` (0 to 2, else 2 when absent), and
    with MQTT 5 ``rh`` (0 to 2, default 0), ``rap`` (default true) and ``nl`` when given."""
    sub = dict(sub)
    sub["qos"] = _ranged(sub, "qos", DEFAULT_QOS)
    if mqtt5:
        sub["rh"] = _ranged(sub, "rh", 0)
        sub["rap"] = _flag(sub.get("rap"), True)
        nl = _flag(sub.get("nl"), None)
        if nl is None:
            sub.pop("nl", None)
        else:
            sub["nl"] = nl
    return sub


def payload_mode(sub: dict[str, Any], default: PayloadMode) -> PayloadMode:
    return DATATYPES.get(str(sub.get("datatype") or ""), default)


def _ranged(sub: dict[str, Any], key: str, default: int) -> int:
    if key not in sub or sub[key] is None:
        return default
    value = js_int(sub[key])
    return value if value is not None and 0 <= value <= 2 else 0


def _flag(value: Any, default: bool | None) -> bool | None:
    if value is True or value == "true":
        return True
    if value is False or value == "false":
        return False
    return default
