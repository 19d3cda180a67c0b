"""Authentication: users with pbkdf2 hashes (session cookie) and bearer tokens."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from flowrt.errors import ConfigError
from flowrt.server.auth import Auth, hash_password, verify_password
from flowrt.server.serve import is_loopback, serve
from tests.server.server_kit import HEADERS, receive

TOKEN = "t0ken-for-the-tests-0123456789"


def auth(tmp_path: Path) -> Auth:
    users = tmp_path / "users.yaml"
    users.write_text(f"users:\n  alice: '{hash_password('s3cret', 1000)}'\n")
    return Auth.load(str(users), f"ci:{TOKEN}")


def test_password_hashes() -> None:
    stored = hash_password("pw", 1000)
    assert stored.startswith("pbkdf2_sha256$1000$")
    assert verify_password("pw", stored)
    assert not verify_password("pW", stored)
    assert not verify_password("pw", "md5$abc")


def test_refused_without_credentials(make_client: Any, tmp_path: Path) -> None:
    client = make_client(auth(tmp_path))
    assert client.get("/api/flows").status_code == 401
    assert client.get("/metrics").status_code == 401
    assert client.post("/api/deploy", json={}, headers=HEADERS).status_code == 401
    assert client.get("/api/flows", headers={"Authorization": "Bearer wrong"}).status_code == 401
    assert client.get("/health").status_code == 200
    assert client.get("/api/openapi.json").status_code == 200


def test_bearer_token_accepted(make_client: Any, tmp_path: Path) -> None:
    client = make_client(auth(tmp_path))
    response = client.get("/api/flows", headers={"Authorization": f"Bearer {TOKEN}"})
    assert response.status_code == 200
    assert response.json()[0]["file"] == "alerts.yaml"
    deployed = client.post("/api/deploy", json={"mode": "full"},
                           headers={**HEADERS, "Authorization": f"Bearer {TOKEN}"})
    assert deployed.status_code == 200
    revisions = client.get("/api/revisions", headers={"Authorization": f"Bearer {TOKEN}"})
    assert revisions.json()[0]["author"] == "ci"


def test_login_sets_a_session_cookie(make_client: Any, tmp_path: Path) -> None:
    client = make_client(auth(tmp_path))
    wrong = client.post("/api/login", json={"user": "alice", "password": "nope"},
                        headers=HEADERS)
    assert wrong.status_code == 401
    assert client.get("/api/flows").status_code == 401
    ok = client.post("/api/login", json={"user": "alice", "password": "s3cret"},
                     headers=HEADERS)
    assert ok.status_code == 200
    assert "httponly" in ok.headers["set-cookie"].lower()
    assert client.get("/api/flows").status_code == 200
    deployed = client.post("/api/deploy", json={}, headers=HEADERS)
    assert deployed.status_code == 200
    assert client.get("/api/revisions").json()[0]["author"] == "alice"


def test_websocket_needs_auth_and_our_origin(make_client: Any, tmp_path: Path) -> None:
    from starlette.websockets import WebSocketDisconnect

    client = make_client(auth(tmp_path))
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/api/events") as ws:
            ws.receive_json()
    bearer = {"Authorization": f"Bearer {TOKEN}"}
    with pytest.raises(WebSocketDisconnect):
        with client.websocket_connect("/api/events",
                                      headers={**bearer, "Origin": "http://evil.example"}) as ws:
            ws.receive_json()
    with client.websocket_connect("/api/events",
                                  headers={**bearer, "Origin": "http://testserver"}) as ws:
        client.post("/api/deploy", json={}, headers={**HEADERS, **bearer})
        assert receive(ws, "deploy")["changed"]["flows"] == ["alerts"]


def test_public_host_needs_auth(tmp_path: Path) -> None:
    from flowrt.server.app import ServerSettings

    assert is_loopback("127.0.0.1") and is_loopback("::1") and is_loopback("localhost")
    assert not is_loopback("0.0.0.0") and not is_loopback("192.168.1.10")
    with pytest.raises(ConfigError, match="authentication"):
        serve(ServerSettings(flows=tmp_path), "0.0.0.0", 0)


def test_short_tokens_are_refused() -> None:
    with pytest.raises(ConfigError, match="16 characters"):
        Auth.load(None, "short")


def test_logout_ends_the_session(make_client: Any, tmp_path: Path) -> None:
    client = make_client(auth(tmp_path))
    client.post("/api/login", json={"user": "alice", "password": "s3cret"}, headers=HEADERS)
    session = client.cookies.get("flowrt_session")
    assert client.get("/api/flows").status_code == 200
    assert client.post("/api/logout", headers=HEADERS).status_code == 200
    client.cookies.set("flowrt_session", str(session))  # replaying the old cookie
    assert client.get("/api/flows").status_code == 401


def test_sessions_expire(make_client: Any, tmp_path: Path) -> None:
    client = make_client(auth(tmp_path))
    client.post("/api/login", json={"user": "alice", "password": "s3cret"}, headers=HEADERS)
    assert client.get("/api/flows").status_code == 200
    sessions = client.app.state.server.auth.sessions
    for session, (user, _) in list(sessions.items()):
        sessions[session] = (user, 0.0)  # as if its time had passed
    assert client.get("/api/flows").status_code == 401
