"""`flowrt serve --log-level debug` writes no credential: not a bearer token (right or wrong),
not a session cookie, not a password, on HTTP and on the WebSocket handshake (which uvicorn's
websockets protocol logs header by header), and not the Set-Cookie or Authorization of a
flow's http-request exchange (httpcore logs response headers)."""

from __future__ import annotations

import json
import urllib.request
from pathlib import Path

from flowrt.server.auth import hash_password
from tests.security.http_kit import HEADERS, free_port, raw_request, serving

TOKEN = "TOKEN-right-7f1c9a2b3d4e5f60"
GUESS = "GUESS-wrong-0a1b2c3d4e5f6071"
PASSWORD = "PASSWORD-8e7d6c5b4a39"
UPSTREAM = "UPSTREAMCOOKIE-5a4b3c2d1e"
OUTBOUND = "OUTBOUND-bearer-9f8e7d6c5b"
WS_COOKIE = "WSCOOKIE-1234567890ab"
FLOW = """\
flowrt: 1
id: web
nodes:
  hello: {{type: http-in, method: get, url: /hello, to: reply}}
  reply:
    type: http-response
    headers: {{set-cookie: "upstream={upstream}; Path=/"}}
  call: {{type: http-in, method: get, url: /call, to: fetch}}
  fetch:
    type: http-request
    method: get
    url: http://127.0.0.1:{port}/hello
    headers: {{authorization: "Bearer {outbound}", cookie: "pref={outbound}"}}
    to: back
  back: {{type: http-response}}
"""


def _get(url: str, headers: dict[str, str]) -> tuple[int, dict[str, str]]:
    request = urllib.request.Request(url, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers)


def test_debug_logs_hold_no_credential(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(f"users:\n  alice: '{hash_password(PASSWORD, 1000)}'\n")
    port = free_port()
    flow = FLOW.format(port=port, upstream=UPSTREAM, outbound=OUTBOUND)
    with serving(tmp_path, "--auth-file", str(users), "--log-level", "debug", port=port,
                 env={"FLOWRT_TOKENS": f"ci:{TOKEN}"}, files={"web.yaml": flow}) as (_, log):
        base = f"http://127.0.0.1:{port}"
        assert _get(f"{base}/api/flows", {"Authorization": f"Bearer {TOKEN}"})[0] == 200
        assert _get(f"{base}/api/flows", {"Authorization": f"Bearer {GUESS}"})[0] == 401
        login = urllib.request.Request(
            f"{base}/api/login", method="POST", headers={**HEADERS,
                                                           "content-type": "application/json"},
            data=json.dumps({"user": "alice", "password": PASSWORD}).encode())
        with urllib.request.urlopen(login, timeout=30) as response:
            session = response.headers["set-cookie"].split(";")[0]
        assert session.startswith("flowrt_session=")
        assert _get(f"{base}/api/flows", {"Cookie": session})[0] == 200
        status, _ = _get(f"{base}/call", {})
        assert status == 200
        for credentials in (f"Cookie: {session}; other={WS_COOKIE}",
                            f"Authorization: Bearer {TOKEN}",
                            f"Authorization: Bearer {GUESS}\nCookie: x={WS_COOKIE}"):
            status, text = raw_request(port, (
                f"GET /api/events HTTP/1.1\nHost: 127.0.0.1:{port}\nUpgrade: websocket\n"
                "Connection: Upgrade\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\n"
                f"Sec-WebSocket-Version: 13\n{credentials}\n\n"))
            assert status in (101, 403), text
    text = log.read_text(encoding="utf-8", errors="replace")
    assert "< upgrade: websocket" in text  # the handshake was logged header by header
    assert "receive_response_headers" in text  # and httpcore's exchange
    value = session.split("=", 1)[1]
    leaks = [secret for secret in (TOKEN, GUESS, PASSWORD, UPSTREAM, OUTBOUND, WS_COOKIE, value)
             if secret in text]
    assert leaks == [], [line for line in text.splitlines() if any(s in line for s in leaks)]
