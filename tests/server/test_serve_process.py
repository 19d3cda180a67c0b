"""`flowrt serve` as a real process on a free port: start, answer, stop cleanly on SIGINT."""

from __future__ import annotations

import json
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from tests.server.server_kit import flow
from tests.support.servers import free_port


def command(*args: str) -> list[str]:
    exe = shutil.which("flowrt")
    return [*([exe] if exe else [sys.executable, "-m", "flowrt"]), "serve", *args]


def test_serve_starts_answers_and_stops_on_sigint(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "a.yaml").write_text(flow("a"))
    port, broker = free_port(), free_port()
    log = tmp_path / "serve.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(command("--flows", str(flows), "--port", str(port),
                                        "--mqtt-broker", f"127.0.0.1:{broker}"),
                                stdout=out, stderr=subprocess.STDOUT, cwd=tmp_path)
    try:
        deadline = time.monotonic() + 60
        while True:
            assert proc.poll() is None, log.read_text()
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=2) as r:
                    assert json.load(r) == {"status": "ok"}
                    break
            except OSError:
                assert time.monotonic() < deadline, log.read_text()
                time.sleep(0.1)
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/api/flows", timeout=5) as r:
            assert [f["id"] for f in json.load(r)] == ["a"]
        socket.create_connection(("127.0.0.1", broker), timeout=5).close()  # the embedded broker
        proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=60) == 0, log.read_text()
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def test_serve_refuses_a_public_host_without_auth(tmp_path: Path) -> None:
    result = subprocess.run(command("--flows", str(tmp_path), "--host", "0.0.0.0"),
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert "authentication" in result.stderr
