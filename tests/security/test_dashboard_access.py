"""The dashboard is behind the editor's rules: a foreign Host is refused on its page, files and
WebSocket (DNS rebinding), its WebSocket refuses a page of another origin (a site the visitor
opens cannot read the dashboard or press its buttons), and with authentication configured
nothing of it answers without a login or token."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.websockets import WebSocketDisconnect

from flowrt.server.auth import Auth
from flowrt.server.headers import EDITOR_CSP
from tests.nodes.dashboard.boards import BOARD
from tests.security.http_kit import TOKEN, client_of

EVIL = "evil.example:1880"
PATHS = ("/dashboard/", "/dashboard", "/dashboard/files/app.js")


@pytest.mark.parametrize("path", PATHS)
def test_a_foreign_host_is_refused(tmp_path: Path, path: str) -> None:
    with client_of(tmp_path / "flows", {"board.yaml": BOARD}) as client:
        assert client.get(path, follow_redirects=False).status_code in (200, 308)
        refused = client.get(path, headers={"Host": EVIL})
    assert refused.status_code == 400, refused.text


def test_the_websocket_refuses_a_foreign_host_or_origin(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", {"board.yaml": BOARD}) as client:
        for headers in ({"Host": EVIL, "Origin": f"http://{EVIL}"},
                        {"Origin": "http://evil.example"},
                        {"Origin": "null"}):
            with pytest.raises(WebSocketDisconnect):
                with client.websocket_connect("/dashboard/ws", headers=headers) as ws:
                    ws.receive_json()  # accepted: the handshake went through
        with client.websocket_connect("/dashboard/ws",
                                      headers={"Origin": "http://testserver"}) as ws:
            assert ws.receive_json()["t"] == "hello"


def test_with_authentication_nothing_answers_without_credentials(tmp_path: Path) -> None:
    auth = Auth.load(None, TOKEN)
    with client_of(tmp_path / "flows", {"board.yaml": BOARD}, auth=auth) as client:
        for path in PATHS:
            assert client.get(path, follow_redirects=False).status_code == 401, path
        with pytest.raises(WebSocketDisconnect):
            with client.websocket_connect("/dashboard/ws") as ws:
                ws.receive_json()
        with pytest.raises(WebSocketDisconnect):
            with client.websocket_connect("/dashboard/ws",
                                          headers={"Authorization": "Bearer wrong-token-xxxxxx"}
                                          ) as ws:
                ws.receive_json()
        bearer = {"Authorization": f"Bearer {TOKEN}"}
        assert client.get("/dashboard/", headers=bearer).status_code == 200
        with client.websocket_connect("/dashboard/ws", headers=bearer) as ws:
            hello = ws.receive_json()
    assert hello["t"] == "hello" and hello["layout"]["title"] == "Test board"


def test_the_page_gets_the_editors_strict_policy(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", {"board.yaml": BOARD}) as client:
        page = client.get("/dashboard/")
        script = client.get("/dashboard/files/app.js")
    for response in (page, script):
        assert response.headers["content-security-policy"] == EDITOR_CSP
        assert response.headers["x-frame-options"] == "DENY"
