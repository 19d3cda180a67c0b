"""The MQTT pack in the conformance suite: mqtt-in and mqtt-out against Mosquitto, over MQTT
3.1.1 (``mqtt``) and MQTT 5 (``mqtt5``, where messages also carry user properties).

Both nodes use QoS 1 and a persistent session (``clean_session: false``) whose client id is
fixed per stream, so a second run of the same flow resumes the first one's session. Messages go
to ``flowrt/conf/KEY/N`` (N = i % 3) and the source subscribes to ``flowrt/conf/KEY/+``. The sink
side is watched by a paho client with a persistent session of its own, subscribed before the
test sends anything, so it also gets what was published while a restarted broker was away.
"""

from __future__ import annotations

import asyncio
import json
import threading
from typing import Any
from urllib.parse import urlsplit

import paho.mqtt.client as mqtt
from paho.mqtt.enums import CallbackAPIVersion
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.properties import Properties

TIMEOUT = 30.0


def _address(url: str) -> tuple[str, int]:
    parts = urlsplit(url)
    return parts.hostname or "127.0.0.1", parts.port or 1883


class Watcher:
    """A paho client that collects every message on a stream's topics, across reconnects."""

    def __init__(self, url: str, key: str, mqtt5: bool) -> None:
        self.seen: list[tuple[str, bytes, Any]] = []
        self.lock = threading.Lock()
        self.subscribed = threading.Event()
        self.topics = f"flowrt/conf/{key}/#"
        self.client = _client(f"flowrt-watch-{key}", mqtt5, clean=False)
        self.client.reconnect_delay_set(1, 2)
        self.client.on_connect = self._on_connect
        self.client.on_subscribe = lambda *_: self.subscribed.set()
        self.client.on_message = self._on_message
        host, port = _address(url)
        _connect(self.client, host, port, mqtt5, clean=False)
        self.client.loop_start()

    def _on_connect(self, client: Any, _u: Any, _f: Any, reason: Any, _p: Any) -> None:
        if not reason.is_failure:
            self.subscribed.clear()
            client.subscribe(self.topics, 1)

    def _on_message(self, _c: Any, _u: Any, message: Any) -> None:
        with self.lock:
            self.seen.append((message.topic, message.payload, message.properties))

    def wait_subscribed(self) -> None:
        if not self.subscribed.wait(TIMEOUT):
            raise AssertionError(f"the watcher could not subscribe to {self.topics}")

    def close(self) -> None:
        self.client.disconnect()
        self.client.loop_stop()


def _client(client_id: str, mqtt5: bool, clean: bool) -> Any:
    if mqtt5:
        return mqtt.Client(CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv5)
    return mqtt.Client(
        CallbackAPIVersion.VERSION2, client_id=client_id, protocol=mqtt.MQTTv311,
        clean_session=clean,
    )


def _connect(client: Any, host: str, port: int, mqtt5: bool, clean: bool) -> None:
    if mqtt5:
        props = Properties(PacketTypes.CONNECT)  # type: ignore[no-untyped-call]
        props.SessionExpiryInterval = 0 if clean else 3600
        client.connect(host, port, 30, clean_start=clean, properties=props)
    else:
        client.connect(host, port, 30)


class MqttBackend:
    server = "mqtt"
    source_type = "mqtt-in"
    sink_type = "mqtt-out"

    def __init__(self, protocol: str) -> None:
        self.protocol = protocol
        self.mqtt5 = protocol == "5"
        self.name = "mqtt5" if self.mqtt5 else "mqtt"
        self.watchers: dict[str, Watcher] = {}

    def connection(self, url: str, key: str) -> dict[str, Any]:
        return {
            "type": "mqtt-broker",
            "url": url,
            "protocol": self.protocol,
            "client_id": f"flowrt-conf-{key}",
            "clean_session": False,
        }

    def env(self, url: str) -> dict[str, str]:
        return {}

    async def prepare(self, url: str, key: str) -> None:
        return None

    def source_config(self, key: str) -> dict[str, Any]:
        return {"topic": f"flowrt/conf/{key}/+", "qos": 1, "payload": "auto"}

    def sink_config(self, key: str) -> dict[str, Any]:
        return {"qos": 1}

    def _properties(self, i: int) -> dict[str, Any]:
        return {"user_properties": {"i": str(i)}, "content_type": "application/json"}

    def message(self, key: str, i: int) -> dict[str, Any]:
        msg = {"topic": f"flowrt/conf/{key}/{i % 3}", "payload": {"key": key, "i": i}}
        if self.mqtt5:
            msg["properties"] = self._properties(i)
        return msg

    async def publish(self, url: str, key: str, indexes: range) -> None:
        await asyncio.to_thread(self._publish, url, key, indexes)

    def _publish(self, url: str, key: str, indexes: range) -> None:
        client = _client("", self.mqtt5, clean=True)
        connected = threading.Event()
        client.on_connect = lambda *_: connected.set()
        host, port = _address(url)
        _connect(client, host, port, self.mqtt5, clean=True)
        client.loop_start()
        try:
            assert connected.wait(TIMEOUT), f"could not connect to {url} to publish"
            infos = []
            for i in indexes:
                props = None
                if self.mqtt5:
                    props = Properties(PacketTypes.PUBLISH)  # type: ignore[no-untyped-call]
                    props.UserProperty = [("i", str(i))]
                    props.ContentType = "application/json"
                payload = json.dumps({"key": key, "i": i})
                infos.append(client.publish(f"flowrt/conf/{key}/{i % 3}", payload, 1, False, props))
            for info in infos:
                info.wait_for_publish(TIMEOUT)
                assert info.is_published(), f"the broker at {url} did not take a message"
        finally:
            client.disconnect()
            client.loop_stop()

    def received_index(self, key: str, msg: dict[str, Any]) -> int:
        payload = msg["payload"]
        assert isinstance(payload, dict) and payload["key"] == key, msg
        i = payload["i"]
        assert msg["topic"] == f"flowrt/conf/{key}/{i % 3}", msg
        assert msg["qos"] == 1 and msg["retain"] is False, msg
        if self.mqtt5:
            assert msg["properties"] == self._properties(i), msg
        else:
            assert "properties" not in msg, msg
        return int(i)

    async def watch(self, url: str, key: str) -> None:
        watcher = self.watchers.get(key)
        if watcher is None:
            watcher = self.watchers[key] = await asyncio.to_thread(Watcher, url, key, self.mqtt5)
        await asyncio.to_thread(watcher.wait_subscribed)

    async def stored(self, url: str, key: str) -> list[int]:
        watcher = self.watchers[key]
        with watcher.lock:
            seen = list(watcher.seen)
        found = []
        for topic, payload, props in seen:
            data = json.loads(payload)
            assert data["key"] == key, data
            i = data["i"]
            assert topic == f"flowrt/conf/{key}/{i % 3}", (topic, data)
            if self.mqtt5:
                assert getattr(props, "UserProperty", None) == [("i", str(i))], props
                assert getattr(props, "ContentType", None) == "application/json", props
            found.append(int(i))
        return found

    async def pending(self, url: str, key: str) -> int | None:
        return None

    async def cleanup(self, url: str, key: str) -> None:
        watcher = self.watchers.pop(key, None)
        if watcher is not None:
            await asyncio.to_thread(watcher.close)
        for client_id in (f"flowrt-conf-{key}", f"flowrt-watch-{key}"):
            await asyncio.to_thread(self._end_session, url, client_id)

    def _end_session(self, url: str, client_id: str) -> None:
        """Connect with a clean session under ``client_id``: the broker drops the old one."""
        client = _client(client_id, self.mqtt5, clean=True)
        connected = threading.Event()
        client.on_connect = lambda *_: connected.set()
        host, port = _address(url)
        try:
            _connect(client, host, port, self.mqtt5, clean=True)
        except OSError:
            return  # the (private) broker is gone, and its sessions with it
        client.loop_start()
        connected.wait(5)
        client.disconnect()
        client.loop_stop()


BACKENDS = [MqttBackend("3.1.1"), MqttBackend("5")]
