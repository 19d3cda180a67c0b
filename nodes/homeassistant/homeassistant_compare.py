"""The comparator of node-red-contrib-home-assistant-websocket's wait-until and get-entities
(its ``ComparatorService``): a property of an entity tested against a value read as a type,
with JavaScript's strict equality and ordering, comma-separated lists, regular expressions and
JSONata expressions that see the entity as ``$entity()``."""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import (
    MISSING,
    ExpressionEvaluator,
    Message,
    NodeConfig,
    compile_expression,
    field,
    get_property,
    js_string,
)

from .homeassistant_states import IfState, passes, pattern, to_number

Comparator = Literal["is", "is_not", "lt", "lte", "gt", "gte", "includes",
                     "does_not_include", "cont", "starts_with", "in_group", "jsonata"]
ValueKind = Literal["str", "num", "bool", "habool", "re", "jsonata", "msg", "entity",
                    "prevEntity"]
States = Callable[[], Mapping[str, Any]]

_FLOAT = re.compile(r"\s*[+-]?(?:Infinity|(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)")


class EntityTest(NodeConfig):
    """A test of an entity: its `property` compared by `comparator` with `value`."""

    property: str = field("state", description="The property of the entity tested "
                          "(`state`, `attributes.brightness`); unused by `jsonata`.")
    comparator: Comparator = field(
        "is", description="`is`, `is_not`, `lt`, `lte`, `gt`, `gte`, `includes` and "
        "`does_not_include` (`value` a comma-separated list), `cont` (contains), "
        "`starts_with`, `in_group` (`value` a group entity), `jsonata` (`value` an expression "
        "that must give true).")
    value: str = field("", description="What the property is compared with.",
                       examples=["on", "20", "$entity().attributes.brightness > 100"])
    type: ValueKind = field(
        "str", description="How `value` is read: text, a number, `bool` (true for `true`), "
        "`habool` (one of the connection's `ha_boolean`), `re` (a regular expression), "
        "`jsonata` (an expression), `msg` (a message property), `entity` (a property of the "
        "entity), `prevEntity` (a property of the entity's previous state).")

    @model_validator(mode="after")
    def _pattern_compiles(self) -> EntityTest:
        if self.type == "re" and self.comparator != "jsonata":
            pattern(self.value)
        return self


def expression_of(test: EntityTest) -> str | None:
    """The JSONata expression a test evaluates, if any."""
    if test.comparator == "jsonata" or test.type == "jsonata":
        return test.value if test.value.strip() else None
    return None


def selectn(path: str, value: Any) -> Any:
    """A property of ``value`` by a dotted path; MISSING when absent."""
    if not path or value is None:
        return MISSING
    try:
        return get_property(value, path, MISSING)
    except (ValueError, TypeError, KeyError):
        return MISSING


def parse_float(text: str) -> float:
    """JavaScript's ``parseFloat``: the number the text starts with, NaN for none."""
    found = _FLOAT.match(text)
    if found is None:
        return math.nan
    return float(found.group().strip().replace("Infinity", "inf"))


class Comparer:
    """Runs tests for one node: its JSONata expressions compiled once, with the package's
    functions `$entity()`, `$prevEntity()`, `$entities(id)` and `$outputData(name)`."""

    def __init__(self, ctx: Any, tests: Iterable[EntityTest | IfState | None], states: States,
                 is_true: Callable[[Any], bool]) -> None:
        self._ctx = ctx
        self._states = states
        self._is_true = is_true
        self._compiled: dict[str, ExpressionEvaluator] = {}
        for test in tests:
            if isinstance(test, IfState):
                test = _entity_test(test)
            if test is not None:
                self.prepare(test)

    def prepare(self, test: EntityTest) -> None:
        """Compile the test's expression (a test given by a message, at its arrival)."""
        text = expression_of(test)
        if text is not None:
            self.compile(text)

    def compile(self, text: str) -> ExpressionEvaluator:
        found = self._compiled.get(text)
        if found is None:
            found = self._compiled[text] = compile_expression(text, self._ctx)
        return found

    def evaluate(self, text: str, msg: Message | None, **data: Any) -> Any:
        """A JSONata expression of the message, with the package's functions: `$entity()`
        and `$prevEntity()` (``data``'s `entity` and `prevEntity`), `$entities(id)`, and
        `$outputData(name)` (an item of ``data``; none: all of them)."""
        import jsonata  # type: ignore[import-untyped]

        lam = jsonata.Jsonata.JLambda
        given = {k: v for k, v in data.items() if v is not None}
        variables = {
            "entity": lam(lambda: data.get("entity")),
            "prevEntity": lam(lambda: data.get("prevEntity")),
            "entities": lam(lambda entity_id=None: self._entities(entity_id)),
            "outputData": lam(lambda name=None: given if not name else data.get(name)),
        }
        return self.compile(text)(msg if msg is not None else {}, variables)

    def holds(self, test: EntityTest, actual: Any, msg: Message | None,
              entity: Any = None, prev: Any = None) -> bool:
        """Whether ``actual`` (MISSING for none) passes ``test``."""
        def run(text: str) -> Any:
            return self.evaluate(text, msg, entity=entity, prevEntity=prev)

        operator, kind, text = test.comparator, test.type, test.value
        if operator == "jsonata":
            return True if not text.strip() else run(text) is True
        wanted: Any
        if kind == "msg":
            wanted = get_property(msg or {}, text, MISSING) if text else MISSING
        elif kind in ("entity", "prevEntity"):
            wanted = selectn(text, entity if kind == "entity" else prev)
        elif kind == "jsonata" and text.strip():
            wanted = run(text)
        elif kind == "bool":
            wanted = text == "true"
        elif operator in ("includes", "does_not_include"):
            wanted = [v.strip() for v in text.split(",")] if text else []
        elif kind == "num":
            wanted = parse_float(text)
        elif kind == "habool":
            wanted = self._is_true(text)
        elif kind == "re":
            wanted = pattern(text)
        else:
            wanted = text
        return _compare(operator, wanted, actual, kind == "re", self._states)

    def if_state(self, test: IfState, state: Any, msg: Message | None = None,
                 entity: Any = None, prev: Any = None) -> bool:
        """Node-RED's "if state" of the typed ``state``: with JSONata (the comparator, or
        the value's type) or a value from the message or the entity, the package's
        comparator; else `passes`."""
        found = _entity_test(test)
        if found is None:
            return passes(state, test, self._is_true)
        return self.holds(found, state, msg, entity, prev)

    def _entities(self, entity_id: Any) -> Any:
        states = self._states()
        if entity_id is None:
            return dict(states)
        return states.get(str(entity_id))


def _entity_test(test: IfState) -> EntityTest | None:
    """An "if state" with JSONata, or a value from the message or the entity, as the
    comparer's test; None for one without."""
    if test.operator != "jsonata" and test.type not in ("jsonata", "msg", "entity",
                                                        "prevEntity"):
        return None
    return EntityTest(comparator=test.operator, value=test.value, type=test.type)


def _compare(operator: str, wanted: Any, actual: Any, regex: bool, states: States) -> bool:
    match operator:
        case "is" | "is_not":
            same = (wanted.search(_text(actual)) is not None) if regex \
                else strict_equal(wanted, actual)
            return same if operator == "is" else not same
        case "includes" | "does_not_include":
            if isinstance(wanted, str):
                inside = isinstance(actual, str) and actual in wanted
            elif isinstance(wanted, list):
                inside = any(strict_equal(item, actual) for item in wanted)
            else:
                inside = False
            return inside if operator == "includes" else not inside
        case "cont":
            return wanted != "" and _text(wanted) in _text(actual)
        case "starts_with":
            return wanted != "" and isinstance(actual, str) and actual.startswith(_text(wanted))
        case "gt":
            return _less(wanted, actual)
        case "gte":
            return _less(wanted, actual, or_equal=True)
        case "lt":
            return _less(actual, wanted)
        case "lte":
            return _less(actual, wanted, or_equal=True)
        case "in_group":
            group = states().get(_text(wanted)) or {}
            members = (group.get("attributes") or {}).get("entity_id") or []
            return isinstance(members, list) and any(strict_equal(m, actual) for m in members)
    return actual is not MISSING and _truthy(actual)


def _text(value: Any) -> str:
    return "undefined" if value is MISSING else js_string(value)


def _number(value: Any) -> float:
    if value is MISSING or isinstance(value, dict):
        return math.nan
    if value is None:
        return 0.0
    if isinstance(value, list):
        return to_number(",".join(_text(v) for v in value)) if len(value) < 2 else math.nan
    return to_number(value)


def _less(a: Any, b: Any, or_equal: bool = False) -> bool:
    """JavaScript's ``a < b`` (``a <= b``): texts compared as texts, anything else as
    numbers (NaN is neither)."""
    if isinstance(a, str) and isinstance(b, str):
        return a <= b if or_equal else a < b
    x, y = _number(a), _number(b)
    return x <= y if or_equal else x < y


def strict_equal(a: Any, b: Any) -> bool:
    """JavaScript's ``===`` between two JSON values (objects are never equal: two copies)."""
    if isinstance(a, bool) or isinstance(b, bool):
        return isinstance(a, bool) and isinstance(b, bool) and a == b
    if isinstance(a, int | float) and isinstance(b, int | float):
        return a == b
    if isinstance(a, str) and isinstance(b, str):
        return a == b
    if a is None or b is None or a is MISSING or b is MISSING:
        return a is b
    return False


def _truthy(value: Any) -> bool:
    if isinstance(value, float) and math.isnan(value):
        return False
    return value not in (None, False, 0, "") or isinstance(value, dict | list)
