"""mqtt-in-dynamic against Mosquitto: subscribing and unsubscribing by message (a filter, a
list, objects, `topic: true`), listing the subscriptions, refusing bad actions and filters, and
subscriptions made again when the broker comes back."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

import pytest
from flowrt_nodes.mqtt.mqtt_subscriptions import ActionError, js_int, requested, settle_options

from tests.nodes.mqtt.mqtt_kit import (
    PrivateMosquitto,
    Probe,
    eventually,
    flow_text,
    running,
    statuses,
    unique,
    until_connected,
)


def nodes(payload: str = "auto") -> dict[str, Any]:
    return {
        "in": {"type": "mqtt-in-dynamic", "connection": "broker", "payload": payload,
               "to": "done"},
        "done": {"type": "debug", "active": False},
        "errors": {"type": "catch", "to": "caught"},
        "caught": {"type": "debug", "active": False},
    }


def received(flow: Any, topic: str | None = None) -> list[Any]:
    return [m for m in flow.result.received("done") if topic is None or m["topic"] == topic]


async def subscriptions(flow: Any) -> list[dict[str, Any]]:
    before = len(received(flow, "subscriptions"))
    flow.send("in", {"action": "getSubscriptions", "topic": "ignored"})
    await eventually(lambda: len(received(flow, "subscriptions")) > before, "the subscriptions")
    listed: list[dict[str, Any]] = received(flow, "subscriptions")[-1]["payload"]
    return listed


async def publish_until(flow: Any, probe: Probe, topic: str, payload: Any) -> None:
    """Publish on ``topic`` until the flow receives it (a SUBSCRIBE is not acknowledged to the
    flow, so the first publications may come before the broker has it)."""
    while not any(m["payload"] == payload for m in received(flow, topic)):
        probe.publish(topic, payload)
        await asyncio.sleep(0.2)


def test_subscribe_list_and_unsubscribe(broker: str) -> None:
    base = unique()

    async def scenario() -> None:
        async with running(flow_text(nodes(), broker)) as flow:
            await until_connected(flow, "in")
            flow.send("in", {"action": "subscribe", "topic": f"{base}/one"})
            flow.send("in", {"action": "subscribe", "topic": [f"{base}/two", {
                "topic": f"{base}/raw/+", "qos": "1", "datatype": "buffer", "extra": 5}]})
            listed = await subscriptions(flow)
            assert listed == [{"topic": f"{base}/one", "qos": 2},
                              {"topic": f"{base}/two", "qos": 2},
                              {"topic": f"{base}/raw/+", "qos": 1, "datatype": "buffer",
                               "extra": 5}]
            probe = Probe(broker)
            await publish_until(flow, probe, f"{base}/one", "ready")
            probe.publish(f"{base}/two", '{"a": 1}')
            probe.publish(f"{base}/raw/x", "text")
            probe.publish(f"{base}/other", "not subscribed")
            probe.publish(f"{base}/one", "marker")
            await eventually(lambda: received(flow, f"{base}/one")[-1]["payload"] == "marker",
                             "the marker")
            assert received(flow, f"{base}/two")[0]["payload"] == {"a": 1}
            raw = received(flow, f"{base}/raw/x")[0]
            assert raw["payload"] == b"text" and raw["qos"] == 1
            assert received(flow, f"{base}/other") == []

            flow.send("in", {"action": "unsubscribe", "topic": {"topic": f"{base}/two"}})
            assert [s["topic"] for s in await subscriptions(flow)] == [
                f"{base}/one", f"{base}/raw/+"]
            probe.publish(f"{base}/two", "gone")
            probe.publish(f"{base}/one", "marker 2")
            await eventually(lambda: received(flow, f"{base}/one")[-1]["payload"] == "marker 2",
                             "the second marker")
            assert [m["payload"] for m in received(flow, f"{base}/two")] == [{"a": 1}]

            flow.send("in", {"action": "unsubscribe", "topic": True})
            assert await subscriptions(flow) == []
            flow.send("in", {"action": "subscribe", "topic": f"{base}/last"})
            await publish_until(flow, probe, f"{base}/last", "last")
            probe.publish(f"{base}/one", "after all")
            probe.publish(f"{base}/last", "marker 3")
            await eventually(lambda: received(flow, f"{base}/last")[-1]["payload"] == "marker 3",
                             "the third marker")
            probe.close()
            assert "after all" not in [m["payload"] for m in received(flow, f"{base}/one")]
            assert flow.result.received("caught") == []

    asyncio.run(scenario())


def test_qos_1_messages_are_acknowledged(broker: str) -> None:
    """More QoS 1 messages than Mosquitto sends unacknowledged (20 in flight) all arrive."""
    topic = unique()

    def numbered(flow: Any) -> list[Any]:
        return [m["payload"] for m in received(flow, topic) if m["payload"] != "ready"]

    async def scenario() -> None:
        async with running(flow_text(nodes(), broker)) as flow:
            await until_connected(flow, "in")
            flow.send("in", {"action": "subscribe", "topic": {"topic": topic, "qos": 1}})
            probe = Probe(broker)
            await publish_until(flow, probe, topic, "ready")
            for i in range(60):
                probe.publish(topic, str(i), qos=1)
            probe.close()
            await eventually(lambda: len(numbered(flow)) >= 60, "all 60")
        assert numbered(flow) == list(range(60))
        assert {m["qos"] for m in received(flow, topic)} == {1}

    asyncio.run(scenario())


def test_bad_actions_and_filters_are_errors_and_change_nothing(broker: str) -> None:
    base = unique()

    async def scenario() -> None:
        async with running(flow_text(nodes(), broker)) as flow:
            await until_connected(flow, "in")
            flow.send("in", {"action": "subscribe", "topic": f"{base}/kept"})
            for bad in ({"action": "list"},
                        {"action": "subscribe", "topic": [f"{base}/new", "a/#/b"]},
                        {"action": "subscribe", "topic": 5},
                        {"action": "subscribe"},
                        {"action": "subscribe", "topic": True},
                        {"action": "unsubscribe", "topic": [{"qos": 1}]},
                        {"action": "disconnect"},
                        {"action": "connect", "broker": {"broker": "elsewhere"}}):
                flow.send("in", bad)
            await eventually(lambda: len(flow.result.received("caught")) == 8, "eight errors")
            assert [s["topic"] for s in await subscriptions(flow)] == [f"{base}/kept"]
        messages = [m["error"]["message"] for m in flow.result.received("caught")]
        assert messages[0] == "Invalid action specified"
        assert messages[1] == "Invalid topic specified"
        assert messages[2:5] == ["msg.topic is missing or invalid"] * 3
        assert messages[5] == "Invalid topic specified"
        assert "disconnect" in messages[6] and "msg.broker" in messages[7]
        assert {m["error"]["source"]["id"] for m in flow.result.received("caught")} == {"in"}

    asyncio.run(scenario())


def test_subscriptions_are_made_again_when_the_broker_comes_back(
    private_broker: Callable[..., PrivateMosquitto],
) -> None:
    """The broker restarts with no memory (persistence off): the node subscribes again."""
    server = private_broker("allow_anonymous true").start()
    base = unique()

    async def scenario() -> None:
        async with running(flow_text(nodes(), server.url, clean_session=True)) as flow:
            await until_connected(flow, "in")
            flow.send("in", {"action": "subscribe", "topic": f"{base}/#"})
            probe = Probe(server.url)
            await publish_until(flow, probe, f"{base}/a", "before")
            probe.close()
            server.stop()
            await eventually(lambda: statuses(flow, "in")[-1].get("fill") == "red",
                             "the connection lost")
            server.start()
            await eventually(lambda: statuses(flow, "in")[-1].get("fill") == "green",
                             "connected again")
            probe = Probe(server.url)
            probe.publish(f"{base}/b", "after")  # no retry: the node subscribed before green
            await eventually(lambda: received(flow, f"{base}/b") != [], "the message after")
            probe.close()
            assert [s["topic"] for s in await subscriptions(flow)] == [f"{base}/#"]

    asyncio.run(scenario())


def test_mqtt5_subscription_options_and_identifiers(broker: str) -> None:
    """With MQTT 5, `rh: 2` keeps the retained message away and the others bring it; after an
    unsubscribe, a new subscription gets an identifier of its own (a message answering one
    subscription reaches it alone)."""
    base = unique()

    async def scenario() -> None:
        probe = Probe(broker)
        for name in ("held", "kept", "other"):
            probe.publish(f"{base}/{name}", f"retained {name}", retain=True)
        try:
            async with running(flow_text(nodes(), broker, protocol="5")) as flow:
                await until_connected(flow, "in")
                flow.send("in", {"action": "subscribe", "topic": [
                    f"{base}/first", {"topic": f"{base}/held", "rh": 2}, f"{base}/kept"]})
                await eventually(lambda: received(flow, f"{base}/kept"), "the retained one")
                flow.send("in", {"action": "unsubscribe", "topic": f"{base}/first"})
                flow.send("in", {"action": "subscribe", "topic": f"{base}/other"})
                await eventually(lambda: received(flow, f"{base}/other"), "the other one")
                probe.publish(f"{base}/held", "live")
                probe.publish(f"{base}/kept", "marker")
                await eventually(lambda: len(received(flow, f"{base}/kept")) == 2, "the marker")
                listed = await subscriptions(flow)
        finally:
            for name in ("held", "kept", "other"):
                probe.publish(f"{base}/{name}", b"", retain=True)
            probe.close()
        assert [(m["payload"], m["retain"]) for m in received(flow, f"{base}/held")] == [
            ("live", False)]
        assert [m["payload"] for m in received(flow, f"{base}/kept")] == [
            "retained kept", "marker"]
        assert [m["payload"] for m in received(flow, f"{base}/other")] == ["retained other"]
        assert listed[0] == {"topic": f"{base}/held", "rh": 2, "qos": 2, "rap": True}
        assert listed[1] == {"topic": f"{base}/kept", "qos": 2, "rh": 0, "rap": True}

    asyncio.run(scenario())


def test_the_shapes_node_red_accepts() -> None:
    held = {"a": {"topic": "a", "qos": 2}, "b": {"topic": "b", "qos": 0}}
    assert requested({"topic": True}, "unsubscribe", held) == list(held.values())
    assert requested({"topic": ["x", {"topic": "y/+", "qos": 1}]}, "subscribe", {}) == [
        {"topic": "x"}, {"topic": "y/+", "qos": 1}]
    with pytest.raises(ActionError, match="missing or invalid"):
        requested({"topic": True}, "subscribe", held)
    with pytest.raises(ActionError, match="Invalid topic"):
        requested({"topic": None}, "subscribe", held)
    assert [js_int(v) for v in ("2", " 1x", 1.9, True, "q", None)] == [2, 1, 1, None, None, None]
    assert settle_options({"topic": "t", "qos": 7}, False) == {"topic": "t", "qos": 0}
    assert settle_options({"topic": "t", "nl": "true"}, True) == {
        "topic": "t", "qos": 2, "rh": 0, "rap": True, "nl": True}
    assert settle_options({"topic": "t", "rap": False, "rh": "2"}, True) == {
        "topic": "t", "qos": 2, "rh": 2, "rap": False}
