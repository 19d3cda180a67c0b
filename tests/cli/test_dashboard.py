"""`flowrt run flows/dashboard-sensors.yaml --dashboard 127.0.0.1:PORT` as a process: the page,
its files and a widget's update over the WebSocket are served there; a wrong Host or a
foreign Origin is refused; nothing else is (no API, no editor, no flow endpoint); the --http
address serves the endpoints but not the dashboard's WebSocket; a public address without
tokens is refused."""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from tests.support.servers import free_port
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
FLOW = ROOT / "flows" / "dashboard-sensors.yaml"


@contextmanager
def flowrt_run(flow: Path) -> Iterator[tuple[int, int]]:
    """`flowrt run FLOW --dashboard --http` on free ports, once the page answers: (dashboard
    port, --http port)."""
    port, http = free_port(), free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", str(flow), "--dashboard", f"127.0.0.1:{port}",
         "--http", f"127.0.0.1:{http}"],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                get(port, "/dashboard/")
                break
            except OSError:
                assert time.monotonic() < deadline, "flowrt run did not serve within 60 s"
                time.sleep(0.1)
        yield port, http
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert f"--dashboard: http://127.0.0.1:{port}/dashboard/" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


@pytest.fixture(scope="module")
def running() -> Iterator[tuple[int, int]]:
    with flowrt_run(FLOW) as ports:
        yield ports


def get(port: int, path: str, host: str | None = None) -> tuple[int, dict[str, str], str]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}",
                                     headers={"Host": host} if host else {})
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read().decode()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read().decode()


def frames(ws: Any, wanted: str) -> dict[str, Any]:
    """The state of widget ``wanted`` from the update frames, once it shows a value."""
    for _ in range(200):
        frame = json.loads(ws.recv(timeout=30))
        for u in frame.get("u", []):
            if u["w"] == wanted and u["s"].get("text"):
                return dict(u["s"])
    raise AssertionError(f"no value for {wanted}")


def test_the_page_its_files_and_a_widget_update(running: tuple[int, int]) -> None:
    port, _ = running
    status, headers, page = get(port, "/dashboard/")
    assert status == 200 and '<script type="module" src="/dashboard/files/app.js">' in page
    assert "script-src 'self'" in headers["content-security-policy"]
    for path in ("/dashboard/files/app.js", "/dashboard/files/widgets/template.js",
                 "/ui/js/dom.js", "/ui/vendor/uplot/uPlot.esm.js"):
        assert get(port, path)[0] == 200, path
    with connect(f"ws://127.0.0.1:{port}/dashboard/ws",
                 origin=f"http://127.0.0.1:{port}") as ws:  # type: ignore[arg-type]
        hello = json.loads(ws.recv(timeout=30))
        assert hello["t"] == "hello" and hello["layout"]["title"] == "Boiler room"
        hall = frames(ws, "hall-text")
    assert hall["text"].endswith(" °C") and 19 <= float(hall["text"].split()[0]) <= 21


def test_only_the_dashboard_is_served_and_its_rules_hold(running: tuple[int, int]) -> None:
    port, http = running
    assert get(port, "/dashboard/", host="evil.example")[0] == 400  # DNS rebinding
    for path in ("/", "/api/flows", "/ui/index.html"):
        assert get(port, path)[0] == 404, path
    refused: list[tuple[str, dict[str, Any]]] = [
        (f"ws://127.0.0.1:{port}/dashboard/ws", {"origin": "http://evil.example"}),
        (f"ws://127.0.0.1:{port}/dashboard/ws",
         {"additional_headers": {"Host": "evil.example"}}),
    ]
    for url, options in refused:
        with pytest.raises((InvalidStatus, ConnectionError, OSError)), \
                connect(url, open_timeout=10, **options) as ws:
            ws.recv(timeout=10)


WITH_ENDPOINT = """\
flowrt: 1
id: both
connections:
  board: {type: dashboard, pages: [{id: home, groups: [{id: g, widgets: [shown]}]}]}
nodes:
  hello: {type: http-in, method: get, url: /hello, to: [shown, answer]}
  answer: {type: http-response}
  shown: {type: ui-text, dashboard: board}
"""


def test_the_http_address_serves_endpoints_but_not_the_dashboard(tmp_path: Path) -> None:
    flow = tmp_path / "both.yaml"
    flow.write_text(WITH_ENDPOINT)
    with flowrt_run(flow) as (port, http):
        assert get(http, "/hello")[0] == 200
        assert get(port, "/hello")[0] == 404
        with connect(f"ws://127.0.0.1:{port}/dashboard/ws", open_timeout=10) as ws:
            assert json.loads(ws.recv(timeout=30))["t"] == "hello"
        with pytest.raises(InvalidStatus), \
                connect(f"ws://127.0.0.1:{http}/dashboard/ws", open_timeout=10) as ws:
            ws.recv(timeout=10)


def test_a_public_address_without_tokens_is_refused(tmp_path: Path) -> None:
    found = subprocess.run(
        [sys.executable, "-m", "flowrt", "run", str(FLOW), "--dashboard",
         f"0.0.0.0:{free_port()}", "--http", f"127.0.0.1:{free_port()}"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
        env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)})
    assert found.returncode == 1, found.stderr
    assert "refusing to serve the dashboard on 0.0.0.0" in found.stderr


def test_an_ipv6_address_is_logged_with_brackets_and_answers(tmp_path: Path) -> None:
    """`--dashboard [::1]:PORT` logs http://[::1]:PORT/dashboard/ (a URL a browser opens),
    and the page answers there."""
    port, log = free_port(), tmp_path / "run.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "flowrt", "run", str(FLOW), "--dashboard", f"[::1]:{port}",
             "--http", f"127.0.0.1:{free_port()}"],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=out, text=True)
    try:
        def logged() -> str | None:
            assert proc.poll() is None, log.read_text()
            lines = [line for line in log.read_text().splitlines() if "--dashboard: " in line]
            return lines[0].split("--dashboard: ")[1].strip() if lines else None

        url = wait_until(logged, "the dashboard's address in the log")
        assert url == f"http://[::1]:{port}/dashboard/"
        with urllib.request.urlopen(url, timeout=30) as response:
            assert response.status == 200
            page = response.read().decode()
        assert '<script type="module" src="/dashboard/files/app.js">' in page
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert proc.returncode == 0, log.read_text()
