"""Compile switch rules into matchers: closures over the rule's constants, built once at start.

A matcher takes the value of the switch's property and the message and says whether the rule
matches. Constant operands are bound as they are (numbers get a fast path for numbers); typed
operands (``{type: msg, ...}``) are read per message through :func:`flowrt.api.compile_value`,
and ``{type: prev}`` through the switch's ``previous`` (the property's value in the previous
message).
Comparisons follow JavaScript's loose rules, as Node-RED's switch does (see js_coercion).
"""

from __future__ import annotations

import json
import operator
from collections.abc import Callable
from typing import Any

from flowrt.api import (
    MISSING,
    Message,
    NodeContext,
    NodeError,
    TypedValue,
    compile_expression,
    compile_regex,
    compile_value,
)

from .js_coercion import (
    loose_eq,
    loose_ge,
    loose_gt,
    loose_le,
    loose_lt,
    to_number,
    to_str,
)
from .switch_rules import Previous, SwitchRule, Test

Recall = Callable[[], Any]
"""The switch property's value in the previous message."""


def _never() -> Any:
    return None

_COMPARISONS: dict[str, tuple[Callable[[Any, Any], bool], Callable[[Any, Any], Any]]] = {
    "eq": (loose_eq, operator.eq),
    "neq": (lambda a, b: not loose_eq(a, b), operator.ne),
    "lt": (loose_lt, operator.lt),
    "lte": (loose_le, operator.le),
    "gt": (loose_gt, operator.gt),
    "gte": (loose_ge, operator.ge),
}


def _operand(value: Any, ctx: NodeContext, previous: Recall) -> Callable[[Message], Any]:
    if isinstance(value, Previous):
        return lambda msg: previous()
    if isinstance(value, TypedValue):
        return compile_value(value, ctx)
    return lambda msg: value


def _comparison(name: str, value: Any, ctx: NodeContext, previous: Recall) -> Test:
    loose, fast = _COMPARISONS[name]
    if isinstance(value, TypedValue | Previous):
        get = _operand(value, ctx, previous)
        return lambda a, msg: loose(a, get(msg))
    b = value
    if type(b) is int or type(b) is float:

        def numeric(a: Any, msg: Message) -> bool:
            if type(a) is float or type(a) is int:
                return fast(a, b)  # type: ignore[no-any-return]  # a bool, for two numbers
            return loose(a, b)

        return numeric
    if type(b) is str and name in ("eq", "neq"):

        def text(a: Any, msg: Message) -> bool:
            if type(a) is str:
                return bool(fast(a, b))
            return loose(a, b)

        return text
    return lambda a, msg: loose(a, b)


def _between(low: Any, high: Any, ctx: NodeContext, previous: Recall) -> Test:
    get_low, get_high = _operand(low, ctx, previous), _operand(high, ctx, previous)

    def between(a: Any, msg: Message) -> bool:
        b, c = get_low(msg), get_high(msg)
        return (loose_ge(a, b) and loose_le(a, c)) or (loose_le(a, b) and loose_ge(a, c))

    return between


def _parts(msg: Message, rule: str) -> dict[str, Any]:
    parts = msg.get("parts")
    if not isinstance(parts, dict) or "index" not in parts:
        raise NodeError(f"the {rule} rule needs a message sequence: msg.parts has no index")
    return parts


def _count(parts: dict[str, Any], rule: str) -> float:
    if "count" not in parts:
        raise NodeError(f"the {rule} rule needs msg.parts.count (the length of the sequence)")
    return to_number(parts["count"])


def _head(value: Any, ctx: NodeContext) -> Test:
    get = _operand(value, ctx, _never)
    return lambda a, msg: bool(_parts(msg, "head")["index"] < to_number(get(msg)))


def _tail(value: Any, ctx: NodeContext) -> Test:
    get = _operand(value, ctx, _never)

    def tail(a: Any, msg: Message) -> bool:
        parts = _parts(msg, "tail")
        return bool(_count(parts, "tail") - to_number(get(msg)) <= parts["index"])

    return tail


def _index_between(low: Any, high: Any, ctx: NodeContext) -> Test:
    get_low, get_high = _operand(low, ctx, _never), _operand(high, ctx, _never)

    def index_between(a: Any, msg: Message) -> bool:
        index = _parts(msg, "index_between")["index"]
        return bool(to_number(get_low(msg)) <= index <= to_number(get_high(msg)))

    return index_between


def _has_key(a: Any, key: Any) -> bool:
    if a is None or a is MISSING or isinstance(key, dict | list):
        return False
    name = to_str(key)
    if isinstance(a, dict):
        return name in a
    if isinstance(a, list | str | bytes):
        return name == "length" or (name.isdigit() and int(name) < len(a))
    return False


def _is_empty(a: Any) -> bool | None:
    """True/False for values that can be empty; None for those that cannot (numbers...)."""
    if isinstance(a, str | list | bytes | bytearray | dict):
        return len(a) == 0
    return None


_IS: dict[Any, Test] = {
    "true": lambda a, msg: a is True,
    "false": lambda a, msg: a is False,
    "null": lambda a, msg: a is None or a is MISSING,
    "not null": lambda a, msg: a is not None and a is not MISSING,
    "empty": lambda a, msg: _is_empty(a) is True,
    "not empty": lambda a, msg: _is_empty(a) is False,
}


def _is_json(a: Any) -> bool:
    try:
        json.loads(a if isinstance(a, str) else to_str(a))
    except ValueError:
        return False
    return True


_TYPES: dict[str, Callable[[Any], bool]] = {
    "string": lambda a: isinstance(a, str),
    "number": lambda a: isinstance(a, int | float) and not isinstance(a, bool),
    "boolean": lambda a: isinstance(a, bool),
    "array": lambda a: isinstance(a, list),
    "buffer": lambda a: isinstance(a, bytes | bytearray),
    "object": lambda a: isinstance(a, dict),
    "json": lambda a: a is not MISSING and not isinstance(a, dict) and _is_json(a),
    "null": lambda a: a is None,
    "undefined": lambda a: a is MISSING,
}


def _jsonata(expression: str, ctx: NodeContext) -> Test:
    run = compile_expression(expression, ctx)

    def jsonata(a: Any, msg: Message) -> bool:
        parts = msg.get("parts")
        bound = None
        if isinstance(parts, dict) and "index" in parts and "id" in parts:
            bound = {"I": parts["index"], "N": parts.get("count")}
        return run(msg, bound) is True

    return jsonata


def compile_rule(rule: SwitchRule, ctx: NodeContext, previous: Recall = _never) -> Test | None:
    """The matcher for one rule; None for ``else``, which the switch handles itself."""
    op, value = rule.operator, rule.operand
    if op in _COMPARISONS:
        return _comparison(op, value, ctx, previous)
    if op == "between":
        return _between(value[0], value[1], ctx, previous)
    if op == "contains":
        if isinstance(value, TypedValue):
            get = compile_value(value, ctx)
            return lambda a, msg: to_str(get(msg)) in to_str(a)
        needle = to_str(value)
        return lambda a, msg: needle in (a if type(a) is str else to_str(a))
    if op == "regex":
        pattern = compile_regex(value, ignore_case=rule.ignore_case, syntax=rule.syntax)
        return lambda a, msg: pattern.search(a if type(a) is str else to_str(a)) is not None
    if op == "is":
        return _IS[value if isinstance(value, str) else json.dumps(value)]
    if op == "is_type":
        check = _TYPES[value]
        return lambda a, msg: check(a)
    if op == "head":
        return _head(value, ctx)
    if op == "tail":
        return _tail(value, ctx)
    if op == "index_between":
        return _index_between(value[0], value[1], ctx)
    if op == "has_key":
        get = _operand(value, ctx, _never)
        return lambda a, msg: _has_key(a, get(msg))
    if op == "jsonata":
        return _jsonata(value, ctx)
    return None  # else
