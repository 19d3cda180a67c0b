"""Tracing across RabbitMQ: amqp-out puts the W3C traceparent of its span in the message's
headers, and amqp-in continues that trace. With tracing off, no header is added."""

from __future__ import annotations

import asyncio
from typing import Any

from tests.nodes.amqp.rabbit import Got, Rabbit, connected, flow_text, running
from tests.support.tracing import one, recording
from tests.support.waiting import eventually


def test_the_trace_goes_on_from_amqp_out_through_rabbitmq_to_amqp_in(rabbit: Rabbit) -> None:
    queue = rabbit.name()

    async def scenario() -> list[dict[str, Any]]:
        flow = flow_text(rabbit, {
            "out": {"type": "amqp-out", "connection": "rabbit", "routing_key": queue},
            "in": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "declare": True,
                   "to": "done"},
            "done": {"type": "debug", "active": False},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "in")
            h.send("out", {"payload": {"job": 1}, "headers": {"tenant": "t1"}})
            await eventually(lambda: len(h.result.received("done")) == 1, "the message back")
            return h.result.received("done")

    with recording() as exported:
        [back] = asyncio.run(scenario())
    spans = exported.get_finished_spans()
    sent, got = one(spans, "out"), one(spans, "in")
    assert got.context.trace_id == sent.context.trace_id
    assert got.parent is not None and got.parent.span_id == sent.context.span_id
    assert sent.attributes is not None and got.attributes is not None
    assert (sent.attributes["messaging.system"], got.attributes["messaging.system"]) == (
        "rabbitmq", "rabbitmq")
    headers = back["amqp"]["properties"]["headers"]
    assert headers["tenant"] == "t1"  # the flow's own headers are kept beside it
    context = sent.context
    assert headers["traceparent"] == (
        f"00-{context.trace_id:032x}-{context.span_id:016x}-{context.trace_flags:02x}")


def test_with_tracing_off_amqp_out_adds_no_header(rabbit: Rabbit) -> None:
    queue = rabbit.name()

    async def scenario() -> list[Got]:
        await rabbit.declare(queue)
        flow = flow_text(rabbit, {
            "out": {"type": "amqp-out", "connection": "rabbit", "routing_key": queue}})
        async with running(flow, rabbit.env()) as h:
            h.send("out", {"payload": "x", "headers": {"tenant": "t1"}})
            await h.run()
        return await rabbit.take(queue)

    [got] = asyncio.run(scenario())
    assert got.properties.headers == {"tenant": "t1"}
