"""A node's fast step given as lines of code (flowrt.step_code), which a compiled run writes into
its own code: the lines are used in place of a call, a message they decline runs the node's
process under the node's delivery, metrics still time the node when they arm it, a node whose
lines cannot be made runs its process, and the lines hold none of the flow's values (its
step function takes them as data, as the run does)."""

from __future__ import annotations

import asyncio
import string
from typing import Any, ClassVar
from unittest import mock

from flowrt.api import Message, NodeConfig, Output, StepCode, Transform, step_function
from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.run import Runtime
from flowrt.run.delivery import Delivery
from flowrt.step_code import _factory, code_of
from tests.run.test_fuse import counts
from tests.run.test_fuse_compiled import CHAIN5, compiled_sources, run
from tests.security import test_fanout

_EVEN = ("out = NotImplemented",
         "if msg[{0}] % 2 == 0:",
         "    msg[{1}] = {2}",
         "    out = msg")


class Coded(Transform):
    """Its step as code: an even payload it marks itself (``fast``: True), an odd one it
    declines; ``process`` notes the delivery it runs under and marks ``fast``: False."""

    type = "coded"
    Config = NodeConfig
    seen: ClassVar[list[tuple[int, Delivery | None]]] = []

    def fast_code(self) -> StepCode:
        return StepCode(_EVEN, ("payload", "fast", True))

    def fast_process(self) -> Any:
        raise AssertionError("a node with step code is not asked for a fast step")

    def process(self, msg: Message) -> Output:
        self.seen.append((msg["payload"], self.ctx.delivery))  # type: ignore[attr-defined]
        msg["fast"] = False
        return msg


class Unwritten(Transform):
    """Its step code cannot be made (a bug): ``process`` must still take every message."""

    type = "unwritten"
    Config = NodeConfig

    def fast_code(self) -> StepCode:
        raise RuntimeError("no code")

    def process(self, msg: Message) -> Output:
        msg["seen"] = True
        return msg


REGISTRY = Registry([*default_registry(),
                     *(spec_for(c, "test") for c in (test_fanout.Keep, Coded, Unwritten))])

TWO = """
flowrt: 1
nodes:
  a: {type: %(kind)s, to: b}
  b: {type: %(kind)s, to: out}
  out: {type: keep}
"""


def _runtime(text: str, sample: str) -> Runtime:
    plan, _ = build_plan(Project(documents=[load_text(text, "s.yaml")]), REGISTRY, env={})
    with mock.patch.dict("os.environ", {"FLOWRT_METRICS_SAMPLE": sample}):
        return Runtime(plan, env={})


def test_declined_lines_run_the_process_under_the_node_s_delivery() -> None:
    async def scenario() -> tuple[set[str], list[Any], list[Any]]:
        rt = _runtime(TWO % {"kind": "coded"}, "off")
        await rt.start()
        delivered = []
        for payload in (1, 2, 3):
            d = rt.flow.new_delivery()
            rt.inputs["a"]({"payload": payload}, d)
            delivered.append(d)
            d.release()
        after = [rt.contexts[n].delivery for n in "ab"]
        await rt.stop()
        seen = [(p, delivered.index(d) if d in delivered else d) for p, d in Coded.seen]
        return set(rt.instances.inputs.unfused), seen, after

    Coded.seen.clear()
    test_fanout.Keep.kept.clear()
    fused, seen, after = asyncio.run(scenario())
    assert fused == {"a", "b"}
    assert seen == [(1, 0), (1, 0), (3, 2), (3, 2)]  # 2 was taken by the lines, at a and b
    assert after == [None, None]
    assert [(m["payload"], m["fast"]) for _, m, _ in test_fanout.Keep.kept] == [
        (1, False), (2, True), (3, False)]


def test_a_node_with_step_code_armed_by_metrics_is_timed_by_its_process_once() -> None:
    async def scenario() -> tuple[dict[str, int], list[bool]]:
        rt = _runtime(TWO % {"kind": "coded"}, "3600")
        await rt.start()
        rt.meter.arm()
        for payload in (2, 4, 6):
            rt.inject("a", {"payload": payload})
        await rt.stop()
        return ({n: h.count for n, h in rt.meter.timings.items()},
                [m["fast"] for _, m, _ in test_fanout.Keep.kept])

    Coded.seen.clear()
    test_fanout.Keep.kept.clear()
    timed, marks = asyncio.run(scenario())
    assert timed == {"a": 1, "b": 1, "out": 1}
    assert [p for p, _ in Coded.seen] == [2, 2]  # the timed message ran each process
    assert marks == [False, True, True]


def test_every_message_timed_never_takes_the_lines() -> None:
    async def scenario() -> dict[str, int]:
        rt = _runtime(TWO % {"kind": "coded"}, "0")
        await rt.start()
        for payload in (2, 4):
            rt.inject("a", {"payload": payload})
        await rt.stop()
        return {n: h.count for n, h in rt.meter.timings.items()}

    Coded.seen.clear()
    assert asyncio.run(scenario()) == {"a": 2, "b": 2, "out": 2}
    assert [p for p, _ in Coded.seen] == [2, 2, 4, 4]


def test_a_node_whose_step_code_cannot_be_made_runs_its_process(caplog: Any) -> None:
    async def scenario() -> tuple[set[str], list[int]]:
        rt = _runtime(TWO % {"kind": "unwritten"}, "off")
        await rt.start()
        for payload in (1, 2):
            rt.inject("a", {"payload": payload})
        await rt.stop()
        return set(rt.instances.inputs.unfused), rt.stats["b"]

    test_fanout.Keep.kept.clear()
    fused, counted = asyncio.run(scenario())
    assert fused == {"a", "b"}
    assert [(m["payload"], m["seen"]) for _, m, _ in test_fanout.Keep.kept] == [(1, True),
                                                                              (2, True)]
    assert counted == [2, 2]
    assert "no fast step code" in caplog.text


def test_chain5_s_change_switch_and_template_are_written_into_the_run() -> None:
    test_fanout.Keep.kept.clear()
    with compiled_sources() as sources:
        ran = run(CHAIN5 % "else", [{"payload": {"v": 0.75}}, {"payload": {"v": 0.25}}],
                  into="chg")
    whole = max(sources, key=len)  # the run from chg to out
    assert "if p0[0] is q0:" in whole and "o[v0_1] = v0_2" in whole  # change
    # switch: both ports lead to fn, so a number goes on, compared with nothing
    assert "if type(x) is float or type(x) is int:" in whole and "x > v1_2" not in whole
    assert "t = repr(x)" in whole  # template
    assert "f0[0](msg)" not in whole and "f1[0](msg)" not in whole
    assert [m["topic"] for _, m, _ in test_fanout.Keep.kept] == ["value 0.75", "value 0.25"]
    assert [m["payload"]["x"] for _, m, _ in test_fanout.Keep.kept] == [1, 1]
    assert ran.errors == []


def test_core_types_offer_code_only_for_their_short_shapes() -> None:
    class Node:
        def __init__(self, kind: Any, config: dict[str, Any]) -> None:
            self.obj = kind.__new__(kind)
            self.obj.config = kind.Config.model_validate(config)

    registry = default_registry()
    change, switch, template = (registry.get(t).cls  # type: ignore[union-attr]
                                for t in ("change", "switch", "template"))
    offered = [
        code_of(Node(change, {"rules": [{"set": "payload.x", "to": 1}]}).obj),
        code_of(Node(switch, {"property": "payload.v", "rules": [{"gt": 1}, {"else": True}]}).obj),
        code_of(Node(template, {"syntax": "mustache", "template": "v {{payload.v}}",
                                 "property": "topic"}).obj),
    ]
    assert all(isinstance(code, StepCode) for code in offered)
    none = [
        code_of(Node(change, {"rules": [{"set": "a.b.c", "to": 1}]}).obj),
        code_of(Node(switch, {"property": "payload.v", "rules": [{"gt": "1"}, {"else": True}]}
                     ).obj),
        code_of(Node(switch, {"property": "payload.v",
                              "rules": [{"gt": 1}, {"else": True}], "recreate_sequences": True}
                     ).obj),
        code_of(Node(template, {"syntax": "mustache", "template": "{{a}} {{b.c}}",
                                 "property": "topic"}).obj),
    ]
    assert none == [None, None, None, None]


def test_a_step_function_takes_its_values_as_data() -> None:
    attack = "__import__('os').system('exit 3')"
    _factory.cache_clear()
    sources: list[str] = []

    def kept(source: str, *args: Any) -> Any:
        sources.append(source)
        return compile(source, *args)

    with mock.patch("flowrt.step_code.compile", kept, create=True):
        step = step_function(StepCode(_EVEN, (attack, attack + "]", attack)))
    msg = {attack: 4}
    assert step(msg) is msg
    assert msg == {attack: 4, attack + "]": attack}
    assert step({attack: 3}) is NotImplemented
    [source] = sources
    assert "import" not in source and "system" not in source
    assert set(source) <= set(string.ascii_letters + string.digits + " _()[]:=,%\n")


def test_a_switch_ending_a_run_sends_on_the_port_its_lines_name() -> None:
    """chg -> sw is a run whose last node is the switch (its ports lead to two nodes): the
    message its lines put on port 1 must reach port 1's node, as hop by hop."""
    text = """
flowrt: 1
nodes:
  chg: {type: change, rules: [{set: payload.x, to: 1}], to: sw}
  sw: {type: switch, property: payload.v, rules: [{gt: 0.5}, {else: true}],
       to: {0: high, 1: low}}
  high: {type: keep}
  low: {type: keep}
"""
    test_fanout.Keep.kept.clear()
    ran = run(text, [{"payload": {"v": v}} for v in (0.75, 0.25, 1, 0)], into="chg")
    assert ran.fused == {"chg"}
    assert [(node, m["payload"]["v"]) for node, m, _ in test_fanout.Keep.kept] == [
        ("high", 0.75), ("low", 0.25), ("high", 1), ("low", 0)]


def test_a_switch_whose_one_port_leads_on_drops_the_other_port_s_messages() -> None:
    text = """
flowrt: 1
nodes:
  chg: {type: change, rules: [{set: payload.x, to: 1}], to: sw}
  sw: {type: switch, property: payload.v, rules: [{gt: 0.5}, {else: true}], to: {1: out}}
  out: {type: keep}
"""
    test_fanout.Keep.kept.clear()
    with compiled_sources() as sources:
        ran = run(text, [{"payload": {"v": v}} for v in (0.75, 0.25, 1, 0)], into="chg")
    assert ran.fused == {"chg", "sw"}
    assert "x > v1_2" in max(sources, key=len)  # the port matters: it is worked out
    assert [m["payload"]["v"] for _, m, _ in test_fanout.Keep.kept] == [0.25, 0]
    test_fanout.Keep.kept.clear()
    reference = run(text, [{"payload": {"v": v}} for v in (0.75, 0.25, 1, 0)], into="chg",
                    hop_by_hop=True)
    assert reference.fused == set()
    assert counts(ran) == counts(reference)
