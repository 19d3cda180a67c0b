"""Random trees of core nodes that fan out, as flowrt flow files and as Node-RED exports.

A tree starts at one entry node; every node's output ports hold a list of children (random
order, with a recorder at a random position), so messages fan out on ports, on several ports at
once (a switch checking all rules, a function sending one message on two ports) and in
sequences (split). The node kinds change messages in place at several depths (``payload.v``,
``payload.o.k``, ``payload.tags``), only read them (switch, filter, link), hold them (delay) or
fail on some (an error goes to a catch node). Some nodes are watched by complete nodes.

The same tree renders to a flowrt flow (:func:`flowrt_flow`) and to a Node-RED export
(:func:`nodered_flow`), for the differential test.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st

BOTH = ("set", "nest", "del", "push", "inc", "two", "switch", "all", "rbe", "delay", "link",
        "throw", "split", "pass")
"""Kinds both engines run the same way."""
FLOWRT_ONLY = ("script2",)
"""A Python script that sends one object on two ports."""
PORTS = {"two": 2, "switch": 2, "all": 2, "script2": 2}
WATCHABLE = ("set", "nest", "del", "push", "inc", "two", "pass")
"""Kinds a complete node may watch (both engines finish a message where it leaves them).
Node-RED's switch never reports a message complete (its input handler takes no `done`);
flowrt's does (docs/nodered.md)."""
LEAVES = ("rec", "read")
"""Recorders: a node that keeps what it is given, and a debug node (a reader)."""


@dataclass
class Tree:
    nodes: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Id -> {"kind", "k" (a small number the kind uses), "ports": [[child ids]]}."""
    watched: list[str] = field(default_factory=list)
    root: str = "n0"

    def __repr__(self) -> str:
        return f"Tree(root={self.root!r}, watched={self.watched!r}, nodes={self.nodes!r})"

    def recorders(self) -> list[str]:
        return [n for n, spec in self.nodes.items() if spec["kind"] in LEAVES]


def messages(count: int = 3) -> list[dict[str, Any]]:
    """The messages sent into the root, one after the other."""
    return [{"payload": {"v": 1 + 5 * i, "tags": [i], "o": {"k": i},
                         "items": [{"n": i}, {"n": i + 10}]}} for i in range(count)]


@st.composite
def trees(draw: st.DrawFn, kinds: tuple[str, ...] = BOTH, max_nodes: int = 14,
          leaves: tuple[str, ...] = ("rec",)) -> Tree:
    tree = Tree()

    def new(kind: str) -> str:
        node_id = f"n{len(tree.nodes)}"
        tree.nodes[node_id] = {"kind": kind, "k": draw(st.integers(0, 9)), "ports": []}
        return node_id

    def grow(depth: int) -> str:
        inner = [n for n, s in tree.nodes.items() if s["kind"] not in LEAVES]
        if depth > 4 or len(inner) >= max_nodes:
            return new(draw(st.sampled_from(leaves)))
        node_id = new(draw(st.sampled_from(kinds)))
        spec = tree.nodes[node_id]
        for _ in range(PORTS.get(spec["kind"], 1)):
            children = [grow(depth + 1) for _ in range(draw(st.integers(0, 3 if depth < 3 else 1)))]
            children.insert(draw(st.integers(0, len(children))), new(draw(st.sampled_from(leaves))))
            spec["ports"].append(children)
        return node_id

    grow(0)
    watchable = [n for n, s in tree.nodes.items() if s["kind"] in WATCHABLE]
    if watchable:
        tree.watched = sorted(draw(st.sets(st.sampled_from(watchable), max_size=2)))
    return tree


# flowrt ------------------------------------------------------------------------------------

def _flowrt_node(spec: dict[str, Any]) -> dict[str, Any]:
    kind, k = spec["kind"], spec["k"]
    num = {"type": "num", "value": k}
    made: dict[str, Any] = {
        "set": {"type": "change", "rules": [{"set": "payload.v", "to": num}]},
        "nest": {"type": "change", "rules": [{"set": "payload.o.k", "to": num}]},
        "del": {"type": "change", "rules": [{"delete": "payload.o"}]},
        "push": {"type": "function", "func": _PUSH % k},
        "inc": {"type": "function", "func": _INC % k},
        "two": {"type": "function", "outputs": 2, "func": _TWO % k},
        "throw": {"type": "function", "func": _THROW % k},
        "pass": {"type": "function", "func": "return msg;"},
        "switch": {"type": "switch", "property": "payload.v",
                   "rules": [{"gt": k + 1}, {"else": True}]},
        "all": {"type": "switch", "property": "payload.v",
                "rules": [{"gte": -1000}, {"lte": 1000}]},
        "rbe": {"type": "filter", "property": "payload.v"},
        "delay": {"type": "delay", "delay": 0.1},
        "split": {"type": "split", "property": "payload.items"},
        "script2": {"type": "script", "outputs": 2,
                    "code": f"msg['payload']['s'] = {k}\nreturn [msg, msg]"},
        "read": {"type": "debug"},
        "rec": {"type": "keep"},
        "link": {"type": "link-out"},
    }[kind]
    return made


_PUSH = "(msg.payload.tags = msg.payload.tags || []).push(%d);\nreturn msg;"
_INC = "msg.payload.v = (msg.payload.v || 0) + %d;\nreturn msg;"
_TWO = "msg.payload.w = %d;\nreturn [msg, msg];"
_THROW = ("if (msg.payload.v %% 2) { throw new Error('odd ' + msg.payload.v); }\n"
          "msg.payload.even = %d;\nreturn msg;")


def flowrt_flow(tree: Tree) -> str:
    """The tree as a flowrt flow file (JSON text); recorders are ``keep`` nodes."""
    nodes: dict[str, Any] = {}
    for node_id, spec in tree.nodes.items():
        made = _flowrt_node(spec)
        ports = spec["ports"]
        if spec["kind"] == "link":
            made = {"type": "link-out", "links": [f"{node_id}in"]}
            nodes[f"{node_id}in"] = {"type": "link-in", "to": ports[0]}
        elif len(ports) == 1:
            made["to"] = ports[0]
        elif ports:
            made["to"] = {str(i): p for i, p in enumerate(ports)}
        nodes[node_id] = made
        if spec["kind"] == "throw":
            nodes[f"{node_id}catch"] = {"type": "catch", "scope": [node_id],
                                        "to": f"{node_id}caught"}
            nodes[f"{node_id}caught"] = {"type": "keep"}
    for node_id in tree.watched:
        nodes[f"{node_id}done"] = {"type": "complete", "scope": [node_id],
                                   "to": f"{node_id}finished"}
        nodes[f"{node_id}finished"] = {"type": "keep"}
    return json.dumps({"flowrt": 1, "id": "fanout", "nodes": nodes})


# Node-RED -----------------------------------------------------------------------------------

def _nodered_node(spec: dict[str, Any]) -> dict[str, Any]:
    kind, k = spec["kind"], spec["k"]

    def change(*rules: dict[str, Any]) -> dict[str, Any]:
        return {"type": "change", "rules": list(rules)}

    def function(code: str, outputs: int = 1) -> dict[str, Any]:
        return {"type": "function", "func": code, "outputs": outputs}

    def rule(t: str, v: str) -> dict[str, Any]:
        return {"t": t, "v": v, "vt": "num"}

    return {
        "set": change({"t": "set", "p": "payload.v", "pt": "msg", "to": str(k), "tot": "num"}),
        "nest": change({"t": "set", "p": "payload.o.k", "pt": "msg", "to": str(k),
                        "tot": "num"}),
        "del": change({"t": "delete", "p": "payload.o", "pt": "msg"}),
        "push": function(_PUSH % k),
        "inc": function(_INC % k),
        "two": function(_TWO % k, 2),
        "throw": function(_THROW % k),
        "pass": function("return msg;"),
        "switch": {"type": "switch", "property": "payload.v", "propertyType": "msg",
                   "rules": [rule("gt", str(k + 1)), {"t": "else"}], "checkall": "false",
                   "outputs": 2},
        "all": {"type": "switch", "property": "payload.v", "propertyType": "msg",
                "rules": [rule("gte", "-1000"), rule("lte", "1000")], "checkall": "true",
                "outputs": 2},
        "rbe": {"type": "rbe", "func": "rbe", "gap": "", "start": "", "inout": "out",
                "septopics": True, "property": "payload.v", "topi": "topic"},
        "delay": {"type": "delay", "pauseType": "delay", "timeout": "100",
                  "timeoutUnits": "milliseconds", "rate": "1", "nbRateUnits": "1",
                  "rateUnits": "second", "randomFirst": "1", "randomLast": "5",
                  "randomUnits": "seconds", "drop": False, "allowrate": False,
                  "outputs": 1},
        "split": {"type": "split", "splt": "\\n", "spltType": "str", "arraySplt": 1,
                  "arraySpltType": "len", "stream": False, "addname": "",
                  "property": "payload.items"},
        "rec": {"type": "debug", "active": True, "tosidebar": True, "console": False,
                "complete": "payload", "targetType": "msg"},
    }[kind]


def nodered_flow(tree: Tree, prefix: str, count: int = 3) -> list[dict[str, Any]]:
    """The tree as a Node-RED export: one tab, ``count`` inject nodes into the root (each
    sends one of :func:`messages`), recorders as debug nodes."""
    z = f"{prefix}tab"
    out: list[dict[str, Any]] = [{"id": z, "type": "tab", "label": prefix}]

    def add(node_id: str, made: dict[str, Any], wires: list[list[str]]) -> None:
        out.append({"id": f"{prefix}{node_id}", "z": z, "name": "", "x": 100, "y": 100,
                    **made, "wires": [[f"{prefix}{w}" for w in port] for port in wires]})

    for i, msg in enumerate(messages(count)):
        add(f"inject{i}", {"type": "inject", "props": [{"p": "payload"}],
                           "payload": json.dumps(msg["payload"]), "payloadType": "json",
                           "repeat": "", "crontab": "", "once": True, "onceDelay": 0.1,
                           "topic": ""}, [[tree.root]])
    for node_id, spec in tree.nodes.items():
        if spec["kind"] == "link":
            add(node_id, {"type": "link out", "mode": "link", "links": [f"{prefix}{node_id}in"]},
                [])
            add(f"{node_id}in", {"type": "link in", "links": [f"{prefix}{node_id}"]},
                spec["ports"])
            continue
        add(node_id, _nodered_node(spec), spec["ports"])
        if spec["kind"] == "throw":
            add(f"{node_id}catch", {"type": "catch", "scope": [f"{prefix}{node_id}"],
                                    "uncaught": False}, [[f"{node_id}caught"]])
            add(f"{node_id}caught", _nodered_node({"kind": "rec", "k": 0}), [])
    for node_id in tree.watched:
        add(f"{node_id}done", {"type": "complete", "scope": [f"{prefix}{node_id}"],
                               "uncaught": False}, [[f"{node_id}finished"]])
        add(f"{node_id}finished", _nodered_node({"kind": "rec", "k": 0}), [])
    return out
