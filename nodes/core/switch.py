"""switch: route each message to the outputs whose rules it matches."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import field_validator

from flowrt.api import (
    Message,
    NodeConfig,
    Output,
    PropertyPath,
    Transform,
    TypedValue,
    compile_value,
    field,
    getter,
)

from .switch_matchers import compile_rule
from .switch_rules import SwitchRule, Test

_PROPERTY_TYPES = ("msg", "flow", "global", "env", "jsonata")


class Switch(Transform):
    """Route messages by rules on a property: one output per rule.

    Each rule tests the value of `property`; a message that matches rule *i* is sent on output
    *i*. With `check: all` (the default) a message goes to every output whose rule matches; with
    `check: first` only to the first.

    ### Inputs

    Any message. The rules read `property` (a message property by default) and may compare it
    with constants, other message properties, context values, environment variables or JSONata.

    ### Outputs

    One per rule, in order: the message itself, unchanged.

    ### Details

    Rules, one operator each:

    - `eq`, `neq`, `lt`, `lte`, `gt`, `gte`: compare with a value. As in Node-RED, comparison is
      JavaScript's: text that holds a number compares as that number (`"7"` is greater than 5),
      `true` counts as 1, and a missing property equals only `null`.
    - `between: [low, high]`: both ends included, in either order.
    - `contains: text`, `regex: pattern` (with `ignore_case: true`): on the property's text.
      Patterns use Python's `re` syntax (and JavaScript's `(?<name>...)` groups); a match
      that runs longer than 1 s fails the message with an error naming the pattern.
    - `is`: `true`, `false`, `null` (null or missing), `not null`, `empty`, `not empty`.
    - `is_type`: `string`, `number`, `boolean`, `array`, `buffer`, `object`, `json`, `null`,
      `undefined` (missing).
    - `head: N`, `tail: N`, `index_between: [a, b]`: the message's position in a sequence made
      by split (`msg.parts`); `tail` needs the sequence's count.
    - `has_key: name`: the property is an object with that key.
    - `jsonata: expression`: the expression over the message is `true` (`$I`, `$N`: position
      and count in the sequence).
    - `else: true`: no rule since the previous `else` (or the first rule) matched.

    ```yaml
    route:
      type: switch
      property: payload.celsius
      rules:
        - gt: 30
        - between: [10, 30]
        - else: true
      to: {0: alarm, 1: normal, 2: cold}
    ```

    Node-RED's "recreate message sequences" option is not offered.
    """

    type = "switch"
    evaluates = {"jsonata": ("property", "rules[]"), "regex": ("rules[].regex",)}
    mutates = False

    class Config(NodeConfig):
        property: PropertyPath | TypedValue = field(
            "payload",
            description="What the rules test: a message property path, or a typed value of "
            "type msg, flow, global, env or jsonata.",
            examples=["payload.celsius", {"type": "jsonata", "value": "payload.a + payload.b"}],
        )
        rules: list[SwitchRule] = field(
            description="One rule per output, tested in order.",
            examples=[[{"gt": 30}, {"else": True}]],
            min_length=1,
        )
        check: Literal["all", "first"] = field(
            "all", description="Send to every matching output, or only to the first."
        )

        @field_validator("property")
        @classmethod
        def _readable(cls, value: Any) -> Any:
            if isinstance(value, TypedValue) and value.type not in _PROPERTY_TYPES:
                raise ValueError(
                    f"property must be read from msg, flow, global, env or jsonata; "
                    f"got type {value.type!r}"
                )
            return value

    @classmethod
    def output_count(cls, config: Any) -> int:
        return len(config.rules)

    async def start(self) -> None:
        config = self.config
        prop = config.property
        self._read = compile_value(prop, self.ctx) if isinstance(prop, TypedValue) else getter(prop)
        self._tests: list[Test | None] = [compile_rule(r, self.ctx) for r in config.rules]
        self._first = config.check == "first"
        self._only = self._tests[0] if len(self._tests) == 1 else None

    def process(self, msg: Message) -> Output:
        value = self._read(msg)
        if self._only is not None:  # one rule (not else): the message or nothing, on port 0
            return msg if self._only(value, msg) else None
        out: list[Any] = [None] * len(self._tests)
        matched = False  # since the previous else
        for i, test in enumerate(self._tests):
            if test is None:
                hit = not matched
                matched = False
            else:
                hit = test(value, msg)
            if hit:
                out[i] = msg
                matched = True
                if self._first:
                    break
        return out
