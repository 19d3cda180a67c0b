"""The embedded broker on its own event loop in a thread, and paho clients of the tests that
connect to it, publish, subscribe and record what they get."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion

from flowrt.broker.embedded import EmbeddedBroker
from tests.support.waiting import wait_until

WAIT = 30.0


@contextmanager
def serving(broker: EmbeddedBroker) -> Iterator[EmbeddedBroker]:
    """``broker`` started on a loop of its own (paho's blocking calls do not stop it)."""
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    asyncio.run_coroutine_threadsafe(broker.start(), loop).result(WAIT)
    try:
        yield broker
    finally:
        asyncio.run_coroutine_threadsafe(broker.stop(), loop).result(WAIT)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(WAIT)
        loop.close()


class Client:
    """A paho MQTT 3.1.1 client: ``code`` is the CONNACK's return code once it answered."""

    def __init__(self, port: int, client_id: str = "", username: str | None = None,
                 password: str | None = None, clean: bool = True, ca_file: str | None = None,
                 transport: str = "tcp") -> None:
        self.paho = mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id,
                                protocol=mqtt.MQTTv311, clean_session=clean,
                                transport=transport)  # type: ignore[arg-type]
        if ca_file is not None:
            self.paho.tls_set(ca_certs=ca_file)
        if username is not None:
            self.paho.username_pw_set(username, password)
        self.code: int | None = None
        self.granted: dict[int, list[int]] = {}
        self.unsubscribed: set[int] = set()
        self.seen: list[tuple[str, bytes, bool]] = []
        self._lock = threading.Lock()
        self.paho.on_connect = self._connected
        self.paho.on_subscribe = self._subscribed
        self.paho.on_message = self._message
        self.paho.on_unsubscribe = lambda _c, _u, mid, *_: self.unsubscribed.add(mid)
        self.paho.connect("localhost" if ca_file else "127.0.0.1", port, keepalive=30)
        self.paho.loop_start()
        wait_until(lambda: self.code is not None, "the broker's CONNACK", WAIT)

    def _connected(self, _c: Any, _u: Any, _f: Any, code: Any, _p: Any) -> None:
        self.code = code.value if hasattr(code, "value") else int(code)
        if self.code:
            self.paho.disconnect()  # no reconnecting with a refused login

    def _subscribed(self, _c: Any, _u: Any, mid: int, codes: list[Any], _p: Any) -> None:
        self.granted[mid] = [c.value if hasattr(c, "value") else int(c) for c in codes]

    def _message(self, _c: Any, _u: Any, message: Any) -> None:
        with self._lock:
            self.seen.append((message.topic, bytes(message.payload), bool(message.retain)))

    def subscribe(self, topic: str, qos: int = 1) -> list[int]:
        """The broker's return codes (0..2 granted, 128 refused)."""
        _, mid = self.paho.subscribe(topic, qos)
        return wait_until(lambda: self.granted.get(mid), f"the SUBACK for {topic}", WAIT)

    def unsubscribe(self, topic: str) -> None:
        """Unsubscribe, once the broker acknowledged it (UNSUBACK)."""
        _, mid = self.paho.unsubscribe(topic)
        wait_until(lambda: mid in self.unsubscribed, f"the UNSUBACK for {topic}", WAIT)

    def publish(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> None:
        self.paho.publish(topic, payload, qos=qos, retain=retain).wait_for_publish(WAIT)

    def topics(self) -> list[str]:
        with self._lock:
            return [topic for topic, _, _ in self.seen]

    def close(self) -> None:
        self.paho.disconnect()
        self.paho.loop_stop()
