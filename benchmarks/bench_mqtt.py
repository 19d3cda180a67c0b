"""Round-trip latency of an MQTT message relayed by a flowrt flow (mqtt-in -> mqtt-out), at a
steady rate, against Mosquitto; and the same round trip with no flowrt in between.

    python benchmarks/bench_mqtt.py [--url URL] [--rate 1000] [--seconds 5] [--json]

The flow is ``mqtt-in (topic A, QoS 1) -> mqtt-out (topic B, QoS 1)``, run by ``flowrt run`` in
a process of its own, as in production. A paho client in this process publishes to A at
``--rate`` messages per second (QoS 1, paced on the clock, not waiting for acknowledgements),
each carrying the monotonic time it was sent (shared by processes on Linux); a second paho
client subscribed to B takes the difference when it arrives. The first second is warm-up and
not counted. ``broker alone`` is the floor: the same publisher and subscriber with no flow
(publishing to B directly), so the difference is what the relay adds: a second hop through the
broker, paho's thread, the event loop, the engine, and the publish with its PUBACK.

The broker is FLOWRT_TEST_MQTT (default ``mqtt://127.0.0.1:1883``); topics are unique per run.
When the ``mosquitto`` program is installed, the same two measures run again against a private
Mosquitto started with ``set_tcp_nodelay true``.

Figures (2 shared cores, Mosquitto 2.0.11 on 127.0.0.1, Python 3.11, paho 2.2, 1,000 msg/s for
3-5 s, several runs; the machine is shared, so runs vary, the p99 most). No message was lost in
any run.

=======================================  ============  ============
round trip                               p50           p99
=======================================  ============  ============
broker alone                             0.11-0.2 ms   0.5-2 ms
flowrt relay, Mosquitto as installed     0.3-21 ms     34-104 ms
flowrt relay, ``set_tcp_nodelay true``   0.35-0.5 ms   1.4-8.6 ms
=======================================  ============  ============

The gap between the two relay lines is TCP, not flowrt. Mosquitto sends with Nagle's algorithm
unless ``set_tcp_nodelay true``: a small packet waits while an earlier one is unacknowledged.
The relay receives a message, publishes its copy and waits for that PUBACK before it sends the
PUBACK of the message it received, so it has nothing to send meanwhile, and its kernel delays
the TCP acknowledgement (up to 40 ms), which holds the broker's next packets. A client that
answers each message at once (the ``broker alone`` subscriber) never meets it. flowrt's client
sets TCP_NODELAY on its own side; the broker's side is the broker's setting.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import socket
import statistics
import struct
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.support.servers import free_port  # noqa: E402

URL = os.environ.get("FLOWRT_TEST_MQTT") or "mqtt://127.0.0.1:1883"
WARMUP = 1.0


def client(url: str) -> Any:
    parts = urlsplit(url)
    made = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    made.max_inflight_messages_set(1000)
    ready = threading.Event()
    made.on_connect = lambda *_: ready.set()
    made.connect(parts.hostname or "127.0.0.1", parts.port or 1883, 30)
    made.loop_start()
    if not ready.wait(10):
        raise RuntimeError(f"cannot connect to the MQTT broker at {url}")
    return made


class Receiver:
    """Subscribes to a topic and records the latency of each stamped message."""

    def __init__(self, url: str, topic: str) -> None:
        self.latencies: dict[int, float] = {}
        self.client = client(url)
        self.client.on_message = self._on_message
        subscribed = threading.Event()
        self.client.on_subscribe = lambda *_: subscribed.set()
        self.client.subscribe(topic, 1)
        if not subscribed.wait(10):
            raise RuntimeError(f"cannot subscribe to {topic}")

    def _on_message(self, _c: Any, _u: Any, message: Any) -> None:
        now = time.monotonic_ns()
        number, sent = struct.unpack(">qq", message.payload[:16])
        self.latencies[number] = (now - sent) / 1e6

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def stamped(number: int) -> bytes:
    return struct.pack(">qq", number, time.monotonic_ns()) + b'{"sensor":"bench"}'


def send_steady(url: str, topic: str, rate: int, seconds: float) -> int:
    """Publish ``rate`` messages a second for ``seconds`` (after the warm-up); returns how many."""
    sender = client(url)
    total = int(rate * (WARMUP + seconds))
    start = time.monotonic()
    try:
        for number in range(total):
            wait = start + number / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
            sender.publish(topic, stamped(number), qos=1)
        time.sleep(0.5)
    finally:
        sender.disconnect()
        sender.loop_stop()
    return total


def figures(receiver: Receiver, total: int, rate: int) -> tuple[float, float, int]:
    deadline = time.monotonic() + 10
    while len(receiver.latencies) < total and time.monotonic() < deadline:
        time.sleep(0.05)
    counted = [ms for number, ms in receiver.latencies.items() if number >= WARMUP * rate]
    lost = total - len(receiver.latencies)
    cuts = statistics.quantiles(counted, n=100)
    return statistics.median(counted), cuts[98], lost


def start_relay(url: str, topic_in: str, topic_out: str, directory: Path) -> Any:
    flow = directory / "relay.yaml"
    flow.write_text(json.dumps({
        "flowrt": 1,
        "connections": {"broker": {"type": "mqtt-broker", "url": url}},
        "nodes": {
            "in": {"type": "mqtt-in", "connection": "broker", "topic": topic_in, "qos": 1,
                   "payload": "bytes", "to": "out"},
            "out": {"type": "mqtt-out", "connection": "broker", "topic": topic_out, "qos": 1},
        },
    }))
    return subprocess.Popen(
        [sys.executable, "-m", "flowrt", "run", "--log-level", "warning", str(flow)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )


def wait_relaying(url: str, topic_in: str, receiver: Receiver) -> None:
    """Publish probes until one comes through the flow (it subscribed)."""
    probe = client(url)
    try:
        deadline = time.monotonic() + 30
        while not receiver.latencies:
            if time.monotonic() > deadline:
                raise RuntimeError("the flowrt relay did not pass a message on within 30 s")
            probe.publish(topic_in, stamped(-1), qos=1)
            time.sleep(0.2)
        time.sleep(0.3)
        receiver.latencies.clear()
    finally:
        probe.disconnect()
        probe.loop_stop()


def run_direct(url: str, rate: int, seconds: float) -> tuple[float, float, int]:
    topic = f"flowrt/bench/{uuid.uuid4().hex[:8]}/direct"
    receiver = Receiver(url, topic)
    try:
        return figures(receiver, send_steady(url, topic, rate, seconds), rate)
    finally:
        receiver.close()


def run_relay(url: str, rate: int, seconds: float) -> tuple[float, float, int]:
    base = f"flowrt/bench/{uuid.uuid4().hex[:8]}"
    receiver = Receiver(url, f"{base}/B")
    with tempfile.TemporaryDirectory() as directory:
        relay = start_relay(url, f"{base}/A", f"{base}/B", Path(directory))
        try:
            wait_relaying(url, f"{base}/A", receiver)
            return figures(receiver, send_steady(url, f"{base}/A", rate, seconds), rate)
        finally:
            relay.send_signal(signal.SIGINT)
            try:
                _, err = relay.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                relay.kill()
                _, err = relay.communicate()
            receiver.close()
            if relay.returncode not in (0, None):
                print(err, file=sys.stderr)


@contextmanager
def nodelay_broker() -> Iterator[str]:
    """A private Mosquitto on a free port with ``set_tcp_nodelay true``; yields its URL."""
    port = free_port()
    with tempfile.TemporaryDirectory() as directory:
        conf = Path(directory) / "mosquitto.conf"
        conf.write_text(f"user root\nlistener {port} 127.0.0.1\nallow_anonymous true\n"
                        "persistence false\nset_tcp_nodelay true\n")
        server = subprocess.Popen(["mosquitto", "-c", str(conf)], stdout=subprocess.DEVNULL,
                                  stderr=subprocess.DEVNULL)
        try:
            deadline = time.monotonic() + 10
            while True:
                try:
                    socket.create_connection(("127.0.0.1", port), timeout=1).close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("the private mosquitto did not start") from None
                    time.sleep(0.05)
            yield f"mqtt://127.0.0.1:{port}"
        finally:
            server.terminate()
            server.wait(10)


def rows(url: str, rate: int, seconds: float, where: str) -> list[tuple[str, float, str]]:
    direct = run_direct(url, rate, seconds)
    relay = run_relay(url, rate, seconds)
    at = f"at {rate:,} msg/s, {where}"
    return [
        (f"mqtt-in -> mqtt-out round trip p50 {at}", round(relay[0], 3), "ms"),
        (f"mqtt-in -> mqtt-out round trip p99 {at}", round(relay[1], 3), "ms"),
        (f"broker alone round trip p50 {at}", round(direct[0], 3), "ms"),
        (f"broker alone round trip p99 {at}", round(direct[1], 3), "ms"),
        (f"messages lost by the relay, {where}", float(relay[2]), "messages"),
    ]


def measure(url: str = URL, rate: int = 1000, seconds: float = 5.0) -> list[tuple[str, float, str]]:
    """(label, value, unit) rows, for benchmarks/integrations.py: the test broker, and a
    private Mosquitto with TCP_NODELAY when the mosquitto program is installed."""
    found = rows(url, rate, seconds, "test broker")
    if shutil.which("mosquitto"):
        with nodelay_broker() as private:
            found += rows(private, rate, seconds, "mosquitto nodelay")
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--url", default=URL, help="The broker (default: FLOWRT_TEST_MQTT).")
    parser.add_argument("--rate", type=int, default=1000, help="Messages per second.")
    parser.add_argument("--seconds", type=float, default=5.0, help="Measured seconds.")
    parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    args = parser.parse_args()
    found = measure(args.url, args.rate, args.seconds)
    if args.json:
        print(json.dumps([{"label": a, "value": b, "unit": c} for a, b, c in found], indent=2))
        return
    width = max(len(label) for label, _, _ in found)
    for label, value, unit in found:
        print(f"{label:<{width}}  {value:>9g} {unit}")


if __name__ == "__main__":
    main()
