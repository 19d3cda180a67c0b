"""The influxdb connection: how a flow declares it, what the checker refuses, where writes go."""

from __future__ import annotations

import pytest
from flowrt_nodes.influx.influxdb import server_of

from flowrt.errors import CheckError, ConfigError
from flowrt.testing import run_flow
from tests.nodes.influx.influx_kit import INFLUX, rows

T = 1_700_000_000_000


SINK = "{type: influx-out, connection: tsdb, measurement: m}"


def flow(connection: str, node: str = SINK) -> str:
    return f"flowrt: 1\nconnections:\n  tsdb: {connection}\nnodes:\n  store: {node}\n"


@pytest.mark.parametrize("version", ["1", "'1'"])
def test_version_is_a_number_or_a_text(version: str, database: str) -> None:
    text = flow(f"{{type: influxdb, version: {version}, url: '{INFLUX}', database: {database}}}")
    result = run_flow(text, [{"payload": 1, "timestamp": T}], into="store", virtual_time=False)
    assert not result.errors, result.errors
    assert rows(INFLUX, database, "SELECT * FROM m") == [{"time": T, "value": 1}]


def test_an_unknown_version_is_refused_at_check() -> None:
    with pytest.raises(CheckError) as caught:
        run_flow(flow("{type: influxdb, version: 3, url: 'http://127.0.0.1:8086'}"))
    (d,) = caught.value.diagnostics
    assert d.node == "tsdb" and "version must be one of" in d.message and d.line == 3


def test_an_inline_token_or_password_is_refused() -> None:
    with pytest.raises(CheckError) as caught:
        run_flow(flow("{type: influxdb, url: 'http://x:8086', token: abc, password: pw}"))
    codes = sorted((d.code, d.message.split()[0]) for d in caught.value.diagnostics)
    assert codes == [("E039", "password"), ("E039", "token")]


def test_the_url_must_be_http() -> None:
    with pytest.raises(CheckError) as caught:
        run_flow(flow("{type: influxdb, url: 'udp://127.0.0.1:8089', bucket: b}"))
    assert [d.code for d in caught.value.diagnostics] == ["E020"]


@pytest.mark.parametrize(
    ("connection", "reason"),
    [
        ("{type: influxdb, url: 'http://127.0.0.1:8428'}",
         "no bucket to write to: set `bucket` on the influxdb connection or on the node"),
        ("{type: influxdb, version: 1, url: 'http://127.0.0.1:8086'}",
         "no database to write to: set `database` on the influxdb connection, or `bucket`"),
    ],
)
def test_a_sink_with_nowhere_to_write_cannot_start(connection: str, reason: str) -> None:
    with pytest.raises(ConfigError) as caught:
        run_flow(flow(connection))
    assert "node 'store' (influx-out) cannot start" in str(caught.value)
    assert reason in str(caught.value)


def test_a_connection_of_another_type_is_refused() -> None:
    with pytest.raises(CheckError) as caught:
        run_flow(
            "flowrt: 1\nconnections:\n  tsdb: {type: influxdb, bucket: b}\n"
            "nodes:\n  store: {type: influx-out, connection: nowhere}\n"
        )
    assert "nowhere" in str(caught.value)


@pytest.mark.parametrize(
    ("url", "server"),
    [
        ("http://127.0.0.1:8086", "127.0.0.1:8086"),
        ("https://user:secret@influx.example.com/prefix", "influx.example.com:443"),
        ("http://[::1]/", "[::1]:80"),
    ],
)
def test_messages_name_the_server_without_credentials(url: str, server: str) -> None:
    assert server_of(url) == server
