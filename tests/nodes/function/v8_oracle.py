"""V8 as the oracle for the function node: the same JavaScript expressions evaluated by Node.js
(`node -e`) and by flowrt's function node, each printed with String(), for differential tests."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import time
from collections.abc import Iterator
from contextlib import contextmanager

from flowrt.testing import run_flow
from tests.nodes.function.jsflow import function_flow

NODE = shutil.which("node")


def _program(exprs: list[str]) -> str:
    tries = "".join(
        f"try {{ out.push(String({e})); }} catch (x) {{ out.push('throws ' + x.name); }}\n"
        for e in exprs
    )
    return "var out = [];\n" + tries


@contextmanager
def time_zone(name: str) -> Iterator[None]:
    """The process time zone set to `name` for the block (QuickJS reads it from the C library)."""
    old = os.environ.get("TZ")
    os.environ["TZ"] = name
    time.tzset()
    try:
        yield
    finally:
        if old is None:
            del os.environ["TZ"]
        else:
            os.environ["TZ"] = old
        time.tzset()


def in_v8(exprs: list[str], zone: str) -> list[str]:
    assert NODE is not None, "Node.js (the V8 oracle) is not on PATH: install it (Debian: nodejs)"
    env = {**os.environ, "TZ": zone}
    done = subprocess.run(
        [NODE, "-e", _program(exprs) + "console.log(JSON.stringify(out));"],
        capture_output=True, text=True, env=env, check=True, timeout=30,
    )
    result: list[str] = json.loads(done.stdout)
    return result


def in_flowrt(exprs: list[str], zone: str) -> list[str]:
    with time_zone(zone):
        result = run_flow(
            function_flow(_program(exprs) + "msg.payload = out;\nreturn msg;"),
            inputs=[{"payload": 0}],
        )
    assert result.errors == []
    payload: list[str] = result.sent("f", 0)[0]["payload"]
    return payload


def thrown_in_v8(body: str) -> str:
    """`name: message` of the error V8 throws running `body` as a function node's code."""
    assert NODE is not None, "Node.js (the V8 oracle) is not on PATH: install it (Debian: nodejs)"
    program = (
        f"try {{ (function (msg) {{\n{body}\n}})({{payload: 0}});"
        " console.log(JSON.stringify(null)); }"
        " catch (e) { console.log(JSON.stringify(e.name + ': ' + e.message)); }"
    )
    done = subprocess.run([NODE, "-e", program], capture_output=True, text=True, check=True,
                          timeout=30)
    result: str = json.loads(done.stdout)
    return result


def caught_in_flowrt(body: str) -> str:
    """The error a catch node gets from the function node running `body`, without the line."""
    flow = function_flow(body, extra="oops: {type: catch, scope: [f]}")
    result = run_flow(flow, inputs=[{"payload": 0}], into="f")
    [caught] = result.sent("oops")
    message: str = caught["error"]["message"]
    return message.rsplit(" (line ", 1)[0]
