"""time-range: route each message by whether now falls in a daily time range."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from math import floor, pi, radians
from typing import Any
from zoneinfo import ZoneInfo

from pydantic import field_validator, model_validator

from flowrt.api import Message, NodeConfig, NodeError, Output, Transform, field

# suncalc's formulas, which cron-plus's times already carry; one copy of them in the pack.
from .cron_plus_times import DAY, J0, J1970, J2000, _cycle, time_zone_name

SUN_EVENTS = {
    "sunrise": "sunrise", "sunset": "sunset", "sunriseEnd": "sunriseEnd",
    "sunsetStart": "sunsetStart", "dawn": "civilDawn", "dusk": "civilDusk",
    "nauticalDawn": "nauticalDawn", "nauticalDusk": "nauticalDusk", "nightEnd": "nightEnd",
    "night": "nightStart", "goldenHourEnd": "morningGoldenHourEnd",
    "goldenHour": "eveningGoldenHourStart", "solarNoon": "solarNoon", "nadir": "nadir",
}
"""suncalc's event names (those time-range-switch takes) -> cron_plus_times's names."""

_CLOCK = re.compile(r"(\d{1,2}):(\d{2})(?::(\d{2}))?")
_FORMAT = "%Y-%m-%d %H:%M"
_OVERRIDES = {"startTime": "start", "endTime": "end", "startOffset": "start_offset",
              "endOffset": "end_offset", "lat": "latitude", "lon": "longitude"}
"""``msg.__config`` keys (node-red-contrib-time-range-switch's) -> the settings they change."""


def _check_time(value: str) -> str:
    match = _CLOCK.fullmatch(value.strip())
    if match:
        hour, minute, second = (int(g or 0) for g in match.groups())
        if hour < 24 and minute < 60 and second < 60:
            return value.strip()
    elif value.strip() in SUN_EVENTS:
        return value.strip()
    raise ValueError(f"{value!r} is neither a time (`HH:MM` or `HH:MM:SS`, 24 hours) nor a "
                     f"sun event ({', '.join(SUN_EVENTS)})")


@dataclass
class _Settings:
    start: str
    end: str
    start_offset: float
    end_offset: float
    latitude: float | None
    longitude: float | None


class TimeRange(Transform):
    """Route messages by the time of day: inside a daily range to output 1, else to output 2.

    `start` and `end` are times of day (`07:30`, `22:15:30`) or sun events computed for
    `latitude` and `longitude` (`sunrise`, `sunset`, `dawn`, `dusk`, `nauticalDawn`,
    `nauticalDusk`, `nightEnd`, `night`, `goldenHourEnd`, `goldenHour`, `sunriseEnd`,
    `sunsetStart`, `solarNoon`, `nadir`), each moved by its offset in minutes. The range may
    cross midnight (`22:00` to `06:00`).

    ### Inputs

    Any message. A message with `__config` (an object with any of `startTime`, `endTime`,
    `startOffset`, `endOffset`, `lat`, `lon`) changes those settings from then on; if it
    carries nothing else, it is not sent on.

    ### Outputs

    1. the message, when now is within the range (its start included, its end excluded);
    2. the message, otherwise.

    ### Details

    As node-red-contrib-time-range-switch: the day's start and end are computed on today's
    date in `time_zone` (sun events with suncalc's formulas, for the sun's position at midday,
    to the second), the end is put within 24 hours after the start, and the pair within the
    24 hours before now's end. A sun event that does not happen that day (polar day or night)
    stands for the message's own time, as in the contrib node (moment ignores suncalc's invalid
    date): as a start it puts the message inside, as an end outside. The status shows the
    range computed for the last message. Times are to the second: now's milliseconds are
    dropped, as the contrib node does.
    """

    type = "time-range"
    outputs = 2
    icon = "clock"

    class Config(NodeConfig):
        start: str = field(description="Start of the range: a time of day or a sun event.",
                           examples=["07:00", "sunset"])
        end: str = field(description="End of the range (excluded): a time of day or a sun "
                         "event.", examples=["22:30", "sunrise"])
        start_offset: float = field(0, description="Minutes added to the start (negative: "
                                    "earlier).", examples=[-30])
        end_offset: float = field(0, description="Minutes added to the end (negative: earlier).",
                                  examples=[15])
        latitude: float | None = field(None, description="Latitude for sun events, decimal "
                                       "degrees.", examples=[51.4779])
        longitude: float | None = field(None, description="Longitude for sun events, decimal "
                                        "degrees.", examples=[-0.0015])
        time_zone: str | None = field(None, description="IANA time zone of the times of day; "
                                      "none: the machine's.", examples=["Europe/London"])

        @field_validator("start", "end")
        @classmethod
        def _time(cls, value: str) -> str:
            return _check_time(value)

        @field_validator("time_zone")
        @classmethod
        def _zone(cls, value: str | None) -> str | None:
            return time_zone_name(value)

        @model_validator(mode="after")
        def _location(self) -> TimeRange.Config:
            if (self.start in SUN_EVENTS or self.end in SUN_EVENTS) and (
                    self.latitude is None or self.longitude is None):
                raise ValueError("a sun event needs `latitude` and `longitude`")
            return self

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.config
        zone = ZoneInfo(c.time_zone) if c.time_zone else datetime.now().astimezone().tzinfo
        assert zone is not None
        self.zone: tzinfo = zone
        self.settings = _Settings(c.start, c.end, c.start_offset, c.end_offset, c.latitude,
                                  c.longitude)

    async def start(self) -> None:
        self._show("yellow", "dot", self.window(self._now()))

    def process(self, msg: Message) -> Output:
        overrides = msg.pop("__config", None)
        if overrides is not None:
            self._reconfigure(overrides)
            if not set(msg) - {"_msgid"}:
                self._show("yellow", "dot", self.window(self._now()))
                return None
        now = self._now()
        start, end = window = self.window(now)
        inside = start is not None and end is not None and start <= now < end
        self._show("green", "dot" if inside else "ring", window)
        return [msg, None] if inside else [None, msg]

    def window(self, now: datetime) -> tuple[datetime | None, datetime | None]:
        """The range's start and end for ``now``, as time-range-switch computes them (None
        for a sun event that does not happen that day)."""
        s = self.settings
        start = _shift(self._moment(s.start, now), s.start_offset * 60)
        end = _shift(self._moment(s.end, now), s.end_offset * 60)
        if start is None or end is None:
            return start, end
        while _diff(end, start) < 0:
            end = end + timedelta(days=1)
        while _diff(end, start) > DAY:
            end = end - timedelta(days=1)
        while _diff(end, now) < 0:
            start, end = start + timedelta(days=1), end + timedelta(days=1)
        while _diff(end, now) > DAY:
            start, end = start - timedelta(days=1), end - timedelta(days=1)
        return start, end

    def _now(self) -> datetime:
        # Moment().milliseconds(0), whose setter reads a repeated hour (the change back to
        # winter time) as its first occurrence, as JavaScript's Date does
        now = datetime.fromtimestamp(floor(self.ctx.now()), self.zone)
        return _wall(now, now.hour, now.minute, now.second)

    def _moment(self, time: str, now: datetime) -> datetime | None:
        match = _CLOCK.fullmatch(time)
        if match:
            hour, minute, second = (int(g or 0) for g in match.groups())
            return _wall(now, hour, minute, second)
        s = self.settings
        assert s.latitude is not None and s.longitude is not None
        at = self._sun(SUN_EVENTS[time], now.replace(hour=12, minute=0, second=0), s.latitude,
                       s.longitude)
        if at is None:  # suncalc gives an invalid date; moment then leaves `now` as it is
            return now
        local = datetime.fromtimestamp(floor(at), self.zone)
        return _wall(now, local.hour, local.minute, local.second)

    @staticmethod
    def _sun(event: str, midday: datetime, latitude: float, longitude: float) -> float | None:
        """suncalc's getTimes(midday, latitude, longitude)[event], epoch seconds."""
        lw = -radians(longitude)
        days = midday.timestamp() / DAY - 0.5 + J1970 - J2000
        return _cycle(floor(days - J0 - lw / (2 * pi) + 0.5), lw, radians(latitude)).get(event)

    def _reconfigure(self, overrides: Any) -> None:
        if not isinstance(overrides, dict):
            raise NodeError("msg.__config must be an object of settings (startTime, endTime, "
                            "startOffset, endOffset, lat, lon)")
        s = self.settings
        for key, name in _OVERRIDES.items():
            if key not in overrides:
                continue
            value = overrides[key]
            try:
                if name in ("start", "end"):
                    setattr(s, name, _check_time(str(value)))
                else:  # JavaScript's Number(): "" and null are 0
                    setattr(s, name, 0.0 if value in ("", None) else float(value))
            except (TypeError, ValueError) as exc:
                raise NodeError(f"msg.__config.{key}: {exc}") from None
        if (s.start in SUN_EVENTS or s.end in SUN_EVENTS) and (
                s.latitude is None or s.longitude is None):
            raise NodeError("msg.__config: a sun event needs `lat` and `lon`")

    def _show(self, fill: str, shape: str,
              window: tuple[datetime | None, datetime | None]) -> None:
        text = " - ".join(t.strftime(_FORMAT) if t else "Invalid date" for t in window)
        self.ctx.status(fill, shape, text)


def _wall(now: datetime, hour: int, minute: int, second: int) -> datetime:
    """``now`` at that time of its day, as moment's setters (JavaScript's Date) put it: a
    time the clocks skip (the change to summer time) moves on by the gap, a time they repeat
    is its first occurrence."""
    return datetime.fromtimestamp(now.replace(hour=hour, minute=minute, second=second,
                                              fold=0).timestamp(), now.tzinfo)


def _shift(moment: datetime | None, seconds: float) -> datetime | None:
    """``moment`` moved by ``seconds`` of elapsed time (moment's add of minutes)."""
    if moment is None or not seconds:
        return moment
    return datetime.fromtimestamp(moment.timestamp() + seconds, moment.tzinfo)


def _diff(later: datetime, earlier: datetime) -> int:
    """moment's ``later.diff(earlier, 'seconds')``: elapsed whole seconds, truncated."""
    return int(later.timestamp() - earlier.timestamp())
