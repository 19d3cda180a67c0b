"""Deploy (full and changed-only), revisions with diff and rollback, events, state, metrics."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from tests.server.server_kit import HEADERS, flow, receive
from tests.support.waiting import wait_until


def count(client: TestClient, node: str) -> str:
    """The count a debug node (status: count) shows; "" when it shows nothing."""
    status = client.get("/api/state").json()["nodes"][node]["status"]
    return "" if status is None else str(status["text"])


def inject(client: TestClient, node: str) -> None:
    response = client.post(f"/api/inject/{node}", headers=HEADERS)
    assert response.status_code == 200, response.text


def put_text(client: TestClient, name: str, text: str) -> None:
    revision = client.get(f"/api/flows/{name}").json()["revision"] \
        if client.get(f"/api/flows/{name}").status_code == 200 else None
    response = client.put(f"/api/flows/{name}", headers=HEADERS,
                          json={"revision": revision, "text": text})
    assert response.status_code == 200, response.text


def test_changed_deploy_restarts_only_the_changed_flow(client: TestClient,
                                                       flows_dir: Path) -> None:
    (flows_dir / "alerts.yaml").unlink()
    put_text(client, "a.yaml", flow("a"))
    put_text(client, "b.yaml", flow("b"))
    full = client.post("/api/deploy", json={"mode": "full"}, headers=HEADERS)
    assert full.status_code == 200, full.text
    assert sorted(full.json()["changed"]["flows"]) == ["a", "alerts", "b"]  # alerts stopped
    for node in ("a_tick", "a_tick", "b_tick", "b_tick"):
        inject(client, node)
    wait_until(lambda: count(client, "a_show") == "2" and count(client, "b_show") == "2")
    put_text(client, "a.yaml", flow("a", "changed"))
    changed = client.post("/api/deploy", json={"mode": "changed"}, headers=HEADERS)
    assert changed.status_code == 200, changed.text
    assert changed.json()["changed"] == {"flows": ["a"], "nodes": ["a_tick"]}
    assert count(client, "b_show") == "2"  # b kept running, with its node state
    assert count(client, "a_show") == ""  # a started afresh
    inject(client, "b_tick")
    inject(client, "a_tick")
    wait_until(lambda: count(client, "b_show") == "3" and count(client, "a_show") == "1")
    nothing = client.post("/api/deploy", json={"mode": "changed"}, headers=HEADERS)
    assert nothing.json()["changed"] == {"flows": [], "nodes": []}
    assert count(client, "a_show") == "1"
    again = client.post("/api/deploy", json={"mode": "full"}, headers=HEADERS)
    assert sorted(again.json()["changed"]["flows"]) == ["a", "b"]
    assert count(client, "b_show") == ""


def test_a_deploy_with_errors_is_refused_and_changes_nothing(client: TestClient) -> None:
    inject(client, "tick")
    wait_until(lambda: count(client, "show") == "1")
    put_text(client, "broken.yaml", "flowrt: 1\nid: broken\nnodes:\n  x: {type: nope}\n")
    response = client.post("/api/deploy", json={"mode": "full"}, headers=HEADERS)
    assert response.status_code == 422
    assert [(d["code"], d["file"], d["node"]) for d in response.json()["diagnostics"]] == [
        ("E030", "broken.yaml", "x")]
    assert count(client, "show") == "1"


def test_revisions_diff_and_rollback(client: TestClient, flows_dir: Path) -> None:
    revisions = client.get("/api/revisions").json()
    assert [r["message"] for r in revisions] == ["start"]
    first = revisions[0]
    original = (flows_dir / "alerts.yaml").read_text()
    put_text(client, "alerts.yaml", original.replace("payload: 5", "payload: 9"))
    put_text(client, "extra.yaml", flow("extra"))
    second = client.post("/api/deploy", json={"mode": "changed"}, headers=HEADERS).json()
    listed = client.get("/api/revisions").json()
    assert [r["id"] for r in listed] == [second["revision"], first["id"]]
    assert listed[0]["author"] == "local" and listed[0]["hash"] != first["hash"]
    diff = client.get(f"/api/revisions/{first['id']}/diff").json()["diff"]
    assert "-    payload: 5   # degrees\n+    payload: 9   # degrees\n" in diff
    assert "+++ b/extra.yaml" in diff
    rolled = client.post(f"/api/revisions/{first['id']}/rollback", headers=HEADERS)
    assert rolled.status_code == 200, rolled.text
    assert (flows_dir / "alerts.yaml").read_text() == original
    assert not (flows_dir / "extra.yaml").exists()
    assert "extra_tick" not in client.get("/api/state").json()["nodes"]
    assert client.get(f"/api/revisions/{first['id']}/diff").json()["diff"] == ""
    assert client.get("/api/revisions/999/diff").status_code == 404


def test_websocket_receives_a_debug_message_after_an_inject(client: TestClient) -> None:
    with client.websocket_connect("/api/events", headers={"Origin": "http://testserver"}) as ws:
        inject(client, "tick")
        event = receive(ws, "debug")
        assert event["node"] == "show"
        assert event["msg"]["payload"] == 5
        status = receive(ws, "status")
        assert status == {"type": "status", "node": "show",
                          "status": {"fill": "blue", "shape": "ring", "text": "1"}}


def test_inject_refuses_other_nodes(client: TestClient) -> None:
    assert client.post("/api/inject/show", headers=HEADERS).status_code == 400
    assert client.post("/api/inject/nobody", headers=HEADERS).status_code == 404


def test_state_and_metrics_count_messages(client: TestClient) -> None:
    inject(client, "tick")
    inject(client, "tick")
    wait_until(lambda: client.get("/api/state").json()["nodes"]["show"]["in"] == 2)
    state = client.get("/api/state").json()["nodes"]
    assert state["tick"]["out"] == 2
    text = client.get("/metrics").text
    assert 'flowrt_node_messages_in_total{node="show",type="debug",flow="alerts"} 2' in text
    assert 'flowrt_node_messages_out_total{node="tick",type="inject",flow="alerts"} 2' in text
    assert "flowrt_up 1" in text and "flowrt_deploys_total 1" in text
    assert client.get("/ready").json()["status"] == "ready"


def test_context_persists_through_a_context_store(tmp_path: Path, flows_dir: Path) -> None:
    import sqlite3

    from flowrt.server.app import ServerSettings, create_app

    db = tmp_path / "context.db"
    settings = ServerSettings(flows=flows_dir, env={}, context_url=f"sqlite:///{db}")
    app = create_app(settings)
    with TestClient(app):
        rt = app.state.server.engine.find("show")
        rt.contexts["show"].context.set("seen", 3)
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT scope, key, value FROM flowrt_context").fetchall()
    assert ("node:show", "seen", "3") in rows
    with TestClient(create_app(settings)) as client:
        state = client.app.state.server.engine  # type: ignore[attr-defined]
        assert state.find("show").contexts["show"].context.get("seen") == 3


def test_a_changed_connection_restarts_the_flows_that_use_it(client: TestClient,
                                                              flows_dir: Path) -> None:
    """Against the real broker: the connection is declared in one file, used in another."""
    import os
    import uuid

    url = os.environ.get("FLOWRT_TEST_MQTT", "mqtt://127.0.0.1:1883")
    topic = f"flowrt-test/server/{uuid.uuid4().hex}"
    conns = ("flowrt: 1\nid: conns\nconnections:\n"
             f"  broker: {{type: mqtt-broker, url: '{url}', keepalive: 60}}\nnodes: {{}}\n")
    put_text(client, "conns.yaml", conns)
    put_text(client, "pub.yaml",
             "flowrt: 1\nid: pub\nnodes:\n"
             "  go: {type: inject, payload: hi, to: out}\n"
             f"  out: {{type: mqtt-out, connection: broker, topic: '{topic}'}}\n")
    first = client.post("/api/deploy", json={"mode": "changed"}, headers=HEADERS)
    assert first.status_code == 200, first.text
    assert first.json()["changed"]["flows"] == ["pub"]  # alerts (unchanged) kept running
    wait_until(lambda: (client.get("/api/state").json()["nodes"]["out"]["status"] or {})
             .get("text") == "connected")
    put_text(client, "conns.yaml", conns.replace("keepalive: 60", "keepalive: 30"))
    second = client.post("/api/deploy", json={"mode": "changed"}, headers=HEADERS)
    assert second.json()["changed"] == {"flows": ["pub"], "nodes": ["out"]}
    wait_until(lambda: (client.get("/api/state").json()["nodes"]["out"]["status"] or {})
             .get("text") == "connected")


def test_an_inject_with_its_default_payload_deploys_and_redeploys(client: TestClient) -> None:
    """The default payload is a typed value inside a union field: taking the node's signature
    for a changed deploy must not warn (warnings are errors here)."""
    put_text(client, "plain.yaml", "flowrt: 1\nid: plain\nnodes:\n"
                                   "  bare: {type: inject, to: seen}\n"
                                   "  seen: {type: debug, status: count}\n")
    for mode in ("full", "changed"):
        response = client.post("/api/deploy", json={"mode": mode}, headers=HEADERS)
        assert response.status_code == 200, response.text
    inject(client, "bare")
    wait_until(lambda: count(client, "seen") == "1")
