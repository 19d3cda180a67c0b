"""js_number's short way (a ``repr`` that is JavaScript's text as it is) against the long way
it skips and against Node.js's own ``String()``: on the edges of the two ways (1e-4 and 1e16,
where ``repr`` changes notation; 1e-6 and 1e21, where JavaScript does), on any float
(hypothesis), and on random bit patterns written by Node.js."""

from __future__ import annotations

import json
import math
import random
import shutil
import struct
import subprocess

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from flowrt.expressions.js_string import _written, js_number

EDGES = [0.0, -0.0, 1e-4, 9.999999999999999e-05, 0.00010000000000000002, 1e16, 9999999999999998.0,
         1.0000000000000002e16, 1.5e16, 1e-6, 9.99999e-07, 1e21, 9.999999999999999e20, 1e-7,
         5e-324, -5e-324, 2.2250738585072014e-308, 1.7976931348623157e308, 0.1 + 0.2, 0.5, -0.5,
         123456789.123, 2.0**53, 2.0**53 + 2, -(2.0**60), 1e-5, 1.234e-5, 0.3745401188473625,
         math.nan, math.inf, -math.inf, 100.0, -1.0, 1e22, 12345678901234567890.0]


def _random_floats(n: int) -> list[float]:
    """Floats of random bits (every exponent as likely), finite, and some of each decade
    around the edges."""
    rng = random.Random(20261207)
    out: list[float] = []
    while len(out) < n:
        value = struct.unpack("<d", rng.getrandbits(64).to_bytes(8, "little"))[0]
        if math.isfinite(value):
            out.append(value)
    out += [rng.uniform(1, 10) * 10.0**e for e in range(-9, 24) for _ in range(20)]
    return out


@pytest.mark.parametrize("value", EDGES)
def test_the_short_way_writes_the_edges_as_the_long_way(value: float) -> None:
    assert js_number(value) == _written(value, repr(value))


@settings(max_examples=3000, deadline=None)
@given(st.floats(allow_nan=True, allow_infinity=True))
def test_the_short_way_writes_any_float_as_the_long_way(value: float) -> None:
    assert js_number(value) == _written(value, repr(value))


def test_the_short_way_is_taken_only_where_repr_is_positional() -> None:
    """A text with no exponent, no ``.0``: inside [1e-4, 1e16) and not whole; the long way
    elsewhere (a mutant taking ``repr`` for whole numbers or exponents fails the tests above)."""
    for value in (0.5, 1e-4 * 1.5, 9.5e14 + 0.5, -3.25):
        assert js_number(value) == repr(value)
    for value, text in ((2.0, "2"), (1e-7, "1e-7"), (1.5e16, "15000000000000000"),
                        (1.234e-5, "0.00001234"), (1e21, "1e+21"), (-0.0, "0")):
        assert js_number(value) == text


class _Named(float):
    def __repr__(self) -> str:
        return "Named()"


def test_a_subclass_is_written_by_its_value() -> None:
    assert js_number(_Named(0.5)) == "0.5"
    assert js_number(_Named(2.0)) == "2"


def test_random_floats_are_written_as_node_writes_them() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js) is needed: it is the oracle")
    values = _random_floats(2000) + [v for v in EDGES if math.isfinite(v)]
    done = subprocess.run([node, "-e", "const v = JSON.parse(require('fs').readFileSync(0));"
                           "console.log(JSON.stringify(v.map(String)))"],
                          input=json.dumps(values), capture_output=True, text=True, timeout=60)
    written = json.loads(done.stdout)
    assert len(written) == len(values)
    wrong = [(v, js_number(v), w) for v, w in zip(values, written, strict=True)
             if js_number(v) != w]
    assert wrong == []


def test_a_whole_number_past_2_53_is_written_by_its_shortest_digits() -> None:
    """JavaScript writes the fewest digits that read back, then zeros: not the exact integer
    (``str(int(value))`` wrote 26213122247236042752; Node.js writes 26213122247236043000)."""
    assert js_number(2.6213122247236043e19) == "26213122247236043000"
    assert js_number(-1.2345678901234567e20) == "-123456789012345670000"
    assert js_number(9007199254740993.0) == "9007199254740992"
