"""JavaScript's ``String(value)`` for message values: how Node-RED turns a value into text where
it needs one (a payload written to a socket, appended to a command, compared as text), declared
once for every node that does the same."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from flowrt.expressions.props import MISSING


def js_string(value: Any) -> str:
    """``String(value)``: ``true``, ``null``, ``undefined`` (a missing value), numbers as
    JavaScript writes them (``1``, ``0.00001``, ``1e+21``, ``NaN``), a list's items joined by
    commas (null and undefined items empty), bytes as UTF-8, and an object as
    ``[object Object]``."""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return js_number(value)
    if value is None:
        return "null"
    if value is MISSING:
        return "undefined"
    if isinstance(value, list | tuple):
        return ",".join("" if v is None or v is MISSING else js_string(v) for v in value)
    if isinstance(value, bytes | bytearray):
        return bytes(value).decode("utf-8", errors="replace")
    return "[object Object]"


_repr = float.__repr__


def js_number(value: float) -> str:
    """A number as JavaScript writes it: whole numbers without a point below 1e21, positional
    from 1e-6 (``0.00001``), exponents as ``1e-7`` and ``1e+21``.

    Python's ``repr`` and JavaScript's ``String`` choose the same digits (the fewest that read
    back as the value, the nearest of those on a tie) and both write them positionally from
    1e-4 to 1e16, where ``repr`` has no exponent: there a ``repr`` that is no whole number
    (``.0``), NaN or infinity (its last character is none of ``0nf``) is JavaScript's text as it
    is, the commonest case taken with no other test (about 0.1 us against 0.4). ``float``'s own
    ``repr``, so that a subclass (numpy's) is written by its value, not its name."""
    text = _repr(value)
    if text[-1] not in "0nf" and "e" not in text:
        return text
    return _written(value, text)


def _written(value: float, text: str) -> str:
    """:func:`js_number` of a value whose ``repr`` (``text``) is not JavaScript's text as is."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if text.endswith(".0"):  # a whole number below 1e16: repr's digits are all its digits
        return "0" if text == "-0.0" else text[:-2]
    if "e" in text and 1e-6 <= abs(value) < 1e21:  # JavaScript writes these positionally,
        return format(Decimal(text), "f")  # a whole one as its digits then zeros (not int())
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return text
    sign = "-" if exponent.startswith("-") else "+"
    return f"{mantissa}e{sign}{exponent.lstrip('+-').lstrip('0') or '0'}"
