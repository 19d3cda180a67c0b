"""The change node's rule: one action (set, change, delete, move) and the keys it needs.

```yaml
- set: payload.x            # to: the new value (a literal or a typed value)
  to: 1
- change: payload           # search (from) and replace (to) in text
  from: foo                 # text, number, boolean, {type: re, value: ...}, msg/flow/global/env
  to: bar
- delete: topic
- move: payload.a           # to: the new place
  to: payload.b
```

A target is a message property path or ``{type: flow|global, value: key}`` (see targets.py).
"""

from __future__ import annotations

from typing import Annotated, Any

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

from flowrt.api import Pattern, TypedValue, Value, parse_path

from .rule_schema import present_keys_only
from .targets import Target

ACTIONS = ("set", "change", "delete", "move")
_NEEDS = {"set": ("to",), "change": ("from", "to"), "delete": (), "move": ("to",)}
_ALLOWS = {"set": {"to", "deep_copy"}, "change": {"from", "to"}, "delete": set(), "move": {"to"}}
_FROM_TYPES = ("str", "num", "bool", "msg", "flow", "global", "env")


def _pattern_or_value(value: Any) -> str:
    return "re" if isinstance(value, dict) and value.get("type") == "re" else "value"


SearchValue = Annotated[
    Annotated[Value, Tag("value")] | Annotated[Pattern, Tag("re")],
    Discriminator(_pattern_or_value),
]


class ChangeRule(BaseModel):
    """One action on a message property or context key: `set`, `change`, `delete` or `move`."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)

    set: Target | None = Field(None, description="Set this property to `to`.")
    change: Target | None = Field(
        None,
        description="Replace `from` with `to` in this property's text, or replace a whole "
        "number or boolean equal to `from`.",
    )
    delete: Target | None = Field(None, description="Remove this property.")
    move: Target | None = Field(None, description="Move this property to `to`.")
    from_: SearchValue = Field(
        None,
        alias="from",
        description="With `change`: what to search for: text, a number, a boolean, a regular "
        "expression `{type: re, value: ...}`, or a msg/flow/global/env value.",
    )
    to: Value = Field(
        None,
        description="With `set` and `change`: the new value. With `move`: where to (a property "
        "path or `{type: flow|global, value: key}`).",
    )
    deep_copy: bool = Field(
        False, description="With `set`: copy a value taken from msg, flow or global context."
    )
    _action: str = PrivateAttr("")

    @model_validator(mode="wrap")
    @classmethod
    def _one_action(cls, data: Any, handler: ModelWrapValidatorHandler[ChangeRule]) -> Any:
        if isinstance(data, ChangeRule):
            return data
        if not isinstance(data, dict):
            raise ValueError(f"a rule is a mapping such as {{set: payload, to: 1}}; got {data!r}")
        actions = [k for k in data if k in ACTIONS]
        if len(actions) != 1:
            got = ", ".join(actions) if actions else "none"
            raise ValueError(f"a rule has one of set, change, delete, move; got {got}")
        action = actions[0]
        missing = [k for k in _NEEDS[action] if k not in data]
        if missing:
            raise ValueError(f"a {action} rule needs {' and '.join(missing)}")
        stray = [k for k in data if k != action and k in {"to", "from", "deep_copy"}]
        stray = [k for k in stray if k not in _ALLOWS[action]]
        if stray:
            raise ValueError(f"a {action} rule takes no {', '.join(stray)}")
        rule = handler(data)
        rule._action = action
        rule._check_values()
        return rule

    def _check_values(self) -> None:
        search = self.from_
        if self._action == "change":
            if isinstance(search, TypedValue) and search.type not in _FROM_TYPES:
                raise ValueError(f"from cannot be of type {search.type!r}")
            if search is None or isinstance(search, list):
                raise ValueError("from must be text, a number, a boolean or a typed value")
        if self._action == "move":
            to = self.to
            if isinstance(to, str):
                parse_path(to)
            elif not (isinstance(to, TypedValue) and to.type in ("msg", "flow", "global")):
                raise ValueError("a move rule's to is a property path or {type: flow|global}")

    @property
    def action(self) -> str:
        """``set``, ``change``, ``delete`` or ``move``."""
        return self._action

    @property
    def target(self) -> Any:
        """The property the action applies to."""
        return getattr(self, self._action)

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        present_keys_only(target)
        target["dependentRequired"] = {k: list(v) for k, v in _NEEDS.items() if v}
        # for the editor's rule rows: the action keys, what each takes, what an action names
        target["x-rule"] = {"actions": list(ACTIONS),
                            "with": {k: sorted(v) for k, v in _ALLOWS.items()},
                            "targets": ["msg", "flow", "global"]}
        return schema
