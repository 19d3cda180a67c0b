"""Line protocol: one point as one line of text, the way InfluxDB 1.x and 2.x servers (and
VictoriaMetrics) read it back as it was given.

The text is what influxdb-client's ``Point.to_line_protocol`` makes (tags and fields in key
order, its escaping and number formats), except where that text does not read back as given.
Read back from InfluxDB 1.6 and VictoriaMetrics:

- a tab or carriage return in a measurement, a tag or a field name is kept as it is: Point
  writes ``\\t`` and ``\\r``, which servers store as a backslash and a letter;
- a newline there cannot be written at all (it ends the line; Point's ``\\n`` is stored as a
  backslash and an ``n``), nor a backslash at the end, before a character that is escaped
  there or before another backslash: servers read it as escaping what follows, each its own
  way (1.x refuses the line or stores another value; VictoriaMetrics, as InfluxDB 2.x, reads
  two backslashes as one, 1.x as two). Such a point fails with a :class:`PointError` saying
  so, instead of being stored changed.

Text fields may hold anything (quotes and backslashes are escaped, newlines kept).

What repeats from message to message is worked out once and kept (in plain dicts: an
``lru_cache`` lookup costs more than the rest of a small point's tags): the escaped
measurement, and per set of field or tag names their order and escaped ``name=`` heads.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from functools import lru_cache
from typing import Any

from flowrt.api import NodeError


class PointError(NodeError):
    """A message that cannot be turned into points (what is wrong is in the text)."""


_ESCAPE_MEASUREMENT = str.maketrans({",": r"\,", " ": r"\ "})
_ESCAPE_KEY = str.maketrans({",": r"\,", "=": r"\=", " ": r"\ "})
_ESCAPE_STRING = str.maketrans({'"': r"\"", "\\": r"\\"})
_TAG_SPECIAL = re.compile(r"[,= \n\\]")
"""What makes a tag value need escaping, or checking."""
_TAG_TYPES = (int, float, str)
_isfinite = math.isfinite


_NAME_BACKSLASH = re.compile(r"\\(?=[ ,=\\]|$)")
_MEASUREMENT_BACKSLASH = re.compile(r"\\(?=[ ,\\]|$)")


def _checked(what: str, text: str, backslash: re.Pattern[str] = _NAME_BACKSLASH) -> str:
    """``text`` (a name or a tag value) if line protocol can carry it, else PointError."""
    if "\n" in text:
        raise PointError(
            f"{what} {text!r} holds a newline, which line protocol cannot carry: replace it"
        )
    if "\\" in text and backslash.search(text):
        raise PointError(
            f"{what} {text!r} has a backslash at its end or before a space, comma, equals sign "
            "or backslash, which line protocol cannot carry (servers read it as escaping what "
            "follows, each in its own way): remove it or put another character after it"
        )
    return text


KEPT = 1024
"""Most measurements, and sets of field or tag names, whose text is kept (each cache is
emptied when it would hold more)."""
MEASUREMENTS: dict[str, str] = {}
_FIELD_PLANS: dict[tuple[Any, ...], tuple[tuple[str, str], ...]] = {}
_TAG_PLANS: dict[tuple[Any, ...], tuple[tuple[str, str], ...]] = {}


def _keep(cache: dict[Any, Any], key: Any, value: Any) -> None:
    if len(cache) >= KEPT:
        cache.clear()
    cache[key] = value


def measurement_text(name: str) -> str:
    """The measurement as written (checked and escaped)."""
    text = MEASUREMENTS.get(name)
    if text is None:
        text = _checked("the measurement", name, _MEASUREMENT_BACKSLASH).translate(
            _ESCAPE_MEASUREMENT
        )
        _keep(MEASUREMENTS, name, text)
    return text


@lru_cache(maxsize=4096)
def key_text(key: str) -> str:
    """A tag or field name as written (checked and escaped)."""
    return _checked("the name", key).translate(_ESCAPE_KEY)


def field_plan(keys: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
    """The fields of a set of keys (``time`` excluded) in the order written, each with its
    written ``name=``; a bad key raises, the first in the given order."""
    for key in keys:
        if not isinstance(key, str) or not key:
            raise PointError(f"field name {key!r} must be a non-empty text")
        if key != "time":
            key_text(key)
    plan = tuple((key, key_text(key) + "=") for key in sorted(keys) if key != "time")
    _keep(_FIELD_PLANS, keys, plan)
    return plan


def tag_plan(keys: tuple[Any, ...]) -> tuple[tuple[str, str], ...]:
    """The tags of a set of keys in the order written, each with its written ``,name=``."""
    for key in keys:
        if not isinstance(key, str) or not key:
            raise PointError(f"tag name {key!r} must be a non-empty text")
        if key == "time":
            raise PointError(
                "a tag may not be named 'time' (InfluxDB reserves it): rename the tag"
            )
        key_text(key)
    plan = tuple((key, "," + key_text(key) + "=") for key in sorted(keys))
    _keep(_TAG_PLANS, keys, plan)
    return plan


def tags_text(tags: Mapping[str, Any]) -> str:
    """``,name=value`` for each tag with a value (a tag whose value is None or empty text is
    left out), in key order."""
    if not tags:
        return ""
    out = ""
    keys = tuple(tags)
    for key, head in _TAG_PLANS.get(keys) or tag_plan(keys):
        value = tags[key]
        if type(value) is not str:
            value = _tag_value(key, value)
        if not value:
            continue
        if _TAG_SPECIAL.search(value):
            value = _checked(f"tag {key!r}'s value", value).translate(_ESCAPE_KEY)
        out += head + value
    return out


def _tag_value(key: str, value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, _TAG_TYPES):
        return str(value)
    raise PointError(f"tag {key!r} is {short(value)}; a tag value is a text or a number")


def fields_text(
    fields: Mapping[str, Any], integer_fields: bool, types: dict[str, str]
) -> str:
    """``name=value,...`` in key order, the type of each field written put in ``types`` (a
    field whose value is None is left out). Whole numbers are floats unless
    ``integer_fields``; a value that is not a finite number, a text or a boolean raises."""
    out = []
    keys = tuple(fields)
    for key, head in _FIELD_PLANS.get(keys) or field_plan(keys):
        value = fields[key]
        kind = type(value)
        if kind is float and _isfinite(value):
            text = repr(value)
            if text.endswith(".0"):
                text = text[:-2]
            types[key] = "float"
        elif kind is str:
            if '"' in value or "\\" in value:
                value = value.translate(_ESCAPE_STRING)
            text = '"' + value + '"'
            types[key] = "string"
        elif kind is int and not integer_fields:
            text = repr(float(value))
            if text.endswith(".0"):
                text = text[:-2]
            types[key] = "float"
        elif kind is bool:
            text = "true" if value else "false"
            types[key] = "boolean"
        elif value is None:
            continue
        else:
            text, types[key] = _other_value(key, value, integer_fields)
        out.append(head + text)
    return ",".join(out)


def _other_value(key: str, value: Any, integer_fields: bool) -> tuple[str, str]:
    """An integer, or a value of a subclass of a field type (an enum, a text subclass), or
    not a field value at all (raises)."""
    if isinstance(value, bool):
        return ("true" if value else "false"), "boolean"
    if isinstance(value, int):
        if not integer_fields:
            return _float_text(float(value)), "float"
        if not -(2**63) <= value < 2**63:
            raise PointError(
                f"field {key!r} is {value}, beyond InfluxDB's 64-bit integers; send it as "
                "a float, or set integer_fields: false"
            )
        return str(value) + "i", "integer"
    if isinstance(value, float):
        if not _isfinite(value):
            raise PointError(
                f"field {key!r} is {value}, which InfluxDB cannot store; "
                "leave the field out or send null"
            )
        return _float_text(value), "float"
    if isinstance(value, str):
        return '"' + str(value).translate(_ESCAPE_STRING) + '"', "string"
    raise PointError(
        f"field {key!r} is {short(value)} ({type(value).__name__}); a field is a number, "
        "a text or a boolean (write nested objects as separate fields)"
    )


def _float_text(value: float) -> str:
    text = str(value)
    return text[:-2] if text.endswith(".0") else text


def short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 60 else text[:57] + "..."
