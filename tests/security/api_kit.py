"""A real `flowrt serve` process for the API abuse tests, and plain HTTP helpers around it."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any

from tests.support.serving import Process, serve_process

HEADERS = {"X-Flowrt-Request": "1", "Content-Type": "application/json"}


Served = Process
"""A `flowrt serve` process (tests/support/serving.py)."""
serving = serve_process
"""`flowrt serve --flows FLOWS ARGS` on a free port, once it answers /health."""


def call(url: str, method: str = "GET", body: Any = None,
         timeout: float = 60) -> tuple[int, Any]:
    """(status, decoded JSON body or text) of one request; HTTP errors are answers too."""
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(url, data=data, method=method, headers=HEADERS)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as res:
            status, raw = res.status, res.read()
    except urllib.error.HTTPError as exc:
        status, raw = exc.code, exc.read()
    try:
        return status, json.loads(raw)
    except ValueError:
        return status, raw.decode(errors="replace")


def big_flow(nodes: int, flow_id: str = "big") -> str:
    """A valid flow of ``nodes`` nodes: chains of inject -> change ... -> debug, ten long."""
    parts = [f"flowrt: 1\nid: {flow_id}\nnodes:\n"]
    for i in range(nodes):
        last = (i + 1) % 10 == 0 or i + 1 == nodes
        kind = "inject" if i % 10 == 0 else ("debug" if last else "change")
        parts.append(f"  {flow_id}{i}:\n    type: {kind}\n")
        if kind == "change":
            parts.append("    rules:\n      - {set: payload.x, to: 1}\n")
        if kind == "debug":
            parts.append("    active: false\n")
        if not last:
            parts.append(f"    to: {flow_id}{i + 1}\n")
    return "".join(parts)
