"""Running a function node's attack where a hang or a crash cannot take the test run with it.

``run_guarded`` runs a flow through :func:`flowrt.testing.run_flow` in a child Python process and
returns what it did as plain data. The child is killed after ``limit`` seconds: a flow that
hangs the engine (or crashes it) shows as ``{"hung": True}`` or ``{"exit": <code>}`` instead of
stalling pytest."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]

_CHILD = """
import json, sys
from flowrt.testing import run_flow
args = json.loads(sys.stdin.read())
inputs = [tuple(i) if isinstance(i, list) else i for i in args["inputs"]]
result = run_flow(args["flow"], inputs=inputs, into=args["into"], timeout=args["timeout"],
                  virtual_time=args["virtual"])
out = {
    "sent": {f"{k[0]}:{k[1]}": v for k, v in result.messages.items()},
    "errors": [[e.node, e.message] for e in result.errors],
    "warnings": [list(w) for w in result.warnings],
    "logged": [[n, text] for n, level, text in result.logs if level == "error"],
    "statuses": [[n, s] for n, s in result.statuses],
}
print("RESULT " + json.dumps(out, default=str))
"""


def run_guarded(
    flow: str,
    inputs: list[Any],
    *,
    into: str | None = "f",
    limit: float = 60.0,
    timeout: float = 45.0,
    virtual: bool = True,
) -> dict[str, Any]:
    """What the flow did, or ``{"hung": True}`` / ``{"exit": code, "stderr": ...}``."""
    args = {"flow": flow, "inputs": inputs, "into": into, "timeout": timeout,
            "virtual": virtual}
    try:
        done = subprocess.run([sys.executable, "-c", _CHILD], input=json.dumps(args),
                              capture_output=True, text=True, timeout=limit, cwd=ROOT)
    except subprocess.TimeoutExpired:
        return {"hung": True}
    for line in done.stdout.splitlines():
        if line.startswith("RESULT "):
            result: dict[str, Any] = json.loads(line[len("RESULT "):])
            return result
    return {"exit": done.returncode, "stderr": done.stderr[-3000:]}


def payloads(result: dict[str, Any], node: str, port: int = 0) -> list[Any]:
    assert "sent" in result, result
    return [m.get("payload") for m in result["sent"].get(f"{node}:{port}", [])]


def failures(result: dict[str, Any], node: str = "f") -> list[str]:
    """Every error of ``node``: messages it failed (caught or not) and errors it logged."""
    assert "sent" in result, result
    found = [e[1] for e in result["errors"] + result["logged"] if e[0] == node]
    return list(dict.fromkeys(found + caught(result)))


def caught(result: dict[str, Any], node: str = "oops") -> list[str]:
    """The error messages the catch node ``node`` received."""
    assert "sent" in result, result
    return [m["error"]["message"] for m in result["sent"].get(f"{node}:0", [])]
