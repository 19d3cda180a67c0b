"""amqp-in settles each message only once the flow finished with it: the prefetch bound,
acknowledgement, the failure policies (dead-letter, requeue with a redelivery limit, drop),
caught errors, and a stop in the middle that loses nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any

from tests.nodes.amqp.rabbit import Rabbit, connected, flow_text, running
from tests.support.waiting import eventually

FAIL_ODD = "if msg['payload']['i'] % 2:\n    raise ValueError('odd job')\nreturn msg"


def jobs(count: int) -> list[bytes]:
    return [json.dumps({"i": i}).encode() for i in range(count)]


def dead_lettering(dead: str) -> dict[str, Any]:
    return {"x-dead-letter-exchange": "", "x-dead-letter-routing-key": dead}


def test_prefetch_bounds_the_messages_taken_and_unfinished_ones_go_back(rabbit: Rabbit) -> None:
    queue = rabbit.name()

    async def scenario() -> tuple[int, int, int, int]:
        await rabbit.declare(queue, durable=True)
        flow = flow_text(rabbit, {
            "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "prefetch": 4,
                     "to": "work"},
            "work": {"type": "script", "code": "await sleep(60)\nreturn msg", "timeout": 0},
        })
        async with running(flow, rabbit.env(), stop_timeout=0.5) as h:
            await rabbit.publish(queue, jobs(30))
            await eventually(lambda: len(h.result.received("work")) == 4, "four messages taken")
            await asyncio.sleep(0.5)  # a fifth would have arrived by now if the bound leaked
            taken, ready = len(h.result.received("work")), await rabbit.depth(queue)
        await eventually(lambda: _is(rabbit.depth(queue), 30), "the four to be given back")
        return taken, ready, await rabbit.depth(queue), await rabbit.consumers(queue)

    taken, ready_while_working, ready_after, consumers = asyncio.run(scenario())
    assert (taken, ready_while_working) == (4, 26)
    assert (ready_after, consumers) == (30, 0)  # never acknowledged: every message is back


async def _is(value: Any, expected: Any) -> bool:
    return bool(await value == expected)


def test_a_stop_in_the_middle_acknowledges_what_finished_and_gives_back_the_rest(
    rabbit: Rabbit,
) -> None:
    queue, done = rabbit.name(), rabbit.name("done")
    work = "if msg['payload']['i'] >= 4:\n    await sleep(60)\nreturn msg"

    async def scenario() -> tuple[list[Any], list[Any]]:
        await rabbit.declare(queue, durable=True)
        await rabbit.declare(done, durable=True)
        flow = flow_text(rabbit, {
            "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "to": "work"},
            "work": {"type": "script", "code": work, "timeout": 0, "to": "results"},
            "results": {"type": "amqp-out", "connection": "rabbit", "routing_key": done},
        })
        async with running(flow, rabbit.env(), stop_timeout=1.0) as h:
            await rabbit.publish(queue, jobs(10))
            await eventually(lambda: _is(rabbit.depth(done), 4), "the four quick jobs published")
            await eventually(lambda: len(h.result.received("work")) == 10, "every job started")
        await eventually(lambda: _is(rabbit.depth(queue), 6), "the six unfinished jobs back")
        return await rabbit.take(done), await rabbit.take(queue)

    finished, returned = asyncio.run(scenario())
    assert sorted(json.loads(m.body)["i"] for m in finished) == [0, 1, 2, 3]
    assert sorted(json.loads(m.body)["i"] for m in returned) == [4, 5, 6, 7, 8, 9]
    assert all(m.redelivered for m in returned)


def test_messages_are_acknowledged_once_the_flow_finished_them(rabbit: Rabbit) -> None:
    queue = rabbit.name()
    wait = "while not global_.get('go'):\n    await sleep(0.02)\nreturn msg"

    async def scenario() -> tuple[int, int, int]:
        await rabbit.declare(queue, durable=True)
        flow = flow_text(rabbit, {
            "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "prefetch": 2,
                     "to": "work"},
            "work": {"type": "script", "code": wait, "timeout": 0, "to": "seen"},
            "seen": {"type": "debug"},
        })
        async with running(flow, rabbit.env()) as h:
            await rabbit.publish(queue, jobs(6))
            await eventually(lambda: len(h.result.received("work")) == 2, "two jobs taken")
            await asyncio.sleep(0.3)
            held = await rabbit.depth(queue)
            assert h.result.stores is not None
            h.result.stores.scope("global").set("go", True)
            await eventually(lambda: len(h.result.received("seen")) == 6, "every job finished")
            await eventually(lambda: _is(rabbit.depth(queue), 0), "the queue to empty")
        await asyncio.sleep(0.3)  # anything unacknowledged would be back in the queue now
        return held, await rabbit.depth(queue), len(h.result.received("work"))

    held, left, worked = asyncio.run(scenario())
    assert held == 4  # two delivered and unfinished, four waiting behind the prefetch bound
    assert (left, worked) == (0, 6)


def test_a_failed_message_goes_to_the_dead_letter_queue_of_its_queue(rabbit: Rabbit) -> None:
    queue, dead = rabbit.name(), rabbit.name("dead")

    async def scenario() -> tuple[list[Any], int, int]:
        await rabbit.declare(dead)
        flow = flow_text(rabbit, {
            "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "declare": True,
                     "arguments": dead_lettering(dead), "to": "work"},
            "work": {"type": "script", "code": FAIL_ODD, "to": "seen"},
            "seen": {"type": "debug"},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "jobs")
            await rabbit.publish(queue, jobs(6))
            await eventually(lambda: _is(rabbit.depth(dead), 3), "three dead letters")
        return await rabbit.take(dead), len(h.result.received("seen")), await rabbit.depth(queue)

    dead_letters, good, left = asyncio.run(scenario())
    assert sorted(json.loads(m.body)["i"] for m in dead_letters) == [1, 3, 5]
    death = dead_letters[0].properties.headers["x-death"][0]
    assert death["queue"] == queue and death["reason"] == "rejected"
    assert (good, left) == (3, 0)


def test_requeued_failures_come_back_redelivered_until_max_redeliveries(rabbit: Rabbit) -> None:
    queue, dead = rabbit.name(), rabbit.name("dead")

    async def scenario() -> tuple[list[bool], list[Any], list[tuple[str, str]]]:
        await rabbit.declare(dead)
        flow = flow_text(rabbit, {
            "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "declare": True,
                     "arguments": dead_lettering(dead), "on_error": "requeue",
                     "max_redeliveries": 2, "to": "work"},
            "work": {"type": "script", "code": FAIL_ODD},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "jobs")
            await rabbit.publish(queue, jobs(2))
            await eventually(lambda: _is(rabbit.depth(dead), 1), "the job given up on")
        flags = [m["amqp"]["redelivered"] for m in h.result.received("work")
                 if m["payload"]["i"] == 1]
        return flags, await rabbit.take(dead), h.result.warnings

    flags, dead_letters, warnings = asyncio.run(scenario())
    assert flags == [False, True, True]  # delivered, then redelivered twice
    assert [json.loads(m.body) for m in dead_letters] == [{"i": 1}]
    assert any(f"from queue '{queue}' failed again after 2 redeliveries: dead-lettered "
               "(max_redeliveries: 2)" in t for _, t in warnings)


def test_a_quorum_queue_counts_redeliveries_in_x_delivery_count(rabbit: Rabbit) -> None:
    queue, dead = rabbit.name(), rabbit.name("dead")

    async def scenario() -> tuple[list[Any], int]:
        await rabbit.declare(dead)
        flow = flow_text(rabbit, {
            "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "declare": True,
                     "arguments": {"x-queue-type": "quorum", **dead_lettering(dead)},
                     "on_error": "requeue", "max_redeliveries": 1, "to": "work"},
            "work": {"type": "script", "code": "raise ValueError('always')"},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "jobs")
            await rabbit.publish(queue, jobs(1))
            await eventually(lambda: _is(rabbit.depth(dead), 1), "the job given up on")
        counts = [m["amqp"]["properties"]["headers"].get("x-delivery-count")
                  for m in h.result.received("work")]
        return counts, await rabbit.depth(queue)

    counts, left = asyncio.run(scenario())
    assert counts == [None, 1]
    assert left == 0


def test_without_a_dead_letter_exchange_a_failed_message_is_requeued(rabbit: Rabbit) -> None:
    queue = rabbit.name()

    async def scenario() -> list[bool]:
        flow = flow_text(rabbit, {
            "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "declare": True,
                     "to": "work"},
            "work": {"type": "script", "code": "raise ValueError('always')"},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "jobs")
            await rabbit.publish(queue, jobs(1))
            await eventually(lambda: len(h.result.received("work")) >= 3, "the job thrice")
        return [m["amqp"]["redelivered"] for m in h.result.received("work")]

    flags = asyncio.run(scenario())
    assert flags[:3] == [False, True, True]
    assert asyncio.run(rabbit.depth(queue)) == 1  # still there, for a fixed flow to take


def test_drop_forgets_a_failed_message_and_a_caught_one_counts_as_handled(
    rabbit: Rabbit,
) -> None:
    dropping, catching, dead = rabbit.name(), rabbit.name(), rabbit.name("dead")

    async def scenario() -> tuple[int, int, int, int, int]:
        await rabbit.declare(dead)
        flow = flow_text(rabbit, {
            "dropped": {"type": "amqp-in", "connection": "rabbit", "queue": dropping,
                        "declare": True, "arguments": dead_lettering(dead), "on_error": "drop",
                        "to": "work"},
            "work": {"type": "script", "code": FAIL_ODD},
            "caught": {"type": "amqp-in", "connection": "rabbit", "queue": catching,
                       "declare": True, "arguments": dead_lettering(dead), "to": "checked"},
            "checked": {"type": "script", "code": FAIL_ODD},
            "errors": {"type": "catch", "scope": ["checked"], "to": "log"},
            "log": {"type": "debug"},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "dropped", "caught")
            await rabbit.publish(dropping, jobs(2))
            await rabbit.publish(catching, jobs(2))
            await eventually(lambda: len(h.result.received("work")) == 2, "the dropping flow")
            await eventually(lambda: len(h.result.received("log")) == 1, "the caught error")
            await eventually(lambda: _is(rabbit.depth(dropping), 0), "the first queue to empty")
            await eventually(lambda: _is(rabbit.depth(catching), 0), "the second queue to empty")
            await asyncio.sleep(0.3)
        return (await rabbit.depth(dropping), await rabbit.depth(catching),
                await rabbit.depth(dead), len(h.result.errors),
                len(h.result.received("log")))

    # nothing left, nothing dead-lettered; one error logged for the dropped message
    assert asyncio.run(scenario()) == (0, 0, 0, 2, 1)


def test_acknowledgements_out_of_order_and_mixed_with_failures_settle_each_message_once(
    rabbit: Rabbit,
) -> None:
    """Acknowledgements are sent coalesced (one multiple ack for a run of finished messages):
    jobs that finish in any order, some failing, must each be settled exactly once, with no
    channel error (an ack of an unknown delivery tag closes the channel)."""
    queue, dead = rabbit.name(), rabbit.name("dead")
    work = ("i = msg['payload']['i']\n"
            "await sleep(0.002 * (20 - i % 20))\n"
            "if i % 7 == 3:\n"
            "    raise ValueError('unlucky')\n"
            "return msg")

    unlucky = [i for i in range(200) if i % 7 == 3]

    async def scenario() -> tuple[list[int], list[int], int, list[tuple[str, str]]]:
        await rabbit.declare(dead)
        flow = flow_text(rabbit, {
            "jobs": {"type": "amqp-in", "connection": "rabbit", "queue": queue, "declare": True,
                     "arguments": dead_lettering(dead), "prefetch": 20, "to": "work"},
            "work": {"type": "script", "code": work, "timeout": 0, "to": "seen"},
            "seen": {"type": "debug", "active": False},
        })
        async with running(flow, rabbit.env()) as h:
            await connected(h, "jobs")
            await rabbit.publish(queue, jobs(200))
            await eventually(lambda: len(h.result.received("seen")) == 200 - len(unlucky),
                        "the good jobs")
            await eventually(lambda: _is(rabbit.depth(dead), len(unlucky)),
                        "the failed jobs dead-lettered")
            await asyncio.sleep(0.3)
        started = [m["payload"]["i"] for m in h.result.received("work")]
        failed = sorted(json.loads(m.body)["i"] for m in await rabbit.take(dead))
        return started, failed, await rabbit.depth(queue), h.result.warnings

    started, failed, left, warnings = asyncio.run(scenario())
    assert sorted(started) == list(range(200))  # each delivered once: nothing came back
    assert failed == unlucky
    assert left == 0 and warnings == []
