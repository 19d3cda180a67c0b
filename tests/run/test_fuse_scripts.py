"""Script nodes in a compiled run take their fast step (their body called with the node's
attributes bound once, under the node's delivery): on random chains of scripts doing what
scripts do (return the message, another one, nothing, several on one port, a list per port;
send with ``node.send`` of a display or of the message, then return, at once or after an
``await`` (an asynchronous body: its node sends for the message it holds); raise; read and write
context; warn), with change, switch and template nodes between them (and a delay at the
end, or not), the same messages
reach the same nodes in the same order with the same message ids, the same errors name the
same nodes and lines, the same logs are written, and every node counts the same, as hop by
hop; and the messages a script sends are finished before the message that came in is
(at-least-once: its source's acknowledgement settles at the same point as hop by hop)."""

from __future__ import annotations

import asyncio
import json
from typing import Any
from unittest import mock

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowrt.api import Message
from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.message import clone
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.run import Runtime, VirtualClock
from flowrt.testing.driver import drive, start
from tests.run.test_fuse import Ran, counts, kept, nothing
from tests.security import test_fanout

REGISTRY = Registry([*default_registry(), spec_for(test_fanout.Keep, "test")])

BODIES = [
    "return msg",
    "msg['payload']['n'] = msg['payload'].get('n', 0) + 1\nreturn msg",
    "return None",
    "return {'payload': msg['payload'], 'topic': 'new'}",
    "node.send({'payload': {'i': msg['payload']['i'], 'sent': True}})\nreturn msg",
    "node.send(msg)\nreturn None",
    "if msg['payload']['i'] % 3 == 0:\n    raise ValueError('three')\nreturn msg",
    "c = context.get('c', 0) + 1\ncontext.set('c', c)\nmsg['payload']['c'] = c\nreturn msg",
    "node.warn('seen ' + str(msg['payload']['i']))\nreturn msg",
    "return [[msg, {'payload': {'i': -1}}]]",
    "return 'not a message'",
    "flow.set('last', msg['payload']['i'])\nreturn msg if flow.get('last') % 2 else None",
    "await sleep(0.5)\nnode.send({'payload': {'i': msg['payload']['i'], 'late': True}})\n"
    "return msg",
    "await sleep(0.5)\nnode.send({'payload': {'i': msg['payload']['i'], 'late': True}})",
]


@st.composite
def chains(draw: Any) -> str:
    length = draw(st.integers(2, 5))
    nodes: dict[str, Any] = {}
    end = draw(st.sampled_from(["out", "dl"]))  # dl: the messages reach out a second later
    for i in range(length):
        to = f"n{i + 1}" if i < length - 1 else end
        kind = draw(st.sampled_from(["script", "script", "script", "change", "switch",
                                     "template"]))
        if kind == "script":
            nodes[f"n{i}"] = {"type": "script", "code": draw(st.sampled_from(BODIES)), "to": to}
        elif kind == "change":
            nodes[f"n{i}"] = {"type": "change", "rules": [{"set": "payload.x", "to": 1}],
                              "to": to}
        elif kind == "switch":
            nodes[f"n{i}"] = {"type": "switch", "property": "payload.i",
                              "rules": [{"gt": 2}, {"else": True}], "to": {"0": to, "1": to}}
        else:
            nodes[f"n{i}"] = {"type": "template", "syntax": "mustache", "property": "topic",
                              "template": "i {{payload.i}}", "to": to}
    nodes.update({"dl": {"type": "delay", "delay": 1, "to": "out"},
                  "out": {"type": "keep"}, "caught": {"type": "catch", "to": "errors"},
                  "errors": {"type": "keep"}})
    return json.dumps({"flowrt": 1, "nodes": nodes})


class Settled:
    """A source's acknowledgement: records its message, whether it failed, and how many
    messages the flow's recorders had been given when it settled."""

    def __init__(self, msgid: str, log: list[tuple[str, bool, int]]) -> None:
        self.msgid, self.log = msgid, log

    def settle(self, failed: bool) -> None:
        self.log.append((self.msgid, failed, len(test_fanout.Keep.kept)))

    async def ack(self) -> None:
        self.settle(False)

    async def nack(self, requeue: bool = True) -> None:
        self.settle(True)


def run(text: str, sent: list[Message], hop_by_hop: bool = False
        ) -> tuple[Ran, list[tuple[str, bool, int]]]:
    """The chain run on ``sent``, each message under an acknowledgement of its own; with the
    acknowledgements as they settled."""

    async def scenario() -> tuple[Ran, list[tuple[str, bool, int]]]:
        plan, _ = build_plan(Project(documents=[load_text(text, "s.yaml")]), REGISTRY, env={})
        clock = VirtualClock()
        with mock.patch.dict("os.environ", {"FLOWRT_METRICS_SAMPLE": "off"}):
            rt = Runtime(plan, clock=clock, env={}, tap_in=nothing if hop_by_hop else None)
        ran = Ran(rt)
        settled: list[tuple[str, bool, int]] = []
        deadline = asyncio.get_running_loop().time() + 10
        await start(rt, clock, deadline)
        for msg in sent:
            d = rt.flow.new_delivery(Settled(msg["_msgid"], settled))
            rt.inputs["n0"](clone(msg), d)
            d.release()
        await drive(rt, clock, None, deadline)
        await rt.stop(timeout=1)
        return ran, settled

    return asyncio.run(scenario())


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(chains(), st.lists(st.integers(0, 6), min_size=1, max_size=5))
def test_random_chains_of_scripts_compiled_do_what_hop_by_hop_does(text: str,
                                                                   items: list[int]) -> None:
    sent = [{"payload": {"i": i}, "_msgid": f"m{k}"} for k, i in enumerate(items)]
    test_fanout.Keep.kept.clear()
    fast, fast_settled = run(text, sent)
    got = [(node, msg) for node, msg in kept(fast)]
    ids = [m.get("_msgid") for _, m, _ in test_fanout.Keep.kept]
    test_fanout.Keep.kept.clear()
    reference, reference_settled = run(text, sent, hop_by_hop=True)
    assert reference.fused == set()
    assert "n0" in fast.fused  # every node leads to the next alone: one compiled run
    assert got == kept(reference)
    assert ids == [m.get("_msgid") for _, m, _ in test_fanout.Keep.kept]
    assert [(e.node, e.msgid, e.message, e.caught) for e in fast.errors] == [
        (e.node, e.msgid, e.message, e.caught) for e in reference.errors]
    assert fast.logs == reference.logs
    assert counts(fast) == counts(reference)
    assert fast_settled == reference_settled
    assert len(fast_settled) == len(sent)


def test_an_asynchronous_script_s_sends_hold_back_its_message_s_acknowledgement() -> None:
    """What an asynchronous body sends after its ``await`` belongs to the message it holds: the
    acknowledgement waits until that message has come out of the delay after it."""
    text = json.dumps({"flowrt": 1, "nodes": {
        "n0": {"type": "script", "code": BODIES[-1], "to": "n1"},  # sends, returns nothing
        "n1": {"type": "change", "rules": [{"set": "payload.x", "to": 1}], "to": "dl"},
        "dl": {"type": "delay", "delay": 1, "to": "out"},
        "out": {"type": "keep"}}})
    test_fanout.Keep.kept.clear()
    _, settled = run(text, [{"payload": {"i": 1}, "_msgid": "m0"}])
    assert [m["payload"] for _, m, _ in test_fanout.Keep.kept] == [
        {"i": 1, "late": True, "x": 1}]
    assert settled == [("m0", False, 1)]
