"""paho's message infos without a condition per received message (mqtt_message_info.py): a
received message makes none, and a published one is still waited on as paho's own would be."""

from __future__ import annotations

import threading
from typing import Any

import paho.mqtt.client as mqtt
from flowrt_nodes.mqtt.mqtt_message_info import install, lazy_class
from paho.mqtt.enums import CallbackAPIVersion

from tests.nodes.mqtt.mqtt_kit import address, unique


def test_a_received_message_makes_no_condition() -> None:
    assert install()
    info: Any = mqtt.MQTTMessage(7, b"a/b").info
    assert info._lazy is None
    assert (info.rc, info.mid) == (mqtt.MQTT_ERR_SUCCESS, 7)
    assert isinstance(info, lazy_class())
    assert isinstance(info, mqtt.MQTTMessageInfo)


def test_published_before_anyone_waits() -> None:
    install()
    info: Any = mqtt.MQTTMessage(1).info
    info._set_as_published()
    assert info._lazy is None
    info.wait_for_publish(None)  # returns at once: the flag was set first
    assert info.is_published()


def test_a_waiting_thread_is_woken() -> None:
    install()
    info: Any = mqtt.MQTTMessage(2).info
    waiting = threading.Event()
    done = threading.Event()

    def wait() -> None:
        condition = info._condition  # made by the waiter, as wait_for_publish makes it
        with condition:
            waiting.set()
            while not info._published:
                condition.wait()
        done.set()

    waiter = threading.Thread(target=wait, daemon=True)
    waiter.start()
    waiting.wait()
    with info._condition:  # the waiter is inside wait(): it released the lock
        pass
    info._set_as_published()
    waiter.join(60)
    assert done.is_set()
    assert info._condition is info._lazy


def test_publish_and_wait_against_the_broker() -> None:
    install()
    client = mqtt.Client(CallbackAPIVersion.VERSION2, protocol=mqtt.MQTTv5)
    host, port = address()
    client.connect(host, port)
    client.loop_start()
    try:
        infos = [client.publish(unique(), b"x", qos) for qos in (0, 1, 2)]
        for info in infos:
            assert isinstance(info, lazy_class())
            info.wait_for_publish(30)
            assert info.is_published()
    finally:
        client.disconnect()
        client.loop_stop()
