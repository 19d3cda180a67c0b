"""A linear run of synchronous nodes is one input (flowrt.run.fuse), and does what the hops did:
each node's counts in and out, the delivery each node reads, a failure named after the node
that raised and caught by its catch, a switch that drops a message, the given/lent rule (on
random trees against a run that copies on every wire), metrics timing, the path recorder's
traced messages, and a hot swap of a node in the middle of a run.

A tap makes every hop a call of its own (the test harness taps), so these runtimes run
untapped, and the reference runs hop by hop with a tap that does nothing."""

from __future__ import annotations

import asyncio
import json
from typing import Any, ClassVar
from unittest import mock

from hypothesis import HealthCheck, given, settings

from flowrt.api import Message, NodeConfig, Output, Transform, field
from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.message import clone
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.run import Runtime, VirtualClock, paths
from flowrt.run.delivery import Delivery
from flowrt.run.events import ErrorRecord
from flowrt.run.tracing import TRACE_KEY, record_paths
from flowrt.testing.driver import drive, start
from tests.security import test_fanout
from tests.security.fanout_graphs import BOTH, FLOWRT_ONLY, LEAVES, flowrt_flow, messages, trees


class Note(Transform):
    """Notes (node, the delivery it runs under, a copy of the message) and sends it on."""

    type = "note"
    Config = NodeConfig
    seen: ClassVar[list[tuple[str, Delivery | None, Message]]] = []

    def process(self, msg: Message) -> Output:
        self.seen.append((self.id, self.ctx.delivery, clone(msg)))  # type: ignore[attr-defined]
        return msg


class Reads(Note):
    """As :class:`Note`, and only reads: it may be lent a message."""

    type = "reads"
    mutates = False


class Fails(Transform):
    """Raises on an odd payload, sends the others on."""

    type = "fails"
    Config = NodeConfig

    def process(self, msg: Message) -> Output:
        if msg["payload"] % 2:
            raise ValueError(f"odd {msg['payload']}")
        msg["even"] = True
        return msg


class Sets(Transform):
    """Sets the payload to its ``value``; its stop takes a turn of the event loop."""

    type = "sets"

    class Config(NodeConfig):
        value: int = field(0, description="The payload set.")

    def process(self, msg: Message) -> Output:
        msg["payload"] = self.config.value
        return msg

    async def stop(self) -> None:
        await asyncio.sleep(0.01)


REGISTRY = Registry([*default_registry(),
                     *(spec_for(c, "test") for c in (Note, Reads, Fails, Sets)),
                     spec_for(test_fanout.Keep, "test")])
def nothing(node: str, port: int, msg: Message) -> None:
    """A tap: with it every hop is a call of its own (the reference)."""


class Ran:
    """A runtime that ran some messages: what it counted, failed and logged."""

    def __init__(self, rt: Runtime) -> None:
        self.rt = rt
        self.errors: list[ErrorRecord] = []
        self.logs: list[tuple[str, str, str]] = []
        rt.events.hooks.error.append(self.errors.append)
        rt.events.hooks.log.append(lambda node, level, text, msg: self.logs.append(
            (node, level, text)))

    @property
    def fused(self) -> set[str]:
        """The nodes whose input is a fused run's."""
        return set(self.rt.instances.inputs.unfused)


async def arun(text: str, sent: list[Message], into: str, hop_by_hop: bool = False) -> Ran:
    plan, _ = build_plan(Project(documents=[load_text(text, "fuse.yaml")]), REGISTRY, env={})
    clock = VirtualClock()
    rt = Runtime(plan, clock=clock, env={}, tap_in=nothing if hop_by_hop else None)
    ran = Ran(rt)
    deadline = asyncio.get_running_loop().time() + 10
    await start(rt, clock, deadline)
    for msg in sent:
        rt.inject(into, clone(msg))
    await drive(rt, clock, None, deadline)
    await rt.stop(timeout=1)
    return ran


def run(text: str, sent: list[Message], into: str, hop_by_hop: bool = False) -> Ran:
    return asyncio.run(arun(text, sent, into, hop_by_hop))


def counts(ran: Ran) -> dict[str, list[int]]:
    return {node: list(c) for node, c in ran.rt.stats.items()}


CHAIN = """
flowrt: 1
nodes:
  a: {type: change, rules: [{set: payload, to: {type: jsonata, value: "payload * 2"}}], to: b}
  b: {type: switch, property: payload, rules: [{gt: 4}], to: {0: c}}
  c: {type: note, to: d}
  d: {type: change, rules: [{set: topic, to: t}], to: e}
  e: {type: note}
"""


def test_a_run_counts_each_node_in_and_out_as_hop_by_hop() -> None:
    sent = [{"payload": i} for i in range(6)]
    Note.seen.clear()
    fused = run(CHAIN, sent, "a")
    fused_seen = [(n, m["payload"]) for n, _, m in Note.seen]
    Note.seen.clear()
    hops = run(CHAIN, sent, "a", hop_by_hop=True)
    assert fused.fused == {"a", "b", "c", "d"}
    assert hops.fused == set()
    assert counts(fused) == counts(hops) == {
        "a": [6, 6], "b": [6, 3], "c": [3, 3], "d": [3, 3], "e": [3, 3]}
    assert fused_seen == [(n, m["payload"]) for n, _, m in Note.seen] == [
        ("c", 6), ("e", 6), ("c", 8), ("e", 8), ("c", 10), ("e", 10)]


def test_a_switch_dropping_a_message_mid_run_stops_it_there() -> None:
    Note.seen.clear()
    ran = run(CHAIN, [{"payload": 1}], "a")
    assert "b" in ran.fused
    assert counts(ran)["b"] == [1, 0]
    assert counts(ran)["c"] == [0, 0]
    assert Note.seen == []


FAILING = """
flowrt: 1
nodes:
  a: {type: change, rules: [{set: topic, to: seen-by-a}], to: boom}
  boom: {type: fails, to: c}
  c: {type: note}
  caught: {type: catch, scope: [boom], to: k}
  k: {type: note}
"""


def test_an_exception_mid_run_names_that_node_and_reaches_its_catch() -> None:
    sent = [{"payload": 1, "_msgid": "m1"}, {"payload": 2, "_msgid": "m2"}]
    Note.seen.clear()
    fused = run(FAILING, sent, "a")
    fused_seen = [(n, m) for n, _, m in Note.seen]
    Note.seen.clear()
    hops = run(FAILING, sent, "a", hop_by_hop=True)
    assert {"a", "boom"} <= fused.fused
    assert [(e.node, e.msgid, e.message, e.caught) for e in fused.errors] == [
        ("boom", "m1", "odd 1", True)]
    assert [(e.node, e.msgid, e.message, e.caught, e.msg) for e in fused.errors] == [
        (e.node, e.msgid, e.message, e.caught, e.msg) for e in hops.errors]
    [(node, caught)] = [(n, m) for n, m in fused_seen if n == "k"]
    assert caught["error"]["source"]["id"] == "boom"
    assert (caught["topic"], caught["_msgid"]) == ("seen-by-a", "m1")
    assert [m["payload"] for n, m in fused_seen if n == "c"] == [2]
    def unstacked(seen: list[tuple[str, Message]]) -> list[tuple[str, Message]]:
        return [(n, {**m, "error": {**m["error"], "stack": None}} if "error" in m else m)
                for n, m in seen]  # the stack names the calls, which differ

    assert unstacked(fused_seen) == unstacked([(n, m) for n, _, m in Note.seen])
    assert counts(fused)["boom"] == counts(hops)["boom"] == [2, 1]


def test_an_uncaught_exception_mid_run_is_logged_with_that_node_and_msgid() -> None:
    text = FAILING.split("  caught:")[0]
    ran = run(text, [{"payload": 3, "_msgid": "m3"}], "a")
    assert "boom" in ran.fused
    [(node, _, line)] = [entry for entry in ran.logs if entry[1] == "error"]
    assert node == "boom" and "odd 3" in line and "m3" in line


def test_each_node_of_a_run_runs_under_the_delivery_it_was_sent_with() -> None:
    text = """
flowrt: 1
nodes:
  a: {type: note, to: b}
  b: {type: note, to: c}
  c: {type: note}
"""

    async def scenario() -> tuple[set[str], list[bool], list[Any]]:
        plan, _ = build_plan(Project(documents=[load_text(text, "d.yaml")]), REGISTRY, env={})
        rt = Runtime(plan, env={})
        await rt.start()
        Note.seen.clear()
        d = rt.flow.new_delivery()
        rt.inputs["a"]({"payload": 1}, d)
        d.release()
        after = [rt.contexts[n].delivery for n in "abc"]
        await rt.stop()
        return set(rt.instances.inputs.unfused), [seen is d for _, seen, _ in Note.seen], after

    fused, saw, after = asyncio.run(scenario())
    assert fused == {"a", "b"}
    assert saw == [True, True, True]
    assert after == [None, None, None]


def test_a_lent_message_stays_lent_along_readers_and_is_copied_where_a_change_is() -> None:
    """fan lends to the run r1 -> r2 -> sw -> ch -> k1 (readers up to ch), gives k2 the same
    object afterwards: k2 must see it as sent, k1 its own changed copy."""
    text = """
flowrt: 1
nodes:
  fan: {type: link-in, to: [r1, k2]}
  r1: {type: reads, to: r2}
  r2: {type: reads, to: sw}
  sw: {type: switch, property: payload.v, rules: [{gte: 0}], to: {0: ch}}
  ch: {type: change, rules: [{set: payload.o.k, to: {type: num, value: 5}}], to: k1}
  k1: {type: keep}
  k2: {type: keep}
"""
    test_fanout.Keep.kept.clear()
    ran = run(text, [{"payload": {"v": 1, "o": {"k": 0}}}], "fan")
    assert ran.fused == {"r1", "r2", "sw", "ch"}
    kept = {node: msg for node, msg, _ in test_fanout.Keep.kept}
    assert kept["k1"]["payload"] == {"v": 1, "o": {"k": 5}}
    assert kept["k2"]["payload"] == {"v": 1, "o": {"k": 0}}
    assert test_fanout.changed_after_arrival() == []
    assert counts(ran)["r1"] == counts(ran)["ch"] == [1, 1]


def test_a_run_of_readers_lent_a_message_lends_it_to_the_end() -> None:
    text = """
flowrt: 1
nodes:
  fan: {type: link-in, to: [r1, k2]}
  r1: {type: reads, to: r2}
  r2: {type: reads}
  k2: {type: keep}
"""
    Note.seen.clear()
    test_fanout.Keep.kept.clear()
    ran = run(text, [{"payload": 1}], "fan")
    assert ran.fused == {"r1"}
    assert [n for n, _, _ in Note.seen] == ["r1", "r2"]
    assert counts(ran)["r1"] == counts(ran)["r2"] == [1, 1]
    assert [m["payload"] for _, m, _ in test_fanout.Keep.kept] == [1]


def without_ids(parts: dict[str, Any]) -> dict[str, Any]:
    """A sequence's ``parts`` without its ids (new message ids, which two runs do not share)."""
    return {k: without_ids(v) if isinstance(v, dict) else v
            for k, v in parts.items() if k != "id"}


def kept(ran: Ran) -> list[tuple[str, Any]]:
    """What each recorder was given, in order, without the message ids."""
    def plain(msg: Message) -> Any:
        msg = {k: v for k, v in msg.items() if k != "_msgid"}
        if isinstance(msg.get("error"), dict):  # its stack names the calls, which differ
            msg["error"] = {k: v for k, v in msg["error"].items() if k != "stack"}
        if isinstance(msg.get("parts"), dict):
            msg["parts"] = without_ids(msg["parts"])
        return json.loads(json.dumps(msg, default=str))
    return [(node, plain(snapshot)) for node, _, snapshot in test_fanout.Keep.kept]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees(kinds=BOTH + FLOWRT_ONLY, leaves=LEAVES))
def test_random_trees_fused_see_what_copying_on_every_wire_sees(tree: Any) -> None:
    text = flowrt_flow(tree)
    test_fanout.Keep.kept.clear()
    fast = run(text, messages(), tree.root)
    assert test_fanout.changed_after_arrival() == []
    got = kept(fast)
    test_fanout.Keep.kept.clear()
    with test_fanout.copying_on_every_wire():
        reference = run(text, messages(), tree.root, hop_by_hop=True)
    assert got == kept(reference)
    assert [e.message for e in fast.errors] == [e.message for e in reference.errors]
    assert counts(fast) == counts(reference)


def timings(sample: str, arm_after: int | None) -> tuple[set[str], dict[str, int]]:
    async def scenario() -> tuple[set[str], dict[str, int]]:
        plan, _ = build_plan(Project(documents=[load_text(CHAIN, "t.yaml")]), REGISTRY,
                             env={})
        with mock.patch.dict("os.environ", {"FLOWRT_METRICS_SAMPLE": sample}):
            rt = Runtime(plan, env={})
        await rt.start()
        for i in range(6):
            if i == arm_after:
                rt.meter.arm()
            rt.inject("a", {"payload": 3})
        await rt.stop()
        return set(rt.instances.inputs.unfused), {
            n: h.count for n, h in rt.meter.timings.items()}

    return asyncio.run(scenario())


def test_the_nodes_of_a_run_are_timed_as_hop_by_hop() -> None:
    fused, every = timings("0", None)
    assert fused == {"a", "b", "c", "d"}
    assert every == {"a": 6, "b": 6, "c": 6, "d": 6, "e": 6}
    assert timings("3600", 3)[1] == {"a": 1, "b": 1, "c": 1, "d": 1, "e": 1}
    assert timings("3600", None)[1] == {"a": 0, "b": 0, "c": 0, "d": 0, "e": 0}


def test_a_traced_message_leaves_the_run_and_has_its_whole_path() -> None:
    text = """
flowrt: 1
nodes:
  go: {type: inject, to: a}
  a: {type: change, rules: [{set: topic, to: t}], to: b}
  b: {type: note, to: c}
  c: {type: change, rules: [{set: payload, to: 2}], to: e}
  e: {type: note}
"""
    ticks = iter(i * 0.5 for i in range(10_000))
    recorder = paths.Paths(paths.parse_sample("1/s"), clock=lambda: next(ticks))

    async def scenario() -> Runtime:
        plan, _ = build_plan(Project(documents=[load_text(text, "p.yaml")]), REGISTRY, env={})
        rt = Runtime(plan, env={})
        await rt.start()
        for i in range(6):
            rt.emit_source("go", {"payload": i}, None)
        await rt.stop()
        return rt

    Note.seen.clear()
    record_paths(recorder)
    try:
        rt = asyncio.run(scenario())
    finally:
        record_paths(None)
    assert set(rt.instances.inputs.unfused) == {"a", "b", "c"}
    assert len(recorder.traces) == 3
    for trace in recorder.traces:
        visits = recorder.path(trace) or []
        assert sorted((v["node"], None if v["from"] is None else visits[v["from"]]["node"])
                      for v in visits) == [("a", "go"), ("b", "a"), ("c", "b"), ("e", "c"),
                                           ("go", None)]
    assert [TRACE_KEY in m for n, _, m in Note.seen if n == "e"] == [True, False] * 3
    assert [rt.stats[n] for n in "abce"] == [[6, 6], [6, 6], [6, 6], [6, 6]]


def test_a_message_sent_while_a_node_of_a_run_is_replaced_waits_for_its_successor() -> None:
    """c -> k -> out is one run; while k is replaced, what c sends waits (parked) for the new k,
    it does not run the old k's process."""
    def plan(factor: int) -> Any:
        text = json.dumps({"flowrt": 1, "nodes": {
            "src": {"type": "inject", "to": "c"},
            "c": {"type": "change", "rules": [{"set": "topic", "to": "t"}], "to": "k"},
            "k": {"type": "sets", "value": factor, "to": "out"},
            "out": {"type": "note"}}})
        built, _ = build_plan(Project(documents=[load_text(text, "s.yaml")]), REGISTRY, env={})
        return built

    async def scenario() -> tuple[set[str], list[Any], set[str]]:
        rt = Runtime(plan(1), clock=VirtualClock(), env={})
        await rt.start()
        before = set(rt.instances.inputs.unfused)
        rt.emit_source("src", {"payload": 0}, None)
        swapping = asyncio.ensure_future(rt.swap(plan(2)))
        while rt.instances.inputs.unfused:  # until the running nodes are parked
            assert not swapping.done()
            await asyncio.sleep(0)
        rt.emit_source("src", {"payload": 0}, None)
        during = [m["payload"] for _, _, m in Note.seen]
        await swapping
        rt.emit_source("src", {"payload": 0}, None)
        after = set(rt.instances.inputs.unfused)
        await rt.stop(timeout=1)
        return before, during, after

    Note.seen.clear()
    before, during, after = asyncio.run(scenario())
    assert before == after == {"c", "k"}
    assert during == [1]
    assert [m["payload"] for _, _, m in Note.seen] == [1, 2, 2]
