"""switch: route each message to the outputs whose rules it matches."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Literal

from pydantic import field_validator

from flowrt.api import (
    Message,
    NodeConfig,
    Output,
    PropertyPath,
    StepCode,
    Transform,
    TypedValue,
    clone,
    compile_value,
    field,
    getter,
)

from .switch_fast import fast_switch, switch_code
from .switch_matchers import compile_rule
from .switch_rules import SwitchRule, Test
from .switch_sequences import SequenceRebuilder

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
    - A comparison's value (or an end of `between`) may be `{type: prev}`: the property's value
      in the previous message this switch tested (`null` before the first); so
      `gt: {type: prev}` passes rising values.
    - `contains: text`, `regex: pattern` (with `ignore_case: true`): on the property's text.
      Patterns use Python's `re` syntax (and JavaScript's `(?<name>...)` groups); a match
      that runs longer than 1 s fails the message with an error naming the pattern.
    - `is`: `true`, `false`, `null` (null or missing), `not null`, `empty`, `not empty`.
    - `is_type`: `string`, `number`, `boolean`, `array`, `buffer`, `object`, `json`, `null`,
      `undefined` (missing).
    - `head: N`, `tail: N`, `index_between: [a, b]`: the message's position in a sequence made
      by split (`msg.parts`). With a `tail` rule the messages of a sequence are kept until its
      count is known and all have come (as with `recreate_sequences`), then routed in order.
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

    With `recreate_sequences: true` (Node-RED's "recreate message sequences"), the messages
    of a sequence (`msg.parts`, as made by split) are kept until the sequence is complete, then
    routed in the order they came, and the messages each output gets form a new sequence:
    their `msg.parts` gets a new `id`, an `index` from 0 and the `count` that output got, so a
    join after it completes. At most `max_messages` are kept; past that the kept messages are
    dropped with an error. A message without `msg.parts` is routed as it comes.
    """

    type = "switch"
    icon = "fork"
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
        recreate_sequences: bool = field(
            False,
            description="Keep each message sequence (msg.parts) until it is complete, then give "
            "each output's messages new parts making a complete sequence of their own.",
        )
        max_messages: int = field(
            10_000,
            description="With recreate_sequences or a tail rule: most messages kept at once.",
            ge=1,
            advanced=True,
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
        self._previous: Any = None  # the property in the previous message, for {type: prev}
        self._keeps_previous = any(rule.uses_previous for rule in config.rules)
        recall = self._recall
        self._tests: tuple[Test | None, ...] = tuple(
            compile_rule(r, self.ctx, recall) for r in config.rules
        )
        self._first = config.check == "first"
        self._only = self._tests[0] if len(self._tests) == 1 else None
        tests = self._tests  # an if/else switch (a rule, then else) goes one way or the other
        self._either = tests[0] if len(tests) == 2 and tests[1] is None else None
        self._rebuild = None
        if config.recreate_sequences or any(r.operator == "tail" for r in config.rules):
            self._rebuild = SequenceRebuilder(
                self.ctx, self._route, len(self._tests), config.max_messages,
                regroup=config.recreate_sequences,
            )

    async def stop(self) -> None:
        if self._rebuild is not None:
            self._rebuild.release()

    def _recall(self) -> Any:
        return self._previous

    def fast_code(self) -> StepCode | None:
        """The fast step as code (:func:`.switch_fast.switch_code`), from the config alone:
        none when the switch keeps sequences or previous values."""
        config = self.config
        if (config.recreate_sequences or any(r.operator == "tail" for r in config.rules)
                or any(r.uses_previous for r in config.rules)):
            return None
        return switch_code(config.property, config.rules)

    def fast_process(self) -> Callable[[Message], Output] | None:
        """This node's ``process`` for a fused run, when its rules each compare a number
        (:mod:`.switch_fast`); None when it keeps sequences or previous values."""
        if self._rebuild is not None or self._keeps_previous:
            return None
        return fast_switch(self.config.property, self.config.rules, self._first)

    def process(self, msg: Message) -> Output:
        if self._rebuild is not None and self._rebuild.take(msg):
            return None
        if self._only is not None:  # one rule (not else): the message or nothing, on port 0
            value = self._read(msg)
            hit = self._only(value, msg)
            if self._keeps_previous:
                self._remember(value)
            return msg if hit else None
        if self._either is not None:
            value = self._read(msg)
            out = [msg, None] if self._either(value, msg) else [None, msg]
            if self._keeps_previous:
                self._remember(value)
            return out
        return self._route(msg)

    def _route(self, msg: Message) -> list[Any]:
        """Per output, the message or None."""
        value = self._read(msg)
        tests = self._tests
        out: list[Any] = [None] * len(tests)
        matched = False  # since the previous else
        for i, test in enumerate(tests):
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
        if self._keeps_previous:
            self._remember(value)
        return out

    def _remember(self, value: Any) -> None:
        # a copy: the message may be lent, and what others do to it later is not its past value
        self._previous = clone(value) if isinstance(value, dict | list) else value
