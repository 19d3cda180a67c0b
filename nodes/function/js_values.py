"""Values crossing between Python and a function node's JavaScript, as JSON text.

A message goes into QuickJS as one JSON string (parsed there by ``JSON.parse``) and comes back
as one (made there by ``JSON.stringify``): measured on this machine, that is faster than
building JavaScript objects field by field through the binding, and it copies the message,
which Node-RED's semantics need anyway (what a function sends must not change afterwards).

What JSON cannot carry is carried the way Node-RED serialises it:

- ``bytes`` and ``bytearray`` become ``{"type": "Buffer", "data": [...]}``, which the
  JavaScript side turns into a ``Buffer``; a Buffer coming back (``toJSON`` gives that same
  shape) becomes ``bytes``;
- datetimes, dates and times become ISO 8601 strings, decimals numbers, UUIDs and other
  objects their ``str()``; tuples and sets lists; keys that are not strings, strings;
- NaN and infinities become the strings ``"\u0000flowrt:NaN"`` (``Infinity``, ``-Infinity``),
  which the JavaScript side turns back into numbers; on the way out they come as the bare
  tokens ``NaN``, ``Infinity`` and ``-Infinity``, which Python's json reads as floats. A message
  keeps them between nodes, as in Node-RED (sinks write them as ``JSON.stringify`` does: null).

orjson encodes and decodes the common case (about 0.2 and 0.6 us for a small message, against
1.5 and 1.9 with the standard library; bench_function.py); whatever it would write or read
otherwise than the standard library does goes through the standard library, as before: text
with NaN or the infinities (orjson writes ``null`` for them and reads no such tokens), integers
past 64 bits or of 19 digits or more (orjson reads them as floats; V8 prints such a number as
its digits), keys that are not strings, strings with lone surrogates, subclasses of str, int,
dict and list, datetimes and dataclasses. An enum member that is no int or str crosses as
its value.
"""

from __future__ import annotations

import datetime
import json
import math
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import orjson

_BUFFER_MARK = '"type":"Buffer"'
_NONFINITE = "\u0000flowrt:"


def _default(value: Any) -> Any:
    if isinstance(value, bytes | bytearray | memoryview):
        return {"type": "Buffer", "data": list(bytes(value))}
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, set | frozenset):
        return list(value)
    return str(value)


def _plain_encoder() -> Callable[[Any], str]:
    """JSON of plain values without ``default`` or NaN: CPython's C encoder made once, which
    saves a third of ``json.dumps``'s time on a small message (it makes one per call)."""
    make = getattr(json.encoder, "c_make_encoder", None)
    if make is None:
        return json.JSONEncoder(allow_nan=False, separators=(",", ":")).encode
    chunks = make(None, None, json.encoder.encode_basestring_ascii, None, ":", ",",
                  False, False, False)
    return lambda value: "".join(chunks(value, 0))


_plain_encode = _plain_encoder()
_any_encode = json.JSONEncoder(allow_nan=False, separators=(",", ":"), default=_default).encode


_ORJSON_PLAIN = (orjson.OPT_PASSTHROUGH_DATETIME | orjson.OPT_PASSTHROUGH_DATACLASS
                 | orjson.OPT_PASSTHROUGH_SUBCLASS)
_orjson_dumps = orjson.dumps
_orjson_loads = orjson.loads


def to_json(value: Any) -> str:
    """``value`` as JSON text for the JavaScript side (see the module docs)."""
    try:
        data = _orjson_dumps(value, option=_ORJSON_PLAIN)
    except TypeError:  # a type orjson would write otherwise, or not at all
        pass
    else:
        if b"null" not in data:  # null may have been NaN or an infinity
            return data.decode()
    try:
        return _plain_encode(value)
    except (TypeError, ValueError):
        pass
    try:
        return _any_encode(value)
    except (TypeError, ValueError):
        return _any_encode(_finite(value))


def _finite(value: Any) -> Any:
    """``value`` with non-finite floats marked (see the module docs) and every mapping key a
    string."""
    if isinstance(value, float):
        if math.isfinite(value):
            return value
        return _NONFINITE + ("NaN" if value != value else "Infinity" if value > 0 else "-Infinity")
    if isinstance(value, dict):
        return {k if isinstance(k, str) else str(k): _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value


def _buffer(obj: dict[str, Any]) -> Any:
    if len(obj) == 2 and obj.get("type") == "Buffer" and isinstance(obj.get("data"), list):
        try:
            return bytes(obj["data"])
        except (TypeError, ValueError):
            return obj
    return obj


_raw_decode = json.JSONDecoder().raw_decode
_DIGITS_AS_ZERO = bytes(ord("0") if chr(c).isdigit() else c for c in range(256))
_LONG_NUMBER = b"0" * 19
"""A run of 19 digits: possibly an integer orjson would read as a float (past 64 bits), not
an int (a number that is not an integer has at most 17 digits in a row, bar leading zeros).
Found in the text with every digit made a 0: a third of the time a regular expression takes."""


def from_json(text: str) -> Any:
    """JSON text from the JavaScript side as Python values (Buffers as ``bytes``): with
    orjson; text it would read otherwise than the standard library (see the module docs)
    with the decoder's scanner called directly (``json.loads`` scans for whitespace around the
    text first, in Python), or with ``json.loads`` for Buffers."""
    if _BUFFER_MARK in text:
        return json.loads(text, object_hook=_buffer)
    data = text.encode("utf-8", "surrogatepass")
    if _LONG_NUMBER not in data.translate(_DIGITS_AS_ZERO):
        try:
            return _orjson_loads(data)
        except orjson.JSONDecodeError:  # NaN or an infinity, a lone surrogate
            pass
    try:
        value, end = _raw_decode(text)
    except ValueError:
        return json.loads(text)
    return value if end == len(text) else json.loads(text)
