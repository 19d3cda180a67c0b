"""/metrics and /api/state on a running flow through the real Mosquitto: per node counts, errors,
processing times, queue depths, a source's unacknowledged window, a sink's batches, each
connection's state and reconnects; and deploy/grafana/flowrt.json queries only metrics that
are there."""

from __future__ import annotations

import json
import re
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app
from tests.server.server_kit import HEADERS
from tests.support.servers import PrivateServer, url
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
DASHBOARD = ROOT / "deploy" / "grafana" / "flowrt.json"

FLOW = """\
flowrt: 1
id: watched
connections:
  plant: {{type: mqtt-broker, url: "{url}"}}
nodes:
  tick: {{type: inject, payload: 5, to: publish}}
  publish: {{type: mqtt-out, connection: plant, topic: "{topic}", qos: 1, buffer: 500}}
  readings:
    {{type: mqtt-in, connection: plant, topic: "{topic}", qos: 1, journal: false, to: double}}
  logged: {{type: mqtt-in, connection: plant, topic: "{topic}", qos: 1}}
  double:
    type: change
    rules: [{{set: payload, to: 10}}]
    to: show
  show: {{type: debug, status: count}}
  junk: {{type: inject, payload: "{{not json", to: bad}}
  bad: {{type: json}}
"""


def serve(flows: Path, broker: str) -> TestClient:
    (flows / "watched.yaml").write_text(
        FLOW.format(url=broker, topic=f"flowrt-test/metrics/{uuid.uuid4().hex}"))
    client = TestClient(create_app(ServerSettings(flows=flows, env={}, close_timeout=5.0)),
                        base_url="http://testserver")
    client.__enter__()
    return client


def nodes(client: TestClient) -> dict[str, Any]:
    state: dict[str, Any] = client.get("/api/state").json()["nodes"]
    return state


def connected(client: TestClient, conn: str) -> bool:
    links = client.get("/api/state").json().get("connections", {})
    return bool(links.get(conn, {}).get("connected"))


def pump(client: TestClient, n: int) -> None:
    """Send ``n`` messages round the broker and one bad one; wait until all are through."""
    wait_until(lambda: connected(client, "plant") and connected(client, "readings"),
               "the MQTT connection of the flow")
    before, errors = nodes(client)["show"]["in"], nodes(client)["bad"]["errors"]
    for _ in range(n):
        assert client.post("/api/inject/tick", headers=HEADERS).status_code == 200
    assert client.post("/api/inject/junk", headers=HEADERS).status_code == 200
    wait_until(lambda: nodes(client)["show"]["in"] == before + n, f"{n} messages at show")
    wait_until(lambda: nodes(client)["bad"]["errors"] == errors + 1, "the json node's error")


@pytest.fixture
def running(tmp_path: Path,
            monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., TestClient]]:
    monkeypatch.setenv("FLOWRT_METRICS_SAMPLE", "0")  # every message timed: counts to check
    clients: list[TestClient] = []
    flows = tmp_path / "flows"
    flows.mkdir()

    def start(broker: str | None = None) -> TestClient:
        clients.append(serve(flows, broker or url("mqtt")))
        return clients[-1]

    yield start
    for client in clients:
        client.__exit__(None, None, None)


def test_state_has_each_nodes_measurements(running: Callable[..., TestClient]) -> None:
    client = running()
    pump(client, 5)
    state = client.get("/api/state").json()
    got = state["nodes"]
    assert got["double"]["timing"]["count"] == got["double"]["in"] == 5
    assert got["double"]["timing"]["le"][-1] == ["+Inf", 5]
    assert got["publish"]["out"] == 5
    assert got["publish"]["batch_size"]["sum"] == 5
    assert got["publish"]["write"]["count"] == got["publish"]["batch_size"]["count"] >= 1
    assert got["publish"]["queue"] == {"depth": 0, "limit": 500}
    assert sum(got["publish"]["batch_ends"].values()) == got["publish"]["batch_size"]["count"]
    assert got["readings"]["unacked"] == {"count": 0, "limit": 100}
    assert got["logged"]["journal"]["limit"] == 250_000 and "unacked" not in got["logged"]
    assert got["bad"]["errors"] == 1 and got["double"]["errors"] == 0
    assert "timing" not in got["readings"]  # a source is not timed
    links = state["connections"]
    assert {c: (v["connected"], v["type"]) for c, v in links.items()} == {
        "plant": (True, "mqtt-broker"), "readings": (True, "mqtt-in"),
        "logged": (True, "mqtt-in"), "publish": (True, "mqtt-out")}


def test_metrics_show_the_same_in_prometheus_format(running: Callable[..., TestClient]) -> None:
    client = running()
    pump(client, 3)
    text = client.get("/metrics").text
    double = 'node="double",type="change",flow="watched"'
    publish = 'node="publish",type="mqtt-out",flow="watched"'
    assert f"flowrt_node_processing_seconds_count{{{double}}} 3" in text
    assert f'flowrt_node_processing_seconds_bucket{{{double},le="+Inf"}} 3' in text
    assert f"flowrt_node_messages_out_total{{{double}}} 3" in text
    assert f"flowrt_sink_batch_size_sum{{{publish}}} 3.0" in text
    assert f"flowrt_node_queue_limit{{{publish}}} 500" in text
    assert 'flowrt_node_errors_total{node="bad",type="json",flow="watched"} 1' in text
    assert ('flowrt_source_unacked_limit{node="readings",type="mqtt-in",flow="watched"} 100'
            in text)
    assert ('flowrt_connection_connected{connection="plant",type="mqtt-broker",flow="watched"} 1'
            in text)
    assert "# HELP flowrt_node_messages_out_total Messages a node sent on" in text
    assert "Messages a source node produced" not in text


def test_a_broker_restart_counts_a_reconnect(running: Callable[..., TestClient]) -> None:
    broker = PrivateServer("mqtt")
    try:
        broker.start()
        client = running(broker.url)
        pump(client, 1)
        assert "reconnects_total{connection=\"plant\"" in client.get("/metrics").text
        broker.stop()
        wait_until(lambda: not connected(client, "plant"), "the connection seen down")
        down = client.get("/metrics").text
        assert 'flowrt_connection_connected{connection="plant",type="mqtt-broker",' \
               'flow="watched"} 0' in down
        broker.start()
        wait_until(lambda: client.get("/api/state").json()["connections"]["plant"]["reconnects"]
                   == 1, "one reconnect of plant")
        pump(client, 1)  # and messages flow again
    finally:
        broker.close()


def promql_names(expr: str) -> set[str]:
    """The metric names a PromQL expression reads: identifiers that are not functions,
    keywords, label names (inside braces or by/without lists) or durations."""
    expr = re.sub(r"\{[^}]*\}", "", expr)  # label matchers
    expr = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", "", expr)
    expr = re.sub(r"\[[^\]]*\]", "", expr)  # ranges
    words = set(re.findall(r"[a-zA-Z_:][a-zA-Z0-9_:]*(?!\s*\()", expr))
    functions = set(re.findall(r"([a-zA-Z_]+)\s*\(", expr))
    keywords = {"and", "or", "unless", "bool", "offset", "le"}
    return {w for w in words - functions - keywords if w.startswith("flowrt_")}


def dashboard_exprs() -> list[str]:
    board = json.loads(DASHBOARD.read_text())
    exprs = [t["expr"] for p in board["panels"] for t in p.get("targets", [])]
    exprs += [v["query"]["query"] if isinstance(v["query"], dict) else v["query"]
              for v in board.get("templating", {}).get("list", []) if v.get("type") == "query"]
    return exprs


def test_promql_names_are_read_simply() -> None:
    assert promql_names('histogram_quantile(0.95, sum by (le, node) (rate('
                        'flowrt_node_processing_seconds_bucket{flow=~"$flow"}[5m])))') == {
        "flowrt_node_processing_seconds_bucket"}
    assert promql_names("label_values(flowrt_node_messages_in_total, flow)") == {
        "flowrt_node_messages_in_total"}


def test_every_metric_the_dashboard_queries_is_served(
        running: Callable[..., TestClient]) -> None:
    client = running()
    pump(client, 2)
    served = {line.split("{")[0].split(" ")[0] for line in client.get("/metrics").text.splitlines()
              if line and not line.startswith("#")}
    exprs = dashboard_exprs()
    queried = set().union(*(promql_names(e) for e in exprs))
    assert len(exprs) >= 10 and len(queried) >= 12, queried
    assert queried - served == set()
