"""Attacks on the roles: an editor deploying, a viewer saving or deleting through the API, an
editor writing secrets through an import, and a user limited to a.yaml reaching b.yaml through
every route that answers with flow content (listing, read, save, delete, validate, layout,
export, revisions, context, state, inject, events, Node-RED's admin API, metrics, deploy)."""

from __future__ import annotations

import json
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.security.http_kit import HEADERS, client_of
from tests.security.roles_kit import FILES, PASSWORD, SECRET, auth_of, bearer
from tests.server.server_kit import flow, receive

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

NR = {"Content-Type": "application/json", "Node-RED-API-Version": "v2"}


@pytest.fixture
def served(tmp_path: Path) -> Iterator[TestClient]:
    with client_of(tmp_path / "flows", FILES, auth=auth_of(tmp_path)) as client:
        yield client


def login(client: TestClient, user: str) -> None:
    response = client.post("/api/login", json={"user": user, "password": PASSWORD},
                           headers=HEADERS)
    assert response.status_code == 200, response.text


def revisions(client: TestClient) -> int:
    return len(client.get("/api/revisions", headers=bearer("admin")).json())


def test_an_editor_cannot_deploy_nor_roll_back(served: TestClient) -> None:
    before = revisions(served)
    for path in ("/api/deploy", "/api/revisions/1/rollback"):
        response = served.post(path, json={}, headers={**HEADERS, **bearer("editor")})
        assert response.status_code == 403, response.text
        assert "deployer" in response.json()["error"]
    assert revisions(served) == before
    nodered = served.post("/nodered/flows", content="[]", headers={**NR, **bearer("editor")})
    assert nodered.status_code == 403 and nodered.json()["code"] == "forbidden"
    assert served.get("/api/flows/a.yaml", headers=bearer("admin")).status_code == 200


def test_a_viewer_cannot_save_nor_delete_through_the_api(served: TestClient,
                                                         tmp_path: Path) -> None:
    file = tmp_path / "flows" / "a.yaml"
    revision = served.get("/api/flows/a.yaml", headers=bearer("viewer")).json()["revision"]
    put = served.put("/api/flows/a.yaml", json={"revision": revision, "text": flow("a", "x")},
                     headers={**HEADERS, **bearer("viewer")})
    assert put.status_code == 403 and "editor" in put.json()["error"]
    gone = served.delete(f"/api/flows/a.yaml?revision={revision}",
                         headers={**HEADERS, **bearer("viewer")})
    assert gone.status_code == 403
    press = served.post("/api/inject/a_tick", headers={**HEADERS, **bearer("viewer")})
    assert press.status_code == 403
    assert file.read_text(encoding="utf-8") == FILES["a.yaml"]


def test_only_an_admin_imports_credentials(served: TestClient) -> None:
    export = [{"id": "t1", "type": "tab", "label": "T"},
              {"id": "b1", "type": "mqtt-broker", "z": "", "broker": "127.0.0.1"}]
    body = {"flows": export, "credentials": {"b1": {"user": "u", "password": "p"}}}
    for role in ("editor", "deployer"):
        response = served.post("/api/import/nodered", json=body,
                               headers={**HEADERS, **bearer(role)})
        assert response.status_code == 403 and "admin" in response.json()["error"], role
    without = served.post("/api/import/nodered", json={"flows": export},
                          headers={**HEADERS, **bearer("editor")})
    assert without.status_code == 200, without.text
    admin = served.post("/api/import/nodered", json=body, headers={**HEADERS, **bearer("admin")})
    assert admin.status_code == 200, admin.text


def test_a_user_limited_to_a_cannot_read_b_anywhere(served: TestClient) -> None:
    served.post("/api/deploy", json={}, headers={**HEADERS, **bearer("admin")})
    login(served, "alice")
    listing = served.get("/api/flows")
    assert [f["file"] for f in listing.json()] == ["a.yaml"]
    assert served.get("/api/flows/a.yaml").status_code == 200
    refused = {
        "read": served.get("/api/flows/b.yaml"),
        "validate": served.post("/api/validate", json={"file": "b.yaml", "text": "x"},
                                headers=HEADERS),
        "layout": served.post("/api/layout", json={"file": "b.yaml"}, headers=HEADERS),
        "flow context": served.get("/api/context/flow:b"),
        "node context": served.get("/api/context/node:b_show"),
        "global context": served.get("/api/context/global"),
        "metrics": served.get("/metrics"),
        "rollback": served.post("/api/revisions/1/rollback", headers=HEADERS),
        "dashboard": served.get("/dashboard/"),
    }
    for what, response in refused.items():
        assert response.status_code == 403, (what, response.text)
        assert SECRET not in response.text, what
    assert served.get("/api/context/flow:a").status_code == 200
    assert served.get("/api/context/node:a_show").status_code == 200
    shown = {
        "listing": listing,
        "export": served.get("/api/export/nodered"),
        "diff": served.get("/api/revisions/1/diff"),
        "state": served.get("/api/state"),
        "group": served.get("/api/group"),
        "me": served.get("/api/me"),
    }
    for what, response in shown.items():
        assert response.status_code == 200, (what, response.text)
        assert SECRET not in response.text and "b_tick" not in response.text, what
    assert "a_tick" in shown["export"].text and "a_tick" in shown["state"].text
    assert shown["me"].json()["files"] == ["a.yaml"]
    assert served.post("/api/inject/b_tick", headers=HEADERS).status_code == 404


def test_nodered_admin_api_is_not_for_a_limited_user(served: TestClient) -> None:
    token = served.post("/nodered/auth/token", data={
        "grant_type": "password", "client_id": "node-red-admin", "username": "alice",
        "password": PASSWORD}).json()["access_token"]
    mine = {"Authorization": f"Bearer {token}"}
    for response in (served.get("/nodered/flows", headers=mine),
                     served.get("/nodered/flow/b", headers=mine),
                     served.post("/nodered/flows", content="[]", headers={**NR, **mine})):
        assert response.status_code == 403, response.text
        assert SECRET not in response.text
    assert served.get("/nodered/nodes", headers=mine).status_code == 200
    assert served.get("/nodered/flows", headers=bearer("viewer")).status_code == 200


def test_a_limited_user_cannot_write_b(served: TestClient, tmp_path: Path) -> None:
    login(served, "alice")
    revision = served.get("/api/flows/b.yaml", headers=bearer("admin")).json()["revision"]
    put = served.put("/api/flows/b.yaml", json={"revision": revision, "text": flow("b", "x")},
                     headers=HEADERS)
    gone = served.delete(f"/api/flows/b.yaml?revision={revision}", headers=HEADERS)
    made = served.put("/api/flows/c.yaml", json={"revision": None, "text": flow("c")},
                      headers=HEADERS)
    assert (put.status_code, gone.status_code, made.status_code) == (403, 403, 403)
    assert (tmp_path / "flows" / "b.yaml").read_text(encoding="utf-8") == FILES["b.yaml"]
    assert not (tmp_path / "flows" / "c.yaml").exists()


def test_a_limited_deployer_deploys_only_when_other_files_are_unchanged(
        served: TestClient) -> None:
    admin = {**HEADERS, **bearer("admin")}
    assert served.post("/api/deploy", json={}, headers=admin).status_code == 200
    login(served, "alice")
    a = served.get("/api/flows/a.yaml").json()["revision"]
    saved = served.put("/api/flows/a.yaml", json={"revision": a, "text": flow("a", "new")},
                       headers=HEADERS)
    assert saved.status_code == 200
    assert served.post("/api/deploy", json={}, headers=HEADERS).status_code == 200
    b = served.get("/api/flows/b.yaml", headers=bearer("admin")).json()["revision"]
    served.put("/api/flows/b.yaml", json={"revision": b, "text": flow("b", "other")},
               headers=admin)
    refused = served.post("/api/deploy", json={}, headers=HEADERS)
    assert refused.status_code == 403 and "outside yours" in refused.json()["error"]
    assert "b.yaml" not in refused.text


def test_a_limited_viewer_sees_no_debug_message_of_b(served: TestClient) -> None:
    admin = {**HEADERS, **bearer("admin")}
    served.post("/api/deploy", json={}, headers=admin)
    login(served, "bob")
    with served.websocket_connect("/api/events") as ws:
        for node in ("b_tick", "a_tick"):  # b's first: were it sent, it would come first
            assert served.post(f"/api/inject/{node}", headers=admin).status_code == 200
        seen = []
        while True:
            event = ws.receive_json()
            seen.append(event)
            if event.get("type") == "debug":
                break
        assert served.post("/api/deploy", json={"mode": "full"}, headers=admin).status_code == 200
        deployed = receive(ws, "deploy")  # without what changed: that names b's nodes
        assert set(deployed) == {"type", "revision"}, deployed
    assert seen[-1]["node"] == "a_show", seen
    assert SECRET not in json.dumps(seen) and all(e.get("node", "a")[0] == "a" for e in seen)
    with served.websocket_connect("/api/events", headers=bearer("admin")) as ws:
        served.post("/api/inject/b_tick", headers=admin)
        assert receive(ws, "debug")["node"] == "b_show"


def test_a_viewer_cannot_open_what_needs_more_over_a_websocket(served: TestClient) -> None:
    login(served, "alice")
    with pytest.raises(WebSocketDisconnect):
        with served.websocket_connect("/dashboard/ws") as ws:
            ws.receive_json()
