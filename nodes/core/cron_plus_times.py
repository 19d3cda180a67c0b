"""When a cron-plus schedule fires next: cron expressions, fixed dates and solar events.

Cron expressions are cron-plus's (cronosjs's): five fields (minute to weekday), six (a seconds
field first) or seven (seconds first, a year last); croniter reads them with the seconds
field first. Dates are ISO 8601 texts or epoch milliseconds, as cron-plus's ``dates``
schedules take them. Solar events are suncalc's (the events cron-plus offers), computed with
suncalc's formulas (its getTimes: the sun's elevation at each event, the times of the day's
transit), so they fire when cron-plus's do.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, tzinfo
from math import acos, asin, cos, pi, radians, sin
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

SOLAR_EVENTS: dict[str, tuple[float, bool] | None] = {
    "nightEnd": (-18, True),
    "nauticalDawn": (-12, True),
    "civilDawn": (-6, True),
    "sunrise": (-0.833, True),
    "sunriseEnd": (-0.3, True),
    "morningGoldenHourEnd": (6, True),
    "solarNoon": None,
    "eveningGoldenHourStart": (6, False),
    "sunsetStart": (-0.3, False),
    "sunset": (-0.833, False),
    "civilDusk": (-6, False),
    "nauticalDusk": (-12, False),
    "nightStart": (-18, False),
    "nadir": None,
}
"""cron-plus's solar events, in the order of a day -> (the sun's elevation in degrees, rising),
or None for the sun's transits (solar noon, nadir)."""

Next = Callable[[float], tuple[float, str] | None]
"""When a schedule fires after a time (epoch seconds), and the solar event it is (or "");
None when it never fires again."""


def cron_fields(expression: str) -> str:
    """A cron-plus expression checked and tidied (one space between fields); ValueError with
    the reason when croniter cannot read it as cron-plus means it."""
    from croniter import croniter

    text = " ".join(expression.split())
    count = len(text.split(" "))
    if not text.startswith("@") and count not in (5, 6, 7):
        raise ValueError(f"cron expression {expression!r} has {count} fields; cron-plus takes "
                         "5 (minute to weekday), 6 (seconds first) or 7 (seconds first, year "
                         "last)")
    if not croniter.is_valid(text, second_at_beginning=True):
        raise ValueError(f"invalid cron expression {expression!r}")
    return text


def cron_times(expression: str, zone: tzinfo) -> Next:
    from croniter import croniter

    text = cron_fields(expression)

    def after(when: float) -> tuple[float, str] | None:
        start = datetime.fromtimestamp(when, zone)
        times = croniter(text, start, second_at_beginning=True, max_years_between_matches=100)
        try:
            return float(times.get_next(float)), ""
        except Exception:  # noqa: BLE001 - croniter's "no next time" (a year in the past)
            return None

    return after


def parse_dates(dates: list[Any] | str, zone: tzinfo) -> list[float]:
    """Epoch seconds of cron-plus's dates: a list, or a comma-separated text, of ISO 8601
    texts (local time of ``zone`` when they name no offset) or epoch milliseconds."""
    items = dates.split(",") if isinstance(dates, str) else list(dates)
    found: list[float] = []
    for item in items:
        if isinstance(item, bool):
            raise ValueError(f"{item!r} is no date")
        if isinstance(item, int | float):
            found.append(item / 1000)
            continue
        text = str(item).strip()
        if text.lstrip("-").isdigit():
            found.append(int(text) / 1000)
            continue
        try:
            moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise ValueError(f"{text!r} is not an ISO 8601 date nor epoch milliseconds") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=zone)
        found.append(moment.timestamp())
    if not found:
        raise ValueError("no dates given")
    return sorted(found)


def date_times(dates: list[float]) -> Next:
    def after(when: float) -> tuple[float, str] | None:
        return next(((d, "") for d in dates if d > when), None)

    return after


def parse_location(text: str) -> tuple[float, float]:
    """Latitude and longitude from ``"lat,lon"`` (or ``"lat lon"``) in decimal degrees."""
    parts = text.replace(",", " ").split()
    try:
        lat, lon = (float(p) for p in parts)
    except ValueError:
        raise ValueError(f"location {text!r} is not `latitude,longitude` in decimal "
                         "degrees") from None
    if not (-90 <= lat <= 90 and -180 <= lon <= 180):
        raise ValueError(f"location {text!r} is outside the earth's coordinates")
    return lat, lon


def solar_times(events: list[str], location: tuple[float, float], offset_minutes: float) -> Next:
    """The next of ``events`` (suncalc's names), ``offset_minutes`` after (or before) it."""
    lw, phi = -radians(location[1]), radians(location[0])
    shift = offset_minutes * 60

    def after(when: float) -> tuple[float, str] | None:
        first = round(when / DAY + J1970 - 0.5 - J2000 - J0 - lw / (2 * pi)) - 1
        for n in range(first, first + 370):  # polar days and nights: look up to a year ahead
            times = _cycle(n, lw, phi)
            found = [(times[e] + shift, e) for e in events
                     if times.get(e) is not None and times[e] + shift > when]
            if found:
                return min(found)
        return None

    return after


DAY = 86400
J1970, J2000, J0 = 2440588, 2451545, 0.0009
_TILT = radians(23.4397)


def _cycle(n: int, lw: float, phi: float) -> dict[str, float]:
    """suncalc's getTimes for the ``n``th solar transit after J2000 at longitude ``-lw``
    (radians), latitude ``phi``: event -> epoch seconds; an event the sun does not reach that
    day is missing."""
    ds = J0 + lw / (2 * pi) + n
    mean = radians(357.5291 + 0.98560028 * ds)
    centre = radians(1.9148 * sin(mean) + 0.02 * sin(2 * mean) + 0.0003 * sin(3 * mean))
    ecliptic = mean + centre + radians(102.9372) + pi
    dec = asin(sin(_TILT) * sin(ecliptic))

    def transit(days: float) -> float:
        return J2000 + days + 0.0053 * sin(mean) - 0.0069 * sin(2 * ecliptic)

    def epoch(julian: float) -> float:
        return (julian + 0.5 - J1970) * DAY

    noon = transit(ds)
    found = {"solarNoon": epoch(noon), "nadir": epoch(noon + 0.5)}
    for event, spec in SOLAR_EVENTS.items():
        if spec is None or not spec[1]:
            continue
        cosine = (sin(radians(spec[0])) - sin(phi) * sin(dec)) / (cos(phi) * cos(dec))
        if not -1 <= cosine <= 1:
            continue
        setting = transit(J0 + (acos(cosine) + lw) / (2 * pi) + n)
        found[event] = epoch(noon - (setting - noon))
        found[_SETTING[event]] = epoch(setting)
    return found


_SETTING = {"nightEnd": "nightStart", "nauticalDawn": "nauticalDusk", "civilDawn": "civilDusk",
            "sunrise": "sunset", "sunriseEnd": "sunsetStart",
            "morningGoldenHourEnd": "eveningGoldenHourStart"}


def time_zone_name(value: str | None) -> str | None:
    """A configured IANA time zone name, checked (ValueError naming it); blank is none."""
    if value:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r}") from None
    return value or None
