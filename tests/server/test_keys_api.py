"""The editor's view of the endpoints' API keys (flowrt/server/routes_keys.py): no answer holds
a key (but the one just made, once) or any part of its hash; who may see and change keys, by
role; the cross-site, Host and login rules; and the use counted per key, as /metrics counts it."""

from __future__ import annotations

import hashlib
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowrt.secrets.keys import add_key, read_keys, use_keys
from flowrt.server.app import ServerSettings, create_app
from tests.security.roles_kit import PASSWORD, ROLES, auth_of, bearer

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

HEADERS = {"X-Flowrt-Request": "1"}
GATEWAY_TOKEN = "gateway-token-of-the-keys-api-tests-0123"
API = """\
flowrt: 1
id: api
nodes:
  readings:
    type: http-in
    method: post
    url: /ka/readings
    auth: key
    scopes: [readings:write]
    rate: 0.001
    burst: 3
    quota: 50
    to: reply
  reply: {type: http-response}
  ingest:
    type: http-in
    method: post
    url: /ka/ingest
    auth: bearer
    tokens: {gateway: "${GATEWAY_TOKEN}"}
    to: reply_ingest
  reply_ingest: {type: http-response}
"""
OTHER = """\
flowrt: 1
id: other
nodes:
  other_in: {type: http-in, method: get, url: /ka/other, auth: key, to: other_reply}
  other_reply: {type: http-response}
"""
ROUTES = [("GET", "/api/endpoints"), ("GET", "/api/keys"), ("POST", "/api/keys"),
          ("POST", "/api/keys/spare/revoke")]


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keys.json"
    use_keys(path)
    yield path
    use_keys(None)


def client_for(tmp_path: Path, prefix: str = "ka") -> TestClient:
    """A server of a.yaml (API) and b.yaml (OTHER), their paths under ``/prefix/``: the
    counters are the process's, so each test counts on paths of its own."""
    flows = tmp_path / "flows"
    flows.mkdir(exist_ok=True)
    (flows / "a.yaml").write_text(API.replace("/ka/", f"/{prefix}/"), encoding="utf-8")
    (flows / "b.yaml").write_text(OTHER.replace("/ka/", f"/{prefix}/"), encoding="utf-8")
    settings = ServerSettings(flows=flows, env={"GATEWAY_TOKEN": GATEWAY_TOKEN},
                              auth=auth_of(tmp_path), close_timeout=5.0)
    return TestClient(create_app(settings), base_url="http://testserver")


def admin() -> dict[str, str]:
    return {**bearer("admin"), **HEADERS}


def parts(secret: str, size: int = 8) -> set[str]:
    """Every run of ``size`` characters of ``secret``."""
    return {secret[i:i + size] for i in range(len(secret) - size + 1)}


def test_no_answer_holds_a_key_or_any_part_of_its_hash(tmp_path: Path, keys: Path) -> None:
    made = add_key(keys, "sensor-7", ["readings:write"])
    with client_for(tmp_path) as client:
        answer = client.post("/api/keys", headers=admin(),
                             json={"name": "dashboard", "scopes": "readings:read"})
        assert answer.status_code == 201, answer.text
        assert answer.headers["cache-control"] == "no-store"
        given = answer.json()["key"]
        assert given.startswith("frk_") and answer.text.count(given) == 1
        for key in (made, given):  # use them: counts, a 403, last use
            client.post("/ka/readings", headers={"X-API-Key": key}, json={})
        secrets = {made, given}
        hashes = {r.hash.removeprefix("sha256:") for r in read_keys(keys).values()}
        assert hashes == {hashlib.sha256(k.encode()).hexdigest() for k in secrets}
        pieces = set().union(*(parts(s.removeprefix("frk_")) for s in secrets),
                             *(parts(h) for h in hashes))
        pages = ["/api/endpoints", "/api/keys", "/api/state", "/metrics", "/api/me",
                 "/api/flows", "/api/flows/a.yaml", "/", "/ui/js/keys.js"]
        for role in ROLES:
            for page in pages:
                text = client.get(page, headers=bearer(role)).text
                found = [p for p in pieces if p in text]
                assert not found, (role, page, found[:3])
                assert "sha256" not in text or page in ("/metrics", "/ui/js/keys.js"), page
        listed = client.get("/api/keys", headers=bearer("viewer")).json()
        assert [k["name"] for k in listed["keys"]] == ["dashboard", "sensor-7"]
        assert all(set(k) >= {"name", "scopes", "state", "created", "expires", "revoked",
                              "last_used", "endpoints", "usage"} and "hash" not in k
                   and "key" not in k for k in listed["keys"])


def test_each_role_on_each_route_of_the_keys(tmp_path: Path, keys: Path) -> None:
    add_key(keys, "spare", [])
    allowed = {("GET", "/api/endpoints"): ROLES, ("GET", "/api/keys"): ROLES,
               ("POST", "/api/keys"): ("admin",), ("POST", "/api/keys/spare/revoke"): ("admin",)}
    with client_for(tmp_path) as client:
        for method, path in ROUTES:
            for role in ROLES:  # lowest first: a refusal must change nothing
                body = {"name": f"new-{role}"} if path == "/api/keys" else None
                answer = client.request(method, path, headers={**bearer(role), **HEADERS},
                                        json=body)
                if role in allowed[(method, path)]:
                    assert answer.status_code in (200, 201), (method, path, role, answer.text)
                else:
                    assert answer.status_code == 403, (method, path, role)
                    assert "needs the admin role" in answer.text
                    assert read_keys(keys)["spare"].revoked is None
            answer = client.request(method, path, headers=HEADERS,
                                    json={"name": "anon"} if method == "POST" else None)
            assert answer.status_code == 401, (method, path)
        assert sorted(read_keys(keys)) == ["new-admin", "spare"]
        assert read_keys(keys)["spare"].revoked is not None


def login(client: TestClient, user: str) -> None:
    answer = client.post("/api/login", headers=HEADERS, json={"user": user,
                                                              "password": PASSWORD})
    assert answer.status_code == 200, answer.text


def test_a_grant_limited_to_some_files_sees_its_endpoints_only(tmp_path: Path,
                                                                keys: Path) -> None:
    add_key(keys, "sensor-7", ["readings:write"])
    with client_for(tmp_path) as client:
        every = client.get("/api/endpoints", headers=bearer("viewer")).json()["endpoints"]
        assert [e["node"] for e in every] == ["ingest", "other_in", "readings"]
        login(client, "alice")  # deployer of a.yaml only
        mine = client.get("/api/endpoints").json()["endpoints"]
        assert [e["node"] for e in mine] == ["ingest", "readings"]
        one = client.get("/api/endpoints", params={"node": "readings"}).json()["endpoints"]
        assert [e["node"] for e in one] == ["readings"]
        assert client.get("/api/endpoints", params={"node": "other_in"}).json() == \
            {"keys_file": True, "endpoints": []}  # b.yaml's: not hers
        assert client.get("/api/keys").status_code == 403
        answer = client.post("/api/keys", headers=HEADERS, json={"name": "sneaky"})
        assert answer.status_code == 403
    assert "sneaky" not in read_keys(keys)


def test_adding_and_revoking_need_the_header_and_a_same_site_origin_and_host(
        tmp_path: Path, keys: Path) -> None:
    add_key(keys, "spare", [])
    with client_for(tmp_path) as client:
        for headers in (bearer("admin"),
                        {**admin(), "Origin": "https://evil.example"},
                        {**admin(), "Host": "evil.example"}):
            for path in ("/api/keys", "/api/keys/spare/revoke"):
                answer = client.post(path, headers=headers, json={"name": "csrf"})
                assert answer.status_code in (400, 403), (headers, path, answer.status_code)
        for headers in ({**bearer("viewer"), "Host": "evil.example"},):
            assert client.get("/api/keys", headers=headers).status_code == 400
        same = {**admin(), "Origin": "http://testserver"}
        assert client.post("/api/keys", headers=same, json={"name": "fine"}).status_code == 201
    assert sorted(read_keys(keys)) == ["fine", "spare"]
    assert read_keys(keys)["spare"].revoked is None


def test_bad_requests_name_what_is_wrong(tmp_path: Path, keys: Path) -> None:
    add_key(keys, "taken", [])
    with client_for(tmp_path) as client:
        for body, status, said in (({"name": "no spaces"}, 400, "name"),
                                   ({"name": "x", "scopes": 3}, 400, "scopes"),
                                   ({"name": "x", "scopes": ["bad scope"]}, 400, "scope"),
                                   ({"name": "x", "expires": "soon"}, 400, "duration"),
                                   ({"name": "taken"}, 409, "already")):
            answer = client.post("/api/keys", headers=admin(), json=body)
            assert answer.status_code == status, (body, answer.text)
            assert said in answer.json()["error"] and str(keys) not in answer.text
        assert client.post("/api/keys/nobody/revoke", headers=admin()).status_code == 404
        use_keys(None)
        answer = client.post("/api/keys", headers=admin(), json={"name": "x"})
        assert answer.status_code == 409 and "--keys" in answer.json()["error"]
        assert client.get("/api/keys", headers=admin()).json() == {"keys_file": False,
                                                                     "keys": []}
    assert sorted(read_keys(keys)) == ["taken"]


def post(client: TestClient, path: str, key: str | None = None,
         token: str | None = None) -> int:
    headers = {"X-API-Key": key} if key else {}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    return int(client.post(path, headers=headers, json={}).status_code)


def row(endpoint: dict[str, Any], name: str) -> dict[str, Any]:
    found: list[dict[str, Any]] = [c for c in endpoint["clients"] if c["name"] == name]
    assert found, (name, endpoint["clients"])
    return found[0]


def metric(text: str, endpoint: str, key: str, outcome: str) -> int:
    line = f'flowrt_http_requests_total{{endpoint="{endpoint}",key="{key}",outcome="{outcome}"}}'
    found = [ln for ln in text.splitlines() if ln.startswith(line + " ")]
    return int(found[0].rsplit(" ", 1)[1]) if found else 0


def test_use_per_key_is_what_metrics_counts(tmp_path: Path, keys: Path) -> None:
    sensor = add_key(keys, "meter", ["readings:write"])
    reader = add_key(keys, "reader", ["readings:read"])
    old = add_key(keys, "old", ["readings:write"])
    with client_for(tmp_path, "use") as client:
        assert client.post("/api/keys/old/revoke", headers=admin()).status_code == 200
        codes = [post(client, "/use/readings", sensor) for _ in range(4)]
        codes += [post(client, "/use/readings", reader), post(client, "/use/readings", old),
                  post(client, "/use/readings", "frk_unknown"),
                  post(client, "/use/ingest", token=GATEWAY_TOKEN)]
        assert codes == [200, 200, 200, 429, 403, 401, 401, 200]
        view = client.get("/api/endpoints", headers=bearer("viewer")).json()
        metrics = client.get("/metrics", headers=bearer("viewer")).text
        listed = client.get("/api/keys", headers=bearer("viewer")).json()["keys"]
    assert view["keys_file"] is True
    readings = next(e for e in view["endpoints"] if e["node"] == "readings")
    assert (readings["endpoint"], readings["kind"], readings["auth"], readings["scopes"],
            readings["quota"], readings["burst"]) == ("POST /use/readings", "http-in", "key",
                                                      ["readings:write"], 50, 3)
    assert [c["name"] for c in readings["clients"]] == ["meter", "old", "reader"]
    assert row(readings, "old")["state"] == "revoked" and row(readings, "old")["accepted"]
    assert not row(readings, "reader")["accepted"]  # lacks the scope: counted, not accepted
    for name, outcome in (("meter", "ok"), ("meter", "rate_limited"),
                          ("reader", "forbidden"), ("old", "unauthorized")):
        counted = metric(metrics, "POST /use/readings", name, outcome)
        assert counted >= 1 and row(readings, name)["usage"][outcome] == counted, (name, outcome)
    used = row(readings, "meter")["usage"]
    assert (used["requests"], used["ok"], used["rate_limited"], used["quota_used"]) == \
        (4, 3, 1, 3)
    assert used["last_seen"] is not None
    assert readings["anonymous"]["unauthorized"] == \
        metric(metrics, "POST /use/readings", "", "unauthorized") >= 1
    ingest = next(e for e in view["endpoints"] if e["node"] == "ingest")
    gateway = row(ingest, "gateway")
    assert gateway["kind"] == "token" and gateway["usage"]["ok"] == 1
    assert GATEWAY_TOKEN not in str(view)
    by_name = {k["name"]: k for k in listed}
    assert by_name["meter"]["endpoints"] == [  # other_in asks for no scope: any key
        {"node": "other_in", "endpoint": "GET /use/other"},
        {"node": "readings", "endpoint": "POST /use/readings"}]
    assert {e["node"] for e in by_name["reader"]["endpoints"]} == {"other_in"}
    assert by_name["meter"]["usage"]["ok"] == 3 and by_name["old"]["state"] == "revoked"


def test_a_key_revoked_from_the_editor_is_refused_on_the_next_request(
        tmp_path: Path, keys: Path) -> None:
    with client_for(tmp_path, "rev") as client:
        key = client.post("/api/keys", headers=admin(),
                          json={"name": "cam", "scopes": ["readings:write"],
                                "expires": "30d"}).json()["key"]
        assert post(client, "/rev/readings", key) == 200
        assert client.post("/api/keys/cam/revoke", headers=admin()).json() == \
            {"name": "cam", "state": "revoked"}
        assert post(client, "/rev/readings", key) == 401
    record = read_keys(keys)["cam"]
    assert record.revoked is not None and record.expires is not None


SOCKETS = """\
flowrt: 1
id: sockets
connections:
  devices:
    type: websocket-listener
    path: /kaw/ws
    auth: key
    scopes: [frames:send]
    quota: 100
nodes:
  frames: {type: websocket-in, listener: devices, to: shown}
  shown: {type: debug}
"""


def test_a_websocket_listener_counts_handshakes_and_frames_per_key(tmp_path: Path,
                                                                   keys: Path) -> None:
    key = add_key(keys, "panel-1", ["frames:send"])
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "a.yaml").write_text(SOCKETS, encoding="utf-8")
    settings = ServerSettings(flows=flows, env={}, auth=auth_of(tmp_path), close_timeout=5.0)
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        with client.websocket_connect("/kaw/ws", headers={"X-API-Key": key}) as ws:
            for i in range(3):
                ws.send_text(str(i))
        login(client, "alice")  # deployer of a.yaml only: the listener is in her file
        view = client.get("/api/endpoints").json()["endpoints"]
        deadline = 200
        while view[0]["clients"][0]["usage"]["quota_used"] < 3 and deadline:  # frames read
            view, deadline = client.get("/api/endpoints").json()["endpoints"], deadline - 1
    [devices] = view
    assert (devices["node"], devices["endpoint"], devices["kind"]) == \
        ("devices", "WS /kaw/ws", "websocket-listener")
    panel = row(devices, "panel-1")
    assert panel["accepted"] and panel["usage"]["quota_used"] == 3
    assert panel["usage"]["ok"] == 4  # the handshake and three frames
    assert key not in str(view)


def test_any_body_to_add_a_key_is_answered_without_a_server_error(tmp_path: Path,
                                                                  keys: Path) -> None:
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    scalars = st.none() | st.booleans() | st.integers() | st.text(max_size=80)
    values = st.recursive(scalars, lambda inner: st.lists(inner, max_size=4)
                          | st.dictionaries(st.text(max_size=8), inner, max_size=4),
                          max_leaves=8)
    bodies = st.fixed_dictionaries({}, optional={"name": values, "scopes": values,
                                                 "expires": values}) | values
    made: list[str] = []
    with client_for(tmp_path, "fuzz") as client:

        @given(body=bodies)
        @settings(max_examples=150, deadline=None, database=None,
                  suppress_health_check=list(HealthCheck))
        def add(body: Any) -> None:
            answer = client.post("/api/keys", headers=admin(), json=body)
            assert answer.status_code in (201, 400, 409), (body, answer.text)
            if answer.status_code == 201:
                made.append(answer.json()["name"])

        add()
    assert sorted(read_keys(keys)) == sorted(made)  # the file still reads, with those keys
