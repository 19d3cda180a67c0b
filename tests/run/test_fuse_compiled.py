"""A fused run compiled to straight-line code (flowrt.run.fuse_code), with the fast steps of
change, switch and template, does what hop by hop does: on random chains (switches whose ports
all lead to the next node, or some of them, or also elsewhere; nodes failing, sending several
messages or something that is no message; payloads that are no objects) the same messages
reach the same nodes in the same order, the same errors name the same nodes and reach catch,
and every node counts the same messages in and out. Then by hand: a switch sending a message
on two ports to the next node, metrics timing a node of a compiled run, traced messages, and a
hot swap of a switch in the middle of a run."""

from __future__ import annotations

import asyncio
import json
import string
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any, ClassVar
from unittest import mock

import jsonata  # noqa: F401  # its import raises the recursion limit: not in a hypothesis test
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowrt.api import Message, NodeConfig, Output, Transform
from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.message import clone
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.run import Runtime, VirtualClock, fuse_code, paths
from flowrt.run.delivery import Delivery
from flowrt.run.tracing import TRACE_KEY, record_paths
from flowrt.testing.driver import drive, start
from tests.run import test_fuse
from tests.run.test_fuse import Ran, counts, kept, nothing
from tests.security import test_fanout


class Odd(Transform):
    """Raises on an odd ``payload.i``, sends the others on."""

    type = "odd"
    Config = NodeConfig

    def process(self, msg: Message) -> Output:
        if msg["payload"]["i"] % 2:
            raise ValueError(f"odd {msg['payload']['i']}")
        return msg


class Many(Transform):
    """By ``payload.i`` modulo 4: two messages on its port, a text, nothing, or the message."""

    type = "many"
    Config = NodeConfig

    def process(self, msg: Message) -> Output:
        i = msg["payload"]["i"] if isinstance(msg.get("payload"), dict) else 0
        return [[msg, clone(msg)]] if i % 4 == 0 else "text" if i % 4 == 1 else (
            None if i % 4 == 2 else msg)


class Ports(Transform):
    """Two ports; by ``payload.i`` modulo 3: the message alone (port 0), on port 1, on port 0."""

    type = "ports"
    Config = NodeConfig

    @classmethod
    def output_count(cls, config: Any) -> int:
        return 2

    def process(self, msg: Message) -> Output:
        i = msg["payload"]["i"] if isinstance(msg.get("payload"), dict) else 0
        return msg if i % 3 == 0 else [None, msg] if i % 3 == 1 else [msg, None]


class Declines(Transform):
    """Offers a fast step, asked of it once it started, which takes an even payload itself
    and declines an odd one; ``process`` notes the delivery it runs under."""

    type = "declines"
    Config = NodeConfig
    asked: ClassVar[list[bool]] = []
    """For each time the step was asked of a node: whether the node had started."""
    seen: ClassVar[list[tuple[int, Delivery | None]]] = []
    took: ClassVar[list[tuple[str, int]]] = []
    """(node, payload) of each message a fast step took itself."""

    async def start(self) -> None:
        self.started = True

    def fast_process(self) -> Any:
        self.asked.append(getattr(self, "started", False))

        def step(msg: Message) -> Output:
            if msg["payload"] % 2:
                return NotImplemented  # type: ignore[no-any-return]
            msg["fast"] = True
            self.took.append((self.id, msg["payload"]))
            return msg

        return step

    def process(self, msg: Message) -> Output:
        self.seen.append((msg["payload"], self.ctx.delivery))  # type: ignore[attr-defined]
        msg["fast"] = False
        return msg


class Broken(Transform):
    """Its fast step cannot be made (a bug): ``process`` must still take every message."""

    type = "broken"
    Config = NodeConfig

    def fast_process(self) -> Any:
        raise RuntimeError("no step")

    def process(self, msg: Message) -> Output:
        msg["seen"] = True
        return msg


REGISTRY = Registry([*default_registry(),
                     *(spec_for(c, "test") for c in (test_fuse.Note, test_fuse.Reads,
                                                     test_fanout.Keep, Odd, Many, Ports,
                                                     Declines, Broken))])

NUMBER = st.one_of(st.integers(-1, 2), st.sampled_from([0.5, 0.25, 1.5]))
COMPARISON = st.dictionaries(st.sampled_from(["gt", "lt", "gte", "eq"]),
                             st.sampled_from([0, 0.5, 1]), min_size=1, max_size=1)


@st.composite
def node(draw: Any, next_id: str) -> dict[str, Any]:
    """One node of a chain, wired to ``next_id``."""
    kind = draw(st.sampled_from(["change", "change", "slow", "switch", "switch", "switch",
                                 "switch", "template", "template", "odd", "many", "reads",
                                 "ports"]))
    if kind == "change":
        return {"type": "change", "rules": [{"set": draw(st.sampled_from(
            ["payload.x", "topic", "payload.v"])), "to": draw(NUMBER)}], "to": next_id}
    if kind == "slow":
        return {"type": "change", "rules": [{"set": "payload.w", "to": {
            "type": "jsonata", "value": "payload.i * 2"}}], "to": next_id}
    if kind == "template":
        return {"type": "template", "syntax": "mustache", "property": draw(st.sampled_from(
            ["topic", "payload.t"])), "template": draw(st.sampled_from(
                ["v {{payload.v}}", "{{{payload.v}}}!", "{{payload}}", "{{flow.k}}"])),
            "to": next_id}
    if kind == "switch":
        rules = [draw(COMPARISON) if draw(st.integers(0, 3)) else {"else": True}
                 for _ in range(draw(st.sampled_from([1, 2, 2, 3])))]
        ports = [draw(st.integers(0, 3)) > 0 for _ in rules]  # most lead on
        wires: dict[str, Any] = {str(p): next_id for p, on in enumerate(ports) if on}
        if draw(st.integers(0, 5)) == 0:  # also elsewhere: no link
            wires["0"] = [next_id, "side"]
        return {"type": "switch", "property": "payload.v", "rules": rules,
                "check": draw(st.sampled_from(["all", "all", "first"])),
                "to": wires or {"0": next_id}}
    if kind == "ports":
        return {"type": kind, "to": {str(p): next_id for p in draw(st.sampled_from(
            [(0, 1), (1,), (0,)]))}}
    return {"type": kind, "to": next_id}


@st.composite
def chains(draw: Any) -> str:
    length = draw(st.integers(2, 6))
    nodes = {f"n{i}": draw(node(f"n{i + 1}" if i < length - 1 else "out"))
             for i in range(length)}
    nodes.update({"out": {"type": "keep"}, "side": {"type": "keep"},
                  "caught": {"type": "catch", "to": "errors"}, "errors": {"type": "keep"}})
    return json.dumps({"flowrt": 1, "nodes": nodes})


@st.composite
def payloads(draw: Any) -> Any:
    """Mostly ``{i, v}`` with a number v (what the switches compare), else other values of v,
    none, a payload that is no object, or none at all (:data:`NO_PAYLOAD`: the steps' look-ups
    of a missing key)."""
    kind = draw(st.integers(0, 9))
    if kind >= 4:
        return {"i": draw(st.integers(0, 7)), "v": draw(NUMBER)}
    if kind >= 1:
        return {"i": draw(st.integers(0, 7)), **draw(st.fixed_dictionaries({}, optional={
            "v": st.one_of(st.floats(allow_nan=False), st.text("<1.", max_size=2), st.none(),
                           st.booleans())}))}
    return draw(st.sampled_from([5, "text", None, NO_PAYLOAD]))


NO_PAYLOAD = "<no payload>"
"""A drawn payload standing for a message with no ``payload`` key."""


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.lists(payloads(), min_size=1, max_size=6))
def test_random_chains_compiled_do_what_hop_by_hop_does(text: str, payloads: list[Any]) -> None:
    sent = [{"_msgid": f"m{i}"} if p == NO_PAYLOAD else {"payload": p, "_msgid": f"m{i}"}
            for i, p in enumerate(payloads)]
    test_fanout.Keep.kept.clear()
    fast = run(text, sent)
    got = kept(fast)
    assert test_fanout.changed_after_arrival() == []
    test_fanout.Keep.kept.clear()
    reference = run(text, sent, hop_by_hop=True)
    assert reference.fused == set()
    assert got == kept(reference)
    assert [(e.node, e.msgid, e.message, e.caught) for e in fast.errors] == [
        (e.node, e.msgid, e.message, e.caught) for e in reference.errors]
    assert counts(fast) == counts(reference)


def run(text: str, sent: list[Message], hop_by_hop: bool = False, into: str = "n0") -> Ran:
    async def scenario() -> Ran:
        plan, _ = build_plan(Project(documents=[load_text(text, "c.yaml")]), REGISTRY, env={})
        clock = VirtualClock()
        with mock.patch.dict("os.environ", {"FLOWRT_METRICS_SAMPLE": "off"}):
            # no node armed: every message takes the compiled code (arming: a test below)
            rt = Runtime(plan, clock=clock, env={}, tap_in=nothing if hop_by_hop else None)
        ran = Ran(rt)
        deadline = asyncio.get_running_loop().time() + 10
        await start(rt, clock, deadline)
        for msg in sent:
            rt.inject(into, clone(msg))
        await drive(rt, clock, None, deadline)
        await rt.stop(timeout=1)
        return ran

    return asyncio.run(scenario())


CHAIN5 = """
flowrt: 1
nodes:
  chg: {type: change, rules: [{set: payload.x, to: 1}], to: sw}
  sw: {type: switch, property: payload.v, rules: [{gt: 0.5}, {%s: true}], to: {0: fn, 1: fn}}
  fn: {type: note, to: tpl}
  tpl: {type: template, syntax: mustache, property: topic, template: "value {{payload.v}}",
        to: out}
  out: {type: keep}
"""


def test_a_switch_whose_ports_all_lead_on_is_fused_into_its_run() -> None:
    test_fanout.Keep.kept.clear()
    ran = run(CHAIN5 % "else", [{"payload": {"v": 0.75}}, {"payload": {"v": 0.25}}],
              into="chg")
    assert ran.fused == {"chg", "sw", "fn", "tpl"}
    assert [m["topic"] for _, m, _ in test_fanout.Keep.kept] == ["value 0.75", "value 0.25"]
    assert counts(ran)["sw"] == [2, 2]


def test_a_switch_sending_a_message_on_two_ports_to_the_next_node_sends_two_copies() -> None:
    """Check all, both rules match (gt 0.5, and lte 10 for 0.75): the message goes out twice,
    as hop by hop: each of the two gets its own object, and the counts say two."""
    text = CHAIN5.replace("{%s: true}", "{lte: 10}")
    sent = [{"payload": {"v": 0.75}}, {"payload": {"v": 0.25}}]
    test_fanout.Keep.kept.clear()
    fast = run(text, sent, into="chg")
    got = test_fanout.Keep.kept[:]
    test_fanout.Keep.kept.clear()
    hops = run(text, sent, into="chg", hop_by_hop=True)
    assert "sw" in fast.fused
    assert [m["topic"] for _, m, _ in got] == ["value 0.75", "value 0.75", "value 0.25"]
    assert got[0][1] is not got[1][1]
    assert kept(fast) == kept(hops)
    assert counts(fast) == counts(hops)
    assert counts(fast)["sw"] == [2, 3] and counts(fast)["fn"] == [3, 3]


def test_a_node_of_a_compiled_run_armed_by_metrics_is_timed_once() -> None:
    async def scenario() -> dict[str, int]:
        plan, _ = build_plan(Project(documents=[load_text(CHAIN5 % "else", "t.yaml")]),
                             REGISTRY, env={})
        rt = Runtime(plan, env={})
        await rt.start()
        for i in range(6):
            if i == 2:
                rt.meter.arm()
            rt.inject("chg", {"payload": {"v": i / 5}})
        await rt.stop()
        return {n: h.count for n, h in rt.meter.timings.items()}

    assert asyncio.run(scenario()) == {"chg": 1, "sw": 1, "fn": 1, "tpl": 1, "out": 1}


def test_traced_messages_leave_a_compiled_run_with_their_whole_path() -> None:
    text = CHAIN5 % "else" + "  go: {type: inject, to: chg}\n"
    ticks = iter(i * 0.5 for i in range(10_000))
    recorder = paths.Paths(paths.parse_sample("1/s"), clock=lambda: next(ticks))

    async def scenario() -> Runtime:
        plan, _ = build_plan(Project(documents=[load_text(text, "p.yaml")]), REGISTRY, env={})
        rt = Runtime(plan, env={})
        await rt.start()
        for i in range(4):
            rt.emit_source("go", {"payload": {"v": i / 3}}, None)
        await rt.stop()
        return rt

    test_fanout.Keep.kept.clear()
    record_paths(recorder)
    try:
        rt = asyncio.run(scenario())
    finally:
        record_paths(None)
    assert set(rt.instances.inputs.unfused) == {"chg", "sw", "fn", "tpl"}
    assert len(recorder.traces) == 2
    for trace in recorder.traces:
        assert sorted(v["node"] for v in recorder.path(trace) or []) == [
            "chg", "fn", "go", "out", "sw", "tpl"]
    assert [TRACE_KEY in m for _, m, _ in test_fanout.Keep.kept] == [True, False] * 2
    assert [m["topic"] for _, m, _ in test_fanout.Keep.kept] == [
        "value 0", "value 0.3333333333333333", "value 0.6666666666666666", "value 1"]
    assert [rt.stats[n] for n in ("chg", "sw", "tpl")] == [[4, 4]] * 3


def test_a_switch_replaced_mid_run_takes_its_new_rules_in_the_compiled_run() -> None:
    """chg -> sw -> fn -> tpl is one run; sw is replaced (gt 0.5 becomes gt 0.9 with no
    else): the run is compiled again, with the new switch's fast step."""
    def plan(rules: str) -> Any:
        text = (CHAIN5 % "else").replace("[{gt: 0.5}, {else: true}]", rules)
        built, _ = build_plan(Project(documents=[load_text(text, "s.yaml")]), REGISTRY, env={})
        return built

    async def scenario() -> tuple[set[str], set[str]]:
        rt = Runtime(plan("[{gt: 0.5}, {else: true}]"), clock=VirtualClock(), env={})
        await rt.start()
        rt.inject("chg", {"payload": {"v": 0.75}})
        rt.inject("chg", {"payload": {"v": 0.25}})
        before = set(rt.instances.inputs.unfused)
        await rt.swap(plan("[{gt: 0.9}, {lt: 0}]"))
        rt.inject("chg", {"payload": {"v": 0.75}})
        rt.inject("chg", {"payload": {"v": 0.95}})
        after = set(rt.instances.inputs.unfused)
        await rt.stop(timeout=1)
        return before, after

    test_fanout.Keep.kept.clear()
    before, after = asyncio.run(scenario())
    assert before == after == {"chg", "sw", "fn", "tpl"}
    assert [m["payload"]["v"] for _, m, _ in test_fanout.Keep.kept] == [0.75, 0.25, 0.95]


def test_a_fast_step_is_asked_once_started_and_a_declined_message_runs_under_its_delivery(
) -> None:
    text = """
flowrt: 1
nodes:
  a: {type: declines, to: b}
  b: {type: declines, to: out}
  out: {type: keep}
"""

    async def scenario() -> tuple[set[str], list[bool], list[Any], list[Any]]:
        plan, _ = build_plan(Project(documents=[load_text(text, "d.yaml")]), REGISTRY, env={})
        with mock.patch.dict("os.environ", {"FLOWRT_METRICS_SAMPLE": "off"}):
            rt = Runtime(plan, env={})
        await rt.start()
        delivered = []
        for payload in (1, 2, 3):
            d = rt.flow.new_delivery()
            rt.inputs["a"]({"payload": payload}, d)
            delivered.append(d)
            d.release()
        after = [rt.contexts[n].delivery for n in "ab"]
        await rt.stop()
        seen = [(p, delivered.index(d) if d in delivered else d) for p, d in Declines.seen]
        return set(rt.instances.inputs.unfused), Declines.asked, seen, after

    Declines.asked.clear()
    Declines.seen.clear()
    test_fanout.Keep.kept.clear()
    fused, asked, seen, after = asyncio.run(scenario())
    assert fused == {"a", "b"}
    assert asked == [True, True]
    assert seen == [(1, 0), (1, 0), (3, 2), (3, 2)]
    assert after == [None, None]
    assert [(m["payload"], m["fast"]) for _, m, _ in test_fanout.Keep.kept] == [
        (1, False), (2, True), (3, False)]


def test_a_node_armed_by_metrics_that_gets_no_message_leaves_the_rest_of_its_run_compiled(
) -> None:
    """a -> b -> out is one run; the meter arms all three, then messages enter at b only (as a
    source script at a run's head sends from inside its process): b's first message is timed
    by its process, the next ones take its fast step again, a stays armed."""
    text = """
flowrt: 1
nodes:
  a: {type: declines, to: b}
  b: {type: declines, to: out}
  out: {type: keep}
"""

    async def scenario() -> dict[str, int]:
        plan, _ = build_plan(Project(documents=[load_text(text, "a.yaml")]), REGISTRY, env={})
        with mock.patch.dict("os.environ", {"FLOWRT_METRICS_SAMPLE": "3600"}):
            rt = Runtime(plan, env={})
        await rt.start()
        rt.meter.arm()
        for payload in (2, 4, 6):
            rt.inject("b", {"payload": payload})
        await rt.stop()
        return {n: h.count for n, h in rt.meter.timings.items()}

    Declines.took.clear()
    Declines.seen.clear()
    timed = asyncio.run(scenario())
    assert timed == {"a": 0, "b": 1, "out": 1}
    assert Declines.seen == [(2, Declines.seen[0][1])]
    assert Declines.took == [("b", 4), ("b", 6)]


def test_a_node_whose_fast_step_cannot_be_made_runs_its_process() -> None:
    text = """
flowrt: 1
nodes:
  b: {type: broken, to: c}
  c: {type: broken, to: out}
  out: {type: keep}
"""
    test_fanout.Keep.kept.clear()
    ran = run(text, [{"payload": 1}, {"payload": 2}], into="b")
    assert ran.fused == {"b", "c"}
    assert [(m["payload"], m["seen"]) for _, m, _ in test_fanout.Keep.kept] == [(1, True),
                                                                              (2, True)]
    assert ran.errors == []
    assert counts(ran)["c"] == [2, 2]


CHG, SW = "chg_import_os", "sw-system.x"


@contextmanager
def compiled_sources() -> Iterator[list[str]]:
    """The source of each run compiled meanwhile (none taken from the factories' cache)."""
    fuse_code._factory.cache_clear()
    sources: list[str] = []
    real = fuse_code._source

    def kept_source(shape: Any) -> str:
        sources.append(real(shape))
        return sources[-1]

    with mock.patch.object(fuse_code, "_source", kept_source):
        yield sources


def test_what_an_author_wrote_is_never_in_a_compiled_run_s_source() -> None:
    """Node ids, rules, constants and templates holding Python reach the generated code only as
    values bound by name: the source compiled for each run shape is made of the module's own
    identifiers and numbers, and the values do their work as data (nothing is executed)."""

    attack = "__import__('os').system('touch /tmp/fused-pwned')"
    text = f"""
flowrt: 1
nodes:
  "{CHG}":
    type: change
    rules: [{{set: payload.x, to: "{attack}"}}]
    to: "{SW}"
  "{SW}":
    type: switch
    property: payload.v
    rules: [{{gt: 0.5}}, {{else: true}}]
    to: {{0: tpl, 1: tpl}}
  tpl: {{type: template, syntax: mustache, property: topic, template: "{attack} {{{{payload.v}}}}",
        to: out}}
  out: {{type: keep}}
"""
    test_fanout.Keep.kept.clear()
    with compiled_sources() as sources:
        ran = run(text, [{"payload": {"v": 0.75}}, {"payload": {"v": 0.25}}], into=CHG)
    assert ran.fused == {CHG, SW, "tpl"}
    assert [m["payload"]["x"] for _, m, _ in test_fanout.Keep.kept] == [attack, attack]
    assert [m["topic"] for _, m, _ in test_fanout.Keep.kept] == [f"{attack} 0.75",
                                                            f"{attack} 0.25"]
    assert sources
    for source in sources:
        assert "import" not in source and "system" not in source and "chg" not in source
        assert set(source) <= set(string.ascii_letters + string.digits + " _()[]:=,.+-!<>#\n")
