"""Helpers of the MQTT pack's tests: the test broker, flows on the real clock, a paho probe that
publishes and watches, and private Mosquitto instances (password file, TLS) on free ports."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import tempfile
import threading
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import pytest
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.testing import Harness
from tests.conformance.conformance_kit import connected as connected  # re-exported
from tests.conformance.conformance_kit import statuses as statuses  # re-exported
from tests.support.servers import free_port
from tests.support.waiting import eventually as eventually  # re-exported

URL = os.environ.get("FLOWRT_TEST_MQTT") or "mqtt://127.0.0.1:1883"
WAIT = 30.0


def address(url: str = URL) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 1883


def require_broker(url: str = URL) -> None:
    """Fail (never skip) when the test broker does not answer."""
    try:
        socket.create_connection(address(url), timeout=5).close()
    except OSError as exc:
        pytest.fail(f"no MQTT broker at FLOWRT_TEST_MQTT={url}: {exc}; start it with "
                    "`.ci/services.sh ensure`")


def unique(prefix: str = "flowrt/test") -> str:
    """A topic prefix no other test uses."""
    return f"{prefix}/{uuid.uuid4().hex[:10]}"


def flow_text(nodes: dict[str, Any], url: str = URL, **connection: Any) -> str:
    conn = {"type": "mqtt-broker", "url": url, **connection}
    return json.dumps({"flowrt": 1, "connections": {"broker": conn}, "nodes": nodes})


@asynccontextmanager
async def running(
    text: str, env: dict[str, str] | None = None, timeout: float = 60.0
) -> AsyncIterator[Harness]:
    """The flow running on the engine with the real clock; stopped gracefully after."""
    env = env or {}
    plan, _ = build_plan(Project(documents=[load_text(text, "mqtt-test.yaml")]), env=env)
    harness = Harness(plan, env=env, virtual_time=False, timeout=timeout)
    await harness.start()
    try:
        yield harness
    finally:
        await harness.stop()


async def until_connected(harness: Harness, *nodes: str) -> None:
    for node in nodes:
        await eventually(lambda n=node: connected(harness, n), f"a green status on {node}")


def properties(**given: Any) -> Any:
    """paho PUBLISH properties, by paho name (UserProperty=[("a", "b")], ContentType=...)."""
    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
    for name, value in given.items():
        setattr(props, name, value)
    return props


class Probe:
    """A paho client of the test: publishes, and records what arrives on its subscriptions."""

    def __init__(
        self, url: str = URL, mqtt5: bool = False, client_id: str = "", **login: str
    ) -> None:
        protocol = mqtt.MQTTv5 if mqtt5 else mqtt.MQTTv311
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                                  protocol=protocol)
        if login:
            self.client.username_pw_set(login["username"], login.get("password"))
        self.seen: list[Any] = []
        self.lock = threading.Lock()
        self._acked: dict[int, threading.Event] = {}
        ready = threading.Event()
        self.client.on_connect = lambda *_: ready.set()
        self.client.on_message = self._on_message
        self.client.on_subscribe = lambda _c, _u, mid, *_: self._acked.setdefault(
            mid, threading.Event()).set()
        self.client.connect(*address(url), keepalive=30)
        self.client.loop_start()
        assert ready.wait(WAIT), f"the probe could not connect to {url}"

    def _on_message(self, _c: Any, _u: Any, message: Any) -> None:
        with self.lock:
            self.seen.append(message)

    def subscribe(self, topic: str, qos: int = 1) -> Probe:
        _, mid = self.client.subscribe(topic, qos)
        event = self._acked.setdefault(mid, threading.Event())
        assert event.wait(WAIT), f"the probe could not subscribe to {topic}"
        return self

    def publish(self, topic: str, payload: Any = None, qos: int = 1, retain: bool = False,
                props: Any = None) -> None:
        info = self.client.publish(topic, payload, qos, retain, props)
        info.wait_for_publish(WAIT)
        assert info.is_published(), f"the broker did not take the probe's message on {topic}"

    def messages(self) -> list[Any]:
        with self.lock:
            return list(self.seen)

    def payloads(self) -> list[bytes]:
        return [m.payload for m in self.messages()]

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class PrivateMosquitto:
    """A Mosquitto of the test's own on a free port, with extra configuration lines."""

    def __init__(self, *lines: str) -> None:
        self.port = free_port()
        self.directory = Path(tempfile.mkdtemp(prefix="flowrt-mqtt-test-"))
        self.url = f"mqtt://127.0.0.1:{self.port}"
        self.lines = lines
        self.process: subprocess.Popen[bytes] | None = None

    def password(self, user: str, password: str) -> str:
        """Add a user to the password file (the configuration must name it)."""
        path = self.directory / "passwd"
        flags = ["-b"] if path.exists() else ["-b", "-c"]
        subprocess.run(["mosquitto_passwd", *flags, str(path), user, password], check=True,
                       capture_output=True, timeout=30)
        return str(path)

    def start(self, listener: str = "") -> PrivateMosquitto:
        conf = self.directory / "mosquitto.conf"
        conf.write_text("\n".join([
            "user root",
            listener or f"listener {self.port} 127.0.0.1",
            "persistence false",
            f"log_dest file {self.directory / 'mosquitto.log'}",
            *self.lines,
        ]) + "\n")
        self.process = subprocess.Popen(["mosquitto", "-c", str(conf)],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        deadline = time.monotonic() + WAIT
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return self
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"mosquitto did not start: {self.log()}") from None
                time.sleep(0.05)

    def log(self) -> str:
        path = self.directory / "mosquitto.log"
        return path.read_text() if path.exists() else ""

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(30)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()
