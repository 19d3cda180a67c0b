"""A compiled run counts its messages once and its nodes' counts are made from that when read
(flowrt.run.fuse_code's flush, Runtime.stats): read after each message, read while a message is
in the middle of the run, read after a hot swap, they are what hop by hop counts at each node,
whichever node a message leaves the run at (a switch dropping it, a node failing, a node
sending something that is no single message, a traced message)."""

from __future__ import annotations

import asyncio
import gc
import json
from typing import Any, ClassVar
from unittest import mock

from flowrt.api import Message, NodeConfig, Output, Transform
from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.registry import Registry
from flowrt.registry.spec import spec_for
from flowrt.run import Runtime, VirtualClock, paths
from flowrt.run.fuse_counts import flush_counts
from flowrt.run.tracing import record_paths
from tests.run.test_fuse import nothing
from tests.run.test_fuse_compiled import REGISTRY as BASE
from tests.security import test_fanout


class Reads(Transform):
    """Sends its message on; first it reads every node's counts (as /metrics would, were it
    served between two nodes of a run) and keeps what it read."""

    type = "reads-counts"
    Config = NodeConfig
    runtimes: ClassVar[list[Runtime]] = []
    read: ClassVar[list[dict[str, list[int]]]] = []

    def process(self, msg: Message) -> Output:
        flush_counts()
        self.read.append({n: list(c) for n, c in self.runtimes[-1].stats.items()})
        return msg


REGISTRY = Registry([*BASE, spec_for(Reads, "test")])

FLOW = """
flowrt: 1
nodes:
  a: {type: change, rules: [{set: payload.x, to: 1}], to: sw}
  sw: {type: switch, property: payload.v, rules: [{gt: 0.5}], to: {0: odd}}
  odd: {type: odd, to: many}
  many: {type: many, to: %s}
  tpl: {type: template, syntax: mustache, property: topic, template: "v {{payload.v}}",
        to: out}
  reads: {type: reads-counts, to: out}
  out: {type: keep}
  caught: {type: catch, to: errors}
  errors: {type: keep}
"""
"""a -> sw (drops v <= 0.5) -> odd (fails an odd i) -> many (by i % 4: two messages, a text,
nothing, the message) -> tpl or reads -> out."""

PAYLOADS = [{"v": v, "i": i} for i in range(12) for v in (0.25, 0.75)] + [5, "text"]


def each_read(last: str, hop_by_hop: bool, traced: bool = False) -> list[dict[str, list[int]]]:
    """The counts of every node read after each message (and, with ``reads``, while each is
    in the run); ``traced``: sent by a source under the path recorder, every other one
    traced."""
    async def scenario() -> list[dict[str, list[int]]]:
        text = FLOW % last + "  go: {type: inject, to: a}\n"
        plan, _ = build_plan(Project(documents=[load_text(text, "c.yaml")]), REGISTRY, env={})
        with mock.patch.dict("os.environ", {"FLOWRT_METRICS_SAMPLE": "off"}):
            rt = Runtime(plan, clock=VirtualClock(), env={},
                         tap_in=nothing if hop_by_hop else None)
        Reads.runtimes.append(rt)
        await rt.start()
        assert bool(rt.instances.inputs.unfused) is not hop_by_hop
        read = []
        for i, payload in enumerate(PAYLOADS):
            if traced:
                rt.emit_source("go", {"payload": payload}, None)
            else:
                rt.inject("a", {"payload": payload, "_msgid": f"m{i}"})
            await rt.wait_idle()
            read.append({n: list(c) for n, c in rt.stats.items()})
        await rt.stop(timeout=1)
        return read

    test_fanout.Keep.kept.clear()
    if not traced:
        return asyncio.run(scenario())
    ticks = iter(i * 0.5 for i in range(10_000))
    record_paths(paths.Paths(paths.parse_sample("1/s"), clock=lambda: next(ticks)))
    try:
        return asyncio.run(scenario())
    finally:
        record_paths(None)


def test_counts_read_after_each_message_are_hop_by_hops() -> None:
    fused = each_read("tpl", hop_by_hop=False)
    reference = each_read("tpl", hop_by_hop=True)
    assert fused == reference
    assert fused[-1]["sw"][0] == len(PAYLOADS) and fused[-1]["odd"][0] == 12  # all reached sw
    assert fused[-1]["tpl"] == [6, 6]  # even i: 0, 4, 8 send two each, 2, 6, 10 none


def test_counts_read_while_a_message_is_in_the_run_end_exact() -> None:
    """A read between two nodes of a run sees the message in it counted ahead at the nodes
    after (it entered); once it has left, every count is hop by hop's, at every read."""
    Reads.read.clear()
    fused = each_read("reads", hop_by_hop=False)
    mid_run = list(Reads.read)
    Reads.read.clear()
    reference = each_read("reads", hop_by_hop=True)
    assert fused == reference
    assert len(mid_run) == len(Reads.read) > 0
    for got, want in zip(mid_run, Reads.read, strict=True):
        assert {n: got[n] for n in ("a", "sw", "odd", "many")} == {
            n: want[n] for n in ("a", "sw", "odd", "many")}  # the nodes it passed


def test_traced_messages_leave_the_run_counted_as_hop_by_hop() -> None:
    fused = each_read("tpl", hop_by_hop=False, traced=True)
    reference = each_read("tpl", hop_by_hop=True, traced=True)
    assert fused == reference
    assert fused[-1]["a"] == [len(PAYLOADS)] * 2


def test_a_hot_swap_keeps_what_the_runs_it_unwires_counted() -> None:
    """The run a -> sw -> odd -> many -> tpl is unwired (sw replaced): what it counted before is
    in its nodes' counts, then the new run's counts are added (and the old run, collected,
    adds nothing twice)."""
    def plan(rule: str) -> Any:
        text = (FLOW % "tpl").replace("[{gt: 0.5}]", rule)
        built, _ = build_plan(Project(documents=[load_text(text, "s.yaml")]), REGISTRY, env={})
        return built

    async def scenario(hop_by_hop: bool) -> tuple[dict[str, list[int]], dict[str, list[int]]]:
        tap = nothing if hop_by_hop else None
        rt = Runtime(plan("[{gt: 0.5}]"), clock=VirtualClock(), env={}, tap_in=tap)
        await rt.start()
        for i in range(8):
            rt.inject("a", {"payload": {"v": 0.75, "i": i}})
        await rt.wait_idle()
        await rt.swap(plan("[{lt: 0.5}]"))
        gc.collect()
        swapped = {n: list(c) for n, c in rt.stats.items()}
        for i in range(8):
            rt.inject("a", {"payload": {"v": 0.25, "i": i}})
        await rt.wait_idle()
        gc.collect()
        after = {n: list(c) for n, c in rt.stats.items()}
        await rt.stop(timeout=1)
        return swapped, after

    test_fanout.Keep.kept.clear()
    fused = asyncio.run(scenario(False))
    reference = asyncio.run(scenario(True))
    assert fused == reference
    assert fused[0]["a"] == [8, 8] and fused[1]["a"] == [16, 16]
    assert json.dumps(fused[1]["odd"]) == json.dumps([16, 8])  # the odd i fail both times
