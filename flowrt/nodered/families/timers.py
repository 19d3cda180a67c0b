"""Contrib timer nodes: node-red-contrib-stoptimer's ``stoptimer`` (flowrt's stop-timer,
nodes/core/stop_timer.py) and node-red-contrib-countdown's ``countdown`` (flowrt's countdown,
nodes/core/countdown.py). node-red-contrib-moment is the moment family's (moment.py).

Neither timer maps onto trigger faithfully: stoptimer sends on both outputs at once when its
wait ends and a ``stopped`` message when stopped; countdown sends the seconds left every
second. Each is a small node of its own.
"""

from __future__ import annotations

import re
from typing import Any

from flowrt.nodered.export_values import NoCounterpart, typed
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import typed_value

_UNITS = {"Millisecond": 0.001, "Second": 1, "Minute": 60, "Hour": 3600}
"""stoptimer's units -> seconds (any other unit is read as milliseconds, as stoptimer does)."""

# -- stoptimer ------------------------------------------------------------------------------------


def _stop_payload(node: NrNode, cx: MapContext) -> Any:
    """stoptimer's second payload, as its constructor reads ``payloadval``/``payloadtype``."""
    value = node.get("payloadval") or "0"
    kind = node.get("payloadtype") or "num"
    if kind == "num" and as_number(value) is not None:
        return as_number(value)
    if value in ("true", "false"):
        if value == "false":
            cx.note("the second payload `false` is sent as `true`: stoptimer converts the text "
                    "with Boolean(), which is true for any text")
        return True
    if value == "null":
        return None
    if not isinstance(value, str):
        raise Unsupported(f"second payload {value!r} is not text")
    return value


def import_stoptimer(node: NrNode, cx: MapContext) -> Mapped:
    duration = as_number(node.get("duration") or 5)
    if duration is None:
        raise Unsupported(f"duration {node.get('duration')!r} is not a number")
    seconds = max(duration, 0) * _UNITS.get(node.word("units", "Second"), 0.001)
    config: dict[str, Any] = {"duration": seconds}
    payload = _stop_payload(node, cx)
    if payload != 0 or isinstance(payload, bool):
        config["payload"] = payload
    return Mapped("stop-timer", config)


def export_stop_timer(c: dict[str, Any]) -> dict[str, Any]:
    seconds = c.get("duration", 5)
    payload = c.get("payload", 0)
    if isinstance(payload, bool) and not payload:
        raise NoCounterpart("stoptimer cannot send `false` (it reads the text with Boolean())")
    unit = "Second" if float(seconds).is_integer() else "Millisecond"
    duration = seconds if unit == "Second" else round(seconds * 1000, 3)
    text, kind = ("null", "str") if payload is None else typed(payload)
    return {"duration": str(int(duration) if float(duration).is_integer() else duration),
            "units": unit, "payloadtype": kind, "payloadval": text}


# -- countdown ------------------------------------------------------------------------------------


def _countdown_payload(node: NrNode, key: str, cx: MapContext) -> Any:
    kind = node.word(f"{key}Type", "str")
    if kind == "nul":
        return None
    if kind == "msg" and key == "payloadTimerStop":
        path = str(node.get(key) or "")
        if not path or not path.replace("_", "a").isalnum():
            raise Unsupported(f"stop payload property {path!r}: countdown reads one top-level "
                              "property of the message")
        return {"type": "msg", "value": path}
    if kind == "msg":
        raise Unsupported("a start payload from the message: countdown evaluates it with no "
                          "message")
    ok, value = typed_value(node.get(key), kind, cx.note)
    if not ok:
        raise Unsupported(f"{key} of type `{kind}` has no flowrt counterpart")
    return value


def import_countdown(node: NrNode, cx: MapContext) -> Mapped:
    timer = node.get("timer")
    found = re.match(r"\s*([+-]?\d+)", str(timer)) if isinstance(timer, str | int) else None
    number = int(found.group(1)) if found else None  # JavaScript's parseInt
    if number is None or number < 1:
        raise Unsupported(f"timer {timer!r}: countdown then never counts down (it reads the "
                          "timer with parseInt and needs 1 second or more)")
    config: dict[str, Any] = {"duration": number}
    topic = node.get("topic")
    if isinstance(topic, str) and topic:
        config["topic"] = topic
    config["start_payload"] = _countdown_payload(node, "payloadTimerStart", cx)
    config["stop_payload"] = _countdown_payload(node, "payloadTimerStop", cx)
    flags = {"restart": "resetWhileRunning", "output_on_reset": "outputOnReset",
             "follow_control": "setTimeToNewWhileRunning",
             "start_on_control": "startCountdownOnControlMessage"}
    for name, key in flags.items():
        config[name] = as_bool(node.get(key))
    return Mapped("countdown", config)


def _export_payload(value: Any) -> tuple[Any, str]:
    if value is None:
        return "", "nul"
    return typed(value)


def export_countdown(c: dict[str, Any]) -> dict[str, Any]:
    start, start_type = _export_payload(c.get("start_payload", True))
    stop, stop_type = _export_payload(c.get("stop_payload", False))
    return {"topic": c.get("topic", ""), "timer": str(c["duration"]),
            "payloadTimerStart": start, "payloadTimerStartType": start_type,
            "payloadTimerStop": stop, "payloadTimerStopType": stop_type,
            "resetWhileRunning": c.get("restart", False),
            "outputOnReset": c.get("output_on_reset", False),
            "setTimeToNewWhileRunning": c.get("follow_control", True),
            "startCountdownOnControlMessage": c.get("start_on_control", False)}


TYPES = (
    NrType("stoptimer", "stop-timer", import_stoptimer, export_stop_timer),
    NrType("countdown", "countdown", import_countdown, export_countdown),
)
