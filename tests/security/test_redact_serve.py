"""A real `flowrt serve` with a secrets file: no secret value in its log (start-up diagnostics
included), its API answers or its WebSocket frames; and the warning about a secrets file other
users can read, as `flowrt run` gives it."""

from __future__ import annotations

import base64
import json
import secrets
import threading
from pathlib import Path
from urllib.parse import quote

from tests.security.secrets_kit import clean_env, serving, write_private

BROKEN = "flowrt: 1\nid: broken\nnodes:\n  bad: {type: inject, repeat: '${API_KEY}'}\n"
FEED = """\
flowrt: 1
id: feed
nodes:
  tick: {type: inject, payload: 'key ${API_KEY}', to: [show, get]}
  show: {type: debug, status: value}
  get:
    type: http-request
    url: 'http://127.0.0.1:9/readings?key=${API_KEY}'
    headers: {Authorization: 'Basic ${BASIC}'}
    timeout: 5
"""


def forms(value: str) -> list[str]:
    return [value, quote(value, safe=""), base64.b64encode(value.encode()).decode().rstrip("=")]


def test_serve_shows_no_secret_value_anywhere(tmp_path: Path) -> None:
    key = f"key-{secrets.token_urlsafe(18)}"
    basic = base64.b64encode(f"ann:{key}".encode()).decode()
    token = f"tok-{secrets.token_urlsafe(18)}"
    store = write_private(tmp_path / "secrets.yaml",
                          f"API_KEY: {json.dumps(key)}\nBASIC: {json.dumps(basic)}\n")
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "broken.yaml").write_text(BROKEN)
    (flows / "feed.yaml").write_text(FEED)
    env = clean_env(FLOWRT_TOKENS=f"ops:{token}")
    answers: list[str] = []
    with serving(flows, "--secrets", str(store), env=env, token=token) as served:
        answers.append(served.call("/ready")[1])
        answers.append(served.call("/api/validate", "POST",
                                   {"file": "broken.yaml", "text": BROKEN})[1])
        status, refused = served.call("/api/deploy", "POST", {"mode": "full"})
        assert status == 422
        answers.append(refused)
        revision = json.loads(served.call("/api/flows/broken.yaml")[1])["revision"]
        assert served.call(f"/api/flows/broken.yaml?revision={revision}", "DELETE")[0] == 200
        status, deployed = served.call("/api/deploy", "POST", {"mode": "full"})
        assert status == 200, deployed
        answers.append(deployed)
        frames: list[str] = []
        listener = threading.Thread(
            target=lambda: frames.extend(served.frames(2, {"debug", "error"})))
        listener.start()
        for _ in range(50):
            served.call("/api/inject/tick", "POST")
            listener.join(0.2)
            if not listener.is_alive():
                break
        listener.join(60)
        answers += [served.call(p)[1] for p in ("/api/state", "/metrics", "/api/revisions")]
        log = served.log_text()
    shown = "\n".join([*answers, *frames, log])
    assert "E026" in shown and "${API_KEY}" in shown  # the problem is still said
    assert any('"type": "debug"' in f or '"type":"debug"' in f for f in frames), frames
    for value in (key, basic, token):
        leaks = [form for form in forms(value) if form in shown]
        assert leaks == [], (leaks, shown[:3000])


def test_serve_warns_about_a_secrets_file_others_can_read(tmp_path: Path) -> None:
    store = tmp_path / "secrets.yaml"
    store.write_text("API_KEY: 'a-key-of-some-length'\n")
    store.chmod(0o644)
    flows = tmp_path / "flows"
    flows.mkdir()
    with serving(flows, "--secrets", str(store), env=clean_env()) as served:
        log = served.log_text()
    assert "can be read by other users" in log and f"chmod 600 {store}" in log
