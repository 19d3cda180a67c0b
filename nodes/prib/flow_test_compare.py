"""The comparison of node-red-contrib-prib-functions' ``test`` node, in JavaScript's terms.

Values are compared as the contrib's ``equalObjects`` does: first with JavaScript's loose
``==`` (so ``"1"`` equals ``1``, ``null`` equals a missing value), then a number within the
relative ``error_factor`` of the expected one, then objects and arrays key by key (the same
sorted keys, each value equal in turn); anything else differs. Its reasons are the contrib's
words (``different data types, number vs string``...).
"""

from __future__ import annotations

import math
from typing import Any

from flowrt.api import MISSING, js_string


class Differs(Exception):
    """Two values differ; the message says how, in the contrib's words."""


def js_type(value: Any) -> str:
    """JavaScript's ``typeof`` of a flowrt value."""
    if value is MISSING:
        return "undefined"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    return "object"  # null, objects, arrays, buffers


def _to_number(value: Any) -> float:
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return 0.0
    if value is MISSING:
        return math.nan
    text = js_string(value).strip() if not isinstance(value, str) else value.strip()
    if not text:
        return 0.0
    try:
        return float(int(text, 16)) if text.lower().startswith("0x") else float(text)
    except ValueError:
        return math.nan


def _primitive(value: Any) -> Any:
    """ToPrimitive of an object: its text (``[object Object]``, an array's items joined)."""
    return js_string(value) if isinstance(value, dict | list | bytes) else value


def loose_equal(a: Any, b: Any) -> bool:
    """JavaScript's ``a == b``."""
    ta, tb = js_type(a), js_type(b)
    nullish = (None, MISSING)
    if a in nullish or b in nullish:
        return (a is None or a is MISSING) and (b is None or b is MISSING)
    if ta == tb:
        if ta == "object":
            return a is b
        if ta == "number":
            return float(a) == float(b)
        return bool(a == b)
    if ta == "object":
        return loose_equal(_primitive(a), b)
    if tb == "object":
        return loose_equal(a, _primitive(b))
    if ta == "string" and tb == "string":
        return bool(a == b)
    return _to_number(a) == _to_number(b)


def _keys(value: Any) -> list[str]:
    if isinstance(value, dict):
        return sorted(str(k) for k in value)
    if isinstance(value, list | bytes):
        return sorted(str(i) for i in range(len(value)))
    return []


def _item(value: Any, key: str) -> Any:
    if isinstance(value, dict):
        return value.get(key, MISSING)
    if isinstance(value, list) and key.isdigit() and int(key) < len(value):
        return value[int(key)]
    return MISSING


def check_equal(actual: Any, expected: Any, factor: float | None) -> list[str]:
    """The contrib's verdict on ``actual`` against ``expected``: no reasons when equal, else
    the reasons its failure callback got (two for unequal booleans, as there)."""
    try:
        return _equal(actual, expected, factor, top=True)
    except Differs as exc:
        return [str(exc)]


def _equal(a: Any, b: Any, factor: float | None, top: bool = False) -> list[str]:
    if loose_equal(a, b):
        return []
    if isinstance(a, bytes):
        if not isinstance(b, bytes) or a != b:
            raise Differs("buffers not equal")
        return []
    if isinstance(a, float) and math.isinf(a) and b == ("Infinity" if a > 0 else "-Infinity"):
        return []
    if isinstance(a, float) and math.isnan(a) and b == "NaN":
        return []
    ta, tb = js_type(a), js_type(b)
    if ta != tb:
        raise Differs(f"different data types, {ta} vs {tb}")
    reasons = []
    if ta == "boolean":  # the contrib reports it and goes on to the next test
        if not top:
            raise Differs("boolean not equal")
        reasons.append("boolean not equal")
    if factor is not None and ta == "number":
        if _relative(a, b) < factor:
            return reasons
        raise Differs("number outside bounds")
    if ta != "object" or a is None:
        if not top:
            raise Differs("different object types")
        return [*reasons, "different object types"]
    keys = _keys(a)
    if len(keys) != len(_keys(b)):
        raise Differs("different number of properties")
    for key in keys:
        _equal(_item(a, key), _item(b, key), factor)
    return reasons


def _relative(a: float, b: float) -> float:
    """``Math.abs(b - a) / b``, with JavaScript's division by zero."""
    diff = abs(b - a)
    if b == 0:
        return math.nan if diff == 0 or math.isnan(diff) else math.inf
    return diff / b
