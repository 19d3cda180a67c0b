"""The embedded MQTT broker has no users: anyone who reaches it may publish and subscribe to
every topic. `--mqtt-broker` on `flowrt run` and `flowrt serve` refuses any address but
loopback, with an error saying why and what to use instead, and listens on nothing."""

from __future__ import annotations

import asyncio
import socket
import subprocess
from pathlib import Path

import pytest

from flowrt.broker.embedded import EmbeddedBroker
from flowrt.errors import ConfigError
from tests.security.http_kit import flowrt_command, free_port

TICK = "flowrt: 1\nid: t\nnodes:\n  tick: {type: inject, payload: 1, to: show}\n" \
       "  show: {type: debug}\n"


def _listening(port: int) -> bool:
    try:
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    except OSError:
        return False
    return True


@pytest.mark.parametrize("host", ["0.0.0.0", "[::]", "192.0.2.7", "example.com"])
@pytest.mark.parametrize("command", ["run", "serve"])
def test_a_public_broker_address_is_refused(tmp_path: Path, command: str, host: str) -> None:
    (tmp_path / "t.yaml").write_text(TICK)
    port = free_port()
    args = [str(tmp_path / "t.yaml"), "--until-idle"] if command == "run" else \
        ["--flows", str(tmp_path), "--port", str(free_port())]
    result = subprocess.run(
        flowrt_command(command, *args, "--mqtt-broker", f"{host}:{port}"),
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 2, (result.stdout, result.stderr)
    assert "refusing to start the embedded MQTT broker" in result.stderr
    assert "loopback" in result.stderr and "Mosquitto" in result.stderr
    assert "Traceback" not in result.stderr
    assert not _listening(port)


def test_the_broker_itself_refuses_a_public_address() -> None:
    broker = EmbeddedBroker("0.0.0.0", free_port())
    with pytest.raises(ConfigError, match="loopback only"):
        asyncio.run(broker.start())
    assert broker._broker is None


def test_a_loopback_broker_still_starts(tmp_path: Path) -> None:
    (tmp_path / "t.yaml").write_text(TICK)
    port = free_port()
    result = subprocess.run(
        flowrt_command("run", str(tmp_path / "t.yaml"), "--until-idle",
                       "--mqtt-broker", f"localhost:{port}"),
        capture_output=True, text=True, timeout=120, cwd=tmp_path)
    assert result.returncode == 0, result.stderr
