"""The moment node: reading text and epoch times, time zones, adjustments, moment.js's format
tokens and its special formats, and where the result goes. The expected texts are what moment
0.5 / moment.js 2.29 (node-red-contrib-moment 4) print for the same input."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from flowrt_nodes.datetime.moment_format import LOCALES, format_moment, week_of_year

from flowrt.testing import run_flow


def moment(inputs: list[dict[str, Any]], **config: Any) -> list[dict[str, Any]]:
    flow = {"flowrt": 1, "nodes": {"m": {"type": "moment", **config}}}
    result = run_flow(json.dumps(flow), inputs, into="m")
    assert result.errors == []
    return result.sent("m")


def one(payload: Any, **config: Any) -> Any:
    (msg,) = moment([{"payload": payload}], **config)
    return msg["payload"]


BERLIN = dt.datetime(2024, 3, 31, 12, tzinfo=dt.UTC).astimezone(
    dt.timezone(dt.timedelta(hours=2)))


@pytest.mark.parametrize(("fmt", "expected"), [
    ("[x] \\D Do DDDo wo Wo gggg GGGG e E", "x D 31st 91st 14th 13th 2024 2024 0 7"),
    ("Z ZZ x X", "+02:00 +0200 1711886400000 1711886400"),
    ("LT LTS L l LL ll", "2:00 PM 2:00:00 PM 03/31/2024 3/31/2024 March 31, 2024 Mar 31, 2024"),
    ("LLL lll", "March 31, 2024 2:00 PM Mar 31, 2024 2:00 PM"),
    ("LLLL llll", "Sunday, March 31, 2024 2:00 PM Sun, Mar 31, 2024 2:00 PM"),
    ("Qo yo N NNNN kk hmm Hmmss SSSS", "1st 2024th AD Anno Domini 14 200 140000 0000"),
    ("Y y yy YYYYY YYYYYY", "2024 2024 2024 02024 +002024"),
    ("dd ddd dddd d do MMM MMMM Mo", "Su Sun Sunday 0 0th Mar March 3rd"),
    ("[unclosed", "[unc3/31/2024o000"),  # no closing bracket: tokens (l, se, d...)
    ("YYYY [YYYY] \\YYYY", "2024 YYYY YYYY"),
])
def test_format_tokens(fmt: str, expected: str) -> None:
    assert format_moment(BERLIN, fmt, LOCALES["en"]) == expected


def test_en_gb_long_formats_and_weeks_from_monday() -> None:
    assert format_moment(BERLIN, "LLLL wo gggg", LOCALES["en-gb"]) == (
        "Sunday, 31 March 2024 14:00 13th 2024")


def test_week_years_at_the_year_end() -> None:
    assert week_of_year(dt.datetime(2021, 1, 1), 1, 4) == (53, 2020)  # ISO
    assert week_of_year(dt.datetime(2024, 12, 30), 1, 4) == (1, 2025)
    assert week_of_year(dt.datetime(2022, 12, 31), 0, 6) == (53, 2022)  # en: Sunday first


def test_iso_text_with_offset_into_another_zone() -> None:
    (msg,) = moment([{"payload": "2024-03-05T10:20:30Z"}], input_timezone="UTC",
                    output_timezone="Europe/Berlin", format="dddd, MMMM Do YYYY, h:mm:ss a z")
    assert msg["payload"] == "Tuesday, March 5th 2024, 11:20:30 am CET"
    assert msg["settings"] == {"input": "2024-03-05T10:20:30Z",
                               "input_format": "YYYY-MM-DDTH:mm:ssZ", "input_tz": "UTC",
                               "output_format": "dddd, MMMM Do YYYY, h:mm:ss a z",
                               "output_locale": "en", "output_tz": "Europe/Berlin"}


@pytest.mark.parametrize(("text", "zone", "expected"), [
    ("2024-03-05", "Europe/Berlin", "2024-03-04T23:00:00.000Z"),
    ("2024-03-05T10:20", "Europe/Berlin", "2024-03-05T09:20:00.000Z"),
    ("2024-03-05T10:20:30.123456Z", "Europe/Berlin", "2024-03-05T10:20:30.123Z"),
    ("2024-03-05T10:20:30.12+0100", "UTC", "2024-03-05T09:20:30.120Z"),
    ("05/03/2024 10:20:30", "Europe/Berlin", "2024-03-05T09:20:30.000Z"),
    ("05/03/2024", "America/New_York", "2024-05-03T04:00:00.000Z"),
    ("5.3.2024", "UTC", "2024-03-05T00:00:00.000Z"),
    ("March 5, 2024", "UTC", "2024-03-05T00:00:00.000Z"),
    ("1709633000000", "UTC", "2024-03-05T10:03:20.000Z"),
    ("Tue, 05 Mar 2024 10:20:30 GMT", "UTC", "2024-03-05T10:20:30.000Z"),
])
def test_text_inputs(text: str, zone: str, expected: str) -> None:
    assert one(text, input_timezone=zone) == expected


def test_unreadable_text_and_null_give_an_empty_text_with_a_warning() -> None:
    flow = {"flowrt": 1, "nodes": {"m": {"type": "moment", "input_timezone": "UTC"}}}
    result = run_flow(json.dumps(flow), [{"payload": "soon"}, {"payload": None},
                                         {"payload": "2024-02-30"}], into="m")
    assert [m["payload"] for m in result.sent("m")] == ["", "", ""]
    assert len(result.warnings) == 3


def test_now_when_the_property_is_missing_or_the_input_is_date() -> None:
    assert one(None, input="nothing", input_timezone="UTC") == "2026-01-01T00:00:00.000Z"
    assert one(5, input_type="date", input_timezone="UTC", format="x") == "1767225600000"
    assert one("yesterday", input_timezone="UTC", format="YYYY-MM-DD") == "2025-12-31"


def test_adjustments_by_calendar_and_by_clock() -> None:
    jan31 = "2024-01-31T10:00:00"
    assert one(jan31, input_timezone="UTC", adjust_amount=1, adjust_unit="M",
               format="YYYY-MM-DD") == "2024-02-29"
    assert one(jan31, input_timezone="UTC", adjust_amount=1, adjust_unit="years",
               adjust_direction="subtract", format="YYYY-MM-DD") == "2023-01-31"
    # a day across the spring change keeps the wall-clock time; 24 hours do not
    march = "2024-03-30T12:00:00"
    assert one(march, input_timezone="Europe/Berlin", adjust_amount=1,
               format="YYYY-MM-DD HH:mm Z") == "2024-03-31 12:00 +02:00"
    assert one(march, input_timezone="Europe/Berlin", adjust_amount=24, adjust_unit="hours",
               format="YYYY-MM-DD HH:mm Z") == "2024-03-31 13:00 +02:00"
    assert one(march, input_timezone="UTC", adjust_amount=1.5, adjust_unit="d",
               format="DD") == "01"  # whole days, rounded


def test_relative_and_calendar_formats() -> None:
    assert one("2025-12-31T22:00:00Z", input_timezone="UTC", format="fromNow") == "2 hours ago"
    assert one(1767225600000 + 90_000, input_timezone="UTC", format="timeAgo") == "in 2 minutes"
    assert one("2000-01-01", input_timezone="UTC", format="fromnow") == "26 years ago"
    assert one("2026-01-01T14:30:00Z", input_timezone="UTC",
               format="calendar") == "Today at 2:30 PM"
    assert one("2025-12-29T09:00:00Z", input_timezone="UTC",
               format="aroundNow") == "Last Monday at 9:00 AM"
    assert one("2025-10-01T09:00:00Z", input_timezone="UTC", format="calendar") == "2025-10-01"


def test_object_and_outputs_elsewhere() -> None:
    assert one("2024-03-05T10:20:30.5Z", input_timezone="UTC", format="object") == {
        "years": 2024, "months": 2, "date": 5, "hours": 10, "minutes": 20, "seconds": 30,
        "milliseconds": 500}
    (msg,) = moment([{"payload": 0, "when": {"t": "2024-03-05"}}], input="when.t",
                    input_timezone="UTC", output="out.day", format="dddd", topic="day")
    assert (msg["out"], msg["payload"], msg["topic"]) == ({"day": "Tuesday"}, 0, "day")


def test_message_time_zones_stay_for_later_messages() -> None:
    sent = moment([{"payload": 0, "inTz": "Asia/Tokyo"}, {"payload": 0},
                   {"payload": 0, "outTz": "Nowhere/Else"}], format="HH:mm z")
    assert [m["payload"] for m in sent] == ["09:00 JST", "09:00 JST", "00:00 UTC"]
    assert [m["settings"]["output_tz"] for m in sent] == ["Asia/Tokyo", "Asia/Tokyo", "UTC"]


def test_bad_configuration_is_refused_at_load() -> None:
    for bad in ({"input_timezone": "Mars/Base"}, {"format": "jsDate"}):
        flow = {"flowrt": 1, "nodes": {"m": {"type": "moment", **bad}}}
        with pytest.raises(Exception, match="time zone|Date"):
            run_flow(json.dumps(flow), [], into="m")
