"""The load: messages published to the broker, as fast as it takes them or at a steady rate.

A message is JSON text ``{"id": N, "sent": MS, "device": "dK", "value": X}``, where ``sent`` is
the wall clock (milliseconds since the epoch) when the publisher handed it to its client
library: the same clock the database's ``clock_timestamp()`` reads on this machine.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import threading
import time
from collections.abc import Callable
from typing import Any, Protocol
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import pika
from paho.mqtt.enums import CallbackAPIVersion


def body(number: int) -> bytes:
    return json.dumps({
        "id": number,
        "sent": time.time() * 1000,
        "device": f"d{number % 50}",
        "value": 50 + (number % 400) / 10,
    }).encode()


class Publisher(Protocol):
    def send(self, number: int) -> None: ...

    def flush(self, timeout: float) -> None: ...

    def close(self) -> None: ...


class MqttPublisher:
    """A paho client publishing with QoS 1; up to ``inflight`` messages await their PUBACK, the
    rest wait in paho's queue, so it publishes as fast as the broker acknowledges."""

    def __init__(self, url: str, topic: str, inflight: int = 100) -> None:
        parts = urlsplit(url)
        self.topic = topic
        self.client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
        self.client.max_inflight_messages_set(inflight)
        self.acked = 0
        self.sent = 0
        self._lock = threading.Lock()
        ready = threading.Event()
        self.client.on_connect = lambda *_: ready.set()
        self.client.on_publish = self._on_publish
        self.client.connect(parts.hostname or "127.0.0.1", parts.port or 1883, 60)
        self.client.loop_start()
        if not ready.wait(10):
            raise RuntimeError(f"cannot connect to the MQTT broker at {url}")

    def _on_publish(self, *_: Any) -> None:
        with self._lock:
            self.acked += 1

    def send(self, number: int) -> None:
        self.sent += 1
        self.client.publish(self.topic, body(number), qos=1)

    def flush(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while self.acked < self.sent:
            if time.monotonic() > deadline:
                raise RuntimeError(f"the broker acknowledged {self.acked} of {self.sent}")
            time.sleep(0.01)

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


class AmqpPublisher:
    """pika publishing persistent messages to a durable queue through the default exchange.
    No publisher confirms (they would pace the publisher at one round trip per message); a
    passive declare of the queue after the last message waits until the broker has taken
    everything published before it on the channel."""

    def __init__(self, url: str, queue: str) -> None:
        self.queue = queue
        self.connection = pika.BlockingConnection(pika.URLParameters(url))
        self.channel = self.connection.channel()
        self.channel.queue_declare(queue, durable=True)
        self.properties = pika.BasicProperties(delivery_mode=2, content_type="application/json")

    def send(self, number: int) -> None:
        self.channel.basic_publish("", self.queue, body(number), self.properties)

    def flush(self, timeout: float) -> None:
        self.channel.queue_declare(self.queue, durable=True, passive=True)

    def close(self) -> None:
        self.connection.close()

    @staticmethod
    def delete(url: str, queue: str) -> None:
        connection = pika.BlockingConnection(pika.URLParameters(url))
        try:
            connection.channel().queue_delete(queue)
        finally:
            connection.close()


def mosquitto_pub() -> str | None:
    """Mosquitto's own command-line client, where it is installed (``mosquitto-clients``)."""
    return shutil.which("mosquitto_pub")


def publish_burst(url: str, topic: str, count: int) -> tuple[float, float]:
    """Publish ids 0..count-1 as fast as the broker takes them with Mosquitto's C client
    (``mosquitto_pub -l``: a message a line of its input, QoS 1, 100 in flight; it exits once
    the broker acknowledged the last). paho's Python client costs the machine's shared cores
    about five times as much a message (here about 7,000 msgs/s against 36,000), so in the
    throughput run it, not the system measured, set the rate: a system draining faster than
    7,000 a second could not show it. Returns the wall-clock times (epoch ms) of the first
    publish and of the client's exit. The ``sent`` stamps are those of the lines' making,
    before the first publish: the throughput run reads no latency."""
    command = mosquitto_pub()
    if command is None:
        raise RuntimeError("mosquitto_pub is not installed (Debian: mosquitto-clients)")
    parts = urlsplit(url)
    lines = b"".join(body(number) + b"\n" for number in range(count))
    first = time.time() * 1000
    subprocess.run(
        [command, "-h", parts.hostname or "127.0.0.1", "-p", str(parts.port or 1883),
         "-t", topic, "-q", "1", "-M", "100", "-l"],
        input=lines, check=True, timeout=600, capture_output=True)
    return first, time.time() * 1000


def publish(
    publisher: Publisher, count: int, rate: float | None = None,
    midway: Callable[[], None] | None = None,
) -> tuple[float, float]:
    """Publish ids 0..count-1, as fast as the broker takes them (``rate`` None) or paced on
    the clock at ``rate`` a second; call ``midway`` (in a thread of its own) once half are
    published. Returns the wall-clock times (epoch ms) of the first publish and of the
    broker's last acknowledgement."""
    started = time.monotonic()
    first = time.time() * 1000
    helper: threading.Thread | None = None
    for number in range(count):
        if rate:
            wait = started + number / rate - time.monotonic()
            if wait > 0:
                time.sleep(wait)
        publisher.send(number)
        if midway is not None and number == count // 2:
            helper = threading.Thread(target=midway, daemon=True)
            helper.start()
    publisher.flush(600)
    done = time.time() * 1000
    if helper is not None:
        helper.join(120)
    return first, done
