"""Imported delay, trigger and rbe nodes do what they do in Node-RED: the same messages (payload
and topic) reach the same debug nodes, in the same order, in real Node-RED and in flowrt.

Each case is one small flow: an inject node (once, after 0.5 s) starts a function node that
sends a fixed script of messages (each step: messages sent together, so many milliseconds after
the start) into the node under test, whose outputs go to debug nodes. Node-RED runs every case
at once in real time, flowrt each on its simulated clock; only the sequences are compared, never
times. Where the order of a node's timer and a step matters, they are at least 200 ms apart
(topic-mode intervals of 1 s tick half-way between steps), so a busy machine does not change
what comes out. Each case also states what it must send, so an empty result on both sides
fails too.

Differences found, left out of the cases (the flowrt nodes are not changed here):

- rbe, `rbe`/`rbei` modes: Node-RED compares an object payload with `{}` when the last value of
  its topic was not an object (or there was none), so an empty object `{}` there is blocked:
  payloads 1, {}, {"a": 1}, {}, "s", {} give 1, {"a": 1}, {}, "s" in Node-RED, all six in
  flowrt (a Node-RED quirk; flowrt passes a value that changed).
- rbe: a `reset` message whose topic is not a string (topic 5) makes Node-RED forget every
  topic's last value; flowrt forgets only that topic's. (1, "a"), (1, 5), (1, 5, reset), (1, "a")
  give a:1, 5:1, 5:1, a:1 in Node-RED and a:1, 5:1, 5:1 in flowrt.
- delay, topic modes: a numeric `msg.flush` (`{flush: 1}`) is, in Node-RED, queued itself and
  sent at the next interval as a message `{topic: "_none_", flush: 1}` (its `Math.floor(flush,
  len)` bug); flowrt flushes and sends nothing more.
Fixed in the import: a trigger whose two messages are both "nothing" sent two `null` payloads in
flowrt; it now sends nothing, as in Node-RED (case "trigger: send nothing at all"). Fixed in the
trigger node: its repeat with `overrideDelay` repeated at `msg.delay` once, then at the
configured duration (case "trigger: repeat at msg.delay's interval").

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_timing.py`
(Node-RED is installed by npm in ~/.cache/flowrt/nodered4 on first use).
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.nodered.differential import run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home

KEYS = ("topic", "payload")
Step = tuple[int, list[dict[str, Any]]]
"""Milliseconds after the script starts, and the messages sent then, in order."""


@dataclass
class Case:
    name: str
    node: dict[str, Any]
    """The Node-RED node under test, without id, z and wires."""
    steps: list[Step]
    expected: list[list[Any]]
    """What each output's debug node gets: payloads, or [topic, payload] for messages with a
    topic."""
    outputs: int = 1
    extra: dict[str, Any] = field(default_factory=dict)


def _m(payload: Any, topic: str | None = None, **more: Any) -> dict[str, Any]:
    msg: dict[str, Any] = {"payload": payload, **more}
    if topic is not None:
        msg["topic"] = topic
    return msg


def _each(payloads: list[Any], topic: str | None = None) -> list[Step]:
    """One step sending all ``payloads`` at once."""
    return [(0, [_m(p, topic) for p in payloads])]


def _rbe(func: str, gap: str = "", **more: Any) -> dict[str, Any]:
    return {"type": "rbe", "func": func, "gap": gap, "start": "", "inout": "out",
            "septopics": True, "property": "payload", "topi": "topic", **more}


def _delay(pause: str, **more: Any) -> dict[str, Any]:
    return {"type": "delay", "pauseType": pause, "timeout": "5", "timeoutUnits": "seconds",
            "rate": "1", "nbRateUnits": "1", "rateUnits": "second", "randomFirst": "1",
            "randomLast": "5", "randomUnits": "seconds", "drop": False, "allowrate": False,
            "outputs": 1, **more}


def _trigger(**more: Any) -> dict[str, Any]:
    return {"type": "trigger", "op1": "1", "op2": "0", "op1type": "str", "op2type": "str",
            "duration": "250", "extend": False, "overrideDelay": False, "units": "ms",
            "reset": "", "bytopic": "all", "topic": "topic", "outputs": 1, **more}


CASES = [
    # rbe --------------------------------------------------------------------------------
    Case("rbe: block unless changed", _rbe("rbe"),
         _each([1, 1, 2, 2, "2", "a", "a", True, True, [1, 2], [1, 2], [1, 3], {"x": 1},
                {"x": 1}, {"x": 2}, 1]),
         [[1, 2, "2", "a", True, [1, 2], [1, 3], {"x": 1}, {"x": 2}, 1]]),
    Case("rbe: ignore the initial value", _rbe("rbei"), _each([5, 5, 6, 6, 5]), [[6, 5]]),
    Case("rbe: each topic separately", _rbe("rbe"),
         [(0, [_m(1, "a"), _m(1, "b"), _m(1, "a"), _m(2, "b"), _m(2, "a"), _m(2, "b")])],
         [[["a", 1], ["b", 1], ["b", 2], ["a", 2]]]),
    Case("rbe: all topics as one", _rbe("rbe", septopics=False),
         [(0, [_m(1, "a"), _m(1, "b"), _m(2, "a"), _m(2, "b"), _m(3, "b")])],
         [[["a", 1], ["a", 2], ["b", 3]]]),
    Case("rbe: reset one topic", _rbe("rbe"),
         [(0, [_m(1, "a"), _m(1, "b"), _m(1, "a", reset=True), _m(1, "b"), _m(1, "a")])],
         [[["a", 1], ["b", 1], ["a", 1]]]),
    Case("rbe: deadband", _rbe("deadband", "2"),
         _each([10, 11, 12, 13, 9, 9.5, "20 degrees", "x", 17]),
         [[10, 13, 9, "20 degrees", 17]]),
    Case("rbe: deadband or equal, compared with the last input", _rbe("deadbandEq", "2",
                                                                     inout="in"),
         _each([10, 11, 12, 13, 15, 16, 19]), [[10, 15, 19]]),
    Case("rbe: reset by a message without a payload", _rbe("rbei"),
         _each([1, 2]) + [(0, [{"reset": True}, _m(2), _m(2), _m(3)])], [[2, 3]]),
    Case("rbe: narrowband, compared with the last input", _rbe("narrowband", "2", inout="in"),
         _each([10, 13, 16, 17, 30, 31]), [[10, 17, 31]]),
    Case("rbe: narrowband from a start value", _rbe("narrowband", "3", start="10"),
         _each([20, 12, 11, 15, 14, 17]), [[12, 11, 14, 17]]),
    Case("rbe: narrowband or equal, percent", _rbe("narrowbandEq", "10%"),
         _each([100, 105, 120, 110, 116, 100]), [[100, 105, 110, 116]]),
    # delay ------------------------------------------------------------------------------
    Case("delay: fixed", _delay("delay", timeout="100", timeoutUnits="milliseconds"),
         [(0, [_m("a"), _m("b"), _m("c")]), (400, [_m("d", "t")])],
         [["a", "b", "c", ["t", "d"]]]),
    Case("delay: flush one, then reset", _delay("delay", timeout="1"),
         [(0, [_m("a"), _m("b")]), (300, [{"flush": 1}]), (500, [{"reset": True}]),
          (800, [_m("c")])],
         [["a", "c"]]),
    Case("delay: msg.delay overrides", _delay("delayv", timeout="200",
                                             timeoutUnits="milliseconds"),
         [(0, [_m("A", delay=400), _m("B", delay=100), _m("C"), _m("D", delay="x")])],
         [["B", "C", "D", "A"]]),
    Case("delay: rate limit, queueing", _delay("rate", nbRateUnits="0.4"),
         [(0, [_m(1), _m(2), _m(3), _m(4), _m(5)]), (600, [{"reset": True}]),
          (1000, [_m(6), _m(7, toFront=True), _m(8)])],
         [[1, 2, 6, 7, 8]]),
    Case("delay: rate limit, queueing, to the front", _delay("rate", nbRateUnits="0.4"),
         [(0, [_m(1), _m(2), _m(3), _m(4, toFront=True)])], [[1, 4, 2, 3]]),
    Case("delay: rate limit, dropping intermediate messages",
         _delay("rate", nbRateUnits="0.3", drop=True, outputs=2),
         [(0, [_m(1), _m(2), _m(3)]), (500, [_m(4)]), (1000, [_m(5), _m(6)])],
         [[1, 4, 5], [2, 3, 6]], outputs=2),
    Case("delay: rate limit, dropping, reset", _delay("rate", nbRateUnits="0.5", drop=True),
         _each([1, 2]) + [(0, [_m(0, reset=True), _m(3), _m(4)])], [[1, 3]]),
    Case("delay: each topic in turn", _delay("queue"),
         [(0, [_m(1, "a"), _m(1, "b"), _m(2, "a"), _m(1, "c"), _m(2, "b")])],
         [[["a", 2], ["b", 2], ["c", 1]]]),
    Case("delay: each topic in turn, reset", _delay("queue"),
         [(0, [_m(1, "a"), _m(1, "b")]), (1000, [_m(9, "z", reset=True)]), (1200, [_m(2, "c")])],
         [[["a", 1], ["c", 2]]]),
    Case("delay: all topics each interval", _delay("timed"),
         [(0, [_m(1, "a"), _m(1, "b"), _m(2, "a")]), (1200, [_m(1, "c"), _m(3, "b")])],
         [[["a", 2], ["b", 1], ["c", 1], ["b", 3]]]),
    # trigger ----------------------------------------------------------------------------
    Case("trigger: send, then a second after a time",
         _trigger(op1="on", op2="off", duration="200"),
         [(0, [_m("A", "t"), _m("B", "t")]), (600, [_m("C")])],
         [[["t", "on"], ["t", "off"], "on", "off"]]),
    Case("trigger: second message on a second output",
         _trigger(op1type="pay", op2="done", duration="200", outputs=2),
         [(0, [_m("A"), _m("B")]), (600, [_m("C")])],
         [["A", "C"], ["done", "done"]], outputs=2),
    Case("trigger: extend, the second from the latest message",
         _trigger(op1type="pay", op2type="payl", duration="300", extend=True),
         [(0, [_m("A1")]), (100, [_m("A2")]), (200, [_m("A3")]), (1000, [_m("B")])],
         [["A1", "A3", "B", "B"]]),
    Case("trigger: extend, the second's payload from the first message",
         _trigger(op1type="pay", op2type="pay", duration="300", extend=True),
         [(0, [_m("A", "t")]), (100, [_m("B", "u")])], [[["t", "A"], ["u", "A"]]]),
    Case("trigger: msg.delay overrides the wait",
         _trigger(op1="on", op2="off", duration="1000", overrideDelay=True),
         [(0, [_m("A", delay=100)]), (300, [_m("B")]), (400, [_m("C", delay=50)])],
         [["on", "off", "on", "off"]]),
    Case("trigger: reset by payload while waiting",
         _trigger(op1="on", op2="off", duration="300", reset="stop"),
         [(0, [_m("A")]), (100, [_m("stop")]), (600, [_m("C")])],
         [["on", "on", "off"]]),
    Case("trigger: send, then wait for a reset",
         _trigger(op1="on", op2type="nul", duration="0", reset="stop"),
         [(0, [_m("A"), _m("B")]), (100, [_m("stop")]), (200, [_m("C"), _m("D")]),
          (300, [{"reset": True}]), (400, [_m("E")])],
         [["on", "on", "on"]]),
    Case("trigger: send nothing, then the second (a watchdog)",
         _trigger(op1type="nul", op2="timeout", duration="300", extend=True),
         [(0, [_m("A")]), (100, [_m("B")]), (200, [_m("C")]), (1000, [_m("D")])],
         [["timeout", "timeout"]]),
    Case("trigger: send nothing, then the original payload",
         _trigger(op1type="nul", op2type="pay", duration="200"),
         [(0, [_m("A"), _m("B")]), (500, [_m("C")])], [["A", "C"]]),
    Case("trigger: send nothing at all",
         _trigger(op1type="nul", op2type="nul", duration="100"),
         [(0, [_m("A")]), (300, [_m("B")]), (600, [_m("end", "t")])], [[]]),
    Case("trigger: repeat until reset",
         _trigger(op1type="pay", duration="-400"),
         [(0, [_m("A", "t")]), (1000, [_m("x", "t", reset=True)]), (1400, [_m("B")]),
          (1600, [{"reset": True}])],
         [[["t", "A"], ["t", "A"], ["t", "A"], "B"]]),
    Case("trigger: repeat at msg.delay's interval",
         _trigger(op1type="pay", duration="-1000", overrideDelay=True),
         [(0, [_m("A", delay=300)]), (750, [{"reset": True}])],
         [["A", "A", "A"]]),
    Case("trigger: each topic separately",
         _trigger(op1="on", op2="off", duration="400", bytopic="topic"),
         [(0, [_m(1, "a"), _m(1, "b"), _m(2, "a")]), (800, [_m(1, "a"), _m(1, "b")]),
          (1000, [_m("x", "a", reset=True)])],
         [[["a", "on"], ["b", "on"], ["a", "off"], ["b", "off"], ["a", "on"], ["b", "on"],
           ["b", "off"]]]),
    Case("trigger: repeat each topic until its reset",
         _trigger(op1type="pay", duration="-600", bytopic="topic"),
         [(0, [_m(1, "a")]), (300, [_m(1, "b")]), (1000, [_m(0, "a", reset=True)]),
          (1700, [_m(0, "b", reset=True)])],
         [[["a", 1], ["b", 1], ["a", 1], ["b", 1], ["b", 1]]]),
    Case("trigger: the latest payload of each topic",
         _trigger(op1type="nul", op2type="payl", duration="200", bytopic="topic"),
         [(0, [_m(1, "a"), _m(1, "b"), _m(2, "a"), _m(3, "b"), _m(4, "a")])],
         [[["a", 4], ["b", 3]]]),
]

FEEDER = (
    "const steps = %s;\n"
    "for (const [at, msgs] of steps) {\n"
    "    setTimeout(() => { for (const m of msgs) { node.send(m); } }, at);\n"
    "}\n"
    "return null;"
)


def build(case: Case, prefix: str) -> list[dict[str, Any]]:
    """The case's Node-RED flow, every id starting with ``prefix``."""
    z = f"{prefix}tab"
    outs = [f"{prefix}out{i}" for i in range(case.outputs)]
    return [
        {"id": z, "type": "tab", "label": case.name},
        {"id": f"{prefix}start", "type": "inject", "z": z, "props": [{"p": "payload"}],
         "payload": "", "payloadType": "str", "topic": "", "once": True, "onceDelay": 0.5,
         "repeat": "", "crontab": "", "x": 100, "y": 100, "wires": [[f"{prefix}script"]]},
        {"id": f"{prefix}script", "type": "function", "z": z, "outputs": 1,
         "func": FEEDER % json.dumps(case.steps), "x": 250, "y": 100,
         "wires": [[f"{prefix}node"]]},
        {**case.node, "id": f"{prefix}node", "z": z, "name": case.name, "x": 400, "y": 100,
         "wires": [[out] for out in outs]},
        *({"id": out, "type": "debug", "z": z, "active": True, "complete": "false",
           "x": 550, "y": 100 + 40 * i, "wires": []} for i, out in enumerate(outs)),
    ]


def _shown(received: dict[str, list[Any]], prefix: str, outputs: int) -> list[list[Any]]:
    """Per output, what its debug node got: payloads, or [topic, payload] with a topic."""
    return [[[item["topic"], item.get("payload")] if "topic" in item else item.get("payload")
             for item in received.get(f"{prefix}out{i}", [])] for i in range(outputs)]


def test_delay_trigger_and_rbe_send_what_node_red_sends(tmp_path: Path) -> None:
    home = nodered_home()
    flows = {case.name: build(case, f"c{index}.") for index, case in enumerate(CASES)}
    prefixes = {case.name: f"c{index}." for index, case in enumerate(CASES)}
    ours_raw = {name: run_flowrt(nodes, KEYS) for name, nodes in flows.items()}
    ours = {case.name: _shown(ours_raw[case.name], prefixes[case.name], case.outputs)
            for case in CASES}
    wrong = {case.name: {"flowrt": ours[case.name], "expected": case.expected}
             for case in CASES if ours[case.name] != case.expected}
    expected = sum(len(v) for got in ours_raw.values() for v in got.values())
    theirs_raw = run_nodered(flows, home, tmp_path, expected, keys=KEYS)
    theirs = {case.name: _shown(theirs_raw[case.name], prefixes[case.name], case.outputs)
              for case in CASES}
    differing = {case.name: {"flowrt": ours[case.name], "node-red": theirs[case.name]}
                 for case in CASES if ours[case.name] != theirs[case.name]}
    assert differing == {}, json.dumps(differing, indent=1)[:6000]
    assert wrong == {}, json.dumps(wrong, indent=1)[:6000]
