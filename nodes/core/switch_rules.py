"""The switch node's rule: a mapping with exactly one operator key, such as ``gt: 5``.

One model holds every operator as an optional field, so the JSON Schema lists them all for
editors and an unknown key (``gtt``) is reported with the closest operator's name. The model
checks that exactly one operator is present and remembers which (:attr:`SwitchRule.operator`).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import (
    BaseModel,
    ConfigDict,
    Discriminator,
    Field,
    GetJsonSchemaHandler,
    ModelWrapValidatorHandler,
    PrivateAttr,
    Tag,
    model_validator,
)
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from flowrt.api import JsonataExpression, Message, TypedValue, Value, compile_regex

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


class Previous(BaseModel):
    """The switch property's value in the previous message, `{type: prev}` (null before the
    first message), as Node-RED's "previous value"."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    type: Literal["prev"] = Field(description="Always `prev`.")
    value: Any = Field(None, description="Not used (Node-RED writes an empty one).")


def _operand_kind(value: Any) -> str:
    if isinstance(value, Previous) or (isinstance(value, dict) and value.get("type") == "prev"):
        return "prev"
    return "typed" if isinstance(value, dict | TypedValue) else "literal"


Operand: TypeAlias = Annotated[
    Annotated[str | int | float | bool | list[Any] | None, Tag("literal")]
    | Annotated[TypedValue, Tag("typed")]
    | Annotated[Previous, Tag("prev")],
    Discriminator(_operand_kind),
]
"""A comparison's operand: a value, or `{type: prev}`, the previous message's property."""


class SwitchRule(BaseModel):
    """One rule: exactly one operator, e.g. `{gt: 5}`, `{between: [1, 10]}`, `{else: true}`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    eq: Operand = Field(
        None,
        description="Equal to this value (text holding a number compares as that number); any "
        "comparison may take `{type: prev}`, the property's value in the previous message.",
    )
    neq: Operand = Field(None, description="Not equal to this value.")
    lt: Operand = Field(None, description="Less than this value.")
    lte: Operand = Field(None, description="Less than or equal to this value.")
    gt: Operand = Field(None, description="Greater than this value.")
    gte: Operand = Field(None, description="Greater than or equal to this value.")
    between: tuple[Operand, Operand] | None = Field(
        None, description="Between two values, both included, in either order."
    )
    contains: Value = Field(None, description="The property's text contains this text.")
    regex: str | None = Field(
        None, description="The property's text matches this regular expression (Python syntax, or "
        "JavaScript's with `syntax: javascript`).",
        json_schema_extra={"x-format": "regex"},
    )
    ignore_case: bool = Field(False, description="With `regex`: letters match in either case.")
    syntax: Literal["python", "javascript"] = Field(
        "python",
        description="With `regex`: how the pattern is written, `python` (the `re` module's "
        "syntax) or `javascript` (matches what it matches in JavaScript, as in Node-RED; "
        "imported flows keep their patterns this way).",
    )
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
        for extra in ("ignore_case", "syntax"):
            if extra in data and ops[0] != "regex":
                raise ValueError(f"{extra} goes only with a regex rule")
        if ops[0] == "regex" and isinstance(data["regex"], str):
            syntax = data.get("syntax", "python")
            if syntax in ("python", "javascript"):  # else the field's own error says why
                compile_regex(data["regex"], syntax=syntax)  # ValueError naming the pattern
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
    def uses_previous(self) -> bool:
        """Whether the rule compares with the previous message's property (`{type: prev}`)."""
        value = self.operand
        ends = value if self._operator == "between" else (value,)
        return any(isinstance(end, Previous) for end in ends)

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
        for name in ("eq", "neq", "lt", "lte", "gt", "gte", "between"):
            _fold_previous(target["properties"][name], handler)
        present_keys_only(target)
        one = "a rule has exactly one operator (regex may add ignore_case and syntax)"
        target["dependentRequired"] = {"ignore_case": ["regex"], "syntax": ["regex"]}
        target["dependentSchemas"] = {
            op: {"maxProperties": 3 if op == "regex" else 1, "description": one} for op in OPERATORS
        }
        # for the editor's rule rows: the operator keys and what the regex operator takes
        target["x-rule"] = {"actions": list(OPERATORS),
                            "with": {"regex": ["ignore_case", "syntax"]}}
        return schema


def _fold_previous(node: Any, handler: GetJsonSchemaHandler) -> None:
    """Write an operand's `oneOf` [literal, TypedValue, Previous] as [literal, TypedValue whose
    `type` may also be `prev`]: one object branch, as editors and flowrt's checker read values."""
    if isinstance(node, list):
        for item in node:
            _fold_previous(item, handler)
        return
    if not isinstance(node, dict):
        return
    alts = node.get("oneOf")
    if isinstance(alts, list):
        titled = {handler.resolve_ref_schema(a).get("title"): a for a in alts if "$ref" in a}
        if "Previous" in titled and "TypedValue" in titled:
            typed = copy.deepcopy(handler.resolve_ref_schema(titled["TypedValue"]))
            typed["properties"]["type"]["enum"].append("prev")
            typed["title"] = "TypedValueOrPrevious"
            typed["description"] += (
                "\n\nHere also `prev`: the property's value in the previous message.")
            node["oneOf"] = [a for a in alts if "$ref" not in a] + [typed]
            return
    for value in node.values():
        _fold_previous(value, handler)
