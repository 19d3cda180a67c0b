"""moment: read a date and time, shift it, convert its time zone and write it in a moment.js
format, as node-red-contrib-moment's ``moment`` node."""

from __future__ import annotations

import datetime as dt
import email.utils
import math
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import model_validator

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    Output,
    Transform,
    field,
    get_property,
    set_property,
)

from .moment_format import LOCALES, format_moment, iso_string, locale_for
from .moment_parse import host_zone, parse_text, trim_fraction, zone
from .moment_time import Unit, calendar_text, from_now, shift

_RELATIVE = {"today": 0, "yesterday": -1, "tomorrow": 1}


class Moment(Transform):
    """Read a date and time, shift it, convert it to a time zone and write it formatted.

    ### Inputs

    A message. The time is read from `input` (by `input_type`): a message, flow or global
    property holding epoch milliseconds or text, a fixed text (`str`), or now (`date`, or a
    missing property). Text may be `today`, `yesterday` or `tomorrow`, an ISO 8601 time
    (`2024-03-05T10:20:30Z`), a day/month/year (`05/03/2024 10:20`) and the other forms
    listed in nodes/datetime/moment_parse.py; without an offset it is a wall-clock time in
    the input time zone. `msg.inTz` and `msg.outTz` set the time zones (and, as in the
    contrib node, keep them for the messages after).

    ### Outputs

    The message with the formatted time at `output` (or in the flow or global context), and
    `msg.settings`: `{input, input_format, input_tz, output_format, output_locale,
    output_tz}`. A time that cannot be read is written as an empty text, with a warning.

    ### Details

    `format` is moment.js's: `YYYY-MM-DD HH:mm:ss`, `dddd, MMMM Do YYYY, h:mm a`, `[Week]
    W`, `x` (epoch ms), `X` (seconds), `Z`, `z` (the zone's abbreviation), the localised
    `LT LTS L LL LLL LLLL l ll lll llll`; `[...]` is literal text. Besides: empty, `iso` or
    `iso8601` (ISO 8601 in UTC, with milliseconds), `fromNow`/`timeAgo` (`in 2 hours`),
    `calendar`/`aroundNow` (`Today at 2:30 PM`, else `YYYY-MM-DD`) and `object` (`{years,
    months, date, hours, minutes, seconds, milliseconds}`, months from 0), in any case.
    Names are English (`locale` `en`, or `en-gb` for its long formats and weeks from Monday).
    The adjustment moves months and days on the calendar (keeping the wall-clock time across
    daylight saving) and smaller units on the clock.

    ```yaml
    now: {type: inject, payload: {type: date}, to: berlin}
    berlin: {type: moment, input_timezone: UTC, output_timezone: Europe/Berlin,
             format: "ddd D MMM YYYY HH:mm z", to: show}
    show: {type: debug}
    ```
    """

    type = "moment"
    icon = "clock"

    class Config(NodeConfig):
        input: str = field("payload", description="The property (or the text, for `str`) "
                           "holding the time.", examples=["payload", "time"])
        input_type: Literal["msg", "flow", "global", "str", "date"] = field(
            "msg", description="Where `input` is: a message, flow or global property, the "
            "text itself, or now (`date`).")
        input_timezone: str | None = field(
            None, description="IANA time zone of a wall-clock input; none: the machine's.",
            examples=["Europe/London"])
        output_timezone: str | None = field(
            None, description="IANA time zone to write the time in; none: the input's.",
            examples=["America/New_York"])
        adjust_amount: float = field(0, description="How many `adjust_unit`s to move the "
                                     "time by (0: none).")
        adjust_unit: Unit = field("days", description="The unit of the adjustment.")
        adjust_direction: Literal["add", "subtract"] = field(
            "add", description="Whether the adjustment moves the time later or earlier.")
        format: str = field("", description="moment.js format, or `iso`, `fromNow`, "
                            "`calendar`, `object` (empty: ISO 8601 in UTC).",
                            examples=["YYYY-MM-DD HH:mm", "fromNow"])
        locale: str = field(
            "en", description="moment.js locale: `en` (also `en_US`, `C`, `POSIX`) or "
            "`en_GB` (`en-gb`), for the long formats and week numbering.",
            examples=["en_GB"])
        output: str = field("payload", description="Where to write the result.")
        output_type: Literal["msg", "flow", "global"] = field(
            "msg", description="Whether `output` is a message, flow or global property.")
        topic: str | None = field(None, description="Topic to set on the message; none: "
                                  "keep the message's.")

        @model_validator(mode="after")
        def _known(self) -> Moment.Config:
            for name in (self.input_timezone, self.output_timezone):
                if name is not None and zone(name) is None:
                    raise ValueError(f"unknown time zone {name!r}: give an IANA name such "
                                     "as Europe/Berlin")
            if locale_for(self.locale) is None:
                raise ValueError(f"locale {self.locale!r}: flowrt formats in moment's `en` "
                                 "(also `en_US`, `C`...) and `en_GB` only")
            if self.format.lower() in ("date", "jsdate"):
                raise ValueError("format `date` (a JavaScript Date) has no flowrt value; use "
                                 "`x` for epoch milliseconds or `iso`")
            return self

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.locale = locale_for(self.config.locale) or LOCALES["en"]
        self.in_tz: str | None = self.config.input_timezone
        self.out_tz: str | None = self.config.output_timezone or self.in_tz

    def _zones(self, msg: Message) -> tuple[ZoneInfo, ZoneInfo]:
        """The contrib node keeps `msg.inTz`/`msg.outTz` (and its defaults) for later
        messages: so does this one."""
        if isinstance(msg.get("inTz"), str) and msg["inTz"]:
            self.in_tz = msg["inTz"]
        elif not self.in_tz:
            self.in_tz = host_zone()
        if isinstance(msg.get("outTz"), str) and msg["outTz"]:
            self.out_tz = msg["outTz"]
        elif not self.out_tz:
            self.out_tz = self.in_tz
        zones = []
        for side in ("in_tz", "out_tz"):
            found = zone(getattr(self, side))
            if found is None:
                self.ctx.warn(f"time zone {getattr(self, side)!r} is unknown: UTC instead", msg)
                setattr(self, side, "UTC")
                found = ZoneInfo("UTC")
            zones.append(found)
        return zones[0], zones[1]

    def _read(self, msg: Message) -> Any:
        config = self.config
        if config.input_type == "msg":
            return get_property(msg, config.input)
        if config.input_type in ("flow", "global"):
            store = self.ctx.flow if config.input_type == "flow" else self.ctx.global_
            return store.get(config.input, MISSING)
        return config.input.strip() if config.input_type == "str" else MISSING

    def process(self, msg: Message) -> Output:
        config = self.config
        if config.topic is not None:
            msg["topic"] = config.topic
        now = dt.datetime.fromtimestamp(self.ctx.now(), dt.UTC)
        value = self._read(msg)
        in_zone, out_zone = self._zones(msg)
        when, shown, fmt = self._time(value, in_zone, now)
        if when is not None and config.adjust_amount:
            sign = -1 if config.adjust_direction == "subtract" else 1
            when = shift(when, sign * config.adjust_amount, config.adjust_unit)
        if when is None:
            self.ctx.warn("the input is not a date this node can read: the output is an "
                          "empty text", msg)
            result: Any = ""
        else:
            result = self._written(when.astimezone(out_zone), now)
        self._write(msg, result)
        settings = {"input": shown, "input_format": fmt, "input_tz": self.in_tz,
                    "output_format": config.format, "output_locale": config.locale,
                    "output_tz": self.out_tz}
        msg["settings"] = {k: v for k, v in settings.items() if v is not None}
        return msg

    def _time(self, value: Any, where: ZoneInfo,
              now: dt.datetime) -> tuple[dt.datetime | None, Any, str]:
        """(the time or None, the input as the contrib reports it, the format read)."""
        if value is MISSING:  # now, as moment(undefined)
            return now.astimezone(where), iso_string(now), ""
        if value is None:
            value = ""
        if isinstance(value, bool):
            value = int(value)  # JavaScript's Date(true) is 1 ms after 1970
        if isinstance(value, int | float):
            if not math.isfinite(value):
                return None, None, ""
            when = dt.datetime(1970, 1, 1, tzinfo=dt.UTC) + dt.timedelta(
                milliseconds=math.trunc(value))
            return when.astimezone(where), iso_string(when), ""
        if not isinstance(value, str):
            return None, None, ""
        text = value.strip()
        if text.lower() in _RELATIVE:
            moved = shift(now.astimezone(where), _RELATIVE[text.lower()], "days")
            return moved, iso_string(now), ""
        text = trim_fraction(text)
        us_order = where.key.startswith("America/")  # the contrib's en_US test never holds
        read, fmt = parse_text(text, where, us_order, now)
        if read is None and not fmt:
            read = _date_fallback(text)
        return read, text, fmt

    def _written(self, when: dt.datetime, now: dt.datetime) -> Any:
        fmt = self.config.format
        word = fmt.lower()
        if word in ("", "iso8601", "iso"):
            return iso_string(when)
        if word in ("fromnow", "timeago"):
            return from_now(when, now)
        if word in ("calendar", "aroundnow"):
            return calendar_text(when, now, self.locale)
        if word == "object":
            return {"years": when.year, "months": when.month - 1, "date": when.day,
                    "hours": when.hour, "minutes": when.minute, "seconds": when.second,
                    "milliseconds": when.microsecond // 1000}
        return format_moment(when, fmt, self.locale)

    def _write(self, msg: Message, value: Any) -> None:
        config = self.config
        if config.output_type == "msg":
            set_property(msg, config.output, value)
        else:
            store = self.ctx.flow if config.output_type == "flow" else self.ctx.global_
            store.set(config.output, value)


def _date_fallback(text: str) -> dt.datetime | None:
    """The contrib node's last resort, JavaScript's ``new Date(text)``: here the RFC 2822 form
    (``Tue, 05 Mar 2024 10:20:30 GMT``), the one such text commonly holds."""
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        return None
    return when if when.tzinfo is not None else None
