"""Fixtures of the influx pack's tests: a database or measurement per test, private servers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import httpx
import pytest

from tests.nodes.influx.influx_kit import INFLUX, VM, influxql
from tests.support.servers import PrivateServer


@pytest.fixture
def name() -> str:
    """A name unique to the test (database, measurement)."""
    return "flowrt_t_" + uuid.uuid4().hex[:10]


@pytest.fixture
def database(name: str) -> Iterator[str]:
    """A fresh database on the shared InfluxDB 1.x, dropped after the test."""
    influxql(INFLUX, f'CREATE DATABASE "{name}"')
    yield name
    influxql(INFLUX, f'DROP DATABASE "{name}"')


@pytest.fixture
def measurement(name: str) -> Iterator[str]:
    """A measurement name unique to the test on VictoriaMetrics, its series deleted after."""
    yield name
    selector = f'{{__name__=~"{name}_.*"}}'
    httpx.post(f"{VM}/api/v1/admin/tsdb/delete_series", data={"match[]": selector}, timeout=30)


@pytest.fixture
def private_influx() -> Iterator[Callable[..., PrivateServer]]:
    """Private InfluxDB 1.x servers (made stopped; ``start()`` them), removed after the test.
    ``make(auth=True)`` turns authentication on."""
    made: list[PrivateServer] = []

    def make(auth: bool = False) -> PrivateServer:
        server = PrivateServer("influx")
        if auth:
            server._env["INFLUXDB_HTTP_AUTH_ENABLED"] = "true"
        made.append(server)
        return server

    yield make
    for server in made:
        server.close()
