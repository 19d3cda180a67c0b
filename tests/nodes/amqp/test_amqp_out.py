"""amqp-out against a real RabbitMQ: publisher confirms, payloads and properties, exchanges,
unroutable and refused messages, and a round trip amqp-in -> amqp-out keeping properties."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pika
import pytest
from flowrt_nodes.amqp.amqp_out import AmqpOut
from pydantic import ValidationError

from tests.nodes.amqp.rabbit import Got, Rabbit, connected, flow_text, running
from tests.support.waiting import eventually


def sink(**config: Any) -> dict[str, Any]:
    return {"type": "amqp-out", "connection": "rabbit", **config}


async def publish_through(
    rabbit: Rabbit, node: dict[str, Any], msgs: list[dict[str, Any]]
) -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
    """Send the messages into an amqp-out and wait until it is done with all of them; returns
    the texts of the errors and the node statuses."""
    flow = flow_text(rabbit, {"out": node})
    async with running(flow, rabbit.env()) as h:
        for msg in msgs:
            h.send("out", msg)
        await h.run()
    return [e.message for e in h.result.errors], h.result.statuses


def test_configuration_mistakes_are_refused() -> None:
    with pytest.raises(ValidationError, match="the default exchange"):
        AmqpOut.Config(connection="rabbit", declare=True)
    cfg = AmqpOut.Config(connection="rabbit")
    assert (cfg.exchange, cfg.persistent, cfg.mandatory, cfg.batch_size) == ("", True, False, 100)


def test_a_batch_is_done_only_once_the_broker_has_every_message(rabbit: Rabbit) -> None:
    queue = rabbit.name()

    async def scenario() -> tuple[list[str], int]:
        await rabbit.declare(queue, durable=True)
        errors, _ = await publish_through(
            rabbit, sink(routing_key=queue), [{"payload": {"i": i}} for i in range(250)])
        return errors, await rabbit.depth(queue)  # no waiting: confirmed means queued

    assert asyncio.run(scenario()) == ([], 250)


def test_payloads_and_properties_are_published_as_given(rabbit: Rabbit) -> None:
    queue = rabbit.name()
    msgs: list[dict[str, Any]] = [
        {"payload": {"a": [1, 2]}, "topic": queue},
        {"payload": "text é", "topic": queue},
        {"payload": b"\x00\x01", "topic": queue},
        {"payload": 3.5, "topic": queue},
        {"payload": "<a/>", "topic": queue, "headers": {"extra": "yes", "site": "south"},
         "amqp": {"properties": {
             "content_type": "application/xml", "headers": {"site": "north", "n": 1},
             "correlation_id": "c-1", "reply_to": "replies", "message_id": "m-1",
             "timestamp": 1_700_000_000, "priority": 5, "type": "job", "app_id": "tests",
             "expiration": "60000", "delivery_mode": 1, "user_id": "someone-else"}}},
        {"payload": {"dict": True}, "topic": queue,
         "amqp": {"properties": {"content_type": "text/plain"}}},
    ]

    async def scenario() -> tuple[list[str], list[Got]]:
        await rabbit.declare(queue)
        errors, _ = await publish_through(rabbit, sink(), msgs)
        return errors, await rabbit.take(queue)

    errors, got = asyncio.run(scenario())
    assert errors == []
    assert [m.body for m in got] == [b'{"a":[1,2]}', "text é".encode(), b"\x00\x01", b"3.5",
                                     b"<a/>", b'{"dict":true}']
    assert [m.properties.content_type for m in got] == [
        "application/json", "text/plain", None, "application/json", "application/xml",
        "application/json"]  # a JSON body is always labelled JSON
    assert {m.properties.delivery_mode for m in got} == {2}  # `persistent` decides
    full = got[4].properties
    assert full.headers == {"site": "south", "n": 1, "extra": "yes"}
    assert (full.correlation_id, full.reply_to, full.message_id, full.timestamp) == (
        "c-1", "replies", "m-1", 1_700_000_000)
    assert (full.priority, full.type, full.app_id, full.expiration) == (
        5, "job", "tests", "60000")
    assert full.user_id is None


def test_persistent_false_publishes_transient_messages(rabbit: Rabbit) -> None:
    queue = rabbit.name()

    async def scenario() -> list[Got]:
        await rabbit.declare(queue)
        await publish_through(rabbit, sink(routing_key=queue, persistent=False),
                              [{"payload": "x"}])
        return await rabbit.take(queue)

    assert [m.properties.delivery_mode for m in asyncio.run(scenario())] == [1]


def test_a_declared_topic_exchange_routes_by_the_routing_key(rabbit: Rabbit) -> None:
    exchange, queue = rabbit.name("x"), rabbit.name()

    async def scenario() -> list[Got]:
        flow = flow_text(rabbit, {"out": sink(exchange=exchange, declare=True)})
        async with running(flow, rabbit.env()) as h:
            h.send("out", {"payload": "first", "topic": "ignored"})  # nothing bound yet
            await h.run()
            await rabbit.declare(queue)
            await rabbit.call(lambda ch: ch.queue_bind(queue, exchange, "alerts.#"))
            for topic in ("alerts.fire", "readings.t1", "alerts.flood.north"):
                h.send("out", {"payload": topic, "topic": topic})
            await h.run()
        return await rabbit.take(queue)

    got = asyncio.run(scenario())
    assert [(m.exchange, m.routing_key, m.body) for m in got] == [
        (exchange, "alerts.fire", b"alerts.fire"),
        (exchange, "alerts.flood.north", b"alerts.flood.north"),
    ]


def test_an_unknown_exchange_fails_the_messages_naming_it_and_the_fix(rabbit: Rabbit) -> None:
    exchange = rabbit.name("x")
    errors, statuses = asyncio.run(
        publish_through(rabbit, sink(exchange=exchange, routing_key="k"), [{"payload": 1}]))
    assert len(errors) == 1
    assert (f"the exchange '{exchange}' in virtual host '/' on {rabbit.server} does not exist"
            in errors[0])
    assert "set `declare: true`" in errors[0]


async def publish_and_name_failures(
    rabbit: Rabbit, node: dict[str, Any], msgs: list[dict[str, Any]]
) -> list[tuple[Any, str]]:
    """Publish the messages; returns (payload, error text) of each message that failed."""
    flow = flow_text(rabbit, {"out": node})
    async with running(flow, rabbit.env()) as h:
        for msg in msgs:
            h.send("out", msg)
        await h.run()
    return [(e.msg["payload"] if e.msg else None, e.message) for e in h.result.errors]


def test_an_unroutable_mandatory_message_fails_alone_and_is_dropped_without_mandatory(
    rabbit: Rabbit,
) -> None:
    queue, nowhere = rabbit.name(), rabbit.name()

    async def scenario() -> tuple[list[tuple[Any, str]], list[Got], list[str]]:
        await rabbit.declare(queue)
        strict = await publish_and_name_failures(rabbit, sink(mandatory=True), [
            {"payload": 1, "topic": queue}, {"payload": 2, "topic": nowhere},
            {"payload": 3, "topic": queue}, {"payload": 4, "topic": nowhere},
        ])
        lenient, _ = await publish_through(rabbit, sink(routing_key=nowhere), [{"payload": 1}])
        return strict, await rabbit.take(queue), lenient

    strict, delivered, lenient = asyncio.run(scenario())
    assert [payload for payload, _ in strict] == [2, 4]
    assert strict[0][1] == (
        f"no queue is bound for the message (the default exchange, routing key '{nowhere}': "
        "312 NO_ROUTE): bind a queue for that routing key, or set `mandatory: false` to let "
        "the broker drop such messages")
    assert [m.body for m in delivered] == [b"1", b"3"]  # the rest of the batch went out
    assert lenient == []


def test_messages_the_broker_refuses_fail_alone(rabbit: Rabbit) -> None:
    queue = rabbit.name()

    async def scenario() -> tuple[list[tuple[Any, str]], list[Got]]:
        await rabbit.declare(queue, arguments={"x-max-length": 1,
                                               "x-overflow": "reject-publish"})
        failed = await publish_and_name_failures(
            rabbit, sink(routing_key=queue), [{"payload": i} for i in range(3)])
        return failed, await rabbit.take(queue)

    failed, kept = asyncio.run(scenario())
    assert [m.body for m in kept] == [b"0"]
    assert [payload for payload, _ in failed] == [1, 2]
    assert all(text.startswith("the broker refused the message (basic.nack") for _, text in failed)


def test_a_message_without_a_routing_key_fails_alone(rabbit: Rabbit) -> None:
    queue = rabbit.name()

    async def scenario() -> tuple[list[tuple[Any, str]], list[Got]]:
        await rabbit.declare(queue)
        failed = await publish_and_name_failures(rabbit, sink(), [
            {"payload": "routed", "topic": queue}, {"payload": "no topic"}])
        return failed, await rabbit.take(queue)

    failed, kept = asyncio.run(scenario())
    assert [m.body for m in kept] == [b"routed"]
    assert len(failed) == 1 and failed[0][0] == "no topic"
    assert "no routing key for the message" in failed[0][1]


def test_a_wrong_password_is_an_authentication_failure_that_hides_the_password(
    rabbit: Rabbit,
) -> None:
    async def scenario() -> tuple[list[str], list[tuple[str, dict[str, Any]]]]:
        flow = flow_text(rabbit, {"out": sink(routing_key="any")})
        async with running(flow, {"AMQP_PASSWORD": "not-the-password"}) as h:
            h.send("out", {"payload": 1})
            await h.run()
        return [e.message for e in h.result.errors], h.result.statuses

    errors, statuses = asyncio.run(scenario())
    assert len(errors) == 1
    assert f"the AMQP broker at {rabbit.server} refused the login of user" in errors[0]
    assert "not-the-password" not in errors[0]
    assert statuses[-1][1] == {"fill": "red", "shape": "ring", "text": "authentication failed"}


def test_a_round_trip_through_a_flow_keeps_properties_and_headers(rabbit: Rabbit) -> None:
    inbox, outbox = rabbit.name("in"), rabbit.name("out")
    stamp = "msg['payload']['done'] = True\nmsg['headers'] = {'worker': 'w1'}\nreturn msg"

    async def scenario() -> list[Got]:
        await rabbit.declare(outbox)
        flow = flow_text(rabbit, {
            "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": inbox,
                     "declare": True, "to": "work"},
            "work": {"type": "script", "code": stamp, "to": "results"},
            "results": sink(routing_key=outbox),
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "jobs")
            await rabbit.publish(inbox, [json.dumps({"job": i}).encode() for i in range(3)],
                                 properties=lambda i: pika.BasicProperties(
                                     content_type="application/json", correlation_id=f"c{i}",
                                     reply_to="caller", headers={"tenant": "t1"},
                                     message_id=f"m{i}", priority=2))
            await eventually(lambda: _depth_is(rabbit, outbox, 3), "three results")
            await eventually(lambda: _depth_is(rabbit, inbox, 0), "the jobs acknowledged")
        return await rabbit.take(outbox)

    got = asyncio.run(scenario())
    assert [json.loads(m.body) for m in got] == [{"job": i, "done": True} for i in range(3)]
    assert [m.properties.correlation_id for m in got] == ["c0", "c1", "c2"]
    first = got[0].properties
    assert first.headers == {"tenant": "t1", "worker": "w1"}
    assert (first.reply_to, first.message_id, first.priority, first.content_type) == (
        "caller", "m0", 2, "application/json")
    assert first.delivery_mode == 2


async def _depth_is(rabbit: Rabbit, queue: str, expected: int) -> bool:
    return await rabbit.depth(queue) == expected


def test_a_message_the_sink_could_not_route_is_dead_lettered_at_its_source(
    rabbit: Rabbit,
) -> None:
    """Per message, end to end: the unroutable one is nacked on the queue it came from (and
    goes to that queue's dead letter queue); the others are published and acknowledged."""
    inbox, outbox, dead = rabbit.name("in"), rabbit.name("out"), rabbit.name("dead")
    route = ("msg['topic'] = msg['payload']['to']\nreturn msg")

    async def scenario() -> tuple[list[Got], list[Got], int]:
        await rabbit.declare(outbox)
        await rabbit.declare(dead)
        flow = flow_text(rabbit, {
            "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": inbox, "declare": True,
                     "arguments": {"x-dead-letter-exchange": "",
                                   "x-dead-letter-routing-key": dead}, "to": "route"},
            "route": {"type": "script", "code": route, "to": "results"},
            "results": sink(mandatory=True),
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "jobs")
            targets = [outbox, "nowhere-" + outbox, outbox]
            await rabbit.publish(inbox, [json.dumps({"to": t, "n": n}).encode()
                                         for n, t in enumerate(targets)])
            await eventually(lambda: _depth_is(rabbit, dead, 1), "the unroutable job dead-lettered")
            await eventually(lambda: _depth_is(rabbit, outbox, 2), "the two others published")
            await eventually(lambda: _depth_is(rabbit, inbox, 0), "the queue emptied")
        return await rabbit.take(outbox), await rabbit.take(dead), len(h.result.errors)

    published, dead_letters, errors = asyncio.run(scenario())
    assert [json.loads(m.body)["n"] for m in published] == [0, 2]
    assert [json.loads(m.body)["n"] for m in dead_letters] == [1]
    assert errors == 1
