"""A deploy that skips the files with errors, when asked: the other flows deploy, a running flow
whose file broke keeps running as it was, and the answer names what was left out and why."""

from __future__ import annotations

from pathlib import Path

from starlette.testclient import TestClient

from tests.server.server_kit import HEADERS, flow
from tests.server.test_deploy import count, inject, put_text
from tests.support.waiting import wait_until

BROKEN = "flowrt: 1\nid: b\nnodes:\n  b_tick: {type: inject, repeat: -5, to: b_show}\n" \
         "  b_show: {type: debug, status: count}\n"


def test_skip_invalid_deploys_the_others_and_keeps_the_broken_flow_running(
        client: TestClient, flows_dir: Path) -> None:
    (flows_dir / "alerts.yaml").unlink()
    put_text(client, "a.yaml", flow("a"))
    put_text(client, "b.yaml", flow("b"))
    assert client.post("/api/deploy", json={"mode": "full"}, headers=HEADERS).status_code == 200
    inject(client, "b_tick")
    wait_until(lambda: count(client, "b_show") == "1")

    put_text(client, "a.yaml", flow("a", "changed"))
    put_text(client, "b.yaml", BROKEN)
    refused = client.post("/api/deploy", json={"mode": "flows"}, headers=HEADERS)
    assert refused.status_code == 422  # by default nothing is deployed

    done = client.post("/api/deploy", json={"mode": "flows", "skip_invalid": True},
                       headers=HEADERS)
    assert done.status_code == 200, done.text
    changed = done.json()["changed"]
    assert changed["flows"] == ["a"]
    assert list(changed["skipped"]) == ["b.yaml"]
    assert "repeat" in changed["skipped"]["b.yaml"][0]
    # b runs as it was deployed, with its state; a runs its new version
    assert count(client, "b_show") == "1"
    inject(client, "b_tick")
    wait_until(lambda: count(client, "b_show") == "2")
    assert client.post("/api/deploy", json={"skip_invalid": "yes"},
                       headers=HEADERS).status_code == 400


def test_a_broken_file_never_deployed_is_just_left_out(client: TestClient,
                                                       flows_dir: Path) -> None:
    put_text(client, "b.yaml", BROKEN)
    done = client.post("/api/deploy", json={"mode": "full", "skip_invalid": True},
                       headers=HEADERS)
    assert done.status_code == 200, done.text
    assert list(done.json()["changed"]["skipped"]) == ["b.yaml"]
    state = client.get("/api/state").json()
    assert "alerts" in state["flows"] and "b" not in state["flows"]
