"""`flowrt run --http` as a process with a flow whose only endpoint is a websocket-listener: it
serves the path (and says where), echoes, and stops cleanly on SIGINT."""

from __future__ import annotations

import signal
import subprocess
import sys
import time
from pathlib import Path

from websockets.sync.client import connect

from tests.support.servers import free_port

ROOT = Path(__file__).resolve().parents[3]
FLOW = """\
flowrt: 1
connections:
  echo: {type: websocket-listener, path: /ws/echo}
nodes:
  frames: {type: websocket-in, listener: echo, to: reply}
  reply: {type: websocket-out, listener: echo}
"""


def test_flowrt_run_serves_a_websocket_path_alone(tmp_path: Path) -> None:
    flow = tmp_path / "echo.yaml"
    flow.write_text(FLOW, encoding="utf-8")
    port = free_port()
    proc = subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", "--http", f"127.0.0.1:{port}", str(flow)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    try:
        answer = None
        deadline = time.monotonic() + 60
        while answer is None:
            assert proc.poll() is None, proc.communicate()[1]
            try:
                with connect(f"ws://127.0.0.1:{port}/ws/echo", open_timeout=10) as ws:
                    ws.send("ping")
                    answer = ws.recv(timeout=30)
            except OSError:
                assert time.monotonic() < deadline, "flowrt run did not serve within 60 s"
                time.sleep(0.1)
        assert answer == "ping"
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert f"WS ws://127.0.0.1:{port}/ws/echo (node echo)" in err
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
