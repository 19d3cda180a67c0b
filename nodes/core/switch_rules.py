"""The switch node's rule: a mapping with exactly one operator key, such as ``gt: 5``.

One model holds every operator as an optional field, so the JSON Schema lists them all for
editors and an unknown key (``gtt``) is reported with the closest operator's name. The model
checks that exactly one operator is present and remembers which (:attr:`SwitchRule.operator`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    GetJsonSchemaHandler,
    ModelWrapValidatorHandler,
    PrivateAttr,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from flowrt.api import JsonataExpression, Message, Value, compile_regex

from .rule_schema import present_keys_only

Test: TypeAlias = Callable[[Any, Message], bool]
"""A compiled rule: (the property's value, the message) -> matched."""

IsWhat = Literal[True, False, None, "true", "false", "null", "not null", "empty", "not empty"]
TypeName = Literal[
    "string", "number", "boolean", "array", "buffer", "object", "json", "null", "undefined"
]

OPERATORS = (
    "eq",
    "neq",
    "lt",
    "lte",
    "gt",
    "gte",
    "between",
    "contains",
    "regex",
    "is",
    "is_type",
    "head",
    "tail",
    "index_between",
    "has_key",
    "jsonata",
    "else",
)
"""Operator keys as written in flows (``is`` and ``else`` are fields ``is_`` and ``else_``)."""


class SwitchRule(BaseModel):
    """One rule: exactly one operator, e.g. `{gt: 5}`, `{between: [1, 10]}`, `{else: true}`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    eq: Value = Field(
        None, description="Equal to this value (text holding a number compares as that number)."
    )
    neq: Value = Field(None, description="Not equal to this value.")
    lt: Value = Field(None, description="Less than this value.")
    lte: Value = Field(None, description="Less than or equal to this value.")
    gt: Value = Field(None, description="Greater than this value.")
    gte: Value = Field(None, description="Greater than or equal to this value.")
    between: tuple[Value, Value] | None = Field(
        None, description="Between two values, both included, in either order."
    )
    contains: Value = Field(None, description="The property's text contains this text.")
    regex: str | None = Field(
        None, description="The property's text matches this regular expression (Python syntax).",
        json_schema_extra={"x-format": "regex"},
    )
    ignore_case: bool = Field(False, description="With `regex`: letters match in either case.")
    is_: IsWhat = Field(
        None,
        alias="is",
        description="`true`, `false`, `null` (null or missing), `not null`, `empty` (an empty "
        "text, list, buffer or object) or `not empty`.",
    )
    is_type: TypeName | None = Field(
        None, description="The property has this type (`json`: text that parses as JSON)."
    )
    head: Value = Field(None, description="Among the first N messages of a sequence.")
    tail: Value = Field(None, description="Among the last N messages of a sequence.")
    index_between: tuple[Value, Value] | None = Field(
        None, description="The message's index in its sequence is within these two numbers."
    )
    has_key: Value = Field(None, description="The property is an object with this key.")
    jsonata: JsonataExpression | None = Field(
        None,
        description="A JSONata expression over the message that gives true; `$I` and `$N` are "
        "the message's index and count in its sequence.",
    )
    else_: Literal[True] | None = Field(
        None, alias="else", description="No rule since the previous `else` (or the start) matched."
    )
    _operator: str = PrivateAttr("")

    @model_validator(mode="wrap")
    @classmethod
    def _one_operator(cls, data: Any, handler: ModelWrapValidatorHandler[SwitchRule]) -> Any:
        if isinstance(data, SwitchRule):
            return data
        if not isinstance(data, dict):
            raise ValueError(f"a rule is a mapping such as {{gt: 5}}; got {data!r}")
        ops = [k for k in data if k in OPERATORS]
        if len(ops) > 1:
            raise ValueError(f"a rule has one operator; got {', '.join(ops)} (write one rule each)")
        if not ops:
            raise ValueError("a rule needs an operator: " + ", ".join(OPERATORS))
        if "ignore_case" in data and ops[0] != "regex":
            raise ValueError("ignore_case goes only with a regex rule")
        if ops[0] == "regex" and isinstance(data["regex"], str):
            compile_regex(data["regex"])  # ValueError naming the pattern
        if data[ops[0]] is None and ops[0] not in ("eq", "neq", "is", "contains", "has_key"):
            raise ValueError(f"{ops[0]} needs a value")
        rule = handler(data)
        rule._operator = ops[0]
        return rule

    @property
    def operator(self) -> str:
        """The rule's operator key, as written in the flow."""
        return self._operator

    @property
    def operand(self) -> Any:
        """The operator's value."""
        return getattr(self, {"is": "is_", "else": "else_"}.get(self._operator, self._operator))

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        present_keys_only(target)
        one = "a rule has exactly one operator (regex may add ignore_case)"
        target["dependentRequired"] = {"ignore_case": ["regex"]}
        target["dependentSchemas"] = {
            op: {"maxProperties": 2 if op == "regex" else 1, "description": one} for op in OPERATORS
        }
        return schema
