"""Putting numbered messages on RabbitMQ and Mosquitto, and reading what the brokers hold.

Messages are JSON objects ``{"seq": N, "body": "message N", "pad": "..."}``: ``seq`` names
the message, ``body`` is what the sink must store for it (the content check), ``pad`` makes it
as large as the test wants. Publishing returns once the broker has every message: an AMQP
queue nobody consumes yet is filled without confirms and its depth polled (much faster than
a confirm per message); a queue being consumed gets a confirm per message; MQTT waits for
every PUBACK.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
import pika
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties


def body(seq: int) -> str:
    return f"message {seq}"


def payload(seq: int, size: int = 0) -> bytes:
    """Message ``seq``, padded to about ``size`` bytes."""
    data = {"seq": seq, "body": body(seq)}
    text = json.dumps(data)
    if size > len(text):
        data["pad"] = "x" * (size - len(text) - 10)
        text = json.dumps(data)
    return text.encode()


# AMQP ------------------------------------------------------------------------------------


def _channel_work(url: str, work: Any) -> Any:
    conn = pika.BlockingConnection(pika.URLParameters(url))
    try:
        return work(conn.channel())
    finally:
        conn.close()


def declare_queue(url: str, queue: str) -> None:
    _channel_work(url, lambda ch: ch.queue_declare(queue, durable=True))


def fill_queue(url: str, queue: str, seqs: Iterable[int], size: int = 0) -> int:
    """Declare ``queue`` (durable) and put messages ``seqs`` on it, persistent; returns when
    the queue holds at least as many as it held before plus those."""
    numbers = list(seqs)

    def work(ch: Any) -> int:
        before = int(ch.queue_declare(queue, durable=True).method.message_count)
        props = pika.BasicProperties(content_type="application/json", delivery_mode=2)
        for seq in numbers:
            ch.basic_publish("", queue, payload(seq, size), props)
        return before

    before: int = _channel_work(url, work)
    deadline = time.monotonic() + 120
    while queue_depth(url, queue) < before + len(numbers):
        if time.monotonic() > deadline:
            raise AssertionError(f"queue {queue} never held the {len(numbers)} messages put on it")
        time.sleep(0.05)
    return len(numbers)


def publish_amqp(url: str, queue: str, seqs: Iterable[int], size: int = 0) -> int:
    """Put messages ``seqs`` on ``queue`` (durable) with publisher confirms: for a queue that
    consumers are emptying meanwhile, whose depth says nothing."""
    numbers = list(seqs)

    def work(ch: Any) -> None:
        ch.queue_declare(queue, durable=True)
        ch.confirm_delivery()
        props = pika.BasicProperties(content_type="application/json", delivery_mode=2)
        for seq in numbers:
            ch.basic_publish("", queue, payload(seq, size), props, mandatory=True)

    _channel_work(url, work)
    return len(numbers)


def queue_depth(url: str, queue: str) -> int:
    """Messages ready in ``queue`` (not delivered to a consumer, or given back)."""
    depth: int = _channel_work(
        url, lambda ch: int(ch.queue_declare(queue, passive=True).method.message_count)
    )
    return depth


def delete_queue(url: str, queue: str) -> None:
    try:
        _channel_work(url, lambda ch: ch.queue_delete(queue))
    except pika.exceptions.AMQPError:
        pass  # the broker is gone already (a private one, closed by the test)


# MQTT ------------------------------------------------------------------------------------


def address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 1883


def publish_mqtt(url: str, topic: str, seqs: Iterable[int], size: int = 0) -> int:
    """Publish messages ``seqs`` to ``topic`` with QoS 1; returns once the broker
    acknowledged every one."""
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv311)
    client.max_inflight_messages_set(100)
    connected = threading.Event()
    client.on_connect = lambda *_: connected.set()
    host, port = address(url)
    client.connect(host, port, 30)
    client.loop_start()
    try:
        if not connected.wait(30):
            raise AssertionError(f"cannot connect to the MQTT broker at {url}")
        infos = [client.publish(topic, payload(seq, size), qos=1) for seq in seqs]
        for info in infos:
            info.wait_for_publish(60)
            if not info.is_published():
                raise AssertionError(f"the MQTT broker at {url} did not acknowledge a message")
        return len(infos)
    finally:
        client.disconnect()
        client.loop_stop()


def _session_client(client_id: str, mqtt5: bool) -> Any:
    if mqtt5:
        return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                           protocol=mqtt.MQTTv5)
    return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                       protocol=mqtt.MQTTv311, clean_session=False)


def _connect_session(client: Any, server_url: str, mqtt5: bool, expiry: int) -> None:
    host, port = address(server_url)
    if mqtt5:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = expiry
        client.connect(host, port, 30, clean_start=False, properties=props)
    else:
        client.connect(host, port, 30)


def create_session(server_url: str, client_id: str, topic: str, mqtt5: bool = False) -> None:
    """Make the worker's persistent MQTT session and its subscription before it starts."""
    client = _session_client(client_id, mqtt5)
    subscribed = threading.Event()
    client.on_connect = lambda c, *_: c.subscribe(topic, 1)
    client.on_subscribe = lambda *_: subscribed.set()
    _connect_session(client, server_url, mqtt5, 3600)
    client.loop_start()
    try:
        if not subscribed.wait(30):
            raise AssertionError(f"could not subscribe to {topic} at {server_url}")
    finally:
        client.disconnect()
        client.loop_stop()


def drain_session(server_url: str, client_id: str, mqtt5: bool, quiet: float = 2.0) -> list[int]:
    """Take (and acknowledge) what the broker kept for a session, until nothing came for
    ``quiet`` seconds; the session ends with it. Returns the message numbers."""
    client = _session_client(client_id, mqtt5)
    seen: list[int] = []
    last = [time.monotonic()]

    def arrived(_c: Any, _u: Any, message: Any) -> None:
        seen.append(int(json.loads(message.payload)["seq"]))
        last[0] = time.monotonic()

    client.on_message = arrived
    _connect_session(client, server_url, mqtt5, 0)
    client.loop_start()
    try:
        while time.monotonic() - last[0] < quiet:
            time.sleep(0.1)
    finally:
        client.disconnect()
        client.loop_stop()
    return seen
