"""`flowrt run --mqtt-broker`: the embedded broker (amqtt) carries a flow's own messages, stops
with the flow, and a port already taken is a clear error with exit status 1."""

from __future__ import annotations

import asyncio
import logging
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from flowrt.broker.embedded import EmbeddedBroker
from tests.nodes.mqtt.mqtt_kit import (
    WAIT,
    eventually,
    flow_text,
    free_port,
    running,
    until_connected,
)

ROOT = Path(__file__).resolve().parents[3]


def flowrt_run(*args: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-m", "flowrt", "run", *args], cwd=ROOT, text=True,
                            env=dict(os.environ), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE)


def test_a_flow_publishes_and_subscribes_through_the_embedded_broker(tmp_path: Path) -> None:
    port = free_port()
    out = tmp_path / "received.txt"
    flow = tmp_path / "loop.yaml"
    flow.write_text(textwrap.dedent(f"""\
        flowrt: 1
        connections:
          local: {{type: mqtt-broker, url: "mqtt://127.0.0.1:{port}"}}
        nodes:
          tick:
            type: inject
            repeat: 0.2
            payload: {{type: str, value: hello}}
            to: publish
          publish: {{type: mqtt-out, connection: local, topic: demo/greeting}}
          listen: {{type: mqtt-in, connection: local, topic: "demo/#", to: save}}
          save: {{type: file-out, filename: "{out}"}}
        """))
    run = flowrt_run("--mqtt-broker", f"127.0.0.1:{port}", str(flow))
    try:
        deadline = time.monotonic() + WAIT
        while not (out.exists() and out.read_text().count("hello") >= 2):
            assert run.poll() is None, run.communicate()
            assert time.monotonic() < deadline, "no message came through the embedded broker"
            time.sleep(0.1)
        run.send_signal(signal.SIGINT)
        _, err = run.communicate(timeout=WAIT)
    finally:
        if run.poll() is None:
            run.kill()
            run.communicate()
    assert run.returncode == 0, err
    assert f"embedded MQTT broker on 127.0.0.1:{port}" in err
    assert set(out.read_text().split()) == {"hello"}
    with socket.socket() as sock:  # the broker stopped with the flow: its port is free again
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(("127.0.0.1", port))


def test_a_taken_port_is_a_clear_error(tmp_path: Path) -> None:
    flow = tmp_path / "idle.yaml"
    flow.write_text("flowrt: 1\nnodes:\n  hello: {type: inject, once: true, to: log}\n"
                    "  log: {type: debug}\n")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = flowrt_run("--mqtt-broker", f"127.0.0.1:{port}", str(flow))
        _, err = run.communicate(timeout=WAIT)
    assert run.returncode == 1, err
    assert f"cannot start the embedded MQTT broker on 127.0.0.1:{port}" in err
    assert "Traceback" not in err


def test_an_mqtt5_client_is_refused_at_once_with_a_reason_it_reads(
    caplog: pytest.LogCaptureFixture,
) -> None:
    """amqtt speaks 3.1.1 only; an MQTT 5 connection hears "unsupported protocol version"."""
    port = free_port()
    nodes = {"in": {"type": "mqtt-in", "connection": "broker", "topic": "x"}}

    async def scenario() -> None:
        broker = EmbeddedBroker("127.0.0.1", port)
        await broker.start()
        try:
            text = flow_text(nodes, f"mqtt://127.0.0.1:{port}", protocol="5",
                             connect_timeout=60)
            async with running(text) as flow:
                await eventually(lambda: any("refused" in t for _, t in flow.result.warnings),
                                 "a warning", timeout=30)
            refused = [t for _, t in flow.result.warnings if "refused" in t]
            assert "refused the connection (unsupported protocol version)" in refused[0]
            text = flow_text(nodes, f"mqtt://127.0.0.1:{port}")
            async with running(text) as flow:  # and 3.1.1 still works
                await until_connected(flow, "in")
        finally:
            await broker.stop()

    with caplog.at_level(logging.WARNING, logger="flowrt.broker"):
        asyncio.run(scenario())
    assert any("set `protocol: \"3.1.1\"`" in r.getMessage() for r in caplog.records)
