"""Run flows in a child process with a memory cap and a time bound per flow.

For attacks that would hang or exhaust the process running them: a catastrophic regular
expression, a template that loops for hours or builds a gigabyte of text. Each case runs
through :func:`flowrt.testing.run_flow` in one child process whose address space is capped
(``RLIMIT_AS``), so a bound that does not hold ends in a ``MemoryError`` or a hang guard, not in
a machine out of memory. The results come back as plain data: the errors of each flow (node id
and text) and what each node sent (payloads cut to 200 characters).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Sequence
from typing import Any

MEMORY_CAP = 2 * 1024**3
"""Bytes of address space the child may use: a few times what a flow needs, far less than the
machine has."""

HANG_GUARD = 30
"""Seconds one case may take before the child gives up on it (only guards against a hang)."""

_CHILD = r"""
import json, resource, signal, sys, time
cap, guard = int(sys.argv[1]), int(sys.argv[2])
resource.setrlimit(resource.RLIMIT_AS, (cap, cap))
from flowrt.testing import run_flow

def cut(value):
    text = value if isinstance(value, str) else json.dumps(value, default=repr)
    return text if len(text) <= 200 else text[:200] + "..."

class Hang(Exception):
    pass

def on_alarm(signum, frame):
    raise Hang(f"still running after {guard} s")

signal.signal(signal.SIGALRM, on_alarm)
out = []
for case in json.loads(sys.stdin.read()):
    started = time.monotonic()
    signal.alarm(guard)
    try:
        result = run_flow(case["flow"], inputs=case["inputs"], env=case.get("env"),
                          timeout=guard)
    except BaseException as exc:
        signal.alarm(0)
        out.append({"crash": f"{type(exc).__name__}: {exc}"[:500],
                    "elapsed": time.monotonic() - started})
        continue
    signal.alarm(0)
    out.append({
        "errors": [{"node": e.node, "message": e.message[:500]} for e in result.errors],
        "sent": {f"{node}:{port}": [cut(m.get("payload")) for m in msgs]
                 for (node, port), msgs in result.messages.items()},
        "elapsed": time.monotonic() - started,
    })
print(json.dumps(out))
"""


def run_isolated(cases: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """Run each case (``{"flow": yaml text, "inputs": [messages], "env": {...}}``) in one child
    process, in order; one result per case: ``{"errors", "sent", "elapsed"}``, or
    ``{"crash": text}`` when the flow could not run at all (a hang guard, a MemoryError).
    When the whole child dies or hangs, every case gets a ``crash`` saying so."""
    bound = HANG_GUARD * (len(cases) + 2)
    try:
        done = subprocess.run(
            [sys.executable, "-c", _CHILD, str(MEMORY_CAP), str(HANG_GUARD)],
            input=json.dumps(list(cases)), capture_output=True, text=True, timeout=bound,
        )
    except subprocess.TimeoutExpired:
        return [{"crash": f"the child process hung for {bound} s"} for _ in cases]
    if done.returncode != 0 or not done.stdout.strip():
        why = f"the child process failed ({done.returncode}): {done.stderr[-2000:]}"
        return [{"crash": why} for _ in cases]
    results: list[dict[str, Any]] = json.loads(done.stdout.strip().splitlines()[-1])
    return results
