"""moment.js's arithmetic and relative wording over aware datetimes: ``add``/``subtract``,
``fromNow``, ``calendar`` and a duration's ``humanize``, in English."""

from __future__ import annotations

import calendar
import datetime as dt
import math
from typing import Literal

from .moment_format import Locale, format_moment

Unit = Literal["years", "y", "quarters", "Q", "months", "M", "weeks", "w", "days", "d",
               "hours", "h", "minutes", "m", "seconds", "s", "milliseconds", "ms"]
"""The units node-red-contrib-moment accepts for its adjustment."""

_MONTHS = {"years": 12, "y": 12, "quarters": 3, "Q": 3, "months": 1, "M": 1}
_DAYS = {"weeks": 7, "w": 7, "days": 1, "d": 1}
_MS = {"hours": 3_600_000, "h": 3_600_000, "minutes": 60_000, "m": 60_000, "seconds": 1000,
       "s": 1000, "milliseconds": 1, "ms": 1}


def _round(number: float) -> int:
    """moment's absRound: half away from zero."""
    return -math.floor(-number + 0.5) if number < 0 else math.floor(number + 0.5)


def _wall(naive: dt.datetime, zone: dt.tzinfo | None) -> dt.datetime:
    return naive.replace(tzinfo=zone)


def shift(when: dt.datetime, amount: float, unit: str) -> dt.datetime:
    """``when`` moved by ``amount`` ``unit``s, as moment's ``add``: months, quarters and years
    move the calendar month (clamping the day to the month's last), weeks and days the
    calendar date (keeping the wall-clock time across a daylight-saving change), rounded to
    whole units; hours and smaller move the instant."""
    zone = when.tzinfo
    naive = when.replace(tzinfo=None)
    if unit in _MONTHS:
        months = _round(amount * _MONTHS[unit])
        index = naive.year * 12 + naive.month - 1 + months
        year, month = divmod(index, 12)
        day = min(naive.day, calendar.monthrange(year, month + 1)[1])
        return _wall(naive.replace(year=year, month=month + 1, day=day), zone)
    if unit in _DAYS:
        return _wall(naive + dt.timedelta(days=_round(amount * _DAYS[unit])), zone)
    moved = when.astimezone(dt.UTC) + dt.timedelta(milliseconds=amount * _MS[unit])
    return moved.astimezone(zone)


_WORDS = {"s": "a few seconds", "ss": "{} seconds", "m": "a minute", "mm": "{} minutes",
          "h": "an hour", "hh": "{} hours", "d": "a day", "dd": "{} days", "M": "a month",
          "MM": "{} months", "y": "a year", "yy": "{} years"}


def humanize(milliseconds: float, suffix: bool = False) -> str:
    """A duration in words, as moment's ``duration.humanize``: rounded to the largest unit
    under moment's thresholds (45 seconds, 45 minutes, 22 hours, 26 days, 11 months); with
    ``suffix``, ``in ...`` for a positive duration and ``... ago`` otherwise."""
    ms = abs(milliseconds)
    days = ms / 86_400_000
    months = days * 4800 / 146_097

    def r(x: float) -> int:
        return math.floor(x + 0.5)

    seconds, minutes, hours = r(ms / 1000), r(ms / 60_000), r(ms / 3_600_000)
    if seconds <= 44:
        key, n = "s", seconds
    elif minutes <= 1:
        key, n = "m", 1
    elif minutes < 45:
        key, n = "mm", minutes
    elif hours <= 1:
        key, n = "h", 1
    elif hours < 22:
        key, n = "hh", hours
    elif r(days) <= 1:
        key, n = "d", 1
    elif r(days) < 26:
        key, n = "dd", r(days)
    elif r(months) <= 1:
        key, n = "M", 1
    elif r(months) < 11:
        key, n = "MM", r(months)
    elif r(months / 12) <= 1:
        key, n = "y", 1
    else:
        key, n = "yy", r(months / 12)
    text = _WORDS[key].format(n)
    if not suffix:
        return text
    return f"in {text}" if milliseconds > 0 else f"{text} ago"


def from_now(when: dt.datetime, now: dt.datetime) -> str:
    """moment's ``fromNow``: ``in 2 hours``, ``a few seconds ago``."""
    return humanize((when - now) / dt.timedelta(milliseconds=1), suffix=True)


_CALENDAR = {"sameDay": "[Today at] LT", "nextDay": "[Tomorrow at] LT",
             "nextWeek": "dddd [at] LT", "lastDay": "[Yesterday at] LT",
             "lastWeek": "[Last] dddd [at] LT", "sameElse": "YYYY-MM-DD"}


def calendar_text(when: dt.datetime, now: dt.datetime, locale: Locale) -> str:
    """moment's ``calendar`` with ``sameElse: YYYY-MM-DD`` (as node-red-contrib-moment calls
    it): ``Today at 2:30 PM``, ``Last Monday at 9:00 AM``, else the date."""
    here = now.astimezone(when.tzinfo)
    midnight = here.replace(hour=0, minute=0, second=0, microsecond=0, tzinfo=None)
    diff = (when.replace(tzinfo=None) - midnight) / dt.timedelta(days=1)
    key = ("sameElse" if diff < -6 else "lastWeek" if diff < -1 else "lastDay" if diff < 0
           else "sameDay" if diff < 1 else "nextDay" if diff < 2 else "nextWeek" if diff < 7
           else "sameElse")
    return format_moment(when, _CALENDAR[key], locale)
