"""Tracing across Mosquitto (MQTT 5): mqtt-out puts the W3C traceparent of its span in a user
property, and mqtt-in continues that trace; a traceparent from another client is continued too.
With tracing off, nothing is added."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.nodes.mqtt.mqtt_kit import (
    Probe,
    eventually,
    flow_text,
    properties,
    running,
    unique,
    until_connected,
)
from tests.support.tracing import of_node, one, recording


def nodes(topic: str) -> dict[str, Any]:
    return {
        "out": {"type": "mqtt-out", "connection": "broker"},
        "in": {"type": "mqtt-in", "connection": "broker", "topic": topic, "to": "done"},
        "done": {"type": "debug", "active": False},
    }


def user_properties(message: Any) -> dict[str, str]:
    return dict(getattr(message.properties, "UserProperty", None) or [])


def test_the_trace_goes_on_from_mqtt_out_through_the_broker_to_mqtt_in(broker: str) -> None:
    topic = unique()

    async def scenario() -> Probe:
        async with running(flow_text(nodes(topic), broker, protocol="5")) as flow:
            await until_connected(flow, "in")
            probe = Probe(broker, mqtt5=True).subscribe(topic)
            flow.send("out", {"payload": "hello", "topic": topic})
            await eventually(lambda: len(flow.result.received("done")) == 1, "the message back")
            await eventually(lambda: len(probe.messages()) == 1, "the probe's copy")
            probe.close()
        return probe

    with recording() as exported:
        probe = asyncio.run(scenario())
    spans = exported.get_finished_spans()
    sent, got = one(spans, "out"), one(spans, "in")
    assert got.context.trace_id == sent.context.trace_id
    assert got.parent is not None and got.parent.span_id == sent.context.span_id
    assert sent.attributes is not None and got.attributes is not None
    assert (sent.attributes["messaging.system"], sent.attributes["messaging.operation.type"],
            sent.attributes["messaging.destination.name"]) == ("mqtt", "send", topic)
    assert (got.attributes["messaging.operation.type"],
            got.attributes["messaging.destination.name"]) == ("receive", topic)
    [message] = probe.messages()
    context = sent.context
    assert user_properties(message)["traceparent"] == (
        f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}")


def test_mqtt_in_continues_the_trace_another_client_sent(broker: str) -> None:
    topic = unique()
    theirs = "00-" + "ab" * 16 + "-" + "cd" * 8 + "-01"

    async def scenario() -> None:
        async with running(flow_text(nodes(topic), broker, protocol="5")) as flow:
            await until_connected(flow, "in")
            probe = Probe(broker, mqtt5=True)
            probe.publish(topic, "x", props=properties(UserProperty=[("traceparent", theirs)]))
            probe.publish(topic, "y", props=properties(UserProperty=[("traceparent", "junk")]))
            probe.close()
            await eventually(lambda: len(flow.result.received("done")) == 2, "2 messages")

    with recording() as exported:
        asyncio.run(scenario())
    first, second = of_node(exported.get_finished_spans(), "in")
    assert f"{first.context.trace_id:032x}" == "ab" * 16
    assert first.parent is not None and f"{first.parent.span_id:016x}" == "cd" * 8
    assert second.parent is None  # not a traceparent: a trace of its own


def test_with_tracing_off_mqtt_out_adds_no_user_property(broker: str) -> None:
    topic = unique()

    async def scenario() -> Probe:
        async with running(flow_text(nodes(topic), broker, protocol="5")) as flow:
            await until_connected(flow, "in")
            probe = Probe(broker, mqtt5=True).subscribe(topic)
            flow.send("out", {"payload": "hello", "topic": topic})
            await eventually(lambda: len(probe.messages()) == 1, "the probe's copy")
            probe.close()
            [back] = flow.result.received("done")
            assert "properties" not in back
        return probe

    [message] = asyncio.run(scenario()).messages()
    assert "traceparent" not in user_properties(message)
