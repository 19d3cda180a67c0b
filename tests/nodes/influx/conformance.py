"""The influx pack in the conformance suite: influx-out (a sink only) against InfluxDB 1.x over
the 1.x API (``influx-v1``) and against VictoriaMetrics over the 2.x write API that
influxdb-client speaks (``influx-v2``).

Message i is one point of measurement KEY in the `[fields, tags]` form: fields `n` = i and
`half` = i / 2 (and the text `label` on 1.x: VictoriaMetrics keeps numbers only), tag `i`, the
message's tag `parity`, the node's tag `suite`, and the time BASE + i ms. ``stored`` reads the
points back (InfluxQL on 1.x, the export API of VictoriaMetrics, where field `n` of KEY is the
series `KEY_n`) and checks every one of those. On 1.x each stream has its own database, so a
private server's restart keeps it; the 1.x connection also passes a password as a secret (the
test server has authentication off, so it is accepted and ignored).
"""

from __future__ import annotations

import json
from typing import Any

import httpx

BASE = 1_700_000_000_000
"""Timestamps are fixed (ms): both servers keep them (VictoriaMetrics with 100 years of
retention, as .ci/services.sh starts it)."""
TIMEOUT = 30.0


class _Influx:
    server = ""
    source_type = None
    sink_type = "influx-out"

    def env(self, url: str) -> dict[str, str]:
        return {"FLOWRT_INFLUX_SECRET": "conformance-secret"}

    def source_config(self, key: str) -> dict[str, Any]:
        raise NotImplementedError("the influx pack has no source")

    def sink_config(self, key: str) -> dict[str, Any]:
        return {"measurement": key, "tags": {"suite": "conformance"}, "precision": "ms"}

    def fields(self, i: int) -> dict[str, Any]:
        return {"n": i, "half": i / 2}

    def message(self, key: str, i: int) -> dict[str, Any]:
        return {
            "payload": [self.fields(i), {"i": str(i)}],
            "tags": {"parity": "even" if i % 2 == 0 else "odd"},
            "timestamp": BASE + i,
            "topic": "not-the-measurement",
        }

    async def publish(self, url: str, key: str, indexes: range) -> None:
        raise NotImplementedError("the influx pack has no source")

    def received_index(self, key: str, msg: dict[str, Any]) -> int:
        raise NotImplementedError("the influx pack has no source")

    async def watch(self, url: str, key: str) -> None:
        return None

    async def pending(self, url: str, key: str) -> int | None:
        return None

    def check(self, i: int, tags: dict[str, Any], n: Any, half: Any, time: Any) -> None:
        where = f"point i={i}"
        assert tags.get("parity") == ("even" if i % 2 == 0 else "odd"), (where, tags)
        assert tags.get("suite") == "conformance", (where, tags)
        assert n == i and half == i / 2, (where, n, half)
        assert time == BASE + i, (where, time)


class InfluxV1(_Influx):
    name = "influx-v1"
    server = "influx"

    def connection(self, url: str, key: str) -> dict[str, Any]:
        return {
            "type": "influxdb", "version": 1, "url": url, "database": key,
            "username": "flowrt", "password": "${FLOWRT_INFLUX_SECRET}",
        }

    def fields(self, i: int) -> dict[str, Any]:
        return {**super().fields(i), "label": f"m{i}"}

    async def _query(self, url: str, q: str, db: str = "") -> dict[str, Any]:
        data = {"q": q, "epoch": "ms", **({"db": db} if db else {})}
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            response = await client.post(f"{url}/query", data=data)
        response.raise_for_status()
        answer: dict[str, Any] = response.json()
        return answer

    async def prepare(self, url: str, key: str) -> None:
        await self._query(url, f'CREATE DATABASE "{key}"')

    async def stored(self, url: str, key: str) -> list[int]:
        result = (await self._query(url, f'SELECT * FROM "{key}"', key))["results"][0]
        assert "error" not in result, result
        found: list[int] = []
        for series in result.get("series", []):
            for values in series["values"]:
                row = dict(zip(series["columns"], values, strict=True))
                i = int(row["i"])
                self.check(i, row, row["n"], row["half"], row["time"])
                assert row["label"] == f"m{i}", row
                found.append(i)
        return found

    async def cleanup(self, url: str, key: str) -> None:
        await self._query(url, f'DROP DATABASE "{key}"')


class InfluxV2(_Influx):
    name = "influx-v2"
    server = "vm"

    def connection(self, url: str, key: str) -> dict[str, Any]:
        return {
            "type": "influxdb", "version": 2, "url": url, "org": "flowrt",
            "bucket": "conformance", "token": "${FLOWRT_INFLUX_SECRET}",
        }

    async def prepare(self, url: str, key: str) -> None:
        return None  # VictoriaMetrics makes series as points arrive

    async def stored(self, url: str, key: str) -> list[int]:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            await client.get(f"{url}/internal/force_flush")
            response = await client.post(
                f"{url}/api/v1/export",
                data={"match[]": f'{{__name__=~"{key}_(n|half)"}}', "start": "0"},
            )
        response.raise_for_status()
        samples: dict[str, dict[int, list[float]]] = {"n": {}, "half": {}}
        labels: dict[int, dict[str, Any]] = {}
        for line in response.text.splitlines():
            if not line.strip():
                continue
            series = json.loads(line)
            metric = series["metric"]
            i = int(metric["i"])
            labels[i] = metric
            for value, stamp in zip(series["values"], series["timestamps"], strict=True):
                assert stamp == BASE + i, (f"point i={i}", stamp)
                samples[metric["__name__"].rsplit("_", 1)[1]].setdefault(i, []).append(value)
        found: list[int] = []
        for i, ns in samples["n"].items():
            halves = samples["half"].get(i)
            assert halves, f"point i={i}: field half missing"
            self.check(i, labels[i], ns[0], halves[0], BASE + i)
            assert set(ns) == {i}, (f"point i={i}", ns)
            found.extend([i] * len(ns))
        return found

    async def cleanup(self, url: str, key: str) -> None:
        async with httpx.AsyncClient(timeout=TIMEOUT) as client:
            await client.post(
                f"{url}/api/v1/admin/tsdb/delete_series",
                data={"match[]": f'{{__name__=~"{key}_.*"}}'},
            )


BACKENDS = [InfluxV1(), InfluxV2()]
