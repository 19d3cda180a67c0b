"""The server's security: imported credentials stay in the encrypted store and out of every
response, the script policy refuses nodes at validate and deploy (4xx, never 5xx), the catalog
says which types are refused, and each deploy is logged with its author."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.check.policy import ScriptPolicy
from flowrt.secrets.store import KEY_ENV, new_key, read_store
from flowrt.server.app import ServerSettings, create_app
from flowrt.server.auth import Auth, hash_password
from tests.server.server_kit import COMMENTED, HEADERS

PASSWORD = "pässwörd-7f3a9c1e-imported"
BASIC = "basic-2b8e41d0-secret"
BROKER = "b7a1c2d3e4f50617"
EXPORT = [
    {"id": "t1", "type": "tab", "label": "Main"},
    {"id": BROKER, "type": "mqtt-broker", "name": "plant broker", "broker": "127.0.0.1",
     "port": "1883"},
    {"id": "in1", "type": "mqtt in", "z": "t1", "broker": BROKER, "topic": "plant/#",
     "qos": "1", "datatype": "auto-detect", "wires": [["out1"]]},
    {"id": "r1", "type": "http request", "z": "t1", "name": "fetch", "method": "GET",
     "url": "http://127.0.0.1:9/x", "authType": "basic", "wires": [[]]},
    {"id": "out1", "type": "debug", "z": "t1", "wires": []},
]
CREDENTIALS = {BROKER: {"user": "ann", "password": PASSWORD},
               "r1": {"user": "u", "password": BASIC}}
SCRIPTED = """\
flowrt: 1
id: scripted
nodes:
  tick: {type: inject, payload: 1, to: [py, js]}
  py: {type: script, code: return msg, to: show}
  js: {type: function, func: 'return msg;', timeout: 5, to: show}
  show: {type: debug}
"""


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Any]:
    clients: list[TestClient] = []

    def start(files: dict[str, str], **settings: Any) -> TestClient:
        flows = tmp_path / "flows"
        flows.mkdir(exist_ok=True)
        for name, text in files.items():
            (flows / name).write_text(text, encoding="utf-8")
        app = create_app(ServerSettings(flows=flows, env={}, close_timeout=5.0, **settings))
        client = TestClient(app, base_url="http://testserver")
        client.__enter__()
        clients.append(client)
        return client

    yield start
    for client in clients:
        client.__exit__(None, None, None)


def test_imported_credentials_reach_the_store_and_no_response(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(KEY_ENV, new_key())
    store = tmp_path / "secrets.enc"
    client = serve({"alerts.yaml": COMMENTED}, secrets_file=store)
    bodies: list[str] = []

    def call(method: str, url: str, **kwargs: Any) -> Any:
        response = client.request(method, url, headers=HEADERS, **kwargs)
        bodies.append(f"{method} {url} {response.status_code}: {response.text}")
        return response

    imported = call("POST", "/api/import/nodered",
                    json={"flows": EXPORT, "credentials": CREDENTIALS})
    assert imported.status_code == 200, imported.text
    result = imported.json()
    assert result["stored"] == result["secrets"] == ["PLANT_BROKER_PASSWORD", "R1_PASSWORD"]
    assert read_store(store) == {"PLANT_BROKER_PASSWORD": PASSWORD, "R1_PASSWORD": BASIC}
    for name, text in result["files"].items():
        assert call("PUT", f"/api/flows/{name}", json={"text": text}).status_code == 200
        checked = call("POST", "/api/validate", json={"file": name, "text": text})
        codes = [d["code"] for d in checked.json()["diagnostics"]]
        assert "W104" not in codes and "E039" not in codes  # the references resolve
        assert call("GET", f"/api/flows/{name}").status_code == 200
    deployed = call("POST", "/api/deploy", json={"mode": "full"})
    assert deployed.status_code == 200, deployed.text
    revision = deployed.json()["revision"]
    for url in ("/api/flows", "/api/state", "/api/revisions", f"/api/revisions/{revision}/diff",
                "/api/export/nodered", "/api/nodes", "/api/openapi.json", "/ready", "/metrics"):
        call("GET", url)
    assert len(bodies) >= 14
    leaks = [b[:120] for b in bodies if PASSWORD in b or BASIC in b]
    assert leaks == []
    on_disk = "".join(p.read_text() for p in (tmp_path / "flows").glob("*.yaml"))
    assert "${PLANT_BROKER_PASSWORD}" in on_disk and PASSWORD not in on_disk
    assert PASSWORD not in store.read_text()


def test_without_a_store_the_import_stores_nothing_and_says_what_to_set(serve: Any) -> None:
    client = serve({"alerts.yaml": COMMENTED})
    response = client.post("/api/import/nodered", headers=HEADERS,
                           json={"flows": EXPORT, "credentials": CREDENTIALS})
    assert response.status_code == 200
    assert response.json()["stored"] == []
    assert response.json()["secrets"] == ["PLANT_BROKER_PASSWORD", "R1_PASSWORD"]
    assert PASSWORD not in response.text


def test_a_store_with_another_key_is_a_422_naming_no_value(
    serve: Any, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from flowrt.secrets.store import write_store

    store = tmp_path / "secrets.enc"
    write_store(store, {"OLD": "old-value"}, new_key())
    monkeypatch.setenv(KEY_ENV, new_key())
    client = serve({"alerts.yaml": COMMENTED}, secrets_file=store)
    response = client.post("/api/import/nodered", headers=HEADERS,
                           json={"flows": EXPORT, "credentials": CREDENTIALS})
    assert response.status_code == 422
    assert "does not decrypt" in response.json()["error"]
    assert PASSWORD not in response.text and "old-value" not in response.text


@pytest.mark.parametrize(
    ("policy", "refused"),
    [("allow", []), ("sandboxed", ["py"]), ("deny", ["js", "py"])],
)
def test_the_script_policy_refuses_at_deploy_and_validate(
    serve: Any, policy: ScriptPolicy, refused: list[str]
) -> None:
    client = serve({"scripted.yaml": SCRIPTED}, scripts=policy)
    deployed = client.post("/api/deploy", json={"mode": "full"}, headers=HEADERS)
    checked = client.post("/api/validate", headers=HEADERS,
                          json={"file": "scripted.yaml", "text": SCRIPTED})
    assert checked.status_code == 200
    found = [d for d in checked.json()["diagnostics"] if d["code"] == "E060"]
    assert sorted(d["node"] for d in found) == refused
    if not refused:
        assert deployed.status_code == 200, deployed.text
        return
    assert deployed.status_code == 422
    problems = deployed.json()["diagnostics"]
    assert sorted(d["node"] for d in problems) == refused
    py = next(d for d in problems if d["node"] == "py")
    assert (py["file"], py["line"], py["code"]) == ("scripted.yaml", 5, "E060")
    assert f"--scripts {policy}" in py["message"] and "--scripts allow" in py["hint"]
    assert client.get("/ready").json()["status"] == "failed"  # nothing started either


def test_the_catalog_says_which_types_are_refused(serve: Any) -> None:
    client = serve({"alerts.yaml": COMMENTED}, scripts="sandboxed")
    catalog = {t["type"]: t for t in client.get("/api/nodes").json()}
    assert catalog["script"]["runs_code"] == "unrestricted" and catalog["script"]["refused"]
    assert catalog["function"]["runs_code"] == "sandboxed"
    assert not catalog["function"]["refused"] and not catalog["inject"]["refused"]
    assert sorted(t for t, e in catalog.items() if e["refused"]) == ["exec", "script"]


def test_a_deploy_is_logged_and_recorded_with_its_author(
    serve: Any, tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(f"users:\n  alice: '{hash_password('s3cret', 1000)}'\n")
    client = serve({"alerts.yaml": COMMENTED}, auth=Auth.load(str(users), None))
    assert client.post("/api/login", json={"user": "alice", "password": "s3cret"},
                       headers=HEADERS).status_code == 200
    with caplog.at_level(logging.INFO, logger="flowrt.server"):
        deployed = client.post("/api/deploy", json={"mode": "changed"}, headers=HEADERS)
    assert deployed.status_code == 200
    latest = client.get("/api/revisions").json()[0]
    assert (latest["id"], latest["author"]) == (deployed.json()["revision"], "alice")
    lines = [r.getMessage() for r in caplog.records if r.name == "flowrt.server"]
    assert any(line.startswith("deploy (changed) by alice: revision ") for line in lines), lines


@pytest.mark.parametrize("depth", [200, 900, 100_000])
def test_deeply_nested_bodies_are_refused_with_a_4xx(serve: Any, depth: int) -> None:
    client = serve({"alerts.yaml": COMMENTED})
    nested = "[" * depth + "]" * depth
    for url, body in (("/api/validate", nested),
                      ("/api/import/nodered", f'{{"flows": [{{"id": "n", "type": "inject", '
                                              f'"z": "t", "payload": {nested}}}]}}'),
                      ("/api/deploy", f'{{"mode": {nested}}}')):
        response = client.post(url, content=body.encode(), headers=HEADERS)
        assert 400 <= response.status_code < 500 or response.status_code == 200, (
            url, response.status_code, response.text[:200])
        assert "error" in response.json() or "files" in response.json()


def test_a_content_length_of_non_ascii_digits_is_not_a_server_error(tmp_path: Path) -> None:
    import asyncio

    from flowrt.server.auth import Guard

    async def app(scope: Any, receive: Any, send: Any) -> None:
        await send({"type": "http.response.start", "status": 200, "headers": []})
        await send({"type": "http.response.body", "body": b"{}"})

    sent: list[dict[str, Any]] = []

    async def send(message: dict[str, Any]) -> None:
        sent.append(message)

    async def receive() -> dict[str, Any]:
        return {"type": "http.request", "body": b"{}", "more_body": False}

    scope = {"type": "http", "path": "/api/validate", "method": "POST", "scheme": "http",
             "headers": [(b"content-length", b"\xb2"), (b"x-flowrt-request", b"1")]}  # '²'
    asyncio.run(Guard(app, Auth(), 1024)(scope, receive, send))
    assert sent[0]["status"] == 200


def test_the_api_with_a_store_and_a_policy_never_answers_5xx(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """schemathesis over every operation, with an encrypted store, a refusing policy and a flow
    the policy refuses in the directory (the paths this module adds)."""
    from hypothesis import HealthCheck, given
    from hypothesis import settings as hsettings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        import schemathesis

    monkeypatch.setenv(KEY_ENV, new_key())
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "alerts.yaml").write_text(COMMENTED)
    (flows / "scripted.yaml").write_text(SCRIPTED.replace("show", "shown").replace("tick", "go"))
    store = tmp_path / "secrets.enc"
    app = create_app(ServerSettings(flows=flows, env={}, close_timeout=5.0, scripts="deny",
                                    secrets_file=store))
    failures: list[str] = []
    checked = 0
    with TestClient(app) as client:
        ready = client.get("/ready").json()
        schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
        for result in schema.get_all_operations():
            operation = result.ok()
            checked += 1

            @given(case=operation.as_strategy())
            @hsettings(max_examples=10, suppress_health_check=list(HealthCheck), deadline=None,
                       database=None)
            def run(case: Any) -> None:
                response = case.call()
                if response.status_code >= 500 and case.path != "/ready":
                    failures.append(f"{case.method} {case.path}: {response.text[:300]}")

            run()
    assert checked >= 15
    assert failures == []
    assert ready == {"status": "failed", "error": "the flows have 2 error(s)"}  # py, js refused


def test_a_deploy_with_a_reference_left_without_value_is_a_422(serve: Any) -> None:
    unset = ("flowrt: 1\nid: a\nconnections:\n"
             "  b: {type: amqp-broker, url: '${BROKER_URL_UNSET}'}\n"
             "nodes:\n  i: {type: amqp-in, connection: b, queue: q, to: d}\n  d: {type: debug}\n")
    client = serve({"unset.yaml": unset})
    deployed = client.post("/api/deploy", json={"mode": "full"}, headers=HEADERS)
    assert deployed.status_code == 422
    assert "could not start" in deployed.json()["error"] and "url" in deployed.json()["error"]
