"""moment.js's format tokens (``YYYY-MM-DD HH:mm``, ``dddd, MMMM Do``, ``[at] LT``...) over an
aware datetime, in moment's English locales.

The grammar is moment's: the localised tokens (``LT LTS L LL LLL LLLL l ll lll llll``) are
expanded first, then the text is read left to right, longest token first; text in ``[...]`` is
literal, as is a token preceded by a backslash; any other character stands for itself.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
DAYS = ("Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday")


@dataclass(frozen=True, slots=True)
class Locale:
    """What a moment.js locale changes in formatting: the long formats and the week rule."""

    name: str
    long: dict[str, str]
    dow: int
    """First day of the week (0 is Sunday)."""
    doy: int
    """7 + dow - the January day always in week 1 (moment's ``doy``)."""


_EN_US = {"LT": "h:mm A", "LTS": "h:mm:ss A", "L": "MM/DD/YYYY", "LL": "MMMM D, YYYY",
          "LLL": "MMMM D, YYYY h:mm A", "LLLL": "dddd, MMMM D, YYYY h:mm A"}
_EN_GB = {"LT": "HH:mm", "LTS": "HH:mm:ss", "L": "DD/MM/YYYY", "LL": "D MMMM YYYY",
          "LLL": "D MMMM YYYY HH:mm", "LLLL": "dddd, D MMMM YYYY HH:mm"}
LOCALES = {"en": Locale("en", _EN_US, 0, 6), "en-gb": Locale("en-gb", _EN_GB, 1, 4)}
"""The locales formatted here, by moment's name."""
ENGLISH_VARIANTS = ("au", "ca", "gb", "ie", "il", "in", "nz", "sg")
"""moment's English locales besides ``en`` (``en-au``...); of them flowrt formats ``en-gb``."""


def locale_for(name: str) -> Locale | None:
    """The locale moment formats in for a locale name (``en_US``, ``en-GB``, ``C``): moment
    falls back from ``xx-yy`` to ``xx`` and then to ``en`` (``C``, ``POSIX``, ``en_EN``).
    None for a language other than English, or an English variant flowrt does not have."""
    key = name.lower().replace("_", "-")
    if key in ("c", "posix", "en") or (
            key.startswith("en-") and key[3:] not in ENGLISH_VARIANTS):
        return LOCALES["en"]
    return LOCALES.get(key)

_LOCAL = re.compile(r"(\[[^\]]*\])|(\\)?(LTS|LT|LL?L?L?|l{1,4})")
_TOKENS = re.compile(
    r"(\[[^\[]*\])|(\\)?([Hh]mm(ss)?|Mo|MM?M?M?|Do|DDDo|DD?D?D?|ddd?d?|do?|w[o|w]?|W[o|W]?"
    r"|Qo?|N{1,5}|YYYYYY|YYYYY|YYYY|YY|y{2,4}|yo?|gg(ggg?)?|GG(GGG?)?|e|E|a|A|hh?|HH?|kk?"
    r"|mm?|ss?|S{1,9}|x|X|zz?|ZZ?|Y|.)", re.S)


def ordinal(number: int) -> str:
    """English ordinal: 1st, 2nd, 3rd, 4th, 11th, 112th."""
    last = number % 10
    if (number % 100) // 10 == 1:
        return f"{number}th"
    return f"{number}{ {1: 'st', 2: 'nd', 3: 'rd'}.get(last, 'th') }"


def _fill(number: int, width: int, sign: bool = False) -> str:
    text = str(abs(number)).zfill(width)
    return ("+" if number >= 0 else "-") + text if sign else ("-" if number < 0 else "") + text


def _first_week_offset(year: int, dow: int, doy: int) -> int:
    first = 7 + dow - doy
    weekday = (dt.date(year, 1, first).isoweekday() % 7)
    return -((7 + weekday - dow) % 7) + first - 1


def _weeks_in_year(year: int, dow: int, doy: int) -> int:
    days = 366 if calendar.isleap(year) else 365
    return (days - _first_week_offset(year, dow, doy) + _first_week_offset(year + 1, dow, doy)) // 7


def week_of_year(when: dt.datetime, dow: int, doy: int) -> tuple[int, int]:
    """(week, week-year) by moment's rule for a locale's ``dow``/``doy``."""
    year = when.year
    week = (when.timetuple().tm_yday - _first_week_offset(year, dow, doy) - 1) // 7 + 1
    if week < 1:
        return week + _weeks_in_year(year - 1, dow, doy), year - 1
    if week > _weeks_in_year(year, dow, doy):
        return week - _weeks_in_year(year, dow, doy), year + 1
    return week, year


def _offset(when: dt.datetime, colon: bool) -> str:
    delta = when.utcoffset() or dt.timedelta(0)
    minutes = int(delta.total_seconds() // 60)
    sign = "-" if minutes < 0 else "+"
    hours, mins = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{mins:02d}"


def epoch_ms(when: dt.datetime) -> int:
    """Milliseconds since 1970 (moment's ``valueOf``)."""
    return (when - dt.datetime(1970, 1, 1, tzinfo=dt.UTC)) // dt.timedelta(milliseconds=1)


Token = Callable[[dt.datetime, Locale], str]


def _hour12(d: dt.datetime) -> int:
    return d.hour % 12 or 12


def _year_token(width: int, sign: bool = False) -> Token:
    return lambda d, lc: _fill(d.year, width, sign)


def _week(d: dt.datetime, lc: Locale) -> tuple[int, int]:
    return week_of_year(d, lc.dow, lc.doy)


def _iso(d: dt.datetime) -> tuple[int, int]:
    return week_of_year(d, 1, 4)


_FORMATTERS: dict[str, Token] = {
    "M": lambda d, lc: str(d.month), "Mo": lambda d, lc: ordinal(d.month),
    "MM": lambda d, lc: f"{d.month:02d}", "MMM": lambda d, lc: MONTHS[d.month - 1][:3],
    "MMMM": lambda d, lc: MONTHS[d.month - 1],
    "Q": lambda d, lc: str((d.month + 2) // 3), "Qo": lambda d, lc: ordinal((d.month + 2) // 3),
    "D": lambda d, lc: str(d.day), "Do": lambda d, lc: ordinal(d.day),
    "DD": lambda d, lc: f"{d.day:02d}",
    "DDD": lambda d, lc: str(d.timetuple().tm_yday),
    "DDDo": lambda d, lc: ordinal(d.timetuple().tm_yday),
    "DDDD": lambda d, lc: f"{d.timetuple().tm_yday:03d}",
    "d": lambda d, lc: str(d.isoweekday() % 7), "do": lambda d, lc: ordinal(d.isoweekday() % 7),
    "dd": lambda d, lc: DAYS[d.isoweekday() % 7][:2],
    "ddd": lambda d, lc: DAYS[d.isoweekday() % 7][:3],
    "dddd": lambda d, lc: DAYS[d.isoweekday() % 7],
    "e": lambda d, lc: str((d.isoweekday() % 7 + 7 - lc.dow) % 7),
    "E": lambda d, lc: str(d.isoweekday()),
    "w": lambda d, lc: str(_week(d, lc)[0]), "wo": lambda d, lc: ordinal(_week(d, lc)[0]),
    "ww": lambda d, lc: f"{_week(d, lc)[0]:02d}",
    "W": lambda d, lc: str(_iso(d)[0]), "Wo": lambda d, lc: ordinal(_iso(d)[0]),
    "WW": lambda d, lc: f"{_iso(d)[0]:02d}",
    "Y": lambda d, lc: _fill(d.year, 4) if d.year <= 9999 else f"+{d.year}",
    "YY": lambda d, lc: f"{d.year % 100:02d}", "YYYY": _year_token(4),
    "YYYYY": _year_token(5), "YYYYYY": _year_token(6, sign=True),
    "y": lambda d, lc: str(d.year), "yo": lambda d, lc: ordinal(d.year),
    "yy": _year_token(2), "yyy": _year_token(3), "yyyy": _year_token(4),
    "N": lambda d, lc: "AD", "NN": lambda d, lc: "AD", "NNN": lambda d, lc: "AD",
    "NNNN": lambda d, lc: "Anno Domini", "NNNNN": lambda d, lc: "AD",
    "gg": lambda d, lc: f"{_week(d, lc)[1] % 100:02d}",
    "gggg": lambda d, lc: _fill(_week(d, lc)[1], 4),
    "ggggg": lambda d, lc: _fill(_week(d, lc)[1], 5),
    "GG": lambda d, lc: f"{_iso(d)[1] % 100:02d}", "GGGG": lambda d, lc: _fill(_iso(d)[1], 4),
    "GGGGG": lambda d, lc: _fill(_iso(d)[1], 5),
    "A": lambda d, lc: "PM" if d.hour > 11 else "AM",
    "a": lambda d, lc: "pm" if d.hour > 11 else "am",
    "H": lambda d, lc: str(d.hour), "HH": lambda d, lc: f"{d.hour:02d}",
    "h": lambda d, lc: str(_hour12(d)), "hh": lambda d, lc: f"{_hour12(d):02d}",
    "k": lambda d, lc: str(d.hour or 24), "kk": lambda d, lc: f"{d.hour or 24:02d}",
    "hmm": lambda d, lc: f"{_hour12(d)}{d.minute:02d}",
    "hmmss": lambda d, lc: f"{_hour12(d)}{d.minute:02d}{d.second:02d}",
    "Hmm": lambda d, lc: f"{d.hour}{d.minute:02d}",
    "Hmmss": lambda d, lc: f"{d.hour}{d.minute:02d}{d.second:02d}",
    "m": lambda d, lc: str(d.minute), "mm": lambda d, lc: f"{d.minute:02d}",
    "s": lambda d, lc: str(d.second), "ss": lambda d, lc: f"{d.second:02d}",
    "x": lambda d, lc: str(epoch_ms(d)), "X": lambda d, lc: str(epoch_ms(d) // 1000),
    "z": lambda d, lc: d.tzname() or "", "zz": lambda d, lc: d.tzname() or "",
    "Z": lambda d, lc: _offset(d, True), "ZZ": lambda d, lc: _offset(d, False),
}
for _n in range(1, 10):
    _FORMATTERS["S" * _n] = (lambda n: lambda d, lc: str(
        (d.microsecond // 1000) * 10**n // 1000).zfill(n))(_n)


def expand_locale(text: str, locale: Locale) -> str:
    """Replace the localised tokens (``LLL``, ``l``...) by the locale's formats, as moment
    does, up to five times (a long format may hold others)."""

    def long(found: re.Match[str]) -> str:
        if found.group(1) or found.group(2):
            return found.group(0)
        token = found.group(3)
        if token in locale.long:
            return locale.long[token]
        base = locale.long[token.upper()]
        return "".join(t[1:] if t in ("MMMM", "MM", "DD", "dddd") else t
                       for t in (m.group(0) for m in _TOKENS.finditer(base)))

    for _ in range(5):
        expanded = _LOCAL.sub(long, text)
        if expanded == text:
            break
        text = expanded
    return text


def format_moment(when: dt.datetime, text: str, locale: Locale) -> str:
    """``when`` (aware) written as moment's ``format(text)`` writes it in ``locale``."""
    out: list[str] = []
    for found in _TOKENS.finditer(expand_locale(text, locale)):
        whole = found.group(0)
        formatter = _FORMATTERS.get(whole)
        if formatter is not None:
            out.append(formatter(when, locale))
        elif re.match(r"\[[\s\S]", whole):
            out.append(re.sub(r"^\[|\]$", "", whole))
        else:
            out.append(whole.replace("\\", ""))
    return "".join(out)


def iso_string(when: dt.datetime) -> str:
    """moment's ``toISOString``: UTC with milliseconds and ``Z``."""
    utc = when.astimezone(dt.UTC)
    year = _fill(utc.year, 6, sign=True) if not 0 <= utc.year <= 9999 else f"{utc.year:04d}"
    return (f"{year}-{utc.month:02d}-{utc.day:02d}T{utc.hour:02d}:{utc.minute:02d}:"
            f"{utc.second:02d}.{utc.microsecond // 1000:03d}Z")
