"""The transform conversions of node-red-contrib-prib-functions that change bytes or read a
date: ``BufferToCompressed``, ``CompressedToBuffer`` and ``StringToDate``.

Compression is the contrib's ``compressiontool`` over Node's zlib: every ``gzip`` and ``zip``
choice writes a gzip stream (``zip`` too), at zlib's default level, its fastest (1) or its
best (9); ``flate`` writes a zlib (deflate) stream. The bytes are Node's to the byte at the
default and best levels (both are zlib with the same settings: header time 0, operating
system 3); at the fastest, Node's zlib (Chromium's) picks other matches for some data, so
the stream may differ while it decompresses to the same bytes. Decompression reads what it
can of a cut stream, as Node's ``finishFlush: Z_FULL_FLUSH`` does.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import re
import zlib
from typing import Any

ACTIONS = ("BufferToCompressed", "CompressedToBuffer", "StringToDate")
"""The conversions this module runs."""

COMPRESSIONS: dict[str, tuple[int, int]] = {
    "gzip": (zlib.Z_DEFAULT_COMPRESSION, 31), "gzip_speed": (zlib.Z_BEST_SPEED, 31),
    "gzip_best": (zlib.Z_BEST_COMPRESSION, 31), "deflate": (zlib.Z_DEFAULT_COMPRESSION, 15),
}
"""A compression's zlib level and window bits (31: a gzip stream, 15: a zlib stream)."""


class BinaryError(Exception):
    """The data could not be compressed, decompressed or read; the message says why."""


def _bytes(data: Any) -> bytes:
    if isinstance(data, bytes):
        return data
    if isinstance(data, str):
        return data.encode()
    raise BinaryError('The "chunk" argument must be of type string or an instance of Buffer, '
                      f"TypedArray, or DataView. Received {type(data).__name__}")


def compress(data: Any, compression: str) -> bytes:
    level, bits = COMPRESSIONS[compression]
    engine = zlib.compressobj(level, zlib.DEFLATED, bits)
    return engine.compress(_bytes(data)) + engine.flush()


def decompress(data: Any, compression: str) -> bytes:
    _, bits = COMPRESSIONS[compression]
    engine = zlib.decompressobj(bits)
    try:
        result = engine.decompress(_bytes(data))
        while bits == 31 and engine.unused_data[:2] == b"\x1f\x8b":  # gzip members follow
            rest, engine = engine.unused_data, zlib.decompressobj(bits)
            result += engine.decompress(rest)
        return result + engine.flush()
    except zlib.error as exc:
        raise BinaryError(f"not {'gzip' if bits == 31 else 'deflate'} data ({exc})") from None


_ISO = re.compile(
    r"([+-]\d{6}|\d{4})(?:-(\d\d)(?:-(\d\d))?)?"
    r"(?:[T ](\d\d):(\d\d)(?::(\d\d)(?:\.(\d{1,9}))?)?)?\s*(Z|[+-]\d\d:?\d\d)?", re.IGNORECASE)


def _iso(text: str) -> dt.datetime | None:
    match = _ISO.fullmatch(text)
    if match is None:
        return None
    year, month, day, hour, minute, second, fraction, zone = match.groups()
    if not 1 <= int(day or 1) <= 31:
        return None
    try:  # V8 takes any day up to 31 and runs over into the next month (02-30 is 03-01)
        when = dt.datetime(int(year), int(month or 1), 1, int(hour or 0), int(minute or 0),
                           int(second or 0), int((fraction or "0")[:3].ljust(3, "0")) * 1000)
        when += dt.timedelta(days=int(day or 1) - 1)
    except (ValueError, OverflowError):
        return None
    if zone is not None:
        if zone.upper() == "Z":
            return when.replace(tzinfo=dt.UTC)
        sign = -1 if zone[0] == "-" else 1
        digits = zone[1:].replace(":", "")
        offset = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
        return when.replace(tzinfo=dt.timezone(sign * offset))
    if hour is None:  # a date alone is UTC in ECMAScript
        return when.replace(tzinfo=dt.UTC)
    return when.astimezone()  # a date and time without offset is the host's local time


_MONTHS = ("jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec")
_TIME = r"(?:[ T]+(\d{1,2}):(\d\d)(?::(\d\d))?)?"
_LEGACY = (  # V8's fallback forms most texts hold, read as the host's local time
    (re.compile(r"(\d{4})[/-](\d{1,2})[/-](\d{1,2})" + _TIME), "ymd"),
    (re.compile(r"(\d{1,2})/(\d{1,2})/(\d{4})" + _TIME), "mdy"),
    (re.compile(r"(?:[a-z]+,?\s+)?([a-z]{3,})\.?\s+(\d{1,2}),?\s+(\d{4})" + _TIME,
                re.IGNORECASE), "Mdy"),
    (re.compile(r"(?:[a-z]+,?\s+)?(\d{1,2})\s+([a-z]{3,})\.?,?\s+(\d{4})" + _TIME,
                re.IGNORECASE), "dMy"),
)


def _legacy(text: str) -> dt.datetime | None:
    for pattern, order in _LEGACY:
        match = pattern.fullmatch(text)
        if match is None:
            continue
        first, second, third, hour, minute, second_ = match.groups()
        if order in ("Mdy", "dMy"):
            name, number = (first, second) if order == "Mdy" else (second, first)
            if name[:3].lower() not in _MONTHS:
                return None
            year, month, day = int(third), _MONTHS.index(name[:3].lower()) + 1, int(number)
        elif order == "mdy":
            year, month, day = int(third), int(first), int(second)
        else:
            year, month, day = int(first), int(second), int(third)
        if not 1 <= day <= 31:
            return None
        try:  # as in ISO forms, a day past the month's end runs over into the next
            when = dt.datetime(year, month, 1, int(hour or 0), int(minute or 0),
                               int(second_ or 0)) + dt.timedelta(days=day - 1)
        except (ValueError, OverflowError):
            return None
        return when.astimezone()
    return None


def string_to_date(data: Any) -> str | None:
    """JavaScript's ``new Date(text)`` as it leaves a message (``JSON.stringify``): the ISO 8601
    text in UTC with milliseconds, or None (``null``) for an invalid date. Read: ECMAScript's
    date time forms (a space may stand for ``T``), RFC 2822 (``Tue, 05 Mar 2024 10:20:30
    GMT``), and in local time ``2024/3/5``, ``3/5/2024``, ``March 5, 2024`` and ``5 Mar
    2024`` with an optional ``10:20(:30)``; V8's other guesses are not."""
    if not isinstance(data, str):
        raise BinaryError(f"expected text, got {type(data).__name__}")
    text = data.strip()
    when = _iso(text) or _legacy(text)
    if when is None:
        try:
            when = email.utils.parsedate_to_datetime(text)
        except (TypeError, ValueError, IndexError):
            return None
        if when.tzinfo is None:
            when = when.astimezone()
    when = when.astimezone(dt.UTC)
    if not -271821 <= when.year <= 275760:
        return None
    return (f"{when.year:04d}-{when.month:02d}-{when.day:02d}T{when.hour:02d}:{when.minute:02d}:"
            f"{when.second:02d}.{when.microsecond // 1000:03d}Z")
