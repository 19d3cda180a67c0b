"""flowrt run --check-ports: messages that do not conform to a declared port fail at the node."""

from __future__ import annotations

import asyncio
from typing import Any, ClassVar

from flowrt.api import Message, NodeConfig, Sink
from flowrt.compile import build_plan
from flowrt.compile.port_checks import with_port_checks
from flowrt.load import Project, load_text
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.testing import FlowResult, Harness


class Keep(Sink):
    """Keeps what it is given (a test sink)."""

    type = "keep"
    batch_size = 10
    kept: ClassVar[list[Any]] = []

    class Config(NodeConfig):
        pass

    async def write(self, batch: list[Message]) -> None:
        Keep.kept.extend(m["payload"] for m in batch)


FLOW = """\
flowrt: 1
id: f
ontologies:
  Reading:
    type: object
    required: [celsius]
    properties:
      celsius: {type: number}
  Alert:
    type: object
    required: [celsius, level]
nodes:
  start: {type: change, rules: [{set: topic, to: t}], to: [mark, keep]}
  mark:
    type: change
    in: Reading
    out: Alert
    rules: [{set: payload.seen, to: true}]
    to: shown
  shown: {type: debug}
  keep: {type: keep, in: Reading}
  errors: {type: catch, to: caught}
  caught: {type: debug}
"""

GOOD = {"payload": {"celsius": 21, "level": "low"}}
NOT_ALERT = {"payload": {"celsius": 22}}
BAD = {"payload": {"celsius": "hot"}}


def run(checked: bool) -> FlowResult:
    registry = Registry([*default_registry(), spec_for(Keep, __name__)])
    project = Project(documents=[load_text(FLOW, "f.yaml")])
    plan, _ = build_plan(project, registry, env={})
    if checked:
        plan = with_port_checks(plan, project, registry)
    Keep.kept.clear()

    async def go() -> FlowResult:
        harness = Harness(plan)
        await harness.start()
        try:
            for msg in (GOOD, NOT_ALERT, BAD):
                harness.send("start", msg)
            await harness.run()
        finally:
            await harness.stop()
        return harness.result

    return asyncio.run(go())


def test_without_the_option_every_message_passes() -> None:
    result = run(checked=False)
    assert [p["celsius"] for p in result.payloads("mark")] == [21, 22, "hot"]
    assert sorted(str(p["celsius"]) for p in Keep.kept) == ["21", "22", "hot"]
    assert result.errors == []


def test_messages_that_do_not_conform_fail_at_the_node_and_reach_catch() -> None:
    result = run(checked=True)
    assert [p["celsius"] for p in result.payloads("mark")] == [21]
    assert sorted(str(p["celsius"]) for p in Keep.kept) == ["21", "22"]
    failed = sorted((e.node, e.message) for e in result.errors)
    assert [node for node, _ in failed] == ["keep", "mark", "mark"]
    assert all(e.caught for e in result.errors)
    texts = [text for _, text in failed]
    assert any("the input does not conform to Reading: payload.celsius: 'hot' is not of type "
               "'number'" in t for t in texts)
    assert any("output 0 does not conform to Alert: payload: 'level' is a required property" in t
               for t in texts)
    assert len(result.received("caught")) == 3


def test_nodes_without_declared_ports_keep_their_type() -> None:
    registry = Registry([*default_registry(), spec_for(Keep, __name__)])
    project = Project(documents=[load_text(FLOW, "f.yaml")])
    plan, _ = build_plan(project, registry, env={})
    before = {n: p.spec.cls for n, p in plan.nodes.items()}
    after = {n: p.spec.cls for n, p in with_port_checks(plan, project, registry).nodes.items()}
    assert [n for n in before if before[n] is not after[n]] == ["mark", "keep"]
    assert issubclass(after["keep"], Keep) and after["mark"].type == "change"
