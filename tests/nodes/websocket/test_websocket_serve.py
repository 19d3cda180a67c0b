"""A websocket-listener under `flowrt serve`: its path is served beside the editor, behind
the server's Host names (DNS rebinding) and its Origin rule (`--public-url`), as the flows'
other endpoints are."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.websockets import WebSocketDisconnect

from tests.security.http_kit import client_of

ECHO = """\
flowrt: 1
id: echo
connections:
  echo: {type: websocket-listener, path: /ws/echo}
nodes:
  frames: {type: websocket-in, listener: echo, to: reply}
  reply: {type: websocket-out, listener: echo}
"""
FILES = {"echo.yaml": ECHO}


def test_the_path_echoes_for_a_client_without_an_origin_and_for_the_servers_own_page(
        tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", FILES) as client:
        with client.websocket_connect("/ws/echo", headers={"Host": "localhost:1880"}) as ws:
            ws.send_text("plain client")
            assert ws.receive_text() == "plain client"
        with client.websocket_connect("/ws/echo", headers={
                "Host": "localhost:1880", "Origin": "http://localhost:1880"}) as ws:
            ws.send_bytes(b"\x01page")
            assert ws.receive_bytes() == b"\x01page"


@pytest.mark.parametrize("headers", [
    {"Host": "localhost:1880", "Origin": "http://evil.example"},
    {"Host": "localhost:1880", "Origin": "http://localhost:3000"},
    {"Host": "localhost:1880", "Origin": "null"},
    {"Host": "evil.example:1880", "Origin": "http://evil.example:1880"},
    {"Host": "evil.example:1880"},
])
def test_a_foreign_page_or_name_is_refused(tmp_path: Path, headers: dict[str, str]) -> None:
    with client_of(tmp_path / "flows", FILES) as client:
        with pytest.raises(WebSocketDisconnect):
            with client.websocket_connect("/ws/echo", headers=headers) as ws:
                ws.send_text("should not arrive")
                ws.receive_text()


def test_the_page_of_a_public_url_is_served(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", FILES,
                   public_urls=("https://flows.example.com",)) as client:
        with client.websocket_connect("/ws/echo", headers={
                "Host": "flows.example.com", "Origin": "https://flows.example.com"}) as ws:
            ws.send_text("through the proxy")
            assert ws.receive_text() == "through the proxy"
