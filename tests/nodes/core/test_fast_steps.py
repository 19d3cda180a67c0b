"""The fast steps of change, switch and template (their ``fast_process``, which a fused run calls
in place of ``process``) do exactly what ``process`` does: on random configs and messages, the
step, then ``process`` where it declines (NotImplemented), gives the same output (the same
message objects on the same ports), leaves the message the same, logs the same lines and raises
the same errors as ``process`` alone; and a step that declines has changed nothing."""

from __future__ import annotations

import asyncio
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.message import clone
from flowrt.registry import default_registry
from flowrt.run import Runtime

KEYS = ("payload", "v", "x", "topic", "a")
LEAF = st.one_of(
    st.none(), st.booleans(), st.integers(-3, 3),
    st.floats(allow_nan=True, allow_infinity=True), st.sampled_from([0.5, -0.0, 1e16, 2.5e-7]),
    st.text(alphabet="ab<&'/= 1.5", max_size=4),
    st.lists(st.integers(0, 2), max_size=2),
)
VALUE = st.recursive(LEAF, lambda inner: st.dictionaries(st.sampled_from(KEYS), inner,
                                                         max_size=3), max_leaves=6)
MESSAGE = st.dictionaries(st.sampled_from(KEYS), VALUE, max_size=4)
PATH = st.lists(st.sampled_from(KEYS), min_size=1, max_size=3).map(".".join)
PATH2 = st.tuples(st.sampled_from(KEYS), st.sampled_from(KEYS)).map(".".join)
"""Two names: the shape the commonest steps take without a walk (``payload.v``)."""
PLAIN = st.one_of(st.booleans(), st.integers(-2, 2), st.floats(-1, 1), st.text("ab", max_size=2))
NUMBER = st.one_of(st.integers(-2, 2), st.floats(allow_nan=False, allow_infinity=False),
                   st.sampled_from([0.5, 0]))
"""Finite: a flow file (JSON read as YAML) has no NaN (its messages may: LEAF)."""

CHANGE = st.lists(st.one_of(
    *[st.fixed_dictionaries({"set": PATH, "to": PLAIN})] * 4,
    st.fixed_dictionaries({"set": PATH, "to": st.just({"type": "msg", "value": "topic"})}),
    st.fixed_dictionaries({"delete": PATH}),
), min_size=1, max_size=3)
COMPARE = st.dictionaries(st.sampled_from(["gt", "gte", "lt", "lte", "eq", "neq"]), NUMBER,
                          min_size=1, max_size=1)
SWITCH = st.fixed_dictionaries({
    "property": st.one_of(PATH, PATH2),
    "rules": st.one_of(
        st.lists(st.one_of(*[COMPARE] * 8, st.just({"else": True}),
                           st.sampled_from([{"eq": "1"}, {"gt": True}])), min_size=1, max_size=4),
        st.tuples(COMPARE, st.just({"else": True})).map(list)),
    "check": st.sampled_from(["all", "first"]),
})
TAGS = st.lists(st.one_of(st.sampled_from(["v ", " <", "&"]), *[PATH.map("{{%s}}".__mod__)] * 3,
                          PATH.map("{{{%s}}}".__mod__),
                          st.sampled_from(["{{.}}", "{{flow.k}}", "{{#a}}b{{/a}}"])),
                min_size=1, max_size=3).map("".join)
ONE_TAG = st.tuples(st.sampled_from(["v ", ""]), PATH2, st.sampled_from(["", "!"])).map(
    lambda t: t[0] + "{{" + t[1] + "}}" + t[2])
TEMPLATE = st.fixed_dictionaries({
    "syntax": st.sampled_from(["mustache", "mustache", "plain"]),
    "template": st.one_of(TAGS, ONE_TAG),
    "property": st.one_of(PATH, st.sampled_from(KEYS)),
    "output": st.sampled_from(["text", "text", "json"]),
})


def planted(draw: Any, paths: list[str], constants: list[Any]) -> list[Any]:
    """Messages of which most hold a value at some of ``paths`` (else few would reach a step's
    own code): a random message, with a leaf, one of the config's ``constants`` or an object
    put at most paths."""
    messages = []
    near = st.sampled_from(constants) if constants else NUMBER
    for _ in range(draw(st.integers(1, 8))):
        msg = draw(MESSAGE)
        for path in paths:
            if not draw(st.integers(0, 4)):
                continue  # a fifth of them left as drawn
            *head, last = path.split(".")
            obj = msg
            for key in head:
                if not isinstance(obj.get(key), dict):
                    obj[key] = {}
                obj = obj[key]
            obj[last] = draw(st.one_of(near, NUMBER, LEAF, LEAF, MESSAGE))
        messages.append(msg)
    return messages


def constants_in(config: Any) -> list[Any]:
    """The numbers a config's rules compare with."""
    return [v for r in config.get("rules", ()) for v in r.values()
            if type(v) in (int, float)] if isinstance(config, dict) else []


def paths_in(config: Any) -> list[str]:
    """The property paths a config names (its strings that are paths)."""
    if isinstance(config, dict):
        return [p for v in config.values() for p in paths_in(v)]
    if isinstance(config, list):
        return [p for v in config for p in paths_in(v)]
    if isinstance(config, str):
        names = config.replace("{", " ").replace("}", " ").split()
        return [n for n in names if all(k in KEYS for k in n.split("."))]
    return []


def shape(out: Any, msg: Any) -> Any:
    """An output with the message object itself as "MSG" (which object went where)."""
    if out is msg:
        return "MSG"
    if isinstance(out, list):
        return [shape(item, msg) for item in out]
    return out


def same(a: Any, b: Any) -> bool:
    """Equal, with NaN equal to NaN and -0.0 told from 0.0 (as JSON-like values)."""
    if isinstance(a, float) and isinstance(b, float):
        return (math.isnan(a) and math.isnan(b)) or (a == b and math.copysign(1, a)
                                                     == math.copysign(1, b))
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(same(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(same(x, y) for x, y in zip(a, b, strict=True))
    return type(a) is type(b) and a == b


def outcome(call: Any, msg: Any, logs: list[Any]) -> tuple[Any, Any, list[Any]]:
    logs.clear()
    try:
        out = shape(call(msg), msg)
    except Exception as exc:
        out = ("raised", type(exc).__name__, str(exc))
    return out, msg, list(logs)


def check(config: dict[str, Any], messages: list[Any]) -> bool:
    """Compare the node's fast step (then process) with process on each message; True when
    the node offered a step."""

    async def scenario() -> bool:
        text = json.dumps({"flowrt": 1, "nodes": {"n": config}})
        plan, _ = build_plan(Project(documents=[load_text(text, "f.yaml")]), default_registry(),
                             env={})
        rt = Runtime(plan, env={})
        logs: list[Any] = []
        rt.events.hooks.log.append(lambda node, level, line, msg: logs.append((level, line)))
        rt.events.hooks.error.append(lambda e: logs.append((e.node, e.message)))
        await rt.start()
        try:
            node: Any = rt.nodes["n"]
            step = node.fast_process()
            if step is None:
                return False
            for msg in messages:
                before = clone(msg)
                fused_msg = clone(msg)
                logs.clear()
                out = step(fused_msg)
                if out is NotImplemented:
                    assert same(fused_msg, before), "a step that declines changed the message"
                    assert logs == []
                    fused = outcome(node.process, fused_msg, logs)
                else:
                    TOOK.append(config["type"])
                    fused = (shape(out, fused_msg), fused_msg, list(logs))
                alone = outcome(node.process, clone(msg), logs)
                assert fused[0] == alone[0] or same(fused[0], alone[0]), (msg, fused, alone)
                assert same(fused[1], alone[1]), (msg, fused, alone)
                assert fused[2] == alone[2], (msg, fused, alone)
            return True
        finally:
            await rt.stop()

    return asyncio.run(scenario())


TOOK: list[str] = []
"""The node types whose step took a message itself (not left it to process)."""

PROPERTY = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@PROPERTY
@given(CHANGE, st.data())
def test_change_fast_step_is_its_process(rules: list[Any], data: st.DataObject) -> None:
    messages = planted(data.draw, paths_in(rules) or ["payload"], [])
    offered = check({"type": "change", "rules": rules}, messages)
    assert offered == all("set" in r and not isinstance(r["to"], dict) for r in rules)


@PROPERTY
@given(SWITCH, st.data())
def test_switch_fast_step_is_its_process(config: dict[str, Any], data: st.DataObject) -> None:
    messages = planted(data.draw, paths_in(config) or ["payload"], constants_in(config))
    offered = check({"type": "switch", **config}, messages)
    numeric = all(next(iter(r)) == "else" or type(next(iter(r.values()))) in (int, float)
                  for r in config["rules"])
    assert offered == numeric, config


@PROPERTY
@given(TEMPLATE, st.data())
def test_template_fast_step_is_its_process(config: dict[str, Any], data: st.DataObject) -> None:
    messages = planted(data.draw, paths_in(config) or ["payload"], constants_in(config))
    offered = check({"type": "template", **config}, messages)
    assert offered == (config["syntax"] == "mustache" and config["output"] == "text"
                       and "{{#" not in config["template"])


def test_the_steps_take_the_common_messages_themselves() -> None:
    """Not every message declines: chain5's nodes decide its messages without ``process``."""

    async def scenario() -> list[Any]:
        text = json.dumps({"flowrt": 1, "nodes": {
            "c": {"type": "change", "rules": [{"set": "payload.x", "to": 1}]},
            "s": {"type": "switch", "property": "payload.v", "rules": [{"gt": 0.5},
                                                                       {"else": True}]},
            "t": {"type": "template", "syntax": "mustache", "template": "value {{payload.v}}",
                  "property": "topic"}}})
        plan, _ = build_plan(Project(documents=[load_text(text, "f.yaml")]), default_registry(),
                             env={})
        rt = Runtime(plan, env={})
        await rt.start()
        steps = [rt.nodes[n].fast_process() for n in "cst"]  # type: ignore[attr-defined]
        await rt.stop()
        msg = {"payload": {"v": 0.75}}
        return [shape(step(msg), msg) for step in steps] + [msg]

    assert asyncio.run(scenario()) == [
        "MSG", ["MSG", None], "MSG", {"payload": {"v": 0.75, "x": 1}, "topic": "value 0.75"}]
