"""Messages to InfluxDB points, as node-red-contrib-influxdb maps them.

The payload forms:

- a number, string or boolean: one point with the field `value`;
- an object: one point, its keys the fields;
- `[fields, tags]` (or `[fields]`): one point with those fields and tags;
- a list of those pairs, `[[fields, tags], [fields, tags]]`: several points;
- a list of point objects, `[{measurement, fields, tags, timestamp}, ...]` (the form of
  Node-RED's "influx batch" node): several points, each naming its own measurement and time.

The measurement is the node's `measurement`, else `msg.measurement`, else `msg.topic`. Tags are
the node's `tags` (evaluated per message) with the message's own tags on top. The time is the
point's `time` field (taken out of the fields), else `msg.timestamp`, else the writer's stamp
(``now()``); a number is in the node's precision, a text an ISO 8601 / RFC 3339 time, or a
`datetime`.

Lines carry nanoseconds, whatever the node's precision: a time in the message is taken in that
precision (a text or a datetime cut to it, a fractional number cut to a whole count of it) and
multiplied out to nanoseconds in integers, so it is stored exactly as before; the writer's own
stamps can then be finer than the precision, which keeps points of one series made in the same
millisecond apart (influx-out's Details).

Each point is written straight to a line of line protocol (:mod:`.influx_lines`), for the 1.x
and the 2.x API alike, without building an influxdb-client ``Point`` per message. A message that
cannot be mapped raises :class:`PointError` saying what is wrong; the sink fails only it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime
from types import MappingProxyType
from typing import Any, Literal, NamedTuple

from flowrt.api import MISSING, Evaluator, Message

from .influx_lines import (
    MEASUREMENTS,
    PointError,
    fields_text,
    measurement_text,
    short,
    tags_text,
)

__all__ = ["NS_PER", "MappedPoint", "PointError", "PointMapper", "Precision", "to_stamp"]

Precision = Literal["ns", "us", "ms", "s"]
NS_PER: dict[str, int] = {"ns": 1, "us": 1_000, "ms": 1_000_000, "s": 1_000_000_000}
_FRACTION = re.compile(r"^(\d{4}-\d\d-\d\d[T ]\d\d:\d\d:\d\d)\.(\d+)(.*)$")


class MappedPoint(NamedTuple):
    """One line of line protocol, with what a server's rejection names: measurement, field
    types (InfluxDB's names: float, integer, string, boolean)."""

    line: str
    measurement: str
    field_types: Mapping[str, str]


def to_stamp(value: Any, precision: str) -> int:
    """A time as an integer count of ``precision`` units since the epoch: a number (already in
    that precision), an ISO 8601 text (no zone means UTC) or a datetime."""
    if isinstance(value, bool):
        raise PointError(f"the time {value!r} is a boolean; give a number or an ISO 8601 text")
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        if not math.isfinite(value):
            raise PointError(f"the time {value!r} is not a finite number")
        return int(value)
    if isinstance(value, str):
        return _iso_to_ns(value) // NS_PER[precision]
    if isinstance(value, datetime):
        return _datetime_to_ns(value, 0) // NS_PER[precision]
    raise PointError(
        f"the time {value!r} ({type(value).__name__}) is not a number, an ISO 8601 text or a "
        "datetime"
    )


def _iso_to_ns(text: str) -> int:
    """Parse ISO 8601 / RFC 3339 keeping every fractional digit (up to nanoseconds)."""
    extra_ns = 0
    match = _FRACTION.match(text.strip())
    base = text.strip()
    if match:
        digits = match.group(2)[:9].ljust(9, "0")
        extra_ns = int(digits)
        base = match.group(1) + match.group(3)
    try:
        parsed = datetime.fromisoformat(base)
    except ValueError:
        raise PointError(
            f"the time {text!r} is not an ISO 8601 time (such as 2024-05-01T12:00:00Z)"
        ) from None
    return _datetime_to_ns(parsed, extra_ns)


def _datetime_to_ns(when: datetime, extra_ns: int) -> int:
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    delta = when - datetime(1970, 1, 1, tzinfo=UTC)
    seconds = delta.days * 86_400 + delta.seconds
    micros = 0 if extra_ns else delta.microseconds
    return seconds * 1_000_000_000 + micros * 1_000 + extra_ns


class PointMapper:
    """Turns messages into :class:`MappedPoint` lists, for one influx-out node's settings."""

    def __init__(
        self,
        measurement: str | None,
        tags: Mapping[str, Evaluator],
        precision: Precision,
        integer_fields: bool,
    ) -> None:
        self.measurement = measurement
        self.tags = tags
        self.precision = precision
        self.scale = NS_PER[precision]
        """Nanoseconds in one unit of ``precision``."""
        self.integer_fields = integer_fields

    def points(self, msg: Message, now: Callable[[], int]) -> list[MappedPoint]:
        """The points of one message; ``now()`` gives the time (in nanoseconds) of points that
        carry none."""
        payload = msg.get("payload", MISSING)
        if payload is MISSING or payload is None:
            raise PointError("the message has no payload to write")
        base_tags = self._base_tags(msg)
        default_time = msg.get("timestamp")
        measurement = self.measurement or msg.get("measurement") or msg.get("topic")
        if isinstance(payload, dict):
            return [self._build(measurement, payload, base_tags, default_time, now)]
        if isinstance(payload, list):
            if payload and all(_is_point_object(p) for p in payload):
                return [self._point_object(p, i, base_tags, measurement, default_time, now)
                        for i, p in enumerate(payload)]
            if payload and isinstance(payload[0], list):
                return [self._pair(p, f"payload[{i}]", base_tags, measurement, default_time, now)
                        for i, p in enumerate(payload)]
            return [self._pair(payload, "payload", base_tags, measurement, default_time, now)]
        if isinstance(payload, bool | int | float | str):
            return [self._build(measurement, {"value": payload}, base_tags, default_time, now)]
        raise PointError(
            f"cannot write a payload of type {type(payload).__name__}: give a number, a text, "
            "a boolean, an object of fields, [fields, tags] or a list of those"
        )

    def _base_tags(self, msg: Message) -> Mapping[str, Any]:
        """The node's tags under the message's (the message's own mapping when the node has
        none: it is only read)."""
        own = msg.get("tags")
        if own is not None and not isinstance(own, dict):
            raise PointError(f"msg.tags must be an object of tag values; got {own!r}")
        if not self.tags:
            return own or _NO_TAGS
        tags: dict[str, Any] = {}
        for key, value in self.tags.items():
            found = value(msg)
            if found is not MISSING and found is not None:
                tags[key] = found
        if own:
            tags.update(own)
        return tags

    def _pair(self, item: Any, where: str, base_tags: Mapping[str, Any], measurement: Any,
              default_time: Any, now: Callable[[], int]) -> MappedPoint:
        if (
            not isinstance(item, list)
            or not 1 <= len(item) <= 2
            or not all(isinstance(part, dict) for part in item)
        ):
            raise PointError(
                f"{where} must be [fields] or [fields, tags] (objects); got {short(item)}"
            )
        tags = {**base_tags, **item[1]} if len(item) == 2 else base_tags
        return self._build(measurement, item[0], tags, default_time, now)

    def _point_object(self, item: dict[str, Any], index: int, base_tags: Mapping[str, Any],
                      measurement: Any, default_time: Any, now: Callable[[], int]) -> MappedPoint:
        own_tags = item.get("tags") or {}
        if not isinstance(own_tags, dict):
            raise PointError(f"payload[{index}].tags must be an object; got {own_tags!r}")
        when = item.get("timestamp", default_time)
        return self._build(item.get("measurement") or measurement, item["fields"],
                           {**base_tags, **own_tags}, when, now)

    def _build(self, measurement: Any, fields: Mapping[str, Any], tags: Mapping[str, Any],
               default_time: Any, now: Callable[[], int]) -> MappedPoint:
        """One point: its line (:mod:`.influx_lines`, the time in nanoseconds), measurement and
        field types."""
        head = MEASUREMENTS.get(measurement) if type(measurement) is str else None
        if head is None:
            head = measurement_text(_measurement(measurement))
        name: str = measurement
        types: dict[str, str] = {}
        values = fields_text(fields, self.integer_fields, types)
        if not types:
            raise PointError(
                f"no fields to write for measurement {name!r}: give at least one field "
                "with a number, text or boolean value"
            )
        if tags:
            head += tags_text(tags)
        when = fields["time"] if "time" in fields else default_time
        if type(when) is int:
            stamp = when * self.scale
        elif when is None:
            stamp = now()
        else:
            stamp = to_stamp(when, self.precision) * self.scale
        return _point(MappedPoint, (f"{head} {values} {stamp}", name, types))


_NO_TAGS: Mapping[str, Any] = MappingProxyType({})
_point: Callable[[type[MappedPoint], tuple[str, str, dict[str, str]]], MappedPoint] = tuple.__new__
"""Makes a MappedPoint in C: ``MappedPoint(...)`` and ``MappedPoint._make`` run Python code."""


def _is_point_object(item: Any) -> bool:
    return isinstance(item, dict) and isinstance(item.get("fields"), dict)


def _measurement(value: Any) -> str:
    if not isinstance(value, str) or not value:
        raise PointError(
            "no measurement: set the node's `measurement`, or msg.measurement or msg.topic"
            if value is None or value == ""
            else f"the measurement must be a text; got {value!r}"
        )
    if value.startswith("#"):
        raise PointError(f"the measurement {value!r} may not start with '#'")
    return value
