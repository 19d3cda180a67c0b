"""mqtt-in against Mosquitto: wildcards, payload decoding, retained messages, the qualities of
service, acknowledgement only once the flow finished (a failed message comes again), shared
subscriptions and MQTT 5 properties."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest

from tests.nodes.mqtt.mqtt_kit import (
    Probe,
    eventually,
    flow_text,
    properties,
    running,
    unique,
    until_connected,
)


def source_nodes(topic: str, then: dict[str, Any] | None = None, **config: Any) -> dict[str, Any]:
    """in -> [then] -> done, with a catch node feeding `caught`."""
    nodes: dict[str, Any] = {
        "in": {"type": "mqtt-in", "connection": "broker", "topic": topic, **config},
        "done": {"type": "debug", "active": False},
        "errors": {"type": "catch", "to": "caught"},
        "caught": {"type": "debug", "active": False},
    }
    if then is None:
        nodes["in"]["to"] = "done"
    else:
        nodes["in"]["to"] = "then"
        nodes["then"] = {**then, "to": "done"}
    return nodes


def done(flow: Any) -> list[dict[str, Any]]:
    return flow.result.received("done")


async def until_done(flow: Any, count: int) -> None:
    await eventually(lambda: len(done(flow)) >= count, f"{count} message(s) through the flow")


def test_wildcards_select_the_topics(broker: str) -> None:
    base = unique()

    async def scenario() -> None:
        text = flow_text({
            **source_nodes(f"{base}/+/temperature"),
            "all": {"type": "mqtt-in", "connection": "broker", "topic": f"{base}/#",
                    "to": "every"},
            "every": {"type": "debug", "active": False},
        }, broker)
        async with running(text) as flow:
            await until_connected(flow, "in", "all")
            probe = Probe(broker)
            for topic in ("a/temperature", "b/temperature", "a/humidity", "a/b/temperature",
                          "temperature"):
                probe.publish(f"{base}/{topic}", topic)
            probe.close()
            await eventually(lambda: len(flow.result.received("every")) == 5, "all five")
            await until_done(flow, 2)
        assert sorted(m["topic"] for m in done(flow)) == [
            f"{base}/a/temperature", f"{base}/b/temperature"]
        assert {m["payload"] for m in flow.result.received("every")} == {
            "a/temperature", "b/temperature", "a/humidity", "a/b/temperature", "temperature"}

    asyncio.run(scenario())


RAW = [b'{"celsius": 21.5}', b"[1, 2]", b"42", b"true", b"hello", b"", b"\xff\x00", b"NaN"]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [
        ("auto", [{"celsius": 21.5}, [1, 2], 42, True, "hello", "", b"\xff\x00", "NaN"]),
        ("string", ['{"celsius": 21.5}', "[1, 2]", "42", "true", "hello", "", None, "NaN"]),
        ("bytes", RAW),
        ("json", [{"celsius": 21.5}, [1, 2], 42, True, None, None, None, None]),
    ],
)
def test_payload_decoding(broker: str, mode: str, expected: list[Any]) -> None:
    """A payload the mode cannot decode is an error for catch nodes, with the raw bytes."""
    topic = unique()

    async def scenario() -> None:
        async with running(flow_text(source_nodes(topic, payload=mode), broker)) as flow:
            await until_connected(flow, "in")
            probe = Probe(broker)
            for raw in RAW:
                probe.publish(topic, raw)
            probe.close()
            failures = expected.count(None)
            await eventually(
                lambda: len(done(flow)) + len(flow.result.received("caught")) == len(RAW),
                "every message, through or caught")
        assert [m["payload"] for m in done(flow)] == [e for e in expected if e is not None]
        caught = flow.result.received("caught")
        assert len(caught) == failures
        undecodable = [r for r, e in zip(RAW, expected, strict=True) if e is None]
        for msg, raw in zip(caught, undecodable, strict=True):
            assert msg["payload"] == raw and msg["topic"] == topic
            assert msg["error"]["source"]["id"] == "in"
            assert f"message on '{topic}'" in msg["error"]["message"]

    asyncio.run(scenario())


@pytest.mark.parametrize("qos", [0, 1, 2])
def test_each_quality_of_service(broker: str, qos: int) -> None:
    topic = unique()

    async def scenario() -> None:
        async with running(flow_text(source_nodes(topic, qos=qos), broker)) as flow:
            await until_connected(flow, "in")
            probe = Probe(broker)
            for i in range(20):
                probe.publish(topic, str(i), qos=qos)
            probe.close()
            await until_done(flow, 20)
        assert [m["payload"] for m in done(flow)] == list(range(20))
        assert {m["qos"] for m in done(flow)} == {qos}
        assert {m["retain"] for m in done(flow)} == {False}

    asyncio.run(scenario())


def test_a_retained_message_arrives_on_subscribing(broker: str) -> None:
    topic = unique()
    probe = Probe(broker)
    probe.publish(topic, "last known", retain=True)

    async def scenario() -> None:
        async with running(flow_text(source_nodes(topic), broker)) as flow:
            await until_done(flow, 1)
            probe.publish(topic, "live")
            await until_done(flow, 2)
        assert [(m["payload"], m["retain"]) for m in done(flow)] == [
            ("last known", True), ("live", False)]

    try:
        asyncio.run(scenario())
    finally:
        probe.publish(topic, b"", retain=True)  # an empty retained message deletes it
        probe.close()


FAIL_FIRST_TIME = """\
seen = flow.get('seen') or []
if msg['payload'] not in seen:
    flow.set('seen', seen + [msg['payload']])
    raise RuntimeError('not this time')
return msg
"""


def test_a_message_the_flow_failed_on_is_delivered_again(broker: str) -> None:
    """QoS 1: no PUBACK for a failed message; the session reconnects and the broker resends."""
    topic = unique()
    script = {"type": "script", "code": FAIL_FIRST_TIME}
    nodes = source_nodes(topic, then=script)
    del nodes["errors"], nodes["caught"]  # a caught error counts as handled: no redelivery

    async def scenario() -> None:
        async with running(flow_text(nodes, broker)) as flow:
            await until_connected(flow, "in")
            probe = Probe(broker)
            probe.publish(topic, "once")
            probe.publish(topic, "twice")
            probe.close()
            await until_done(flow, 2)
        assert sorted(m["payload"] for m in done(flow)) == ["once", "twice"]
        assert sorted(m["payload"] for m in flow.result.received("then")) == [
            "once", "once", "twice", "twice"]
        warnings = [text for node, text in flow.result.warnings if node == "in"]
        assert any("were not acknowledged: reconnecting" in w for w in warnings), warnings

    asyncio.run(scenario())


def test_unfinished_messages_go_to_the_next_run_of_the_session(broker: str) -> None:
    """A run that failed on a message and stopped leaves it in the broker's session; the next
    run with the same client id gets it."""
    topic = unique()
    client_id = "flowrt-test-" + topic.rsplit("/", 1)[1]
    failing = {"type": "script", "code": "raise RuntimeError('down')"}
    first_nodes = source_nodes(topic, then=failing)
    del first_nodes["errors"], first_nodes["caught"]
    conn = {"client_id": client_id, "clean_session": False}

    async def scenario() -> None:
        async with running(flow_text(first_nodes, broker, **conn)) as first:
            await until_connected(first, "in")
            probe = Probe(broker)
            probe.publish(topic, "important")
            probe.close()
            await eventually(lambda: bool(first.result.errors), "the failure")
        async with running(flow_text(source_nodes(topic), broker, **conn)) as second:
            await until_done(second, 1)
        assert done(second)[0]["payload"] == "important"
        async with running(flow_text(source_nodes(topic), broker, clean_session=True,
                                     client_id=client_id)):
            pass  # end the session

    asyncio.run(scenario())


def test_a_shared_subscription_splits_messages_between_two_flows(broker: str) -> None:
    topic = unique()

    async def scenario() -> None:
        text = flow_text(source_nodes(f"$share/workers/{topic}"), broker)
        async with running(text) as one, running(text) as two:
            await until_connected(one, "in")
            await until_connected(two, "in")
            probe = Probe(broker)
            for i in range(100):
                probe.publish(topic, str(i))
            probe.close()
            await eventually(lambda: len(done(one)) + len(done(two)) >= 100, "100 messages")
        got_one = [m["payload"] for m in done(one)]
        got_two = [m["payload"] for m in done(two)]
        assert got_one and got_two, (len(got_one), len(got_two))
        assert sorted(got_one + got_two) == list(range(100))

    asyncio.run(scenario())


def test_mqtt5_properties_arrive_with_the_message(broker: str) -> None:
    topic = unique()

    async def scenario() -> None:
        text = flow_text(source_nodes(topic), broker, protocol="5")
        async with running(text) as flow:
            await until_connected(flow, "in")
            probe = Probe(broker, mqtt5=True)
            probe.publish(topic, json.dumps({"v": 1}), props=properties(
                UserProperty=[("site", "north"), ("tag", "a"), ("tag", "b")],
                ContentType="application/json", ResponseTopic=f"{topic}/reply",
                CorrelationData=b"\x01\x02", MessageExpiryInterval=600))
            probe.publish(topic, "plain")
            probe.close()
            await until_done(flow, 2)
        first, second = done(flow)
        assert first["payload"] == {"v": 1}
        props = first["properties"]
        assert props["user_properties"] == {"site": "north", "tag": ["a", "b"]}
        assert props["content_type"] == "application/json"
        assert props["response_topic"] == f"{topic}/reply"
        assert props["correlation_data"] == b"\x01\x02"
        assert 0 < props["message_expiry_interval"] <= 600
        assert "properties" not in second

    asyncio.run(scenario())
