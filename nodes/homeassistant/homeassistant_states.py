"""What the state nodes share: a state as a string, a number or a boolean (`state_type`), the
`if_state` test that picks the output, and which entities a node watches."""

from __future__ import annotations

import math
from functools import lru_cache
from typing import Any, Literal

from pydantic import field_validator, model_validator

from flowrt.api import BoundedRegex, NodeConfig, compile_regex, field

StateType = Literal["str", "num", "habool"]
Operator = Literal["is", "is_not", "lt", "lte", "gt", "gte", "includes", "does_not_include",
                   "jsonata"]
ValueType = Literal["str", "num", "bool", "habool", "re", "jsonata", "msg", "entity",
                    "prevEntity"]


class IfState(NodeConfig):
    """Node-RED's "if state": a message whose state passes goes to the first output, another
    to the second."""

    value: str = field(description="The value the state is compared with (text, as written).",
                       examples=["on", "20"])
    type: ValueType = field(
        "str", description="How `value` is read: text, a number, true/false, `habool` (true "
        "when the state is one of the connection's `ha_boolean`), a regular expression, a "
        "JSONata expression whose result is compared, a message property (`msg`), or a "
        "property of the entity (`entity`: `attributes.target`) or of its previous state "
        "(`prevEntity`).")
    operator: Operator = field(
        "is", description="The comparison; `includes` takes `value` as a comma-separated list; "
        "`jsonata` passes when `value`, a JSONata expression, gives true (it sees the entity "
        "as `$entity()`, the previous one as `$prevEntity()`).")

    @model_validator(mode="after")
    def _pattern_compiles(self) -> IfState:
        if self.type == "re":
            pattern(self.value)
        return self


@lru_cache(maxsize=512)
def pattern(text: str) -> BoundedRegex:
    """A flow author's regular expression, read as Node-RED (JavaScript) reads it, matched
    with flowrt's time bound; ValueError saying what is wrong with it."""
    return compile_regex(text, syntax="javascript")


def typed_state(state: Any, state_type: StateType, is_true: Any) -> Any:
    """The state as the node outputs it: Node-RED's `state_type` conversion."""
    if state_type == "num":
        number = to_number(state)
        return int(number) if number.is_integer() else number
    if state_type == "habool":
        return bool(is_true(state))
    return state


def to_number(value: Any) -> float:
    """JavaScript's ``Number(value)``: NaN for what is not a number, 0 for blank text."""
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, int | float):
        return float(value)
    text = str(value).strip()
    if not text:
        return 0.0
    try:
        return float(text)
    except ValueError:
        return math.nan


def passes(state: Any, test: IfState, is_true: Any) -> bool:
    """Whether the (typed) state passes the test, as Node-RED's `getComparatorResult`; the
    tests with JSONata are the comparer's (homeassistant_compare.Comparer.if_state)."""
    if test.type == "re":
        return pattern(test.value).search(str(state)) is not None
    if test.type == "habool":
        expected: Any = bool(is_true(test.value))
        actual: Any = state if isinstance(state, bool) else bool(is_true(state))
    elif test.type == "bool":
        expected = test.value.strip().lower() == "true"
        actual = state if isinstance(state, bool) else bool(is_true(state))
    elif test.type == "num" or test.operator in ("lt", "lte", "gt", "gte"):
        expected, actual = to_number(test.value), to_number(state)
    else:
        expected, actual = test.value, str(state).lower() if isinstance(state, bool) else state
        actual = str(actual)
    match test.operator:
        case "is":
            return bool(actual == expected)
        case "is_not":
            return bool(actual != expected)
        case "lt":
            return bool(actual < expected)
        case "lte":
            return bool(actual <= expected)
        case "gt":
            return bool(actual > expected)
        case "gte":
            return bool(actual >= expected)
        case "includes":
            return str(state) in [v.strip() for v in test.value.split(",")]
        case _:
            return str(state) not in [v.strip() for v in test.value.split(",")]


class Entities(NodeConfig):
    """The entities a node watches: any of the lists may be given; an entity matching one
    of them is watched."""

    exact: list[str] = field(default_factory=list, description="Entity ids, exactly.")
    substring: list[str] = field(default_factory=list,
                                 description="Parts of entity ids (`light.` for every light).")
    regex: list[str] = field(default_factory=list,
                             description="Regular expressions searched in entity ids.")

    def match(self, entity_id: str) -> bool:
        return (entity_id in self.exact
                or any(part in entity_id for part in self.substring)
                or any(pattern(text).search(entity_id) for text in self.regex))

    @field_validator("regex")
    @classmethod
    def _patterns_compile(cls, value: list[str]) -> list[str]:
        for text in value:
            pattern(text)
        return value
