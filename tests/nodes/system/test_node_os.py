"""The node-os node: each value against what Node.js's own os module says on this machine
(the values that do not change from one moment to the next), and a message's `property`."""

from __future__ import annotations

import json
import shutil
import subprocess
from typing import Any

import pytest

from flowrt.testing import run_flow

STABLE = ("arch", "EOL", "endianness", "hostname", "release", "type", "tmpdir", "homedir",
          "totalmem", "userInfo")


def node_js(member: str) -> Any:
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js) is needed to compare with its os module")
    script = (f"const os = require('os'); const v = os[{json.dumps(member)}];"
              "console.log(JSON.stringify(typeof v === 'function' ? v() : v))")
    return json.loads(subprocess.run([node, "-e", script], capture_output=True, text=True,
                                     check=True, timeout=60).stdout)


def read(prop: str, msg: dict[str, Any] | None = None) -> tuple[list[Any], list[Any]]:
    flow = {"flowrt": 1, "nodes": {"o": {"type": "node-os", "property": prop}}}
    result = run_flow(json.dumps(flow), [msg or {"payload": 1}], into="o")
    assert result.errors == []
    return result.sent("o", 0), result.sent("o", 1)


@pytest.mark.parametrize("member", STABLE)
def test_the_values_node_js_gives(member: str) -> None:
    (msg,), _ = read(member)
    assert msg["payload"] == node_js(member)


def test_the_shapes_of_changing_values() -> None:
    (msg,), _ = read("cpus")
    theirs = node_js("cpus")
    assert len(msg["payload"]) == len(theirs)
    assert [c["model"] for c in msg["payload"]] == [c["model"] for c in theirs]
    assert set(msg["payload"][0]["times"]) == set(theirs[0]["times"])
    (msg,), _ = read("networkInterfaces")
    assert set(msg["payload"]) == set(node_js("networkInterfaces"))
    for member in ("freemem", "uptime"):
        (msg,), _ = read(member)
        assert isinstance(msg["payload"], int | float) and msg["payload"] > 0
    (msg,), _ = read("loadavg")
    assert len(msg["payload"]) == 3


def test_a_message_names_another_value_or_a_missing_one() -> None:
    (msg,), _ = read("arch", {"property": "hostname"})
    assert msg["payload"] == node_js("hostname")
    _, (bad,) = read("arch", {"property": "nothing", "payload": 5})
    assert bad["error"] == "Error: Property not found: nothing" and bad["payload"] == 5
