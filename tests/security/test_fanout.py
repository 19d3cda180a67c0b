"""A message on one branch is never changed by another branch.

The attack (silent data corruption): a message fans out, one branch passes a node that only
reads it (a switch), then a node that changes it in place; the sibling branch, run later, saw
the change. The rule in flowrt.run.dispatch lends messages only to readers and copies where a
lent message reaches any other node; these tests check it on the reported flow, on each shape
of fan-out, and on random trees of core nodes against a run that copies on every wire.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

from hypothesis import HealthCheck, given, settings

from flowrt.api import Message, NodeConfig, Output, Transform, clone
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.run import dispatch
from flowrt.testing import FlowResult, run_flow
from tests.security.fanout_graphs import BOTH, FLOWRT_ONLY, LEAVES, flowrt_flow, messages, trees


class Keep(Transform):
    """Keeps every message it gets with a copy taken on arrival: the object must never change
    afterwards, since it was given to this node."""

    type = "keep"
    Config = NodeConfig
    kept: ClassVar[list[tuple[str, Message, Message]]] = []

    def process(self, msg: Message) -> Output:
        self.kept.append((self.id, msg, clone(msg)))
        return None


REGISTRY = Registry([*default_registry(), spec_for(Keep, "test")])


def changed_after_arrival() -> list[tuple[str, Message, Message]]:
    return [(node, snapshot, msg) for node, msg, snapshot in Keep.kept if msg != snapshot]


@contextmanager
def copying_on_every_wire() -> Iterator[None]:
    """The reference: every input gets its own copy, no message is ever lent."""
    real = dispatch.make_input

    def copying(*args: Any, **kwargs: Any) -> dispatch.Input:
        inner = real(*args, **kwargs)
        return lambda msg, d: inner(clone(msg), d)

    with mock.patch.object(dispatch, "make_input", copying), \
            mock.patch.object(dispatch, "is_reader", lambda node: False):
        yield


def run(text: str, inputs: list[Message] | None = None, into: str | None = None) -> FlowResult:
    return run_flow(text, inputs or [], into=into, registry=REGISTRY)


def seen(result: FlowResult) -> dict[str, list[Any]]:
    """What arrived at each node, without what differs between two runs by design."""
    def plain(msg: Message) -> Any:
        msg = {k: v for k, v in msg.items() if k != "_msgid"}
        if isinstance(msg.get("parts"), dict):
            msg["parts"] = _without_ids(msg["parts"])
        if isinstance(msg.get("error"), dict):
            msg["error"] = {k: v for k, v in msg["error"].items() if k != "stack"}
        return msg

    return {node: [plain(m) for m in got] for node, got in result.arrivals.items()}


def _without_ids(parts: dict[str, Any]) -> dict[str, Any]:
    """A sequence's ``parts`` without its ids (new message ids, which two runs do not share)."""
    return {k: _without_ids(v) if isinstance(v, dict) else v
            for k, v in parts.items() if k != "id"}


def test_the_reported_flow_writes_each_branch_its_own_message(tmp_path: Path) -> None:
    a, b = tmp_path / "a.json", tmp_path / "b.json"
    result = run(f"""
flowrt: 1
nodes:
  start:
    type: inject
    once: true
    payload: {{type: json, value: '{{"v": 1}}'}}
    to: [sw, wait]
  sw: {{type: switch, property: payload.v, rules: [{{eq: 1}}], to: {{0: ch}}}}
  ch:
    type: change
    rules: [{{set: payload.v, to: {{type: num, value: 99}}}}]
    to: out-a
  out-a: {{type: file-out, filename: "{a}", add_newline: false}}
  wait: {{type: delay, delay: 0.2, to: out-b}}
  out-b: {{type: file-out, filename: "{b}", add_newline: false}}
""")
    assert result.errors == []
    assert json.loads(a.read_text()) == {"v": 99}
    assert json.loads(b.read_text()) == {"v": 1}


def test_a_switch_checking_all_rules_gives_each_port_its_own_message() -> None:
    Keep.kept.clear()
    result = run("""
flowrt: 1
nodes:
  sw:
    type: switch
    property: payload.v
    rules: [{gte: 0}, {gte: 0}]
    to: {0: first, 1: second}
  first: {type: change, rules: [{set: payload.v, to: {type: num, value: 1}}], to: k1}
  second: {type: change, rules: [{set: payload.w, to: {type: num, value: 2}}], to: k2}
  k1: {type: keep}
  k2: {type: keep}
""", [{"payload": {"v": 0}}], into="sw")
    assert [m["payload"] for m in result.received("k1")] == [{"v": 1}]
    assert [m["payload"] for m in result.received("k2")] == [{"v": 0, "w": 2}]
    assert changed_after_arrival() == []


def test_a_script_sending_one_object_on_two_ports_gives_each_its_own() -> None:
    Keep.kept.clear()
    result = run("""
flowrt: 1
nodes:
  both: {type: script, outputs: 2, code: "return [msg, msg]", to: {0: first, 1: k2}}
  first: {type: change, rules: [{set: payload.v, to: {type: num, value: 1}}], to: k1}
  k1: {type: keep}
  k2: {type: keep}
""", [{"payload": {"v": 0}}], into="both")
    assert [m["payload"] for m in result.received("k1")] == [{"v": 1}]
    assert [m["payload"] for m in result.received("k2")] == [{"v": 0}]
    assert changed_after_arrival() == []


def test_a_reader_lends_on_and_the_copy_is_made_where_a_change_is() -> None:
    """filter → link-out → link-in → switch are readers; the change at the end of the first
    branch must not reach the second branch, which comes later."""
    Keep.kept.clear()
    result = run("""
flowrt: 1
nodes:
  fan: {type: link-in, to: [rbe, k2]}
  rbe: {type: filter, property: payload.v, to: out}
  out: {type: link-out, links: [in]}
  in: {type: link-in, to: sw}
  sw: {type: switch, property: payload.v, rules: [{gte: 0}], to: {0: ch}}
  ch: {type: change, rules: [{set: payload.o.k, to: {type: num, value: 5}}], to: k1}
  k1: {type: keep}
  k2: {type: keep}
""", [{"payload": {"v": 1, "o": {"k": 0}}}], into="fan")
    assert [m["payload"] for m in result.received("k1")] == [{"v": 1, "o": {"k": 5}}]
    assert [m["payload"] for m in result.received("k2")] == [{"v": 1, "o": {"k": 0}}]
    assert changed_after_arrival() == []


def test_complete_sees_the_message_as_the_node_finished_it() -> None:
    """Not as a node after it changed it later (complete gets a copy taken when it finished)."""
    result = run("""
flowrt: 1
nodes:
  set: {type: change, rules: [{set: payload.v, to: {type: num, value: 1}}], to: later}
  later: {type: change, rules: [{set: payload.v, to: {type: num, value: 2}}], to: k}
  k: {type: keep}
  done: {type: complete, scope: [set], to: finished}
  finished: {type: keep}
""", [{"payload": {"v": 0}}], into="set")
    assert [m["payload"] for m in result.received("finished")] == [{"v": 1}]
    assert [m["payload"] for m in result.received("k")] == [{"v": 2}]


def test_a_subflow_port_is_no_way_around_the_rule() -> None:
    """A subflow whose inside only reads the message, then a change after its output port, on
    an early branch; the later branch must get the message unchanged."""
    Keep.kept.clear()
    result = run("""
flowrt: 1
subflows:
  route:
    input: sw
    nodes:
      sw: {type: switch, property: payload.v, rules: [{gte: 0}], to: $out.0}
    outputs: 1
nodes:
  fan: {type: link-in, to: [sub, k2]}
  sub: {type: subflow:route, to: ch}
  ch: {type: change, rules: [{set: payload.v, to: {type: num, value: 7}}], to: k1}
  k1: {type: keep}
  k2: {type: keep}
""", [{"payload": {"v": 1}}], into="fan")
    assert [m["payload"] for m in result.received("k1")] == [{"v": 7}]
    assert [m["payload"] for m in result.received("k2")] == [{"v": 1}]
    assert changed_after_arrival() == []


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(trees(kinds=BOTH + FLOWRT_ONLY, leaves=LEAVES))
def test_random_trees_see_what_copying_on_every_wire_sees(tree: Any) -> None:
    """Every node gets the same messages as when every wire copied, and nothing a node was
    given changes after it got it."""
    text = flowrt_flow(tree)
    Keep.kept.clear()
    fast = run(text, messages(), into=tree.root)
    assert changed_after_arrival() == []
    Keep.kept.clear()
    with copying_on_every_wire():
        reference = run(text, messages(), into=tree.root)
    assert seen(fast) == seen(reference)
    assert [e.message for e in fast.errors] == [e.message for e in reference.errors]


def test_a_function_sending_its_message_on_two_ports_is_one_message_finished() -> None:
    """As in Node-RED: each port gets its own message, and complete sees the message as the
    code left it (not the message as it came in)."""
    Keep.kept.clear()
    result = run("""
flowrt: 1
nodes:
  both:
    type: function
    outputs: 2
    func: "msg.payload.w = 2;\\nreturn [msg, [msg, msg]];"
    to: {0: first, 1: k2}
  first: {type: change, rules: [{set: payload.v, to: {type: num, value: 1}}], to: k1}
  k1: {type: keep}
  k2: {type: keep}
  done: {type: complete, scope: [both], to: finished}
  finished: {type: keep}
""", [{"payload": {"v": 0}}], into="both")
    assert [m["payload"] for m in result.received("k1")] == [{"v": 1, "w": 2}]
    assert [m["payload"] for m in result.received("k2")] == [{"v": 0, "w": 2}] * 2
    assert [m["payload"] for m in result.received("finished")] == [{"v": 0, "w": 2}]
    assert changed_after_arrival() == []
