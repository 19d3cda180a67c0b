"""amqp-in against a real RabbitMQ: what a message looks like, queues and bindings, the prefetch
bound, acknowledgement only once the flow finished, failure policies, stopping, errors."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pika
import pytest
from flowrt_nodes.amqp.amqp_in import AmqpIn
from pydantic import ValidationError

from tests.nodes.amqp.rabbit import Rabbit, connected, flow_text, running
from tests.support.waiting import eventually


def source(queue: str | None, **config: Any) -> dict[str, Any]:
    node: dict[str, Any] = {"type": "amqp-in", "connection": "rabbit", **config}
    if queue is not None:
        node["queue"] = queue
    return node


FAIL_ODD = "if msg['payload']['i'] % 2:\n    raise ValueError('odd job')\nreturn msg"


# configuration ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, "set `queue`, or `exchange`"),
        ({"queue": "q", "binding_keys": ["a"]}, "need an `exchange`"),
        ({"exchange": "x", "exchange_type": "topic"}, "needs `binding_keys`"),
        ({"queue": "q", "durable": False}, "`durable` apply to a queue the node declares"),
        ({"queue": "q", "arguments": {"x-max-length": 3}}, "set `declare: true`"),
        ({"queue": "q", "prefetch": 0}, "greater than or equal to 1"),
        ({"queue": "q", "on_error": "retry"}, "'auto', 'requeue', 'dead-letter' or 'drop'"),
    ],
)
def test_configuration_mistakes_are_refused_with_the_fix(
    config: dict[str, Any], expected: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        AmqpIn.Config(connection="rabbit", **config)
    assert expected in str(caught.value)


def test_a_fanout_exchange_needs_no_binding_key_and_a_declared_queue_takes_settings() -> None:
    cfg = AmqpIn.Config(connection="rabbit", exchange="x", exchange_type="fanout")
    assert cfg.queue is None and cfg.binding_keys == []
    cfg = AmqpIn.Config(connection="rabbit", queue="q", declare=True, durable=False,
                        arguments={"x-queue-type": "quorum"})
    assert cfg.arguments == {"x-queue-type": "quorum"} and cfg.prefetch == 100


# messages ----------------------------------------------------------------------------------


def test_a_message_arrives_with_its_routing_key_properties_and_headers(rabbit: Rabbit) -> None:
    queue = rabbit.name()

    def props(i: int) -> pika.BasicProperties:
        return pika.BasicProperties(
            content_type="application/json", headers={"site": "north", "n": i},
            correlation_id=f"c{i}", reply_to="replies", message_id=f"m{i}",
            timestamp=1_700_000_000 + i, priority=3, delivery_mode=2, type="job",
            app_id="tests",
        )

    async def scenario() -> list[dict[str, Any]]:
        await rabbit.declare(queue, durable=True)
        flow = flow_text(rabbit, {"jobs": source(queue, to="seen"), "seen": {"type": "debug"}})
        async with running(flow, rabbit.env()) as h:
            await rabbit.publish(queue, [json.dumps({"i": i}).encode() for i in range(3)],
                                 properties=props)
            await eventually(lambda: len(h.result.received("seen")) == 3, "three messages")
        return h.result.received("seen")

    seen = asyncio.run(scenario())
    assert [m["payload"] for m in seen] == [{"i": 0}, {"i": 1}, {"i": 2}]
    first = seen[0]
    assert first["topic"] == queue
    assert first["amqp"]["exchange"] == "" and first["amqp"]["routing_key"] == queue
    assert first["amqp"]["redelivered"] is False
    assert isinstance(first["amqp"]["delivery_tag"], int)
    assert first["amqp"]["properties"] == {
        "content_type": "application/json", "content_encoding": None,
        "headers": {"site": "north", "n": 0}, "correlation_id": "c0", "reply_to": "replies",
        "expiration": None, "message_id": "m0", "timestamp": 1_700_000_000, "priority": 3,
        "delivery_mode": 2, "type": "job", "app_id": "tests",
    }
    assert asyncio.run(rabbit.depth(queue)) == 0


@pytest.mark.parametrize(
    ("payload_format", "content_type", "body", "expected"),
    [
        ("auto", None, b'{"a": 1}', {"a": 1}),
        ("auto", None, b"42", 42),
        ("auto", None, b"hello", "hello"),
        ("auto", "text/plain", b"42", "42"),
        ("auto", "application/octet-stream", b"42", b"42"),
        ("auto", None, b"\xff\xfe", b"\xff\xfe"),
        ("string", "application/json", b'{"a": 1}', '{"a": 1}'),
        ("bytes", None, b"hello", b"hello"),
        ("json", "text/plain", b"[1, 2]", [1, 2]),
    ],
)
def test_the_payload_is_read_by_content_type_and_content_or_as_told(
    rabbit: Rabbit, payload_format: str, content_type: str | None, body: bytes, expected: Any
) -> None:
    queue = rabbit.name()

    async def scenario() -> Any:
        await rabbit.declare(queue)
        flow = flow_text(rabbit, {
            "jobs": source(queue, payload_format=payload_format, to="seen"),
            "seen": {"type": "debug"},
        })
        async with running(flow, rabbit.env()) as h:
            await rabbit.publish(queue, [body], properties=lambda _: pika.BasicProperties(
                content_type=content_type))
            await eventually(lambda: h.result.received("seen"), "the message")
        return h.result.received("seen")[0]["payload"]

    assert asyncio.run(scenario()) == expected


def test_a_body_that_is_not_json_when_json_is_forced_is_dead_lettered_with_a_warning(
    rabbit: Rabbit,
) -> None:
    queue, dead = rabbit.name(), rabbit.name("dead")

    async def scenario() -> tuple[list[tuple[str, str]], int, list[Any]]:
        await rabbit.declare(dead)
        flow = flow_text(rabbit, {
            "jobs": source(queue, declare=True, payload_format="json", arguments={
                "x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead}, to="seen"),
            "seen": {"type": "debug"},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "jobs")
            await rabbit.publish(queue, [b"not json", b'{"ok": true}'])
            await eventually(lambda: h.result.received("seen"), "the good message")
            await eventually(lambda: rabbit.depth(dead), "the bad one in the dead letter queue")
        return h.result.warnings, len(h.result.received("seen")), await rabbit.take(dead)

    warnings, seen, dead_letters = asyncio.run(scenario())
    assert seen == 1
    assert [m.body for m in dead_letters] == [b"not json"]
    assert any("cannot be read as json" in text for node, text in warnings if node == "jobs")


# queues, exchanges, bindings ------------------------------------------------------------------


def test_a_topic_exchange_delivers_what_matches_the_binding_keys(rabbit: Rabbit) -> None:
    exchange, queue = rabbit.name("x"), rabbit.name()

    async def scenario() -> list[str]:
        flow = flow_text(rabbit, {
            "events": source(queue, exchange=exchange, exchange_type="topic", declare=True,
                             binding_keys=["sensor.*.temperature", "alarm.#"], to="seen"),
            "seen": {"type": "debug"},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "events")
            for key in ("sensor.k1.temperature", "sensor.k1.humidity", "alarm.fire.north",
                        "other"):
                await rabbit.call(lambda ch, key=key: ch.basic_publish(
                    exchange, key, key.encode()))
            await eventually(lambda: len(h.result.received("seen")) == 2, "two matching messages")
            await asyncio.sleep(0.3)  # a third (wrongly routed) message would show up by now
        return [m["topic"] for m in h.result.received("seen")]

    assert asyncio.run(scenario()) == ["sensor.k1.temperature", "alarm.fire.north"]


def test_without_a_queue_a_private_server_named_queue_is_bound_and_goes_with_the_node(
    rabbit: Rabbit,
) -> None:
    exchange = rabbit.name("x")

    async def scenario() -> tuple[list[Any], int]:
        await rabbit.call(lambda ch: ch.exchange_declare(exchange, "fanout", durable=True))
        flow = flow_text(rabbit, {
            "events": source(None, exchange=exchange, exchange_type="fanout", to="seen"),
            "seen": {"type": "debug"},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "events")
            await rabbit.call(lambda ch: ch.basic_publish(exchange, "any", b"broadcast"))
            await eventually(lambda: h.result.received("seen"), "the broadcast")
        # the private queue went with the connection: nothing is bound to the exchange now
        unroutable = await rabbit.call(lambda ch: _routable(ch, exchange))
        return h.result.received("seen"), unroutable

    seen, routed = asyncio.run(scenario())
    assert seen[0]["payload"] == "broadcast" and seen[0]["topic"] == "any"
    assert seen[0]["amqp"]["exchange"] == exchange
    assert routed == 0


def _routable(ch: Any, exchange: str) -> int:
    """1 if a mandatory publish to the exchange reaches a queue, 0 if it comes back."""
    ch.confirm_delivery()
    try:
        ch.basic_publish(exchange, "any", b"probe", mandatory=True)
    except pika.exceptions.UnroutableError:
        return 0
    return 1


def test_an_unknown_queue_stops_the_node_with_an_error_naming_queue_vhost_and_fix(
    rabbit: Rabbit,
) -> None:
    queue = rabbit.name()

    async def scenario() -> tuple[list[tuple[str, str, str]], Any]:
        flow = flow_text(rabbit, {"jobs": source(queue, to="seen"), "seen": {"type": "debug"}})
        async with running(flow, rabbit.env()) as h:
            await eventually(lambda: any(n == "jobs" and lvl == "error"
                                    for n, lvl, _ in h.result.logs), "the error")
        return h.result.logs, h.result.statuses[-1]

    logs, status = asyncio.run(scenario())
    text = next(t for n, lvl, t in logs if n == "jobs" and lvl == "error")
    assert f"the queue '{queue}' in virtual host '/' on {rabbit.server} does not exist" in text
    assert "declare it, or set `declare: true`" in text
    assert status == ("jobs", {"fill": "red", "shape": "ring", "text": "configuration problem"})
    assert not asyncio.run(rabbit.exists(queue))


def test_a_queue_deleted_under_the_consumer_is_declared_again_or_reported(
    rabbit: Rabbit,
) -> None:
    declared, existing = rabbit.name(), rabbit.name()

    async def scenario() -> tuple[list[Any], list[tuple[str, str, str]]]:
        await rabbit.declare(existing)
        flow = flow_text(rabbit, {
            "mine": source(declared, declare=True, to="seen"),
            "theirs": source(existing, to="seen"),
            "seen": {"type": "debug"},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "mine", "theirs")
            for queue in (declared, existing):
                await rabbit.call(lambda ch, queue=queue: ch.queue_delete(queue))
            await eventually(lambda: any(n == "theirs" and lvl == "error"
                                    for n, lvl, _ in h.result.logs), "the missing queue")
            await eventually(lambda: _exists(rabbit, declared), "the queue declared again")
            await connected(h, "mine")
            await rabbit.publish(declared, [b"after"])
            await eventually(lambda: h.result.received("seen"), "a message on the new queue")
        return h.result.received("seen"), h.result.logs

    seen, logs = asyncio.run(scenario())
    assert [m["payload"] for m in seen] == ["after"]
    warned = [t for n, lvl, t in logs if n == "mine" and lvl == "warning"]
    assert any(f"the AMQP broker at {rabbit.server} cancelled the consumer" in t for t in warned)
    errors = [t for n, lvl, t in logs if n == "theirs" and lvl == "error"]
    assert len(errors) == 1 and f"the queue '{existing}'" in errors[0]


async def _exists(rabbit: Rabbit, queue: str) -> bool:
    return await rabbit.exists(queue)
