"""The switch's fast step: its rules compiled for a fused run when each compares a number.

A fused run (flowrt/run/fuse_code.py) calls a node's fast step in place of its ``process``: it
returns what ``process`` would, or NotImplemented having done nothing. A switch has one when it
keeps no sequence and no previous value, reads a message property of names (``payload.v``) and
each rule is ``else`` or a comparison (``gt``, ``eq``...) with a number. The step walks the
message's objects to the property and, when the value is a number (not a boolean), compares it
as the rules' numeric matchers do (:mod:`.switch_matchers`: Python's comparison of two
numbers); anything else (a missing property, text, an object on the way that is no dict) is
left to ``process``, which compares as JavaScript does.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

from flowrt.api import Message, Output, StepCode, indented, lookup, parse_path, step_function

from .switch_rules import SwitchRule

Step = Callable[[Message], Output]

_OPERATORS: dict[str, Callable[[Any, Any], Any]] = {
    "eq": operator.eq, "neq": operator.ne, "lt": operator.lt, "lte": operator.le,
    "gt": operator.gt, "gte": operator.ge,
}


_SYMBOLS = {"eq": "==", "neq": "!=", "lt": "<", "lte": "<=", "gt": ">", "gte": ">="}
"""Each numeric operator as Python's comparison (what :data:`_OPERATORS` calls)."""

_EITHER = {name: (*lookup("o", "msg", "{0}"),
                  "out = NotImplemented",
                  "if type(o) is dict:",
                  *indented(lookup("x", "o", "{1}")),
                  "    if type(x) is float or type(x) is int:",
                  "        out = msg",
                  f"        port = 0 if x {symbol} {{2}} else 1")
           for name, symbol in _SYMBOLS.items()}
"""A rule then ``else`` on a property two names deep (``payload.v``), as code
(:mod:`flowrt.step_code`), per operator: the commonest switch."""

_EITHER_ON = (*lookup("o", "msg", "{0}"),
              "out = NotImplemented",
              "if type(o) is dict:",
              *indented(lookup("x", "o", "{1}")),
              "    if type(x) is float or type(x) is int:",
              "        out = msg")
""":data:`_EITHER` where both ports lead to the next node: a number goes on by one or the
other, and a comparison of two numbers does nothing else, so none is made."""


def switch_code(prop: Any, rules: list[SwitchRule]) -> StepCode | None:
    """The step of a switch of a numeric rule then ``else`` on a property two names deep, as
    code; None for any other switch."""
    if not isinstance(prop, str) or len(rules) != 2 or rules[1].operator != "else":
        return None
    keys = parse_path(prop)
    rule = rules[0]
    if (len(keys) != 2 or not all(type(k) is str for k in keys)
            or rule.operator not in _EITHER or type(rule.operand) not in (int, float)):
        return None
    return StepCode(_EITHER[rule.operator], (str(keys[0]), str(keys[1]), rule.operand), ports=2,
                    unported=_EITHER_ON)


def fast_switch(prop: Any, rules: list[SwitchRule], first: bool) -> Step | None:
    """The fast step of a switch reading ``prop`` with ``rules`` (``first``: check first),
    or None when its rules are not all numeric comparisons and ``else``."""
    code = switch_code(prop, rules)
    if code is not None:
        return step_function(code)
    if not isinstance(prop, str):
        return None
    keys = parse_path(prop)
    if not all(type(k) is str for k in keys):
        return None
    tests: list[tuple[Callable[[Any, Any], Any], Any] | None] = []
    for rule in rules:
        if rule.operator == "else":
            tests.append(None)
            continue
        value = rule.operand
        if rule.operator not in _OPERATORS or type(value) not in (int, float):
            return None
        tests.append((_OPERATORS[rule.operator], value))
    names = tuple(str(k) for k in keys)
    head = tests[0]
    read = _reader(names)
    if head is not None and len(tests) <= 2 and (len(tests) == 1 or tests[1] is None):
        return _one_rule(read, head, either=len(tests) == 2)
    return _rules(read, tests, first)


def _reader(keys: tuple[str, ...]) -> Callable[[Message], Any]:
    """The property's value when it is a number, else NotImplemented."""
    if len(keys) == 2:
        outer, inner = keys

        def two(msg: Message) -> Any:
            obj = msg.get(outer)
            if type(obj) is dict:
                value = obj.get(inner)
                if type(value) is float or type(value) is int:
                    return value
            return NotImplemented

        return two

    def walk(msg: Message) -> Any:
        value: Any = msg
        for key in keys:
            if type(value) is not dict:
                return NotImplemented
            value = value.get(key)
        if type(value) is float or type(value) is int:
            return value
        return NotImplemented

    return walk


def _one_rule(read: Callable[[Message], Any], test: tuple[Callable[[Any, Any], Any], Any],
              either: bool) -> Step:
    """One rule (the message or None), or one rule and ``else`` (``either``: one port each)."""
    compare, operand = test
    if either:

        def either_port(msg: Message) -> Output:
            value = read(msg)
            if value is NotImplemented:
                return NotImplemented  # type: ignore[no-any-return]
            return [msg, None] if compare(value, operand) else [None, msg]

        return either_port

    def only(msg: Message) -> Output:
        value = read(msg)
        if value is NotImplemented:
            return NotImplemented  # type: ignore[no-any-return]
        return msg if compare(value, operand) else None

    return only


def _rules(read: Callable[[Message], Any],
           tests: list[tuple[Callable[[Any, Any], Any], Any] | None], first: bool) -> Step:
    """Any rules: the message on each port whose rule matches, as the switch's ``_route``."""
    count = len(tests)

    def route(msg: Message) -> Output:
        value = read(msg)
        if value is NotImplemented:
            return NotImplemented  # type: ignore[no-any-return]
        out: list[Any] = [None] * count
        matched = False  # since the previous else
        for i, test in enumerate(tests):
            if test is None:
                hit = not matched
                matched = False
            else:
                hit = test[0](value, test[1])
            if hit:
                out[i] = msg
                matched = True
                if first:
                    break
        return out

    return route
