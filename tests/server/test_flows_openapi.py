"""`flowrt serve`: the flows' OpenAPI document at /openapi.json (flowrt.run.openapi_serve)
behind the server's Host checks like every flow endpoint, describing the nodes deployed now."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app

API = """\
flowrt: 1
nodes:
  hello:
    type: http-in
    url: /hello/:name
    to: reply
  reply:
    type: http-response
    headers: {content-type: text/plain}
"""
CHANGED = API.replace("/hello/:name", "/greetings/:name")
HEADERS = {"X-Flowrt-Request": "1"}


@pytest.fixture
def client(tmp_path: Path) -> Iterator[TestClient]:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "api.yaml").write_text(API)
    app = create_app(ServerSettings(flows=flows, env={}, close_timeout=5.0))
    with TestClient(app, base_url="http://127.0.0.1:1880") as served:
        yield served


def test_served_beside_the_editor_for_the_names_the_server_answers(client: TestClient) -> None:
    answer = client.get("/openapi.json")
    assert answer.status_code == 200
    assert list(answer.json()["paths"]) == ["/hello/{name}"]
    assert client.get("/openapi").status_code == 200
    assert client.get("/api/openapi.json").json()["info"]["title"] == "flowrt admin API"
    for path in ("/openapi.json", "/openapi", "/hello/x"):  # a rebound name: refused alike
        refused = client.get(path, headers={"Host": "attacker.example:1880"})
        assert refused.status_code == 400, path


@pytest.mark.parametrize("mode", ["full", "nodes"])
def test_a_deploy_changes_the_document(client: TestClient, tmp_path: Path, mode: str) -> None:
    (tmp_path / "flows" / "api.yaml").write_text(CHANGED)
    deployed = client.post("/api/deploy", headers=HEADERS, json={"mode": mode})
    assert deployed.status_code == 200 and deployed.json()["changed"]["nodes"] == ["hello"]
    if mode == "nodes":  # the same runtime, its plan swapped node by node
        assert deployed.json()["changed"]["replaced"] == ["hello"]
    assert list(client.get("/openapi.json").json()["paths"]) == ["/greetings/{name}"]
    assert client.get("/greetings/ann").status_code == 200
    (tmp_path / "flows" / "api.yaml").write_text("flowrt: 1\nnodes:\n  d: {type: debug}\n")
    assert client.post("/api/deploy", headers=HEADERS, json={"mode": mode}).status_code == 200
    assert client.get("/openapi.json").status_code == 404  # no http-in node: no API
