"""node-red-contrib-time-range-switch's ``time-range-switch``: flowrt's time-range
(nodes/core/time_range.py), which computes the range and its sun events as the contrib node
does (suncalc's formulas, the sun at midday, the end within a day of the start).

The contrib node reads times with unanchored patterns and JavaScript arithmetic; the import
keeps what those give for the settings people write (``7:00``, ``22:15:30``, a sun event, an
empty offset) and reports the others, which the contrib node would turn into an error or an
invalid range.
"""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_number
from flowrt.nodered.nrtype import NrType

SUN_EVENTS = ("sunrise", "sunset", "sunriseEnd", "sunsetStart", "dawn", "dusk", "nauticalDawn",
              "nauticalDusk", "nightEnd", "night", "goldenHourEnd", "goldenHour", "solarNoon",
              "nadir")
"""suncalc2's events, the ones time-range-switch takes (nodes/core/time_range.py has them)."""


def _time(node: NrNode, key: str) -> str:
    value = node.get(key)
    text = str(value).strip() if isinstance(value, str | int | float) else ""
    parts = text.split(":")
    if text in SUN_EVENTS:
        return text
    if 2 <= len(parts) <= 3 and all(p.isdigit() for p in parts) and len(parts[0]) <= 2 and all(
            len(p) == 2 for p in parts[1:]):
        hour, minute, *second = (int(p) for p in parts)
        if hour < 24 and minute < 60 and (not second or second[0] < 60):
            return text
    raise Unsupported(f"{key} {value!r} is neither a time of day (`HH:MM`, `HH:MM:SS`) nor a "
                      "sun event; time-range-switch shows `Invalid time` and fails each message")


def _offset(node: NrNode, key: str) -> float:
    value = node.get(key)
    if value in (None, "", 0, False):
        return 0
    number = as_number(value)
    if number is None:
        raise Unsupported(f"{key} {value!r} is not a number of minutes")
    return number


def _coordinate(node: NrNode, key: str, cx: MapContext) -> float:
    value = node.get(key)
    if isinstance(value, str) and not value.strip():
        cx.note(f"`{key}` is empty: time-range-switch computes sun events for 0 (JavaScript "
                "reads an empty text as 0), and so does the import")
        return 0.0
    number = as_number(value)
    if number is None:
        raise Unsupported(f"sun events with {key} {value!r}: time-range-switch then gets no "
                          "sun time and uses each message's own time instead (a range that "
                          "follows the clock, not the sun); give the node `lat` and `lon`")
    return float(number)


def import_time_range_switch(node: NrNode, cx: MapContext) -> Mapped:
    config: dict[str, Any] = {"start": _time(node, "startTime"), "end": _time(node, "endTime")}
    for key, name in (("startOffset", "start_offset"), ("endOffset", "end_offset")):
        offset = _offset(node, key)
        if offset:
            config[name] = offset
    if config["start"] in SUN_EVENTS or config["end"] in SUN_EVENTS:
        config["latitude"] = _coordinate(node, "lat", cx)
        config["longitude"] = _coordinate(node, "lon", cx)
    else:
        for key, name in (("lat", "latitude"), ("lon", "longitude")):
            number = as_number(node.get(key))
            if number is not None:
                config[name] = float(number)
    return Mapped("time-range", config)


def export_time_range(c: dict[str, Any]) -> dict[str, Any]:
    if c.get("time_zone"):
        raise NoCounterpart("time-range-switch uses the time zone of the Node-RED process, not "
                            f"{c['time_zone']!r}")
    return {"startTime": c["start"], "endTime": c["end"],
            "startOffset": c.get("start_offset", 0), "endOffset": c.get("end_offset", 0),
            "lat": "" if c.get("latitude") is None else c["latitude"],
            "lon": "" if c.get("longitude") is None else c["longitude"]}


TYPES = (NrType("time-range-switch", "time-range", import_time_range_switch, export_time_range),)
