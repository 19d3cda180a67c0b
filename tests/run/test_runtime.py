"""The engine through flowrt.testing.run_flow: dispatch, fan-out, ports, errors, acks, time."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.registry import Registry
from flowrt.testing import run_flow
from tests.run.conftest import SEEN, SETTLED, WRITTEN


def flow(nodes: str) -> str:
    return "flowrt: 1\nnodes:\n" + "\n".join("  " + line for line in nodes.strip().splitlines())


def test_a_fused_chain_delivers_in_order_and_acks_every_message(registry: Registry) -> None:
    result = run_flow(
        flow("""
src: {type: numbers, count: 5, to: a}
a: {type: add, amount: 10, to: b}
b: {type: add, amount: 100, to: out}
out: {type: collect}
"""),
        registry=registry,
    )
    assert WRITTEN["out"] == [110, 111, 112, 113, 114]
    assert SETTLED["src"] == [("ack", n) for n in range(5)]
    assert result.payloads("b") == [110, 111, 112, 113, 114]
    counts = {node: received for node, _, received, _ in result.runtime.summary()}  # type: ignore[union-attr]
    assert counts == {"src": 0, "a": 5, "b": 5, "out": 5}


def test_every_message_gets_a_unique_msgid(registry: Registry) -> None:
    result = run_flow(flow("src: {type: numbers, count: 50, to: a}\na: {type: add}"),
                      registry=registry)
    ids = [m["_msgid"] for m in result.sent("a")]
    assert len(set(ids)) == 50 and all(len(i) == 16 for i in ids)


def test_fan_out_gives_each_mutating_branch_its_own_copy(registry: Registry) -> None:
    result = run_flow(
        flow("""
x: {type: tag, key: x, to: [one, two, three]}
one: {type: tag, key: one}
two: {type: tag, key: two}
three: {type: tag, key: three}
"""),
        inputs=[{"payload": {}}],
        registry=registry,
    )
    assert result.sent("one")[0]["payload"] == {"x": True, "one": True}
    assert result.sent("two")[0]["payload"] == {"x": True, "two": True}
    assert result.sent("three")[0]["payload"] == {"x": True, "three": True}
    # the last branch keeps the original object; the others got copies
    assert SEEN["three"] == SEEN["x"]
    assert SEEN["one"] != SEEN["x"] and SEEN["two"] != SEEN["x"]


def test_read_only_synchronous_branches_share_the_message(registry: Registry) -> None:
    run_flow(
        flow("""
x: {type: tag, key: x, to: [look, change, look2]}
look: {type: peek}
change: {type: tag, key: changed}
look2: {type: peek}
"""),
        inputs=[{"payload": {}}],
        registry=registry,
    )
    assert SEEN["look"] == SEEN["x"]  # no copy for a read-only branch before the last
    assert SEEN["change"] != SEEN["x"]  # a mutating branch that is not last gets a copy
    assert WRITTEN["look"] == [{"x": True}]
    assert WRITTEN["look2"] == [{"x": True}]  # the copy's change did not leak


@pytest.mark.parametrize(
    ("payload", "port0", "port1"),
    [
        (2, [2], []),
        (3, [], [3]),
        (10, [10], [-10, -11]),
    ],
)
def test_outputs_per_port(
    registry: Registry, payload: int, port0: list[int], port1: list[int]
) -> None:
    run_flow(
        flow("""
p: {type: parity, to: {0: even, 1: odd}}
even: {type: peek}
odd: {type: peek}
"""),
        inputs=[{"payload": payload}],
        registry=registry,
    )
    assert WRITTEN["even"] == port0
    assert WRITTEN["odd"] == port1


def test_an_error_goes_to_catch_with_the_source_node_and_the_flow_goes_on(
    registry: Registry,
) -> None:
    result = run_flow(
        flow("""
src: {type: numbers, count: 4, to: check}
check: {type: boom, bad: 2, to: out}
out: {type: collect}
oops: {type: catch, to: errors}
errors: {type: peek}
"""),
        registry=registry,
    )
    assert WRITTEN["out"] == [0, 1, 3]
    [caught] = result.sent("oops")
    assert caught["payload"] == 2
    assert caught["error"]["message"] == "bad payload 2"
    assert caught["error"]["source"] == {"id": "check", "type": "boom", "count": 1}  # no name
    assert [(e.node, e.caught) for e in result.errors] == [("check", True)]
    # a caught error is handled: every message is acknowledged
    assert sorted(SETTLED["src"]) == [("ack", n) for n in range(4)]


def test_an_uncaught_error_is_logged_with_node_and_msgid_and_nacks(registry: Registry) -> None:
    result = run_flow(
        flow("src: {type: numbers, count: 3, to: check}\ncheck: {type: boom, bad: 1}"),
        registry=registry,
    )
    [(node, level, text)] = [entry for entry in result.logs if entry[1] == "error"]
    assert node == "check" and "bad payload 1" in text and "(msg " in text
    assert dict((p, s) for s, p in SETTLED["src"]) == {0: "ack", 1: "nack", 2: "ack"}


@pytest.mark.parametrize(
    ("catchers", "expected"),
    [
        ("a: {type: catch, scope: [other]}\nb: {type: catch}", {"b"}),
        ("a: {type: catch, scope: [check]}\nb: {type: catch, uncaught: true}", {"a"}),
        ("a: {type: catch, scope: [other]}\nb: {type: catch, uncaught: true}", {"b"}),
        ("a: {type: catch}\nb: {type: catch}", {"a", "b"}),
    ],
)
def test_catch_scopes(registry: Registry, catchers: str, expected: set[str]) -> None:
    result = run_flow(
        flow("check: {type: boom, bad: 1}\nother: {type: add}\n" + catchers),
        inputs=[{"payload": 1}],
        into="check",
        registry=registry,
    )
    assert {n for n in ("a", "b") if result.sent(n)} == expected


def test_a_catch_flow_that_fails_the_same_way_does_not_loop_forever(registry: Registry) -> None:
    result = run_flow(
        flow("check: {type: boom, bad: 1}\nc: {type: catch, to: check}"),
        inputs=[{"payload": 1}],
        into="check",
        registry=registry,
    )
    assert len(result.errors) == 10
    assert result.errors[-1].caught is False


def test_status_reaches_status_nodes(registry: Registry) -> None:
    result = run_flow(
        flow("s: {type: signal}\nwatch: {type: status, scope: [s]}"),
        inputs=[{"payload": "hi"}],
        registry=registry,
    )
    [msg] = result.sent("watch")
    assert msg["status"] == {
        "fill": "green",
        "shape": "dot",
        "text": "hi",
        "source": {"id": "s", "type": "signal"},  # no name, as in Node-RED
    }
    assert result.statuses == [("s", {"fill": "green", "shape": "dot", "text": "hi"})]


def test_complete_fires_after_a_sink_wrote_and_after_a_transform_returned(
    registry: Registry,
) -> None:
    result = run_flow(
        flow("""
src: {type: numbers, count: 2, to: a}
a: {type: add, to: out}
out: {type: collect}
done: {type: complete, scope: [out, a]}
"""),
        registry=registry,
    )
    assert sorted(m["payload"] for m in result.sent("done")) == [1, 1, 2, 2]


def test_a_held_message_is_acknowledged_only_after_it_was_sent_on(registry: Registry) -> None:
    result = run_flow(
        flow("""
src: {type: numbers, count: 3, to: wait}
wait: {type: later, seconds: 600, to: out}
out: {type: collect}
"""),
        registry=registry,
    )
    assert WRITTEN["out"] == [0, 1, 2]
    assert len(SETTLED["src"]) == 3
    assert result.elapsed == 600  # simulated: the test took no real ten minutes


def test_until_stops_before_the_timers_fire_and_held_messages_are_nacked(
    registry: Registry,
) -> None:
    run_flow(
        flow("""
src: {type: numbers, count: 2, to: wait}
wait: {type: later, seconds: 600, to: out}
out: {type: collect}
"""),
        until=10,
        registry=registry,
    )
    assert WRITTEN["out"] == []
    assert sorted(SETTLED["src"]) == [("nack", 0), ("nack", 1)]


def test_a_joined_message_settles_all_its_parts(registry: Registry) -> None:
    run_flow(
        flow("""
src: {type: numbers, count: 4, to: join}
join: {type: pairs, to: out}
out: {type: collect}
"""),
        registry=registry,
    )
    assert WRITTEN["out"] == [[0, 1], [2, 3]]
    assert sorted(SETTLED["src"]) == [("ack", n) for n in range(4)]


def test_a_failed_joined_message_nacks_all_its_parts(registry: Registry) -> None:
    run_flow(
        flow("""
src: {type: numbers, count: 4, to: join}
join: {type: pairs, to: out}
out: {type: collect, fail_on: [2, 3]}
"""),
        registry=registry,
    )
    assert WRITTEN["out"] == [[0, 1]]
    assert sorted(SETTLED["src"]) == [("ack", 0), ("ack", 1), ("nack", 2), ("nack", 3)]


def test_a_sink_that_loses_its_server_keeps_the_batch_and_writes_it_again(
    registry: Registry,
) -> None:
    result = run_flow(
        flow("src: {type: numbers, count: 20, to: out}\nout: {type: collect, failures: 3}"),
        registry=registry,
    )
    assert WRITTEN["out"] == list(range(20))
    assert [s for s, _ in SETTLED["src"]] == ["ack"] * 20
    assert ("out", {"fill": "red", "shape": "ring", "text": "disconnected"}) in result.statuses
    assert result.statuses[-1] == ("out", {"fill": "green", "shape": "dot", "text": "connected"})
    assert sum(1 for _, level, _ in result.logs if level == "warning") == 3


def test_a_sink_can_fail_one_message_of_a_batch_and_write_the_rest(registry: Registry) -> None:
    result = run_flow(
        flow(
            "src: {type: numbers, count: 10, to: out}\n"
            "out: {type: batched, reject: [3, 7]}\n"
            "done: {type: complete, scope: [out], to: seen}\n"
            "seen: {type: peek}"
        ),
        registry=registry,
    )
    assert WRITTEN["out"] == [0, 1, 2, 4, 5, 6, 8, 9]
    assert sorted(p for s, p in SETTLED["src"] if s == "nack") == [3, 7]
    assert sorted(p for s, p in SETTLED["src"] if s == "ack") == [0, 1, 2, 4, 5, 6, 8, 9]
    assert [e.message for e in result.errors] == ["refused 3", "refused 7"]
    assert sorted(m["payload"] for m in result.received("seen")) == [0, 1, 2, 4, 5, 6, 8, 9]


def test_a_source_whose_configuration_cannot_work_stops_with_a_plain_error(
    registry: Registry,
) -> None:
    result = run_flow(flow("src: {type: misconfigured, to: p}\np: {type: peek}"),
                      registry=registry, until=60)
    node: Any = result.runtime.nodes["src"]  # type: ignore[union-attr]
    assert node.attempts == 1  # not retried: retrying cannot help
    assert result.statuses[-1] == ("src", {"fill": "red", "shape": "ring",
                                           "text": "configuration problem"})
    (entry,) = [e for e in result.logs if e[1] == "error"]
    assert entry == ("src", "error",
                     "cannot start reading: the queue 'jobs' does not exist: declare it")


def test_sinks_batch_by_size_and_time(registry: Registry) -> None:
    result = run_flow(
        flow("src: {type: numbers, count: 10, to: out}\nout: {type: batched}"),
        registry=registry,
    )
    node: Any = result.runtime.nodes["out"]  # type: ignore[union-attr]
    assert WRITTEN["out"] == list(range(10))
    assert node.batches == [4, 4, 2]
    assert result.elapsed == 0.0  # the source ended: the last batch had nothing to wait for


def test_an_async_transform_processes_on_the_engine_clock(registry: Registry) -> None:
    result = run_flow(
        flow("src: {type: numbers, count: 3, ack: false, to: s}\ns: {type: slow, seconds: 60}"),
        registry=registry,
    )
    assert result.payloads("s") == [0, 1, 2]
    assert result.elapsed == 180


def test_sources_pause_while_a_queue_is_over_its_bound(registry: Registry) -> None:
    result = run_flow(
        flow("src: {type: numbers, count: 3000, ack: false, to: s}\ns: {type: slow, seconds: 1}"),
        registry=registry,
        timeout=60,
    )
    assert len(result.sent("s")) == 3000
    queue = result.runtime.queues["s"]  # type: ignore[union-attr]
    assert queue.limit == 1000
    assert result.runtime.inflight == 0  # type: ignore[union-attr]


def test_a_start_that_sleeps_on_the_engine_clock_takes_no_real_time() -> None:
    from flowrt.api import NodeConfig, Transform, field
    from flowrt.registry.spec import spec_for
    from tests.run.conftest import PACK

    class Warm(Transform):
        """Sleeps at start."""

        type = "warm"

        class Config(NodeConfig):
            seconds: float = field(30.0, description="Warm-up.")

        async def start(self) -> None:
            await self.ctx.sleep(self.config.seconds)

        def process(self, msg: Any) -> Any:
            return msg

    registry = Registry([*(spec_for(c, "test") for c in PACK), spec_for(Warm, "test")])
    result = run_flow(flow("w: {type: warm}"), inputs=[{"payload": 1}], registry=registry,
                      timeout=5)
    assert result.payloads("w") == [1]
