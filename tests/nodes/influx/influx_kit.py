"""Helpers of the influx pack's tests: the real servers, reading back what they hold, flows.

InfluxDB 1.x is read back with InfluxQL, VictoriaMetrics (standing in for the 2.x write API)
with its export API. A missing server fails the tests that need it.
"""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.support.servers import url

INFLUX = url("influx")
VM = url("vm")


def influxql(base: str, q: str, db: str = "", **params: str) -> dict[str, Any]:
    """Run InfluxQL on a 1.x server; returns the JSON answer (a failing HTTP status raises)."""
    data = {"q": q, **({"db": db} if db else {}), **params}
    response = httpx.post(f"{base}/query", data=data, timeout=30)
    response.raise_for_status()
    answer: dict[str, Any] = response.json()
    return answer


def rows(base: str, db: str, q: str) -> list[dict[str, Any]]:
    """The rows of a one-statement query, times in epoch milliseconds."""
    result = influxql(base, q, db, epoch="ms")["results"][0]
    assert "error" not in result, result
    return [
        dict(zip(series["columns"], values, strict=True)) | (series.get("tags") or {})
        for series in result.get("series", [])
        for values in series["values"]
    ]


def vm_export(base: str, match: str) -> list[dict[str, Any]]:
    """Every series VictoriaMetrics holds for a series selector, with values and timestamps."""
    httpx.get(f"{base}/internal/force_flush", timeout=30)
    response = httpx.post(
        f"{base}/api/v1/export", data={"match[]": match, "start": "0"}, timeout=30
    )
    response.raise_for_status()
    return [json.loads(line) for line in response.text.splitlines() if line.strip()]


def v1_flow(db: str, node: str, base: str = INFLUX, conn_extra: str = "") -> str:
    """A flow with a 1.x connection `tsdb` to ``db`` and the given node lines."""
    return (
        "flowrt: 1\n"
        "connections:\n"
        f"  tsdb: {{type: influxdb, version: 1, url: '{base}', database: {db}{conn_extra}}}\n"
        "nodes:\n"
        f"{node}"
    )


def v2_flow(node: str, base: str = VM) -> str:
    """A flow with a 2.x connection `tsdb` (token ${INFLUX_TOKEN}) and the given node lines."""
    return (
        "flowrt: 1\n"
        "connections:\n"
        f"  tsdb: {{type: influxdb, url: '{base}', org: plant, bucket: sensors, "
        "token: '${INFLUX_TOKEN}'}\n"
        "nodes:\n"
        f"{node}"
    )
