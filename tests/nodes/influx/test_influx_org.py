"""The organisation of a 2.x write or query: the node's `org` when it sets one, else the
connection's, as the requests that reach an HTTP server on 127.0.0.1 show."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from flowrt.testing import run_flow
from tests.nodes.influx.influx_kit import v2_flow


class Recorder(BaseHTTPRequestHandler):
    """Answers /api/v2/write with 204 and /api/v2/query with no tables; records each request's
    path and query parameters."""

    seen: list[tuple[str, dict[str, list[str]]]] = []

    def do_POST(self) -> None:  # noqa: N802 - the http.server name
        parts = urlsplit(self.path)
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        self.seen.append((parts.path, parse_qs(parts.query)))
        if parts.path == "/api/v2/write":
            self.send_response(204)
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "text/csv; charset=utf-8")
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[str]:
    Recorder.seen = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


@pytest.mark.parametrize(("extra", "org"), [("", "plant"), (", org: acme", "acme")])
def test_a_write_goes_to_the_nodes_org_else_the_connections(
    server: str, extra: str, org: str
) -> None:
    flow = v2_flow(
        f"  store: {{type: influx-out, connection: tsdb, measurement: m{extra}}}\n", server)
    result = run_flow(flow, [{"payload": 1}], into="store", virtual_time=False, timeout=60,
                      env={"INFLUX_TOKEN": "t"})
    assert result.errors == []
    writes = [params for path, params in Recorder.seen if path == "/api/v2/write"]
    assert writes and {p["org"][0] for p in writes} == {org}
    assert {p["bucket"][0] for p in writes} == {"sensors"}


@pytest.mark.parametrize(("extra", "org"), [("", "plant"), (", org: acme", "acme")])
def test_a_query_runs_in_the_nodes_org_else_the_connections(
    server: str, extra: str, org: str
) -> None:
    flow = v2_flow(
        "  ask: {type: influx-query, connection: tsdb, "
        f"query: 'from(bucket: \"sensors\") |> range(start: -1h)'{extra}, to: got}}\n"
        "  got: {type: debug, active: false}\n", server)
    result = run_flow(flow, [{"payload": 1}], into="ask", virtual_time=False, timeout=60,
                      env={"INFLUX_TOKEN": "t"})
    assert result.errors == []
    assert [m["payload"] for m in result.received("got")] == [[]]
    queries = [params for path, params in Recorder.seen if path == "/api/v2/query"]
    assert [p["org"][0] for p in queries] == [org]
