"""Real Node-RED and flowrt serving the same imported flow on real sockets (HTTP, MQTT), so a
test can send both the same requests and compare what comes back.

Node-RED runs in a child process with its node routes at ``/`` on a free port of 127.0.0.1;
flowrt runs the imported flow with ``flowrt run`` in another, on another free port.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowrt.nodered import convert, read_data
from flowrt.nodered.writer import render
from tests.support.servers import free_port


def _wait_for(port: int, process: subprocess.Popen[bytes], ready: str, timeout: float) -> None:
    """Until ``GET ready`` on the port answers anything but 404 (routes are added last)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server on port {port} exited with {process.returncode}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}{ready}", timeout=2.0,
                         trust_env=False).status_code != 404:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    pytest.fail(f"the server on port {port} did not serve {ready} within {timeout:g} s")


def _stop(process: subprocess.Popen[bytes]) -> None:
    process.terminate()
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


@contextmanager
def nodered_serving(nodes: list[dict[str, Any]], home: Path, work: Path,
                    ready: str = "/") -> Iterator[str]:
    """Node-RED running ``nodes``; yields the base url of its node routes."""
    node = shutil.which("node")
    if node is None:
        pytest.fail("node (Node.js) is needed to run Node-RED")
    user = work / "nr-user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "flows.json").write_text(json.dumps(nodes))
    port = free_port()
    settings = work / "nr-settings.js"
    settings.write_text(
        f"module.exports = {{uiHost: '127.0.0.1', uiPort: {port}, httpAdminRoot: false, "
        "httpNodeRoot: '/', flowFile: 'flows.json', credentialSecret: false, "
        "logging: {console: {level: 'warn', metrics: false, audit: false}}};\n"
    )
    process = subprocess.Popen(
        [node, str(home / "node_modules/node-red/red.js"), "--settings", str(settings),
         "--userDir", str(user)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(port, process, ready, 60.0)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)


@contextmanager
def flowrt_serving(nodes: list[dict[str, Any]], work: Path, ready: str = "/") -> Iterator[str]:
    """``flowrt run`` on the imported ``nodes``; yields the base url of its http-in routes."""
    conversion = convert(read_data(nodes), {}, "flows.json")
    folder = work / "flowrt-flows"
    folder.mkdir(parents=True, exist_ok=True)
    for flow in conversion.flows:
        (folder / flow.file).write_text(render(flow))
    port = free_port()
    process = subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", str(folder), "--http", f"127.0.0.1:{port}"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=dict(os.environ),
    )
    try:
        _wait_for(port, process, ready, 60.0)
        yield f"http://127.0.0.1:{port}"
    finally:
        _stop(process)
