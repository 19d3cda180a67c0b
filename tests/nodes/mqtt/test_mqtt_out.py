"""mqtt-out against Mosquitto: the topic (node or message), payload encoding, qos and retain,
MQTT 5 properties, and errors that name the node."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.nodes.mqtt.mqtt_kit import Probe, eventually, flow_text, running, unique


def sink_nodes(**config: Any) -> dict[str, Any]:
    return {
        "out": {"type": "mqtt-out", "connection": "broker", **config},
        "errors": {"type": "catch", "to": "caught"},
        "caught": {"type": "debug", "active": False},
    }


def publish_through_flow(
    broker: str, messages: list[dict[str, Any]], probe: Probe, expected: int,
    protocol: str = "3.1.1", **config: Any,
) -> Any:
    async def scenario() -> Any:
        async with running(flow_text(sink_nodes(**config), broker, protocol=protocol)) as flow:
            for msg in messages:
                flow.send("out", msg)
            await flow.run()
        await eventually(lambda: len(probe.messages()) >= expected, f"{expected} message(s)")
        return flow

    return asyncio.run(scenario())


def test_payloads_are_encoded(broker: str) -> None:
    topic = unique()
    payloads = [{"celsius": 21.5, "unit": "°C"}, [1, 2], "text", b"\x00\xff", 42, 2.5, True,
                None]
    probe = Probe(broker).subscribe(topic)
    try:
        flow = publish_through_flow(broker, [{"payload": p} for p in payloads], probe, 8,
                                    topic=topic)
        assert probe.payloads() == [
            '{"celsius":21.5,"unit":"°C"}'.encode(), b"[1,2]", b"text", b"\x00\xff", b"42",
            b"2.5", b"true", b""]
        assert flow.result.errors == []
    finally:
        probe.close()


def test_the_node_topic_wins_over_the_message_topic(broker: str) -> None:
    base = unique()
    probe = Probe(broker).subscribe(f"{base}/#")
    try:
        publish_through_flow(broker, [{"topic": f"{base}/from-msg", "payload": 1}], probe, 1,
                             topic=f"{base}/from-node")
        publish_through_flow(broker, [{"topic": f"{base}/from-msg", "payload": 2}], probe, 2)
        assert [(m.topic, m.payload) for m in probe.messages()] == [
            (f"{base}/from-node", b"1"), (f"{base}/from-msg", b"2")]
    finally:
        probe.close()


@pytest.mark.parametrize(
    ("msg", "words"),
    [
        ({"payload": 1}, "no topic to publish to"),
        ({"payload": 1, "topic": ""}, "no topic to publish to"),
        ({"payload": 1, "topic": "plant/+/x"}, "wildcard"),
    ],
)
def test_a_message_without_a_usable_topic_fails_alone(
    broker: str, msg: dict[str, Any], words: str
) -> None:
    topic = unique()
    probe = Probe(broker).subscribe(topic)
    try:
        flow = publish_through_flow(broker, [msg, {"topic": topic, "payload": "fine"}], probe, 1)
        assert probe.payloads() == [b"fine"]
        [caught] = flow.result.received("caught")
        assert caught["error"]["source"]["id"] == "out"
        assert words in caught["error"]["message"]
    finally:
        probe.close()


def test_qos_and_retain_from_the_node_or_the_message(broker: str) -> None:
    base = unique()
    watch = Probe(broker).subscribe(f"{base}/#", qos=2)
    try:
        publish_through_flow(broker, [
            {"topic": f"{base}/a", "payload": "a", "qos": 0},
            {"topic": f"{base}/b", "payload": "b", "qos": 2, "retain": True},
            {"topic": f"{base}/c", "payload": "c", "qos": "high"},
            {"topic": f"{base}/e", "payload": "e"},
            {"topic": f"{base}/f", "payload": "f", "qos": "1"},
        ], watch, 5)
        assert sorted((m.topic, m.qos) for m in watch.messages()) == [
            (f"{base}/a", 0), (f"{base}/b", 2), (f"{base}/c", 0), (f"{base}/e", 0),
            (f"{base}/f", 1)]
        publish_through_flow(broker, [{"payload": "d", "retain": False, "qos": 0}], watch, 4,
                             topic=f"{base}/d", qos=1, retain=True)
        assert watch.messages()[5].qos == 1
        late = Probe(broker).subscribe(f"{base}/#")
        asyncio.run(eventually(lambda: len(late.messages()) == 2, "the retained messages"))
        assert sorted((m.topic, m.payload, m.retain) for m in late.messages()) == [
            (f"{base}/b", b"b", True), (f"{base}/d", b"d", True)]
        late.publish(f"{base}/b", b"", retain=True)
        late.publish(f"{base}/d", b"", retain=True)
        late.close()
    finally:
        watch.close()


def test_mqtt5_properties_are_sent(broker: str) -> None:
    topic = unique()
    probe = Probe(broker, mqtt5=True).subscribe(topic)
    try:
        flow = publish_through_flow(broker, [
            {"topic": topic, "payload": {"v": 1}, "properties": {
                "user_properties": {"site": "north", "tag": ["a", "b"], "n": 3},
                "content_type": "application/json", "response_topic": f"{topic}/reply",
                "correlation_data": "req-7", "message_expiry_interval": 600}},
            {"topic": topic, "payload": "bad", "properties": {"colour": "red"}},
            {"topic": topic, "payload": "no properties"},
        ], probe, 2, protocol="5")
        first, second = probe.messages()
        props = first.properties
        assert props.UserProperty == [("site", "north"), ("tag", "a"), ("tag", "b"), ("n", "3")]
        assert props.ContentType == "application/json"
        assert props.ResponseTopic == f"{topic}/reply"
        assert props.CorrelationData == b"req-7"
        assert 0 < props.MessageExpiryInterval <= 600
        assert second.payload == b"no properties"
        assert not hasattr(second.properties, "UserProperty")
        [caught] = flow.result.received("caught")
        assert "msg.properties.colour is not an MQTT 5 property" in caught["error"]["message"]
    finally:
        probe.close()


def test_properties_are_ignored_on_mqtt_3(broker: str) -> None:
    topic = unique()
    probe = Probe(broker).subscribe(topic)
    try:
        flow = publish_through_flow(
            broker, [{"topic": topic, "payload": "x", "properties": {"colour": "red"}}],
            probe, 1)
        assert probe.payloads() == [b"x"] and flow.result.errors == []
    finally:
        probe.close()


def test_a_status_shows_the_connection_before_the_first_message(broker: str) -> None:
    async def scenario() -> None:
        async with running(flow_text(sink_nodes(topic="x"), broker)) as flow:
            await eventually(lambda: any(s["fill"] == "green" for who, s in
                                         flow.result.statuses if who == "out"), "green")

    asyncio.run(scenario())
