"""Reading node-red-contrib-moment's input: a date and time as text, in the forms whose format
moment-parseformat recognises and moment then parses strictly, or epoch milliseconds.

Recognised text (the format string it is read with, as moment-parseformat names it, is given
back too: the node reports it in ``msg.settings.input_format``):

- ISO 8601: ``2024-03-05``, ``2024-03-05T10:20``, ``...:30``, ``...:30.123`` (more digits
  are cut to three), with ``Z``, ``+01:00`` or ``+0100``; a space may stand for the ``T``;
- day, month and year with ``/`` or ``.``: ``05/03/2024``, ``5.3.2024``, optionally followed
  by `` 10:20`` or `` 10:20:30``. With ``/`` the order is day-month-year, or month-day-year
  when ``us_order`` (the locale ``en_US`` or an ``America/`` input time zone), as the node
  asks moment-parseformat; with ``.`` always day-month-year;
- ``2024/03/05``; a time alone (``10:20``, ``10:20:30``: today);
- ``March 5, 2024`` and ``5 March 2024`` (or ``Mar``);
- 13 digits: epoch milliseconds.

Text without an offset is a wall-clock time in the input time zone.
"""

from __future__ import annotations

import calendar
import datetime as dt
import os
import re
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from .moment_format import MONTHS

_ISO = re.compile(r"(\d{4})-(\d{2})-(\d{2})(?:([T ])(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?"
                  r"(Z|[+-]\d{2}:\d{2}|[+-]\d{4})?)?")
_DMY = re.compile(r"(\d{1,2})([/.])(\d{1,2})\2(\d{4})(?: (\d{1,2}):(\d{2})(?::(\d{2}))?)?")
_YMD = re.compile(r"(\d{4})/(\d{2})/(\d{2})")
_TIME = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_NAMED = "|".join(MONTHS) + "|" + "|".join(m[:3] for m in MONTHS)
_MDY_NAMED = re.compile(rf"({_NAMED}) (\d{{1,2}}), (\d{{4}})")
_DMY_NAMED = re.compile(rf"(\d{{1,2}}) ({_NAMED}) (\d{{4}})")
_MS = re.compile(r"\d{13}")


def host_zone() -> str:
    """The machine's time zone name (``TZ``, else /etc/localtime's link), else ``UTC``."""
    name = os.environ.get("TZ", "").lstrip(":")
    if not name:
        try:
            target = str(Path("/etc/localtime").resolve())
            name = target.split("zoneinfo/", 1)[1] if "zoneinfo/" in target else ""
        except OSError:
            name = ""
    return name if name and zone(name) else "UTC"


def zone(name: str) -> ZoneInfo | None:
    """The IANA zone of that name, or None when there is none."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None


def trim_fraction(text: str) -> str:
    """node-red-contrib-moment cuts an ISO time's fraction of 4 digits or more to three."""
    if re.match(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}.\d{4,}", text):
        return re.sub(r"^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3})\d*(.*)", r"\1\2", text)
    return text


def _pad(text: str, token: str) -> str:
    return token * 2 if len(text) == 2 else token


def _month(name: str) -> int:
    return next(i for i, m in enumerate(MONTHS, 1) if name in (m, m[:3]))


def _time_format(hour: str | None, second: str | None, lead: str) -> str:
    if hour is None:
        return ""
    return f"{lead}{_hour(hour)}:mm" + (":ss" if second is not None else "")


def _hour(text: str, fraction: bool = False) -> str:
    """moment-parseformat writes ``HH`` for an hour with a leading zero (or a time with a
    fraction of a second), else ``H``."""
    return "HH" if fraction or text.startswith("0") else "H"


def _guess(text: str, us_order: bool, today: dt.date) -> tuple[str, list[int], str | None] | None:
    """(format, [year, month, day, hour, minute, second, ms], offset text) for the text."""
    if found := _ISO.fullmatch(text):
        y, mo, d, sep, h, mi, s, frac, off = found.groups()
        fmt = "YYYY-MM-DD"
        if h is not None:
            fmt += sep + _hour(h, bool(frac)) + ":mm" + (":ss" if s else "")
            fmt += ("." + "S" * len(frac)) if frac else ""
            fmt += "" if off is None else "Z" if off == "Z" or off[-3] == ":" else "ZZ"
        ms = int((frac or "0").ljust(3, "0"))
        return fmt, [int(y), int(mo), int(d), int(h or 0), int(mi or 0), int(s or 0), ms], off
    if found := _DMY.fullmatch(text):
        a, sep, b, y, h, mi, s = found.groups()
        month_first = sep == "/" and us_order
        day, month = (b, a) if month_first else (a, b)
        parts = [_pad(month, "M"), _pad(day, "D")] if month_first else [
            _pad(day, "D"), _pad(month, "M")]
        fmt = sep.join([*parts, "YYYY"]) + _time_format(h, s, " ")
        return fmt, [int(y), int(month), int(day), int(h or 0), int(mi or 0), int(s or 0), 0], None
    if found := _YMD.fullmatch(text):
        y, mo, d = found.groups()
        return "YYYY/MM/DD", [int(y), int(mo), int(d), 0, 0, 0, 0], None
    if found := _TIME.fullmatch(text):
        h, mi, s = found.groups()
        return (_time_format(h, s, ""),
                [today.year, today.month, today.day, int(h), int(mi), int(s or 0), 0], None)
    if found := _MDY_NAMED.fullmatch(text):
        name, d, y = found.groups()
        fmt = f"{'MMMM' if len(name) > 3 or name == 'May' else 'MMM'} {_pad(d, 'D')}, YYYY"
        return fmt, [int(y), _month(name), int(d), 0, 0, 0, 0], None
    if found := _DMY_NAMED.fullmatch(text):
        d, name, y = found.groups()
        fmt = f"{_pad(d, 'D')} {'MMMM' if len(name) > 3 or name == 'May' else 'MMM'} YYYY"
        return fmt, [int(y), _month(name), int(d), 0, 0, 0, 0], None
    if _MS.fullmatch(text):
        return "x", [int(text)], None
    return None


def _offset(text: str) -> dt.timezone:
    if text == "Z":
        return dt.UTC
    sign = -1 if text[0] == "-" else 1
    digits = text[1:].replace(":", "")
    return dt.timezone(sign * dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:])))


def parse_text(text: str, where: ZoneInfo, us_order: bool,
               now: dt.datetime) -> tuple[dt.datetime | None, str]:
    """(the time, in ``where``, or None when the text is no valid date; its format, or ``""``
    when none was recognised)."""
    guessed = _guess(text, us_order, now.astimezone(where).date())
    if guessed is None:
        return None, ""
    fmt, fields, offset = guessed
    if fmt == "x":
        return dt.datetime.fromtimestamp(fields[0] / 1000, dt.UTC).astimezone(where), fmt
    year, month, day, hour, minute, second, ms = fields
    if not (1 <= month <= 12 and 1 <= day <= calendar.monthrange(year, month)[1]
            and hour < 24 and minute < 60 and second < 60):
        return None, fmt
    wall = dt.datetime(year, month, day, hour, minute, second, ms * 1000)
    if offset is None:
        return wall.replace(tzinfo=where), fmt
    return wall.replace(tzinfo=_offset(offset)).astimezone(where), fmt
