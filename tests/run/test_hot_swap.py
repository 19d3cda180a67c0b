"""Hot swap: a running flow takes a new plan node by node; the nodes that did not change keep
running with what they hold (a delay node's queue, a script's node context), and the messages
held by a node that goes are given up as at a stop (nacked), never dropped unseen."""

from __future__ import annotations

import asyncio
import json
import logging
from typing import Any

import pytest

from flowrt.api import AsyncTransform, Connection, Message, NodeConfig, Output, Transform, field
from flowrt.compile import build_plan
from flowrt.compile.plan import Plan
from flowrt.load import Project, load_text
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.run import Runtime
from flowrt.run.clock import VirtualClock
from flowrt.run.plan_diff import diff_plans
from tests.run.conftest import PACK, SETTLED, WRITTEN, RecordingAck

OPENED: list[str] = []
CLOSED: list[str] = []


class Tally(Connection):
    """A connection that records when it opens and closes, and hands out its label."""

    type = "tally"

    class Config(NodeConfig):
        mark: str = field("a", description="What users of this connection stamp.")

    async def open(self) -> None:
        OPENED.append(self.config.mark)

    async def close(self) -> None:
        CLOSED.append(self.config.mark)


class Stamp(Transform):
    """Stamps the label of its connection on the message."""

    type = "stamp-with"

    class Config(NodeConfig):
        connection: str = field(description="The tally.", connection="tally")

    async def start(self) -> None:
        self.conn = self.ctx.connection(self.config.connection, Tally)

    def process(self, msg: Message) -> Output:
        msg["label"] = self.conn.config.mark
        return msg


class Relay(AsyncTransform):
    """Sends each message on after a turn of the event loop."""

    type = "relay"

    class Config(NodeConfig):
        mark: str = field("a", description="Set as msg.mark.")

    async def receive(self, msg: Message) -> None:
        await asyncio.sleep(0)
        msg["mark"] = self.config.mark
        self.ctx.send(msg)


REGISTRY = Registry([*default_registry(),
                     *(spec_for(c, "test") for c in (*PACK, Tally, Stamp, Relay))])
COUNT = "n = context.get('n', 0) + 1\ncontext.set('n', n)\nmsg['count'] = n\nreturn msg"


def plan_of(nodes: dict[str, Any], connections: dict[str, Any] | None = None) -> Plan:
    text = json.dumps({"flowrt": 1, "nodes": nodes, "connections": connections or {}})
    plan, _ = build_plan(Project(documents=[load_text(text, "swap.yaml")]), REGISTRY, env={})
    return plan


def pipeline(tag: str, delay: bool = True) -> Plan:
    """src -> d (delay 10 s) -> c (sets msg.tag) -> k (counts in its node context) -> out."""
    nodes: dict[str, Any] = {
        "src": {"type": "inject", "to": "d" if delay else "c"},
        "c": {"type": "change", "rules": [{"set": "tag", "to": tag}], "to": "k"},
        "k": {"type": "script", "code": COUNT, "to": "out"},
        "out": {"type": "collect"},
    }
    if delay:
        nodes["d"] = {"type": "delay", "delay": 10, "to": "c"}
    return plan_of(nodes)


async def settle(rt: Runtime) -> None:
    """Let the queued sinks and the acknowledgement tasks run (no time passes on the clock)."""
    while rt.tasks.spawned or any(q.items or q.busy for q in rt.queues.values()):
        await asyncio.sleep(0)
    await asyncio.sleep(0)


def test_a_changed_node_is_replaced_while_the_delay_before_it_keeps_its_queue() -> None:
    seen: list[tuple[Any, Any, Any]] = []

    def tap(node: str, port: int, msg: Message) -> None:
        if node == "k":
            seen.append((msg["payload"], msg["tag"], msg["count"]))

    async def scenario() -> None:
        clock = VirtualClock()
        rt = Runtime(pipeline("v1"), clock=clock, env={}, tap=tap)
        await rt.start()
        delay, counter = rt.nodes["d"], rt.nodes["k"]
        rt.emit_source("src", {"payload": 0}, None)
        clock.advance_to(clock.now() + 10)
        rt.emit_source("src", {"payload": 1}, None)
        rt.emit_source("src", {"payload": 2}, None)  # both wait in the delay node

        swap = await rt.swap(pipeline("v2"))

        assert (swap.replaced, swap.started, swap.stopped, swap.given_up) == (["c"], [], [], {})
        assert rt.nodes["d"] is delay and rt.nodes["k"] is counter
        assert len(delay.waiting) == 2  # type: ignore[attr-defined]
        clock.advance_to(clock.now() + 10)
        await settle(rt)
        await rt.stop(timeout=1)

    asyncio.run(scenario())
    # the counter's context went on from 1; the messages the delay held met the new change node
    assert seen == [(0, "v1", 1), (1, "v2", 2), (2, "v2", 3)]
    assert WRITTEN["out"] == [0, 1, 2]


def test_a_removed_delay_gives_up_what_it_held_and_its_messages_are_nacked(
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.WARNING, "flowrt.node")

    async def scenario() -> dict[str, int]:
        clock = VirtualClock()
        rt = Runtime(pipeline("v1"), clock=clock, env={})
        await rt.start()
        for n in (1, 2):
            rt.emit_source("src", {"payload": n}, RecordingAck("src", n))
        swap = await rt.swap(pipeline("v1", delay=False))
        assert (swap.stopped, swap.rewired, swap.replaced) == (["d"], ["src"], [])
        assert "d" not in rt.nodes and "d" not in rt.plan.nodes
        await settle(rt)
        rt.emit_source("src", {"payload": 3}, RecordingAck("src", 3))  # straight to c now
        await settle(rt)
        await rt.stop(timeout=1)
        return swap.given_up

    given_up = asyncio.run(scenario())
    assert given_up == {"d": 2}
    assert SETTLED["src"] == [("nack", 1), ("nack", 2), ("ack", 3)]
    assert WRITTEN["out"] == [3]
    assert "2 message(s) it held were given up" in caplog.text


def test_messages_queued_at_a_replaced_sink_are_written_by_the_one_that_goes() -> None:
    def flow(fail_on: Any) -> Plan:
        return plan_of({"src": {"type": "inject", "to": "out"},
                        "out": {"type": "collect", "fail_on": fail_on}})

    async def scenario() -> None:
        rt = Runtime(flow(None), clock=VirtualClock(), env={})
        await rt.start()
        old = rt.nodes["out"]
        for n in (1, 2, 3):  # queued: the sink's task has not run yet
            rt.emit_source("src", {"payload": n}, RecordingAck("src", n))
        assert len(rt.queues["out"]) == 3
        swap = await rt.swap(flow(99))
        assert swap.replaced == ["out"] and rt.nodes["out"] is not old
        rt.emit_source("src", {"payload": 4}, RecordingAck("src", 4))
        await settle(rt)
        await rt.stop(timeout=1)

    asyncio.run(scenario())
    assert WRITTEN["out"] == [1, 2, 3, 4]
    assert sorted(SETTLED["src"]) == [("ack", 1), ("ack", 2), ("ack", 3), ("ack", 4)]


def test_what_a_replaced_node_sends_while_it_stops_waits_for_the_replaced_node_after_it() -> None:
    marks: list[tuple[Any, Any]] = []

    def flow(mark: str, fail_on: Any) -> Plan:
        return plan_of({"src": {"type": "inject", "to": "relay"},
                        "relay": {"type": "relay", "mark": mark, "to": "out"},
                        "out": {"type": "collect", "fail_on": fail_on}})

    def tap(node: str, port: int, msg: Message) -> None:
        if node == "relay":
            marks.append((msg["payload"], msg["mark"]))

    async def scenario() -> int:
        rt = Runtime(flow("a", None), clock=VirtualClock(), env={}, tap=tap)
        await rt.start()
        for n in (1, 2, 3):  # on the relay's queue, not yet taken
            rt.emit_source("src", {"payload": n}, RecordingAck("src", n))
        swap = await rt.swap(flow("b", 99))
        assert swap.replaced == ["out", "relay"]
        rt.emit_source("src", {"payload": 4}, RecordingAck("src", 4))
        await settle(rt)
        await rt.stop(timeout=1)
        return swap.parked

    parked = asyncio.run(scenario())
    # the old relay finished its queue while it stopped; what it sent waited for the new sink
    assert marks == [(1, "a"), (2, "a"), (3, "a"), (4, "b")]
    assert parked == 3
    assert WRITTEN["out"] == [1, 2, 3, 4]
    assert sorted(SETTLED["src"]) == [("ack", 1), ("ack", 2), ("ack", 3), ("ack", 4)]


def test_a_replaced_catch_node_takes_the_errors_of_the_nodes_kept() -> None:
    def flow(scope: list[str] | None) -> Plan:
        return plan_of({"src": {"type": "inject", "to": "boom"},
                        "boom": {"type": "boom", "bad": 1},
                        "other": {"type": "boom", "bad": 1},
                        "catch": {"type": "catch", "scope": scope, "to": "errors"},
                        "errors": {"type": "peek"}})

    async def scenario() -> None:
        rt = Runtime(flow(["other"]), clock=VirtualClock(), env={})
        await rt.start()
        boom = rt.nodes["boom"]
        rt.emit_source("src", {"payload": 1}, None)  # not in the catch node's scope
        swap = await rt.swap(flow(["boom"]))
        assert swap.replaced == ["catch"] and rt.nodes["boom"] is boom
        rt.emit_source("src", {"payload": 1}, None)
        await rt.stop(timeout=1)

    asyncio.run(scenario())
    assert WRITTEN["errors"] == [1]


def test_an_http_route_is_given_back_before_the_node_that_takes_it_starts() -> None:
    def flow(node_id: str, method: str) -> Plan:
        return plan_of({node_id: {"type": "http-in", "method": method, "url": "/x",
                                  "to": "reply"},
                        "reply": {"type": "http-response"}})

    async def scenario() -> None:
        rt = Runtime(flow("a", "get"), clock=VirtualClock(), env={})
        await rt.start()
        swap = await rt.swap(flow("b", "get"))  # another node takes the path
        assert (swap.stopped, swap.started) == (["a"], ["b"])
        assert rt.http.describe() == [("GET", "/x", "b")]
        swap = await rt.swap(flow("b", "post"))  # the same node, replaced
        assert swap.replaced == ["b"]
        assert rt.http.describe() == [("POST", "/x", "b")]
        await rt.stop(timeout=1)

    asyncio.run(scenario())


def test_a_wire_is_added_then_removed_and_the_nodes_keep_running() -> None:
    def flow(to: list[str]) -> Plan:
        return plan_of({"src": {"type": "inject", "to": to},
                        "a": {"type": "script", "code": COUNT, "to": "out_a"},
                        "b": {"type": "script", "code": COUNT, "to": "out_b"},
                        "out_a": {"type": "peek"}, "out_b": {"type": "peek"}})

    async def scenario() -> None:
        rt = Runtime(flow(["a"]), clock=VirtualClock(), env={})
        await rt.start()
        nodes = dict(rt.nodes)
        rt.emit_source("src", {"payload": 1}, None)
        swap = await rt.swap(flow(["a", "b"]))
        assert (swap.rewired, swap.replaced, swap.started) == (["src"], [], [])
        rt.emit_source("src", {"payload": 2}, None)
        swap = await rt.swap(flow(["b"]))
        assert swap.rewired == ["src"]
        rt.emit_source("src", {"payload": 3}, None)
        assert rt.nodes == nodes
        await rt.stop(timeout=1)

    asyncio.run(scenario())
    assert WRITTEN["out_a"] == [1, 2]
    assert WRITTEN["out_b"] == [2, 3]


def test_a_changed_connection_restarts_its_users_and_no_other_node() -> None:
    def flow(label: str) -> Plan:
        return plan_of({"src": {"type": "inject", "to": "s"},
                        "s": {"type": "stamp-with", "connection": "t", "to": "k"},
                        "k": {"type": "script", "code": COUNT, "to": "out"},
                        "out": {"type": "peek"}},
                       {"t": {"type": "tally", "mark": label}})

    labels: list[tuple[Any, Any]] = []

    def tap(node: str, port: int, msg: Message) -> None:
        if node == "k":
            labels.append((msg["label"], msg["count"]))

    async def scenario() -> None:
        OPENED.clear()
        CLOSED.clear()
        rt = Runtime(flow("a"), clock=VirtualClock(), env={}, tap=tap)
        await rt.start()
        stamp, counter = rt.nodes["s"], rt.nodes["k"]
        rt.emit_source("src", {"payload": 1}, None)
        swap = await rt.swap(flow("b"))
        assert swap.connections == {"start": [], "stop": [], "replace": ["t"]}
        assert swap.replaced == ["s"]
        assert rt.nodes["s"] is not stamp and rt.nodes["k"] is counter
        assert (OPENED, CLOSED) == (["a", "b"], ["a"])
        rt.emit_source("src", {"payload": 2}, None)
        await rt.stop(timeout=1)

    asyncio.run(scenario())
    assert labels == [("a", 1), ("b", 2)]


def test_a_change_to_the_flow_environment_or_a_subflow_is_not_made_node_by_node() -> None:
    def flow(level: str, tag: str) -> Plan:
        text = f"""
flowrt: 1
env: {{LEVEL: "{level}"}}
subflows:
  twice:
    input: inner
    outputs: 1
    nodes:
      inner: {{type: change, rules: [{{set: tag, to: "{tag}"}}], to: $out.0}}
nodes:
  src: {{type: inject, to: sub}}
  sub: {{type: "subflow:twice"}}
"""
        plan, _ = build_plan(Project(documents=[load_text(text, "env.yaml")]), REGISTRY, env={})
        return plan

    assert diff_plans(flow("1", "a"), flow("1", "a")).empty
    env = diff_plans(flow("1", "a"), flow("2", "a")).unsafe
    assert any("environment of flow" in r for r in env)
    sub = diff_plans(flow("1", "a"), flow("1", "b"))
    assert sub.replace == ["sub/inner"]
    assert sub.unsafe == ["subflow instance sub changed (a subflow definition or instance "
                          "restarts its flow)"]

    async def scenario() -> None:
        rt = Runtime(flow("1", "a"), clock=VirtualClock(), env={})
        await rt.start()
        with pytest.raises(ValueError, match="environment"):
            await rt.swap(flow("2", "a"))
        assert rt.started and not rt.stopping  # nothing was touched
        await rt.stop(timeout=1)

    asyncio.run(scenario())
