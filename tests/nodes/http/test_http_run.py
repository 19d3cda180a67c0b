"""`flowrt run --http` as a process: it serves a flow's http-in routes, answers, and stops
cleanly on SIGINT."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[3]
FLOW = """\
flowrt: 1
nodes:
  hello:
    type: http-in
    url: /hello/:name
    to: greet
  greet:
    type: change
    rules:
      - set: payload
        to: {type: jsonata, value: '"hello " & req.params.name'}
    to: reply
  reply:
    type: http-response
    headers: {content-type: text/plain}
"""


def test_flowrt_run_serves_http_in_and_stops_on_sigint(tmp_path: Path) -> None:
    flow = tmp_path / "hello.yaml"
    flow.write_text(FLOW, encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", "--http", f"127.0.0.1:{port}", str(flow)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        response = None
        deadline = time.monotonic() + 60
        while response is None:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                response = httpx.get(f"http://127.0.0.1:{port}/hello/ada", timeout=10,
                                     trust_env=False)
            except httpx.ConnectError:
                assert time.monotonic() < deadline, "flowrt run did not serve within 60 s"
                time.sleep(0.1)
        assert response.status_code == 200
        assert response.text == "hello ada"
        assert response.headers["content-type"] == "text/plain; charset=utf-8"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert f"http: GET http://127.0.0.1:{port}/hello/{{name}} (node hello)" in err
        summary = [line.split() for line in err.splitlines()]
        assert ["hello", "http-in", "0", "1"] in summary
        assert ["reply", "http-response", "1", "1"] in summary  # a sink counts what it took
        with socket.socket() as probe:
            assert probe.connect_ex(("127.0.0.1", port)) != 0, "the port is still served"
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()


def test_a_taken_address_stops_flowrt_run_with_an_error_naming_it(tmp_path: Path) -> None:
    flow = tmp_path / "hello.yaml"
    flow.write_text(FLOW, encoding="utf-8")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        done = subprocess.run(
            [sys.executable, "-m", "flowrt", "run", "--http", f"127.0.0.1:{port}", str(flow)],
            cwd=ROOT, capture_output=True, text=True, timeout=120,
        )
    assert done.returncode == 1, done.stderr
    assert f"cannot serve HTTP on 127.0.0.1:{port}" in done.stderr
    assert "--http" in done.stderr


def test_a_flow_test_replaces_the_http_nodes_and_needs_no_socket(tmp_path: Path) -> None:
    from flowrt.testing.suite import run_tests

    (tmp_path / "hello.yaml").write_text(FLOW, encoding="utf-8")
    (tmp_path / "hello.test.yaml").write_text(
        """\
flowrt-test: 1
replace: [{type: http-in}, {type: http-response}]
cases:
  - name: greets by name
    send:
      - from: hello
        msg: {payload: {}, req: {params: {name: ada}}}
    expect:
      - at: reply
        messages: [{payload: hello ada, req: {params: {name: ada}}}]
      - errors: 0
""",
        encoding="utf-8",
    )
    suite = run_tests([str(tmp_path)])
    assert suite.broken == []
    assert [c.name for c in suite.cases] == ["greets by name"]
    assert suite.failed == []
