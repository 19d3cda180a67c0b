"""The path recorder's cost on messages it does not sample (flowrt.run.dispatch, paths): such a
message takes the very calls it takes with the recorder off (no wrapper of a node's process or
of what it sends), and the sampled messages among them still have their whole path, across a
fan-out with a lent message, a link call, a subflow, a queued node and a catch, and are timed
(flowrt.run.metrics) as the others are."""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any, ClassVar
from unittest import mock

import pytest

from flowrt.api import AsyncTransform, Message, NodeConfig, Output, Transform
from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.run import Runtime, paths
from flowrt.run.tracing import TRACE_KEY, record_paths
from flowrt.testing import run_flow
from tests.run.test_paths import SERVICE

Calls = tuple[tuple[str, str], ...]


class Frames(Transform):
    """Notes, for each message, whether it carries a trace and the calls that led to its
    ``process`` (file and function of the six callers), and sends it on."""

    type = "frames"
    Config = NodeConfig
    seen: ClassVar[list[tuple[str, bool, Calls]]] = []

    def process(self, msg: Message) -> Output:
        calls: list[tuple[str, str]] = []
        frame = sys._getframe(1)
        while frame is not None and len(calls) < 6:
            calls.append((Path(frame.f_code.co_filename).name, frame.f_code.co_name))
            frame = frame.f_back  # type: ignore[assignment]
        self.seen.append((self.id, TRACE_KEY in msg, tuple(calls)))
        return msg


class Reads(Frames):
    """As :class:`Frames`, and only reads: it may be lent a message."""

    type = "reads"
    mutates = False


class Later(AsyncTransform):
    """A queued node: sends a message it makes, then the one it got."""

    type = "later"
    Config = NodeConfig

    async def receive(self, msg: Message) -> None:
        self.ctx.send({"payload": "made"})
        self.ctx.send(msg)


@contextmanager
def sampling_every_other() -> Iterator[paths.Paths]:
    """Records the paths of one message a second on a clock that moves half a second at each
    message a source sends: every other message is sampled."""
    ticks = iter(i * 0.5 for i in range(10_000))
    recorder = paths.Paths(paths.parse_sample("1/s"), clock=lambda: next(ticks))
    record_paths(recorder)
    try:
        yield recorder
    finally:
        record_paths(None)


CHAIN = """
flowrt: 1
id: frames
nodes:
  go: {type: inject, repeat: 0.01, payload: x, to: start}
  start: {type: change, rules: [{set: topic, to: t}], to: first}
  first: {type: frames, to: [lent, given]}
  lent: {type: reads, to: after}
  given: {type: frames}
  after: {type: frames}
"""


def calls_by_node() -> dict[tuple[str, bool], set[Calls]]:
    Frames.seen.clear()
    run_flow(CHAIN, until=0.1, nodes=[Frames, Reads])
    found: dict[tuple[str, bool], set[Calls]] = {}
    for node, traced, calls in Frames.seen:
        found.setdefault((node, traced), set()).add(calls)
    return found


def test_a_message_not_sampled_takes_the_calls_it_takes_with_the_recorder_off() -> None:
    paths.configure(paths.Sample())
    off = calls_by_node()
    with sampling_every_other() as recorder:
        on = calls_by_node()
    assert len(recorder.traces) >= 4
    for node in ("first", "lent", "given", "after"):
        assert len(off[node, False]) == 1, off  # one way through, message after message
        assert on[node, False] == off[node, False], node
        (sampled,) = on[node, True]
        assert sampled[0] == ("tracing.py", "traced")  # a sampled one: its visit is a span
        assert all(file != "tracing.py" for calls in on[node, False] for file, _ in calls)
    assert {node for node, _ in on} == {"first", "lent", "given", "after"}


class Raises(Transform):
    """Fails the messages :class:`Later` makes, sends the others on."""

    type = "raises"
    Config = NodeConfig

    def process(self, msg: Message) -> Output:
        if msg["payload"] == "made":
            raise ValueError("made")
        return msg


MAIN = """
flowrt: 1
id: main
subflows:
  tag:
    input: mark
    outputs: 1
    nodes:
      mark: {type: change, rules: [{set: payload, to: tagged}], to: $out}
nodes:
  go: {type: inject, repeat: 0.01, payload: {type: json, value: '{"n": 1}'}, to: start}
  start: {type: change, rules: [{set: topic, to: t}], to: [sw, side]}
  sw: {type: switch, property: payload.n, rules: [{gt: 0}], to: {0: call}}
  side: {type: change, rules: [{set: payload.side, to: true}]}
  call: {type: link-call, target: double-in, timeout: 5, to: sub}
  sub: {type: "subflow:tag", to: later}
  later: {type: later, to: pick}
  pick: {type: raises, to: out}
  out: {type: debug}
  caught: {type: catch, to: seen}
  seen: {type: debug}
"""
PATH = sorted([
    ("go", None), ("start", "go"), ("sw", "start"), ("side", "start"),  # sw was lent it
    ("call", "sw"), ("double", "call"), ("back", "double"), ("sub/mark", "back"),
    ("later", "sub/mark"), ("pick", "later"), ("pick", "later"),  # what later made, and sent
    ("out", "pick"), ("caught", "pick"), ("seen", "caught"),
])


def edges(visits: list[dict[str, Any]]) -> list[tuple[str, str | None]]:
    """(node, the node that sent it the message) of each visit."""
    return sorted((v["node"], None if v["from"] is None else visits[v["from"]]["node"])
                  for v in visits)


def test_the_sampled_messages_among_the_others_have_their_whole_path() -> None:
    with sampling_every_other() as recorder:
        result = run_flow(MAIN, others=[SERVICE], until=0.1, nodes=[Later, Raises])
    sent = result.sent("go")
    assert len(sent) >= 8
    assert len(recorder.traces) == (len(sent) + 1) // 2
    for trace in recorder.traces:
        assert edges(recorder.path(trace) or []) == PATH
    assert [e.caught for e in result.errors] == [True] * len(sent)
    for node in ("out", "seen"):
        arrived = [recorder.recorded(m.get(TRACE_KEY)) for m in result.received(node)]
        assert len(arrived) == len(sent)
        assert set(arrived) == set(recorder.traces) | {None}
        assert arrived.count(None) == len(sent) // 2


TIMED = """
flowrt: 1
nodes:
  go: {type: inject, to: chg}
  chg: {type: change, rules: [{set: payload.x, to: 1}], to: [sw, chg2]}
  sw: {type: switch, property: payload.x, rules: [{eq: 1}]}
  chg2: {type: change, rules: [{set: payload.y, to: 2}]}
"""


async def timed_counts(sample: str, every: str) -> dict[str, int]:
    """How many of 6 messages from a source each node timed (FLOWRT_METRICS_SAMPLE=every;
    the nodes armed after the third), with the path recorder at ``sample``."""
    plan, _ = build_plan(Project(documents=[load_text(TIMED, "timed.yaml")]), env={})
    paths.configure(paths.parse_sample(sample))
    try:
        with mock.patch.dict("os.environ", {"FLOWRT_METRICS_SAMPLE": every}):
            rt = Runtime(plan, env={})
        await rt.start()
        for i in range(6):
            if i == 3:
                rt.meter.arm()
            rt.emit_source("go", {"payload": {"i": i}}, None)
        await rt.stop()
    finally:
        paths.configure(paths.Sample())
    return {n: h.count for n, h in rt.meter.timings.items()}


@pytest.mark.parametrize("sample", ["off", "1"])
def test_a_sampled_message_is_timed_as_any_other(sample: str) -> None:
    assert asyncio.run(timed_counts(sample, "0")) == {"chg": 6, "sw": 6, "chg2": 6}
    assert asyncio.run(timed_counts(sample, "3600")) == {"chg": 1, "sw": 1, "chg2": 1}
