"""Node catalog, layout, Node-RED import and export, OpenAPI, the editor's files, http-in."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from flowrt.server.layout import layered
from tests.server.server_kit import HEADERS

NODERED = [
    {"id": "t1", "type": "tab", "label": "Imported"},
    {"id": "i1", "type": "inject", "z": "t1", "name": "go", "props": [{"p": "payload"}],
     "payload": "42", "payloadType": "num", "repeat": "", "once": False, "topic": "",
     "x": 100, "y": 80, "wires": [["d1"]]},
    {"id": "d1", "type": "debug", "z": "t1", "name": "out", "active": True,
     "complete": "false", "x": 300, "y": 80, "wires": []},
]


def test_node_catalog_has_schema_and_docs(client: TestClient) -> None:
    catalog = {n["type"]: n for n in client.get("/api/nodes").json()}
    inject = catalog["inject"]
    assert inject["category"] == "source" and inject["outputs"] == 1
    assert inject["schema"]["properties"]["payload"]
    assert "# inject" in inject["docs"] and inject["summary"]
    assert catalog["debug"]["inputs"] == 1


def test_layout_is_layered() -> None:
    layout = layered(["a", "b", "c", "d"], [("a", "b"), ("a", "c"), ("c", "d"), ("d", "c")])
    assert layout["a"][0] < layout["b"][0] == layout["c"][0]
    assert layout["b"][1] != layout["c"][1]
    assert set(layout) == {"a", "b", "c", "d"}


def test_layout_endpoint(client: TestClient) -> None:
    response = client.post("/api/layout", json={"file": "alerts.yaml"}, headers=HEADERS)
    layout = response.json()["layout"]
    assert layout["tick"][0] < layout["show"][0]
    missing = client.post("/api/layout", json={"file": "none.yaml"}, headers=HEADERS)
    assert missing.status_code == 404


def test_nodered_import_returns_files_and_a_report(client: TestClient,
                                                   flows_dir: Path) -> None:
    response = client.post("/api/import/nodered", json={"flows": NODERED}, headers=HEADERS)
    assert response.status_code == 200, response.text
    data = response.json()
    (name, text), = data["files"].items()
    assert "type: inject" in text and "type: debug" in text
    assert isinstance(data["report"], dict)
    assert sorted(p.name for p in flows_dir.iterdir()) == ["alerts.yaml"]
    bad = client.post("/api/import/nodered", json={"flows": "nonsense"}, headers=HEADERS)
    assert bad.status_code == 422


def test_nodered_export(client: TestClient) -> None:
    nodes = client.get("/api/export/nodered").json()
    by_id: dict[str, Any] = {n["id"]: n for n in nodes}
    assert by_id["alerts"]["type"] == "tab"
    assert by_id["tick"]["type"] == "inject" and by_id["tick"]["wires"] == [["show"]]


def test_openapi_document(client: TestClient) -> None:
    doc = client.get("/api/openapi.json").json()
    assert doc["openapi"].startswith("3.")
    for path in ("/api/flows", "/api/flows/{file}", "/api/deploy", "/api/revisions",
                 "/api/nodes", "/api/state", "/metrics", "/health"):
        assert path in doc["paths"]
    put = doc["paths"]["/api/flows/{file}"]["put"]
    assert {"200", "403", "409", "413"} <= set(put["responses"])


def test_editor_files_are_served(make_client: Any, tmp_path: Path) -> None:
    from flowrt.server.app import ServerSettings, create_app

    ui = tmp_path / "ui"
    (ui / "js").mkdir(parents=True)
    (ui / "index.html").write_text("<!doctype html><title>flowrt</title>")
    (ui / "js" / "app.js").write_text("export {};")
    settings = ServerSettings(flows=tmp_path / "none", env={}, ui=ui)
    with TestClient(create_app(settings)) as client:
        assert "<title>flowrt</title>" in client.get("/").text
        assert client.get("/ui/js/app.js").text == "export {};"
        assert client.get("/ready").json()["status"] == "ready"


def test_http_in_routes_are_served_after_the_api(tmp_path: Path) -> None:
    from flowrt.server.app import ServerSettings, create_app

    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "web.yaml").write_text(
        "flowrt: 1\nid: web\nnodes:\n"
        "  hello: {type: http-in, method: get, url: /hello, to: reply}\n"
        "  reply: {type: http-response}\n")
    with TestClient(create_app(ServerSettings(flows=flows, env={}))) as client:
        response = client.get("/hello?name=x")
        assert response.status_code == 200, response.text
        assert client.get("/health").json() == {"status": "ok"}
        assert client.get("/nothing-here").status_code == 404
        text = (flows / "web.yaml").read_text().replace("url: /hello", "url: /moved")
        (flows / "web.yaml").write_text(text)
        deployed = client.post("/api/deploy", json={"mode": "changed"}, headers=HEADERS)
        assert deployed.json()["changed"]["flows"] == ["web"]
        assert client.get("/moved").status_code == 200
        assert client.get("/hello").status_code == 404
