"""DNS rebinding: a web page whose name an attacker points at 127.0.0.1 reaches the loopback
server with its own name in Host (and a matching Origin). Only the names the server serves are
answered: loopback names and addresses, the address a connection arrived on, and the names
the operator configures; everything else is a 4xx, on every path and on the WebSocket."""

from __future__ import annotations

from pathlib import Path

import pytest
from starlette.websockets import WebSocketDisconnect

from flowrt.server.app import ServerSettings
from tests.security.http_kit import (
    HEADERS,
    SCRIPTED,
    client_of,
    raw_request,
    serving,
)

EVIL = "evil.example:1880"
PATHS = ("/", "/ui/js/main.js", "/api/flows", "/api/openapi.json", "/metrics", "/health",
         "/ready", "/hello")


def test_a_rebound_page_cannot_put_and_deploy_a_script(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows") as client:
        attack = {**HEADERS, "Host": EVIL, "Origin": f"http://{EVIL}"}
        put = client.put("/api/flows/pwned.yaml", json={"text": SCRIPTED}, headers=attack)
        deployed = client.post("/api/deploy", json={"mode": "full"}, headers=attack)
    assert 400 <= put.status_code < 500, put.text
    assert 400 <= deployed.status_code < 500, deployed.text
    assert not (tmp_path / "flows" / "pwned.yaml").exists()


@pytest.mark.parametrize("path", PATHS)
def test_every_path_refuses_a_foreign_host(tmp_path: Path, path: str) -> None:
    with client_of(tmp_path / "flows") as client:
        assert client.get(path).status_code == 200  # served under the client's own name
        for host in (EVIL, "evil.example", "localhost.evil.example", "127.0.0.1.nip.io",
                     "xlocalhost", "[::2]:80", ""):
            response = client.get(path, headers={"Host": host})
            assert 400 <= response.status_code < 500, (host, response.status_code)
            assert "host" in response.text.lower()


def test_the_websocket_refuses_a_foreign_host(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows") as client:
        with pytest.raises(WebSocketDisconnect):
            with client.websocket_connect("/api/events", headers={
                    "Host": EVIL, "Origin": f"http://{EVIL}"}):
                pass  # accepted: the handshake went through
        with client.websocket_connect("/api/events", headers={"Host": "localhost:1880"}) as ws:
            client.post("/api/deploy", json={}, headers=HEADERS)
            assert ws.receive_json()["type"] in ("deploy", "status", "debug")


@pytest.mark.parametrize("host", ["localhost", "localhost:1880", "LocalHost:9", "127.0.0.1",
                                  "127.0.0.1:1880", "[::1]", "[::1]:1880", "localhost."])
def test_loopback_names_are_served(tmp_path: Path, host: str) -> None:
    with client_of(tmp_path / "flows") as client:
        for path in PATHS:
            assert client.get(path, headers={"Host": host}).status_code == 200, (host, path)


def test_configured_names_are_served(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", allowed_hosts=("flows.example.com", "*.corp.example"),
                   public_urls=("https://editor.example.org",)) as client:
        for host in ("flows.example.com", "flows.example.com:8443", "a.corp.example",
                     "b.a.corp.example", "editor.example.org"):
            assert client.get("/api/flows", headers={"Host": host}).status_code == 200, host
        for host in ("corp.example", "evilcorp.example", "flows.example.com.evil",
                     "example.org"):
            assert client.get("/api/flows", headers={"Host": host}).status_code == 400, host


def test_origin_is_checked_against_the_served_names_not_the_host_header(
        tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", public_urls=("https://editor.example.org",)) as client:
        made: list[str] = []

        def put(host: str, origin: str) -> int:
            made.append(f"f{len(made)}")  # a new file each time: no revision to match
            return client.put(f"/api/flows/{made[-1]}.yaml",
                              json={"text": f"flowrt: 1\nid: {made[-1]}\n"},
                              headers={**HEADERS, "Host": host, "Origin": origin}).status_code

        # another web server on the same machine (another port) is another origin
        assert put("127.0.0.1:1880", "http://127.0.0.1:3000") == 403
        assert put("localhost:1880", "http://localhost:1880") == 200
        assert put("127.0.0.1:1880", "http://127.0.0.1:1880") == 200
        # behind a TLS proxy: the browser's origin is the public URL's
        assert put("editor.example.org", "https://editor.example.org") == 200
        assert put("editor.example.org", "https://editor.example.org:444") == 403
        assert put("editor.example.org", "http://evil.example") == 403
        assert put("editor.example.org", "null") == 403


def test_bad_configured_names_are_refused_at_start(tmp_path: Path) -> None:
    from flowrt.errors import ConfigError
    from flowrt.server.hosts import HostPolicy

    for bad in ("*", "*example.com", "a.*.example", "http://x/", "exa mple"):
        with pytest.raises(ConfigError, match="allowed host"):
            HostPolicy.build(allowed=(bad,))
    for bad in ("editor.example.org", "ftp://x", "https://x/path?q", "https://"):
        with pytest.raises(ConfigError, match="public URL"):
            HostPolicy.build(public_urls=(bad,))
    assert ServerSettings(flows=tmp_path).allowed_hosts == ()


def test_a_real_server_refuses_a_foreign_host_on_http_and_websocket(tmp_path: Path) -> None:
    with serving(tmp_path, "--allowed-host", "flows.example.com",
                 env={"FLOWRT_PUBLIC_URL": "https://editor.example.org"}) as (port, log):
        ws = ("GET /api/events HTTP/1.1\nHost: {host}\nUpgrade: websocket\n"
              "Connection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n"
              "Sec-WebSocket-Version: 13\nOrigin: http://{host}\n\n")
        status, text = raw_request(port, ws.format(host=f"evil.example:{port}"))
        assert 400 <= status < 500, text
        status, text = raw_request(port, ws.format(host=f"127.0.0.1:{port}"))
        assert status == 101, text
        for host, expected in ((f"evil.example:{port}", 400), (f"localhost:{port}", 200),
                               ("flows.example.com", 200), ("editor.example.org", 200),
                               ("other.example.com", 400)):
            for path in ("/", "/api/flows", "/metrics", "/hello"):
                status, text = raw_request(
                    port, f"GET {path} HTTP/1.1\nHost: {host}\nConnection: close\n\n")
                assert status == expected, (host, path, text)


def test_a_server_reached_by_other_names_refuses_python_by_default(tmp_path: Path) -> None:
    import json
    import urllib.request

    for args, refused in ((("--public-url", "https://flows.example.com"), True),
                          (("--allowed-host", "flows.lan"), True), ((), False)):
        home = tmp_path / (args[0].strip("-") if args else "loopback")
        home.mkdir()
        with serving(home, *args) as (port, log):
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/nodes", timeout=30) as r:
                catalog = {t["type"]: t for t in json.load(r)}
        assert catalog["script"]["refused"] is refused, args


def test_the_local_address_is_served_as_the_connection_reports_it() -> None:
    from flowrt.server.hosts import HostPolicy

    policy = HostPolicy.build()

    def scope(host: str, server: str) -> dict[str, object]:
        return {"headers": [(b"host", host.encode())], "server": (server, 1880)}

    assert policy.allows_host(scope("10.0.0.5:1880", "10.0.0.5"))
    assert policy.allows_host(scope("10.0.0.5:1880", "::ffff:10.0.0.5"))  # dual-stack socket
    assert policy.allows_host(scope("[2001:db8::5]:1880", "2001:db8::5"))
    assert not policy.allows_host(scope("10.0.0.6:1880", "10.0.0.5"))
    assert not policy.allows_host(scope("flows.lan:1880", "10.0.0.5"))
