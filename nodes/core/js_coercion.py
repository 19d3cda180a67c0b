"""JavaScript's loose conversions and comparisons, as Node-RED's switch and change nodes apply them.

Node-RED compares with JavaScript's ``==`` and ``<``: the text ``"7"`` equals the number 7 and is
greater than 5, ``true`` counts as 1, ``null`` as 0 in an ordering but equals only
``null``/``undefined``. Flows imported from Node-RED rely on that, so these functions reproduce
it for JSON-like Python values. One deliberate difference: two objects or lists are equal when
their contents are (JavaScript compares object identity, which a flow file cannot express).

``MISSING`` (a property that does not exist) plays JavaScript's ``undefined``.
"""

from __future__ import annotations

import math
import re
from typing import Any

from flowrt.api import MISSING, js_string

_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?)")
_RADIX = {"0x": 16, "0X": 16, "0o": 8, "0O": 8, "0b": 2, "0B": 2}
_EXPONENT = re.compile(r"e([+-])0*(\d)")
NAN = float("nan")


def to_number(value: Any) -> float:
    """JavaScript's ``Number(value)``: NaN when the value is not a number."""
    if isinstance(value, bool):
        return 1.0 if value else 0.0
    if isinstance(value, int | float):
        return float(value)
    if value is None:
        return 0.0
    if isinstance(value, str):
        return _string_to_number(value)
    if isinstance(value, list | dict | bytes):
        return _string_to_number(to_str(value))
    return NAN


def _string_to_number(text: str) -> float:
    text = text.strip()
    if not text:
        return 0.0
    if _DECIMAL.fullmatch(text):
        return float(text)
    if text in ("Infinity", "+Infinity"):
        return math.inf
    if text == "-Infinity":
        return -math.inf
    base = _RADIX.get(text[:2])
    if base is not None:
        try:
            return float(int(text[2:], base))
        except ValueError:
            return NAN
    return NAN


to_str = js_string
"""JavaScript's ``String(value)`` (flowrt.api's ``js_string``)."""


def _primitive(value: Any) -> Any:
    """JavaScript's ToPrimitive: objects and lists become their text."""
    if isinstance(value, list | dict | bytes | bytearray):
        return to_str(value)
    return value


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def loose_eq(a: Any, b: Any) -> bool:
    """JavaScript's ``a == b`` (objects compare by content, see the module doc)."""
    if a is None or a is MISSING:
        return b is None or b is MISSING
    if b is None or b is MISSING:
        return False
    if _is_number(a) and _is_number(b):
        return bool(a == b)
    if type(a) is type(b):
        return bool(a == b)
    if isinstance(a, bool):
        return loose_eq(1 if a else 0, b)
    if isinstance(b, bool):
        return loose_eq(a, 1 if b else 0)
    if isinstance(a, str) and _is_number(b) or _is_number(a) and isinstance(b, str):
        return to_number(a) == to_number(b)
    pa, pb = _primitive(a), _primitive(b)
    if (pa is a) == (pb is b):
        return False  # two primitives of unrelated types, or two objects of different kinds
    return loose_eq(pa, pb)


def _ordered(a: Any, b: Any) -> tuple[Any, Any] | None:
    """The operands of a JavaScript ordering: two strings, two numbers, or None for NaN."""
    pa, pb = _primitive(a), _primitive(b)
    if isinstance(pa, str) and isinstance(pb, str):
        return pa, pb
    na, nb = to_number(pa), to_number(pb)
    if math.isnan(na) or math.isnan(nb):
        return None
    return na, nb


def loose_lt(a: Any, b: Any) -> bool:
    """JavaScript's ``a < b``."""
    if _is_number(a) and _is_number(b):
        return bool(a < b)
    pair = _ordered(a, b)
    return pair is not None and pair[0] < pair[1]


def loose_le(a: Any, b: Any) -> bool:
    """JavaScript's ``a <= b``."""
    if _is_number(a) and _is_number(b):
        return bool(a <= b)
    pair = _ordered(a, b)
    return pair is not None and pair[0] <= pair[1]


def loose_gt(a: Any, b: Any) -> bool:
    """JavaScript's ``a > b``."""
    return loose_lt(b, a)


def loose_ge(a: Any, b: Any) -> bool:
    """JavaScript's ``a >= b``."""
    return loose_le(b, a)
