"""`flowrt keys` and `flowrt run --http --keys`, as processes: a key is printed once, the file
keeps its hash, and a real `flowrt run` takes the key, refuses it once revoked, and never writes
it anywhere (its whole output, at the debug level, is searched for it)."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
from websockets.sync.client import connect as ws_connect

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[2]
FLOW = """\
flowrt: 1
nodes:
  readings:
    type: http-in
    method: post
    url: /readings
    auth: key
    scopes: [readings:write]
    to: [show, reply]
  show:
    type: debug
    complete: true
  reply:
    type: http-response
"""


def flowrt(*args: str, stdin: str | None = None, env: dict[str, str] | None = None
           ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "flowrt", *args], cwd=ROOT, input=stdin,
                          capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})


def test_add_prints_the_key_once_and_stores_only_its_hash(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    added = flowrt("keys", "add", "sensor-7", "--scopes", "readings:write,readings:read",
                   "--expires", "30d", "--keys", str(keys))
    assert added.returncode == 0, added.stderr
    key = added.stdout.strip()
    assert key.startswith("frk_") and len(key) >= 4 + 43
    assert "only time" in added.stderr and key not in added.stderr
    stored = keys.read_text()
    assert key not in stored and key[4:20] not in stored
    entry = json.loads(stored)["keys"]["sensor-7"]
    assert entry["hash"].startswith("sha256:") and entry["expires"]
    assert oct(keys.stat().st_mode & 0o777) == "0o600"
    again = flowrt("keys", "add", "sensor-7", env={"FLOWRT_KEYS": str(keys)})
    assert again.returncode == 2 and "already holds" in again.stderr
    listed = flowrt("keys", "list", "--keys", str(keys))
    assert listed.returncode == 0
    assert "sensor-7" in listed.stdout and "readings:write,readings:read" in listed.stdout
    assert "active" in listed.stdout and key not in listed.stdout
    revoked = flowrt("keys", "revoke", "sensor-7", "--keys", str(keys))
    assert revoked.returncode == 0
    rows = json.loads(flowrt("keys", "list", "--json", "--keys", str(keys)).stdout)
    assert [(r["name"], r["state"]) for r in rows] == [("sensor-7", "revoked")]
    assert flowrt("keys", "revoke", "nobody", "--keys", str(keys)).returncode == 2
    bad = flowrt("keys", "add", "x", "--expires", "soon", "--keys", str(keys))
    assert bad.returncode == 2 and "not a duration" in bad.stderr


def test_hash_password_reads_standard_input() -> None:
    from flowrt.run.access import verify_password

    done = flowrt("keys", "hash-password", stdin="s3cret-pass\n")
    assert done.returncode == 0
    stored = done.stdout.strip()
    assert stored.startswith("pbkdf2_sha256$") and "s3cret" not in stored
    assert verify_password("s3cret-pass", stored)
    assert not verify_password("s3cret-pas", stored)


def test_flowrt_run_takes_a_key_refuses_it_revoked_and_never_logs_it(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    key = flowrt("keys", "add", "sensor-7", "--scopes", "readings:write",
                 "--keys", str(keys)).stdout.strip()
    flow = tmp_path / "readings.yaml"
    flow.write_text(FLOW, encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", "--http", f"127.0.0.1:{port}", "--keys",
         str(keys), "--log-level", "debug", str(flow)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    url = f"http://127.0.0.1:{port}/readings"
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                first = httpx.post(url, json={"t": 1}, headers={"X-API-Key": key},
                                   timeout=10, trust_env=False)
                break
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "flowrt run did not serve within 60 s"
                time.sleep(0.1)
        assert first.status_code == 200, first.text
        echoed = first.json()  # http-response answers with the payload
        assert echoed == {"t": 1}
        used = json.loads(flowrt("keys", "list", "--json", "--keys", str(keys)).stdout)
        assert used[0]["name"] == "sensor-7" and used[0]["last_used"] is not None
        query = httpx.post(f"{url}?api_key={key}", json={}, timeout=10, trust_env=False)
        assert query.status_code == 401
        assert key not in query.text
        wrong = httpx.post(url, json={}, headers={"Authorization": f"Bearer {key[:-1]}Z"},
                           timeout=10, trust_env=False)
        assert wrong.status_code == 401 and "WWW-Authenticate" in wrong.headers
        assert flowrt("keys", "revoke", "sensor-7", "--keys", str(keys)).returncode == 0
        after = httpx.post(url, json={}, headers={"X-API-Key": key}, timeout=10,
                           trust_env=False)
        assert after.status_code == 401
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "sensor-7" in out + err  # the debug node showed msg.client
    assert "key 'sensor-7' is revoked" in err
    assert key not in out + err
    assert key[4:24] not in out + err


def test_flowrt_serve_takes_keys_and_counts_usage_per_key_in_metrics(tmp_path: Path) -> None:
    keys = tmp_path / "keys.json"
    key = flowrt("keys", "add", "sensor-7", "--scopes", "readings:write",
                 "--keys", str(keys)).stdout.strip()
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "readings.yaml").write_text(FLOW.replace("    scopes: [readings:write]\n",
                                                      "    scopes: [readings:write]\n"
                                                      "    quota: 1\n"), encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowrt", "serve", "--flows", str(flows), "--port", str(port),
         "--keys", str(keys), "--state-dir", str(tmp_path / "state")],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 90
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                if httpx.get(f"{base}/ready", timeout=5, trust_env=False).is_success:
                    break
            except httpx.HTTPError:
                pass
            assert time.monotonic() < deadline, "flowrt serve was not ready within 90 s"
            time.sleep(0.2)
        frames = []
        with ws_connect(f"ws://127.0.0.1:{port}/api/events",
                        additional_headers={"Origin": base}) as events:
            codes = [httpx.post(f"{base}/readings", json={"t": i}, headers=headers,
                                timeout=10, trust_env=False).status_code
                     for i, headers in enumerate([{"X-API-Key": key}, {"X-API-Key": key}, {}])]
            while True:  # until the debug node's event for the one request admitted
                frames.append(str(events.recv(timeout=60)))
                event = json.loads(frames[-1])
                if event.get("type") == "debug" and event.get("node") == "show":
                    break
        assert codes == [200, 429, 401]
        shown = event["msg"]
        assert shown["client"] == {"name": "sensor-7", "kind": "key",
                                   "scopes": ["readings:write"]}
        assert shown["req"]["headers"]["x-api-key"] == "[hidden]"
        assert key not in "".join(frames)
        metrics = httpx.get(f"{base}/metrics", timeout=10, trust_env=False).text
    finally:
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=60)
    line = 'flowrt_http_requests_total{endpoint="POST /readings",key="sensor-7",outcome="%s"} 1'
    assert line % "ok" in metrics
    assert line % "quota_exceeded" in metrics
    assert ('flowrt_http_requests_total{endpoint="POST /readings",key="",'
            'outcome="unauthorized"} 1') in metrics
    assert key not in metrics + out + err
