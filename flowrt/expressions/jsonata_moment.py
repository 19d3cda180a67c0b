"""``$moment`` in JSONata expressions: the part of moment.js that Node-RED flows use.

Node-RED binds ``$moment`` (moment-timezone) in every JSONata expression; flows call it as
``$moment().format("YYYY-MM-DD HH:mm")``, ``$moment(payload).tz("Europe/Berlin").format()``,
``$moment().add(1, "hours").valueOf()`` or ``$moment().diff($moment(since), "minutes")``.
This module gives a moment with those methods, in English only:

- ``$moment()`` is now, on the engine's clock (so flow tests run it on simulated time), in the
  process's local time zone; ``$moment(ms)`` an epoch time in milliseconds; ``$moment(text)``
  an ISO 8601 time (local if it names no offset); ``$moment(text, format)`` a time in that
  format; ``$moment(other)`` a copy. What does not parse is an invalid moment
  (``isValid()`` false, ``format()`` "Invalid date").
- methods: ``format(fmt?)``, ``tz(zone)``, ``utc()``, ``local()``, ``add(n, unit)``,
  ``subtract(n, unit)``, ``startOf(unit)``, ``endOf(unit)``, ``diff(other, unit?, float?)``,
  ``isBefore``, ``isAfter``, ``isSame``, ``isValid``, ``valueOf``, ``unix``,
  ``toISOString``, ``toJSON``, ``utcOffset``, and the getters ``year``, ``month`` (0-11),
  ``date``, ``day`` (0 is Sunday), ``hour``, ``minute``, ``second``, ``millisecond``.
- format tokens: YYYY YY Q M MM MMM MMMM Mo D DD Do DDD DDDD d dd ddd dddd E H HH h hh k kk
  m mm s ss S SS SSS A a Z ZZ X x, and ``[literal text]``.

A moment left in an expression's result becomes its ISO 8601 text (moment's ``toJSON``):
:func:`plain_result` does that along with JSONata's own null conversion.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

_TOKENS = re.compile(
    r"\[[^\]]*\]|YYYY|YY|Q|MMMM|MMM|MM|Mo|M|DDDD|DDD|Do|DD|D|dddd|ddd|dd|d|E|HH|H|hh|h|kk|k"
    r"|mm|m|ss|s|SSS|SS|S|A|a|ZZ|Z|X|x|.",
    re.S,
)
_UNITS = {
    "y": "years", "year": "years", "years": "years", "M": "months", "month": "months",
    "months": "months", "Q": "quarters", "quarter": "quarters", "quarters": "quarters",
    "w": "weeks", "week": "weeks", "weeks": "weeks", "d": "days", "day": "days", "days": "days",
    "h": "hours", "hour": "hours", "hours": "hours", "m": "minutes", "minute": "minutes",
    "minutes": "minutes", "s": "seconds", "second": "seconds", "seconds": "seconds",
    "ms": "milliseconds", "millisecond": "milliseconds", "milliseconds": "milliseconds",
}
_MS = {"weeks": 604_800_000, "days": 86_400_000, "hours": 3_600_000, "minutes": 60_000,
       "seconds": 1000, "milliseconds": 1}
_PARSE = {
    "YYYY": r"(?P<year>\d{4})", "YY": r"(?P<yy>\d{2})", "MM": r"(?P<month>\d{1,2})",
    "M": r"(?P<month>\d{1,2})", "DD": r"(?P<day>\d{1,2})", "D": r"(?P<day>\d{1,2})",
    "HH": r"(?P<hour>\d{1,2})", "H": r"(?P<hour>\d{1,2})", "hh": r"(?P<hour12>\d{1,2})",
    "h": r"(?P<hour12>\d{1,2})", "mm": r"(?P<minute>\d{1,2})", "m": r"(?P<minute>\d{1,2})",
    "ss": r"(?P<second>\d{1,2})", "s": r"(?P<second>\d{1,2})", "SSS": r"(?P<ms>\d{1,3})",
    "A": r"(?P<ampm>[AaPp][Mm])", "a": r"(?P<ampm>[AaPp][Mm])",
    "Z": r"(?P<offset>Z|[+-]\d\d:?\d\d)", "ZZ": r"(?P<offset>Z|[+-]\d\d:?\d\d)",
    "X": r"(?P<unix>-?\d+(?:\.\d+)?)", "x": r"(?P<epoch_ms>-?\d+)",
}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _offset(t: dt.datetime, colon: bool) -> str:
    minutes = int((t.utcoffset() or dt.timedelta()).total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    h, m = divmod(abs(minutes), 60)
    return f"{sign}{h:02d}:{m:02d}" if colon else f"{sign}{h:02d}{m:02d}"


def _field(token: str, t: dt.datetime) -> str:
    weekday = t.isoweekday() % 7
    hour12 = t.hour % 12 or 12
    values: dict[str, Callable[[], object]] = {
        "YYYY": lambda: f"{t.year:04d}", "YY": lambda: f"{t.year % 100:02d}",
        "Q": lambda: (t.month - 1) // 3 + 1, "MMMM": lambda: calendar.month_name[t.month],
        "MMM": lambda: calendar.month_abbr[t.month], "MM": lambda: f"{t.month:02d}",
        "Mo": lambda: _ordinal(t.month), "M": lambda: t.month,
        "DDDD": lambda: f"{t.timetuple().tm_yday:03d}", "DDD": lambda: t.timetuple().tm_yday,
        "Do": lambda: _ordinal(t.day), "DD": lambda: f"{t.day:02d}", "D": lambda: t.day,
        "dddd": lambda: calendar.day_name[t.weekday()],
        "ddd": lambda: calendar.day_abbr[t.weekday()],
        "dd": lambda: calendar.day_abbr[t.weekday()][:2], "d": lambda: weekday,
        "E": lambda: t.isoweekday(), "HH": lambda: f"{t.hour:02d}", "H": lambda: t.hour,
        "hh": lambda: f"{hour12:02d}", "h": lambda: hour12,
        "kk": lambda: f"{t.hour or 24:02d}", "k": lambda: t.hour or 24,
        "mm": lambda: f"{t.minute:02d}", "m": lambda: t.minute,
        "ss": lambda: f"{t.second:02d}", "s": lambda: t.second,
        "SSS": lambda: f"{t.microsecond // 1000:03d}",
        "SS": lambda: f"{t.microsecond // 10000:02d}", "S": lambda: t.microsecond // 100000,
        "A": lambda: "AM" if t.hour < 12 else "PM", "a": lambda: "am" if t.hour < 12 else "pm",
        "Z": lambda: _offset(t, True), "ZZ": lambda: _offset(t, False),
        "X": lambda: int(t.timestamp()), "x": lambda: int(t.timestamp() * 1000),
    }
    if token.startswith("["):
        return token[1:-1]
    get = values.get(token)
    return token if get is None else str(get())


def _parse_with(text: str, fmt: str, zone: dt.tzinfo) -> dt.datetime | None:
    pattern, seen = "", set()
    for token in _TOKENS.findall(fmt):
        part = _PARSE.get(token)
        if part is None or part in seen:
            pattern += re.escape(token[1:-1] if token.startswith("[") else token)
        else:
            pattern += part
            seen.add(part)
    match = re.match(pattern, text.strip())
    if match is None:
        return None
    g = {k: v for k, v in match.groupdict().items() if v is not None}
    if "unix" in g:
        return dt.datetime.fromtimestamp(float(g["unix"]), dt.UTC).astimezone(zone)
    if "epoch_ms" in g:
        return dt.datetime.fromtimestamp(int(g["epoch_ms"]) / 1000, dt.UTC).astimezone(zone)
    year = int(g["year"]) if "year" in g else 2000 + int(g.get("yy", dt.datetime.now().year % 100))
    hour = int(g.get("hour", 0))
    if "hour12" in g:
        hour = int(g["hour12"]) % 12 + (12 if g.get("ampm", "am").lower() == "pm" else 0)
    tz: dt.tzinfo = zone
    if "offset" in g:
        tz = dt.UTC if g["offset"] == "Z" else dt.datetime.strptime(
            g["offset"].replace(":", ""), "%z").tzinfo or zone
    try:
        return dt.datetime(year, int(g.get("month", 1)), int(g.get("day", 1)), hour,
                           int(g.get("minute", 0)), int(g.get("second", 0)),
                           int(g.get("ms", "0").ljust(3, "0")) * 1000, tzinfo=tz)
    except ValueError:
        return None


class Moment(dict):  # type: ignore[type-arg]
    """A moment as JSONata sees it: an object whose properties are its methods (JSONata calls
    them with the moment as their object). It holds no items, so it is never mistaken for
    data; :func:`plain_result` turns one left in a result into its ISO text."""

    def __init__(self, when: dt.datetime | None) -> None:
        super().__init__()
        self.when = when

    def get(self, key: str, default: Any = None) -> Any:
        method = getattr(self, f"m_{key}", None)
        if method is None:
            return default
        import jsonata  # type: ignore[import-untyped]

        return jsonata.Jsonata.JLambda(method)

    def _again(self, when: dt.datetime | None) -> Moment:
        return Moment(when)

    # formatting ---------------------------------------------------------------------------

    def m_format(self, fmt: str | None = None) -> str:
        if self.when is None:
            return "Invalid date"
        return "".join(_field(t, self.when) for t in _TOKENS.findall(fmt or "YYYY-MM-DDTHH:mm:ssZ"))

    def m_toISOString(self) -> str | None:
        if self.when is None:
            return None
        utc = self.when.astimezone(dt.UTC)
        return utc.strftime("%Y-%m-%dT%H:%M:%S.") + f"{utc.microsecond // 1000:03d}Z"

    m_toJSON = m_toISOString

    def m_valueOf(self) -> float | None:
        return None if self.when is None else int(self.when.timestamp() * 1000)

    def m_unix(self) -> int | None:
        return None if self.when is None else int(self.when.timestamp())

    def m_isValid(self) -> bool:
        return self.when is not None

    def m_utcOffset(self) -> int:
        offset = self.when.utcoffset() if self.when is not None else None
        return int((offset or dt.timedelta()).total_seconds() // 60)

    # zones and arithmetic -----------------------------------------------------------------

    def m_tz(self, zone: str) -> Moment:
        try:
            tz = ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"$moment().tz: unknown time zone {zone!r}") from None
        return self._again(None if self.when is None else self.when.astimezone(tz))

    def m_utc(self) -> Moment:
        return self._again(None if self.when is None else self.when.astimezone(dt.UTC))

    def m_local(self) -> Moment:
        return self._again(None if self.when is None else self.when.astimezone())

    def m_add(self, amount: float, unit: str = "milliseconds") -> Moment:
        return self._again(_shift(self.when, amount, unit))

    def m_subtract(self, amount: float, unit: str = "milliseconds") -> Moment:
        return self._again(_shift(self.when, -amount, unit))

    def m_startOf(self, unit: str) -> Moment:
        return self._again(_start_of(self.when, unit))

    def m_endOf(self, unit: str) -> Moment:
        start = _start_of(self.when, unit)
        after = _shift(start, 1, unit)
        return self._again(None if after is None else after - dt.timedelta(milliseconds=1))

    # comparing ----------------------------------------------------------------------------

    def m_diff(self, other: Any, unit: str = "milliseconds", exact: bool = False) -> float | None:
        there = moment_of(other, self.when.tzinfo if self.when else None).when
        if self.when is None or there is None:
            return None
        name = _UNITS.get(unit, unit)
        if name in ("years", "months", "quarters"):
            months = (self.when.year - there.year) * 12 + self.when.month - there.month
            anchor = _shift(there, months, "months")
            if anchor is not None and anchor > self.when and months > 0:
                months -= 1
            elif anchor is not None and anchor < self.when and months < 0:
                months += 1
            value: float = months / {"years": 12, "quarters": 3}.get(name, 1)
        else:
            value = (self.when - there) / dt.timedelta(milliseconds=_MS.get(name, 1))
        return value if exact else int(value)

    def m_isBefore(self, other: Any) -> bool:
        there = moment_of(other).when
        return self.when is not None and there is not None and self.when < there

    def m_isAfter(self, other: Any) -> bool:
        there = moment_of(other).when
        return self.when is not None and there is not None and self.when > there

    def m_isSame(self, other: Any) -> bool:
        there = moment_of(other).when
        return self.when is not None and there is not None and self.when == there

    # getters (moment's month() is 0-11 and day() the weekday, 0 being Sunday) -------------

    def m_year(self) -> int | None:
        return None if self.when is None else self.when.year

    def m_month(self) -> int | None:
        return None if self.when is None else self.when.month - 1

    def m_date(self) -> int | None:
        return None if self.when is None else self.when.day

    def m_day(self) -> int | None:
        return None if self.when is None else self.when.isoweekday() % 7

    def m_hour(self) -> int | None:
        return None if self.when is None else self.when.hour

    def m_minute(self) -> int | None:
        return None if self.when is None else self.when.minute

    def m_second(self) -> int | None:
        return None if self.when is None else self.when.second

    def m_millisecond(self) -> int | None:
        return None if self.when is None else self.when.microsecond // 1000

    m_hours, m_minutes, m_seconds = m_hour, m_minute, m_second


def _shift(when: dt.datetime | None, amount: float, unit: str) -> dt.datetime | None:
    if when is None:
        return None
    name = _UNITS.get(unit, unit)
    if name in ("years", "months", "quarters"):
        months = int(amount) * {"years": 12, "quarters": 3}.get(name, 1)
        total = when.year * 12 + when.month - 1 + months
        year, month = divmod(total, 12)
        day = min(when.day, calendar.monthrange(year, month + 1)[1])
        return when.replace(year=year, month=month + 1, day=day)
    if name not in _MS:
        raise ValueError(f"$moment: unknown unit {unit!r}")
    if name in ("days", "weeks"):  # calendar days: the wall-clock time stays across DST
        naive = when.replace(tzinfo=None) + dt.timedelta(milliseconds=amount * _MS[name])
        return naive.replace(tzinfo=when.tzinfo)
    moved = when.astimezone(dt.UTC) + dt.timedelta(milliseconds=amount * _MS[name])
    return moved.astimezone(when.tzinfo)  # elapsed time: across a DST change too


def _start_of(when: dt.datetime | None, unit: str) -> dt.datetime | None:
    if when is None:
        return None
    name = _UNITS.get(unit, unit)
    cut = {
        "years": {"month": 1, "day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0},
        "months": {"day": 1, "hour": 0, "minute": 0, "second": 0, "microsecond": 0},
        "days": {"hour": 0, "minute": 0, "second": 0, "microsecond": 0},
        "hours": {"minute": 0, "second": 0, "microsecond": 0},
        "minutes": {"second": 0, "microsecond": 0},
        "seconds": {"microsecond": 0},
    }
    if name == "weeks":  # moment's English weeks start on Sunday
        day = _start_of(when, "days")
        return None if day is None else day - dt.timedelta(days=day.isoweekday() % 7)
    if name not in cut:
        raise ValueError(f"$moment: unknown unit {unit!r}")
    return when.replace(**cut[name])  # type: ignore[arg-type]


def moment_of(value: Any = None, zone: dt.tzinfo | None = None, fmt: str | None = None,
              now: Callable[[], float] | None = None) -> Moment:
    """``$moment(value, format)``: see the module docs. ``now`` is the clock for no value."""
    local = zone or dt.datetime.now().astimezone().tzinfo or dt.UTC
    if isinstance(value, Moment):
        return Moment(value.when)
    if value is None:
        stamp = now() if now is not None else dt.datetime.now().timestamp()
        return Moment(dt.datetime.fromtimestamp(stamp, dt.UTC).astimezone(local))
    if isinstance(value, bool):
        return Moment(None)
    if isinstance(value, int | float):
        return Moment(dt.datetime.fromtimestamp(value / 1000, dt.UTC).astimezone(local))
    if isinstance(value, str):
        if fmt:
            return Moment(_parse_with(value, fmt, local))
        try:
            when = dt.datetime.fromisoformat(value.strip())
        except ValueError:
            return Moment(None)
        return Moment(when if when.tzinfo else when.replace(tzinfo=local))
    return Moment(None)


def moment_function(now: Callable[[], float]) -> Callable[..., Moment]:
    """The ``$moment`` of one node: no argument means now on that node's clock."""

    def moment(value: Any = None, fmt: Any = None, *_: Any) -> Moment:
        return moment_of(value, fmt=fmt if isinstance(fmt, str) else None, now=now)

    return moment


def plain_result(value: Any) -> Any:
    """A JSONata result as plain data: JSONata's null marker as None, moments as ISO text."""
    from jsonata.utils import Utils  # type: ignore[import-untyped]

    null = Utils.NULL_VALUE

    def walk(v: Any) -> Any:
        if v is null:
            return None
        if isinstance(v, Moment):
            return v.m_toISOString()
        if isinstance(v, dict):
            for key, item in v.items():
                new = walk(item)
                if new is not item:
                    v[key] = new
        elif isinstance(v, list):
            for i, item in enumerate(v):
                new = walk(item)
                if new is not item:
                    v[i] = new
        return v

    return walk(value)
