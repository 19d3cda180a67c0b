"""``$moment`` in JSONata expressions, as Node-RED flows use it."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.errors import NodeError
from flowrt.expressions.jsonata import compile_expression
from flowrt.testing import run_flow
from tests.expressions.test_typed_value import Stores

# Stores.now() is 1_700_000_000.25: 2023-11-14T22:13:20.250Z


def evaluate(expression: str, data: Any = None) -> Any:
    ctx: Any = Stores()
    return compile_expression(expression, ctx)(data or {}, None)


@pytest.mark.parametrize(
    ("expression", "expected"),
    [
        ("$moment().utc().format('YYYY-MM-DD HH:mm:ss.SSS')", "2023-11-14 22:13:20.250"),
        ("$moment().valueOf()", 1_700_000_000_250),
        ("$moment().unix()", 1_700_000_000),
        ("$moment().toISOString()", "2023-11-14T22:13:20.250Z"),
        ("$moment()", "2023-11-14T22:13:20.250Z"),
        ("{'at': $moment(0), 'list': [$moment(1000)]}",
         {"at": "1970-01-01T00:00:00.000Z", "list": ["1970-01-01T00:00:01.000Z"]}),
        ("$moment(payload).utc().format()", "2024-05-06T07:08:09+00:00"),
        (
            "$moment('2024-03-30T12:00:00Z').tz('Europe/Berlin')"
            ".format('dddd Do MMMM YYYY, h:mm A Z [week day] d')",
            "Saturday 30th March 2024, 1:00 PM +01:00 week day 6",
        ),
        (
            "$moment('2024-03-30T12:00:00+01:00').tz('Europe/Berlin').add(1, 'days').format()",
            "2024-03-31T12:00:00+02:00",
        ),
        (
            "$moment('2024-03-30T12:00:00+01:00').tz('Europe/Berlin').add(24, 'hours').format()",
            "2024-03-31T13:00:00+02:00",
        ),
        ("$moment('2024-01-31T00:00:00Z').utc().add(1, 'month').format('YYYY-MM-DD')",
         "2024-02-29"),
        ("$moment('2024-01-31T10:00:00Z').utc().subtract(90, 'm').format('HH:mm')", "08:30"),
        ("$moment('2024-02-10T10:11:12Z').utc().startOf('month').format()",
         "2024-02-01T00:00:00+00:00"),
        ("$moment('2024-02-10T10:11:12Z').utc().endOf('day').format('HH:mm:ss.SSS')",
         "23:59:59.999"),
        ("$moment('2024-01-01T10:00:00Z').diff($moment('2024-01-01T08:30:00Z'), 'minutes')", 90),
        ("$moment('2024-01-01T10:00:00Z').diff('2024-01-01T08:30:00Z', 'hours')", 1),
        ("$moment('2024-01-01T10:00:00Z').diff('2024-01-01T08:30:00Z', 'hours', true)", 1.5),
        ("$moment('2024-03-15T00:00:00Z').diff('2024-01-20T00:00:00Z', 'months')", 1),
        ("$moment('2024-01-01T00:00:00Z').isBefore($moment())", False),
        ("$moment('2020-01-01T00:00:00Z').isBefore($moment())", True),
        ("$moment(0).isAfter('1969-12-31T23:59:59Z')", True),
        ("$moment('31/12/2023 23:59 +0000', 'DD/MM/YYYY HH:mm ZZ').utc().format()",
         "2023-12-31T23:59:00+00:00"),
        ("$moment('7:05 pm +01:00', 'h:mm a Z').utc().format('HH:mm')", "18:05"),
        ("$moment('not a date').isValid()", False),
        ("$moment('not a date').format()", "Invalid date"),
        ("[$moment('2024-07-04T05:06:07.089Z').utc().month(),"
         " $moment('2024-07-04T05:06:07.089Z').utc().day(),"
         " $moment('2024-07-04T05:06:07.089Z').utc().millisecond()]", [6, 4, 89]),
    ],
)
def test_moment(expression: str, expected: Any) -> None:
    assert evaluate(expression, {"payload": "2024-05-06T07:08:09Z"}) == expected


def test_an_unknown_time_zone_is_an_error_naming_it() -> None:
    with pytest.raises(NodeError, match="unknown time zone 'Mars/Olympus'"):
        evaluate("$moment().tz('Mars/Olympus').format()")


def test_moment_reads_the_engine_clock_in_a_flow() -> None:
    flow = """
flowrt: 1
nodes:
  stamp:
    type: change
    rules:
      - set: payload
        to: {type: jsonata, value: "$moment().utc().format('YYYY-MM-DD HH:mm')"}
"""
    result = run_flow(flow, inputs=[(90, {})])
    assert result.payloads("stamp") == ["2026-01-01 00:01"]
