"""JavaScript's text and number conversions that node-red-contrib-prib-functions' transform node
relies on: ``JSON.stringify``, ``Number()``, ``parseInt``, ``parseFloat``, ``escape()``,
``trim`` and string indexing in UTF-16 code units."""

from __future__ import annotations

import json
import math
import re
from typing import Any

from flowrt.api import MISSING, js_number, js_string

WHITESPACE = ("\t\n\v\f\r \u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008"
              "\u2009\u200a\u2028\u2029\u202f\u205f\u3000\ufeff")
"""What JavaScript's ``trim`` removes."""


def stringify(value: Any) -> str | None:
    """``JSON.stringify(value)``: compact, numbers as JavaScript writes them, NaN and the
    infinities as null; None for a missing value (``undefined``)."""
    if value is MISSING:
        return None
    if isinstance(value, bool) or value is None:
        return json.dumps(value)
    if isinstance(value, int | float):
        return js_number(float(value)) if math.isfinite(value) else "null"
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, list):
        return "[" + ",".join(stringify(v) or "null" for v in value) + "]"
    if isinstance(value, dict):
        items = [(k, stringify(v)) for k, v in value.items()]
        return "{" + ",".join(f"{json.dumps(str(k), ensure_ascii=False)}:{v}"
                              for k, v in items if v is not None) + "}"
    if isinstance(value, bytes):
        return stringify({"type": "Buffer", "data": list(value)})
    return json.dumps(str(value))


def to_number(text: Any) -> float:
    """``Number(value)``."""
    if isinstance(text, bool):
        return 1.0 if text else 0.0
    if isinstance(text, int | float):
        return float(text)
    if text is None:
        return 0.0
    if not isinstance(text, str):
        return math.nan
    body = text.strip(WHITESPACE)
    if not body:
        return 0.0
    found = re.fullmatch(r"0[xX]([0-9a-fA-F]+)|0[oO]([0-7]+)|0[bB]([01]+)", body)
    if found:
        digits = next(g for g in found.groups() if g is not None)
        return float(int(digits, 16 if found.group(1) else 8 if found.group(2) else 2))
    if re.fullmatch(r"[+-]?Infinity", body):
        return -math.inf if body.startswith("-") else math.inf
    if re.fullmatch(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", body):
        return float(body)
    return math.nan


def parse_float(text: str) -> float:
    """``parseFloat(text)``: the longest number at the start, else NaN."""
    body = text.lstrip(WHITESPACE)
    if re.match(r"[+-]?Infinity", body):
        return -math.inf if body.startswith("-") else math.inf
    found = re.match(r"[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?", body)
    return float(found.group(0)) if found else math.nan


def parse_int(text: str, radix: Any = 10) -> float:
    """``parseInt(text, radix)``."""
    body = text.strip(WHITESPACE)
    sign = -1 if body.startswith("-") else 1
    body = body[1:] if body[:1] in "+-" else body
    base = int(to_number(radix)) if not math.isnan(to_number(radix)) else 0
    if base == 0:
        base = 10
        if body[:2].lower() == "0x":
            base, body = 16, body[2:]
    elif base == 16 and body[:2].lower() == "0x":
        body = body[2:]
    if not 2 <= base <= 36:
        return math.nan
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"[:base]
    count = 0
    while count < len(body) and body[count].lower() in digits:
        count += 1
    return float(sign * int(body[:count], base)) if count else math.nan


def number_value(x: float) -> int | float:
    """A whole finite number as an int (JavaScript has one number type)."""
    return int(x) if math.isfinite(x) and x == int(x) else x


_SAFE = re.compile(r"[A-Za-z0-9@*_+\-./]")


def escape(value: Any) -> str:
    """JavaScript's global ``escape()`` of ``String(value)``."""
    out = []
    for unit in utf16(js_string(value)):
        char = chr(unit)
        if unit < 128 and _SAFE.fullmatch(char):
            out.append(char)
        elif unit < 256:
            out.append(f"%{unit:02X}")
        else:
            out.append(f"%u{unit:04X}")
    return "".join(out)


def utf16(text: str) -> list[int]:
    """The UTF-16 code units of ``text`` (JavaScript's string indices)."""
    data = text.encode("utf-16-le", "surrogatepass")
    return [int.from_bytes(data[i:i + 2], "little") for i in range(0, len(data), 2)]


def index_of(value: Any) -> int:
    """A position argument as JavaScript reads it (ToIntegerOrInfinity)."""
    number = to_number(value) if not isinstance(value, int | float) else float(value)
    if math.isnan(number):
        return 0
    return int(number) if math.isfinite(number) else (10**9 if number > 0 else -(10**9))


def char_at(text: str, index: Any) -> str:
    units, i = utf16(text), index_of(index)
    if not 0 <= i < len(units):
        return ""
    return bytes(units[i].to_bytes(2, "little")).decode("utf-16-le", "surrogatepass")


def char_code_at(text: str, index: Any) -> float:
    units, i = utf16(text), index_of(index)
    return float(units[i]) if 0 <= i < len(units) else math.nan


def code_point_at(text: str, index: Any) -> Any:
    units, i = utf16(text), index_of(index)
    if not 0 <= i < len(units):
        return MISSING
    first = units[i]
    if 0xD800 <= first <= 0xDBFF and i + 1 < len(units) and 0xDC00 <= units[i + 1] <= 0xDFFF:
        return 0x10000 + ((first - 0xD800) << 10) + (units[i + 1] - 0xDC00)
    return first


def split(text: str, separator: str) -> list[str]:
    """``text.split(separator)``: an empty separator gives each UTF-16 unit."""
    if separator == "":
        return [chr(u) for u in utf16(text)]
    return text.split(separator)
