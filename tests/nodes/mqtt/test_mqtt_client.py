"""The paho client a connection makes (mqtt_client.py): its topic filters for
``message_callback_add`` answer at once while there are none, and match as paho's own once
some are added, against the test broker too."""

from __future__ import annotations

import threading
from typing import Any

from flowrt_nodes.mqtt.mqtt_client import Settings, _filters_class, make_client, open_socket
from paho.mqtt.matcher import MQTTMatcher

from tests.nodes.mqtt.mqtt_kit import address, unique


def test_filters_match_as_pahos() -> None:
    ours: Any = _filters_class()()
    pahos: Any = MQTTMatcher()  # type: ignore[no-untyped-call]
    assert list(ours.iter_match("a/b")) == []
    for text in ("a/+", "#", "a/b", "$SYS/#", "+/+/c"):
        ours[text] = pahos[text] = text
    for topic in ("a/b", "a/b/c", "x/y/c", "$SYS/x", "a"):
        assert sorted(ours.iter_match(topic)) == sorted(pahos.iter_match(topic))


def test_a_made_client_still_routes_callbacks_by_filter() -> None:
    host, port = address()
    settings = Settings(
        host=host, port=port, tls=False, client_id=unique("cb").replace("/", "-"),
        generated_id=True, username=None, password=None, ca_file=None, cert_file=None,
        key_file=None, insecure=False, mqtt5=True, keepalive=30, clean_session=True,
        session_expiry=0, receive_maximum=100, connect_timeout=10.0, will=None, birth=None,
        close=None)
    client: Any = make_client(settings)
    assert isinstance(client._on_message_filtered, _filters_class())
    topic = unique()
    routed: list[str] = []
    got = threading.Event()
    client.on_message = lambda *_: routed.append("on_message")

    def by_filter(_c: Any, _u: Any, message: Any) -> None:
        routed.append(message.topic)
        got.set()

    subscribed = threading.Event()
    client.on_subscribe = lambda *_: subscribed.set()
    client.on_connect = lambda c, *_: c.subscribe(f"{topic}/#", 0)
    client.message_callback_add(f"{topic}/+", by_filter)
    open_socket(client, settings)
    client.loop_start()
    try:
        assert subscribed.wait(30)
        client.publish(f"{topic}/x", b"1", 0)
        assert got.wait(30)
        assert routed == [f"{topic}/x"]
    finally:
        client.disconnect()
        client.loop_stop()
