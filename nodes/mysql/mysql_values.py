"""Values read from MySQL or MariaDB, as Node-RED's node-red-node-mysql (mysql2, with
``decimalNumbers``) hands them to a flow, in the JSON a message carries:

- DECIMAL -> a number (int when whole, else float), as mysql2's ``decimalNumbers: true``;
- DATETIME, TIMESTAMP and DATE -> the instant as ISO 8601 text in UTC with milliseconds
  (``2024-05-01T10:30:00.000Z``), the text a JavaScript Date shows; the server's wall-clock
  value is read in the connection's ``timezone``, as mysql2's ``timezone``; a zero date
  (``0000-00-00``) is null, as mysql2's Invalid Date is in JSON;
- TIME -> the server's text (``10:30:00``, ``-838:59:59``), as mysql2 gives it;
- JSON (MySQL's type; MariaDB's JSON is LONGTEXT, so text) -> the parsed value;
- BLOB, BINARY, BIT -> bytes (Node-RED: a Buffer); integers, floats, text -> themselves.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta, timezone, tzinfo
from decimal import Decimal
from typing import Any

_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_STAMP = re.compile(r"^(\d{4})-(\d{2})-(\d{2})(?:[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,6}))?)?$")

DATETIME, TIMESTAMP, DATE, TIME, DECIMAL, NEWDECIMAL, JSON = 12, 7, 10, 11, 0, 246, 245
"""MySQL's field type numbers for the values converted here (pymysql.constants.FIELD_TYPE)."""


def parse_timezone(text: str) -> tzinfo | None:
    """A connection's ``timezone``: None for ``local``, UTC for ``Z``, else a fixed offset."""
    value = text.strip()
    if value.lower() == "local":
        return None
    if value.upper() in ("Z", "UTC"):
        return UTC
    found = _OFFSET.match(value)
    if found is None or int(found.group(2)) > 23 or int(found.group(3)) > 59:
        raise ValueError(
            f"{text!r} is not a time zone here: write `local`, `Z` or an offset like `+02:00`"
        )
    sign = -1 if found.group(1) == "-" else 1
    return timezone(sign * timedelta(hours=int(found.group(2)), minutes=int(found.group(3))))


def js_instant(moment: datetime) -> str:
    """An aware datetime as JavaScript's ``Date.toISOString()`` writes it."""
    utc = moment.astimezone(UTC)
    return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"


def read_stamp(text: str | bytes, zone: tzinfo | None) -> str | None:
    """DATETIME, TIMESTAMP or DATE text from the server, as the instant it is in ``zone``
    (None: this process's local zone); None for a zero or invalid date."""
    if isinstance(text, bytes):
        text = text.decode("ascii", "replace")
    found = _STAMP.match(text)
    if found is None:
        return None
    year, month, day, hour, minute, second, fraction = found.groups()
    try:
        wall = datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0),
            int(second or 0), int((fraction or "0").ljust(6, "0")),
        )
    except ValueError:  # 0000-00-00, or a date with a zero month or day
        return None
    moment = wall.astimezone() if zone is None else wall.replace(tzinfo=zone)
    return js_instant(moment)


def read_number(text: str | bytes) -> int | float:
    """A DECIMAL's text as a number: int when whole, else float (mysql2's decimalNumbers)."""
    value = Decimal(text.decode() if isinstance(text, bytes) else text)
    if value == value.to_integral_value():
        return int(value)
    return float(value)


def _text(value: str | bytes) -> str:
    return value.decode() if isinstance(value, bytes) else value


def decoders(zone: tzinfo | None) -> dict[Any, Callable[[Any], Any]]:
    """PyMySQL's converters with the values above read as Node-RED reads them."""
    from pymysql.converters import conversions

    def stamp(text: str | bytes) -> str | None:
        return read_stamp(text, zone)

    found: dict[Any, Callable[[Any], Any]] = dict(conversions)
    found.update({
        DATETIME: stamp, TIMESTAMP: stamp, DATE: stamp, TIME: _text,
        DECIMAL: read_number, NEWDECIMAL: read_number, JSON: lambda t: json.loads(t),
    })
    return found


def message_value(value: Any) -> Any:
    """A value PyMySQL made that the decoders did not (an invalid date left as text; a Python
    date or datetime from a driver default) in the form messages carry."""
    if isinstance(value, datetime):
        return js_instant(value if value.tzinfo else value.astimezone())
    if isinstance(value, date):
        return js_instant(datetime(value.year, value.month, value.day).astimezone())
    if isinstance(value, Decimal):
        return read_number(str(value))
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, set):
        return ",".join(sorted(value))
    return value
