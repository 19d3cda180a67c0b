"""Dates and locale formatting in the function node, differential against V8 (Node.js): the
lenient Date.parse forms flows use, and the toLocale*/Intl subset (en-US, sv-SE, en-CA) that
js_locale.js provides, in UTC and in a zone with summer time."""

from __future__ import annotations

import pytest

from tests.nodes.function.v8_oracle import in_flowrt, in_v8

ZONES = ["UTC", "Europe/Berlin"]

PARSED = [
    '"2024-01-01 10:00:00"', '"01.01.2024 10:00"', '"2024/01/02"', '"Jan 5 2024 10:00"',
    '"Fri, 05 Jan 2024 10:00:00 GMT"', '"Fri, 05 Jan 2024 10:00:00 +0100"', '"5 January 2024"',
    '"January 5, 2024 10:00 PM"', '"1/5/2024"', '"2024-01-01"', '"2024-01-01T10:00"',
    '"2024-1-1"', '"garbage"', '"2024-01-01 10:00:00Z"', '"2024-01-01 10:00:00 UTC"',
    '"Mon Jan 01 2024 12:00:00 GMT+0100 (Central European Standard Time)"',
    '"12/31/2024 23:59:59"', '"2024.01.02"', '"Tue Jan 02 2024"', '"2024-07-01 10:00"',
    '"2024-07-01T10:00:00.123+02:00"', '""', '"2024-01-01T10:00:00+01"',
    '"2024-01-01 10:00:00,123"', '"2024-01-01T10:00:00z"', '"2024-01-01t10:00:00Z"',
    '"2024-01-01T10:00:00+0100"', '"2024-01-01 10:00:00.123"', '"Jan 5, 2024"',
    '"5 Jan 2024 10:00:00 GMT+0200"', '"06 Dec 2026 13:24 EST"', '"2024-02-30"',
    '"1/2/24"', '"2024 Jan 5"', '"Monday, January 1, 2024"', '"Jan 1 2024 12:30 am"',
    '"+002024-01-01T00:00:00Z"', '"January 2024"', "undefined", "null",
]

# The Date wrapper keeps what code checks of a date.
DATE_OBJECT = [
    'new Date("2024-01-01t10:00:00z").getTime()', 'new Date("2024-01-01T10:00:00+01").getTime()',
    "new Date(2024, 0, 1) instanceof Date", 'new Date("2024-01-01").constructor === Date',
    "Date.parse.name", "Date.name", "Date.length", "Date.UTC(2024, 0, 1)",
    "typeof Date()", "Object.prototype.toString.call(new Date())",
    'new (class X extends Date { y() { return this.getFullYear(); } })("2024-05-05").y()',
    "new Date(new Date(5)).getTime()", "new Date(2024, 0, 1).toDateString()",
    "new Date(2024, 0, 1, 10).toUTCString()",
]

DATES = ["new Date(2024,0,1,12)", "new Date(2024,6,5,0,7,3)", "new Date(2024,11,31,23,59,9)"]
CALLS = [
    "toLocaleString()", "toLocaleDateString()", "toLocaleTimeString()",
    'toLocaleString("en-US")', 'toLocaleString("sv-SE")', 'toLocaleString("en-CA")',
    'toLocaleDateString("sv-SE")', 'toLocaleDateString("en-CA")', 'toLocaleTimeString("sv-SE")',
    'toLocaleTimeString("en-CA")', 'toLocaleString("en-US", {hour12: false})',
    'toLocaleString("en-US", {hour12: true})', 'toLocaleString("sv-SE", {timeZone: "UTC"})',
    'toLocaleString("en-US", {timeZone: "UTC"})', 'toLocaleString("en-US", {dateStyle: "short"})',
    'toLocaleString("en-US", {dateStyle: "medium", timeStyle: "short"})',
    'toLocaleString("en-US", {dateStyle: "short", timeStyle: "medium"})',
    'toLocaleString("sv-SE", {dateStyle: "short", timeStyle: "short"})',
    'toLocaleString("en-US", {dateStyle: "long"})', 'toLocaleString("en-US", {dateStyle: "full"})',
    'toLocaleTimeString("en-US", {timeStyle: "short"})',
    'toLocaleTimeString("en-US", {hour: "2-digit", minute: "2-digit"})',
    'toLocaleTimeString("sv-SE", {hour: "2-digit", minute: "2-digit"})',
    'toLocaleDateString("en-US", {year: "numeric", month: "2-digit", day: "2-digit"})',
    'toLocaleDateString("en-US", {year: "numeric", month: "short", day: "numeric"})',
    'toLocaleDateString("en-US", {month: "long", day: "numeric"})',
    'toLocaleDateString("en-US", {weekday: "long"})',
    'toLocaleDateString(undefined, {weekday: "short", year: "numeric", month: "short",'
    ' day: "numeric"})',
]
FORMATTED = [f"{d}.{c}" for d in DATES for c in CALLS] + [
    'new Intl.DateTimeFormat("en-US").format(new Date(2024,0,1,12))',
    'Intl.DateTimeFormat("sv-SE", {dateStyle: "short", timeStyle: "medium"})'
    ".format(new Date(2024,0,1,12))",
    "new Date(NaN).toLocaleString()",
    "Intl.DateTimeFormat().resolvedOptions().timeZone",
    'new Intl.DateTimeFormat("en-US", {timeZone: "UTC"}).resolvedOptions().timeZone',
]

NUMBERS = [
    "(1234567.891).toLocaleString()", "(-1234.5).toLocaleString()", "(0).toLocaleString()",
    '(1234567.891).toLocaleString("en-US", {minimumFractionDigits: 2, maximumFractionDigits: 2})',
    '(0.5).toLocaleString("en-US", {maximumFractionDigits: 0})',
    '(2.5).toLocaleString("en-US", {maximumFractionDigits: 0})',
    '(1.005).toLocaleString("en-US", {maximumFractionDigits: 2})',
    '(9.999).toLocaleString("en-US", {maximumFractionDigits: 2})',
    '(1234.5).toLocaleString("sv-SE")', '(-1234.5).toLocaleString("sv-SE")',
    '(1234.5).toLocaleString("sv-SE", {minimumFractionDigits: 2})',
    '(1234.5).toLocaleString("en-CA")',
    '(1234).toLocaleString("en-US", {useGrouping: false})', "(1e21).toLocaleString()",
    "(0.000001234).toLocaleString()", '(0.25).toLocaleString("en-US", {style: "percent"})',
    "NaN.toLocaleString()", "Infinity.toLocaleString()", "(-0.0001).toLocaleString()",
    'new Intl.NumberFormat("en-US", {minimumFractionDigits: 1}).format(12)',
    'new Intl.NumberFormat().format(1234.5678)',
]


@pytest.mark.parametrize("zone", ZONES)
def test_date_parse_accepts_what_v8_accepts(zone: str) -> None:
    exprs = [f"Date.parse({text})" for text in PARSED] + [f"new Date({PARSED[0]}).getTime()"]
    assert in_flowrt(exprs, zone) == in_v8(exprs, zone)


@pytest.mark.parametrize("zone", ZONES)
def test_the_date_constructor_behaves_as_v8s(zone: str) -> None:
    assert in_flowrt(DATE_OBJECT, zone) == in_v8(DATE_OBJECT, zone)


@pytest.mark.parametrize("zone", ZONES)
def test_dates_print_in_locales_as_v8_prints_them(zone: str) -> None:
    ours, v8 = in_flowrt(FORMATTED, zone), in_v8(FORMATTED, zone)
    assert [(e, a) for e, a, b in zip(FORMATTED, ours, v8, strict=True) if a != b] == []


def test_numbers_print_in_locales_as_v8_prints_them() -> None:
    ours, v8 = in_flowrt(NUMBERS, "UTC"), in_v8(NUMBERS, "UTC")
    assert [(e, a, b) for e, a, b in zip(NUMBERS, ours, v8, strict=True) if a != b] == []
