"""JavaScript's String(value), declared once (flowrt.api.js_string) for every node that turns a
value into text as Node-RED does; checked against Node.js's own String()."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from typing import Any

import pytest

from flowrt.api import MISSING, js_string

NUMBERS = [1.0, 0.5, 1e-5, 1.5e-6, 1e-7, 2.5e-7, 1e21, 1.5e21, 1e300, -1e-7, 123456789.123,
           0.1 + 0.2, -0.0, 3e20, 5e-324, 1.7976931348623157e308, 42, -3]


def test_numbers_are_written_as_v8_writes_them() -> None:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js) is needed: it is the oracle")
    done = subprocess.run([node, "-e", f"console.log(JSON.stringify({json.dumps(NUMBERS)}"
                           ".map(String)))"], capture_output=True, text=True, timeout=60)
    assert [js_string(n) for n in NUMBERS] == json.loads(done.stdout)


@pytest.mark.parametrize(("value", "text"), [
    ("text", "text"), (True, "true"), (False, "false"), (None, "null"), (MISSING, "undefined"),
    (math.nan, "NaN"), (math.inf, "Infinity"), (-math.inf, "-Infinity"),
    ([1, None, "a", [2, 3]], "1,,a,2,3"), ((1, 2), "1,2"), ({"a": 1}, "[object Object]"),
    (b"\xc3\xa9t\xc3\xa9", "été"), ([], ""),
])
def test_other_values(value: Any, text: str) -> None:
    assert js_string(value) == text
