"""sort: sort an array in a message, or the messages of a sequence."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import (
    MISSING,
    JsonataExpression,
    Message,
    NodeConfig,
    NodeError,
    Output,
    PropertyPath,
    Transform,
    compile_expression,
    field,
    get_property,
    set_property,
)

from .js_coercion import to_number
from .message_sequence import SequenceStore, parts_of


class Sort(Transform):
    """Sort an array in a message, or the messages of a sequence.

    ### Inputs

    - `payload` (or the configured `property`): the array to sort (`property` mode). A
      message whose property is not an array is dropped.
    - `parts`: the message's place in its sequence (`sequence` mode): `id`, `index` and, on at
      least one message of the sequence, `count`. Messages without `parts` are dropped.

    ### Outputs

    - `property` mode: the message, with the array sorted.
    - `sequence` mode: the messages of each sequence, once all have arrived, in sorted order,
      with `parts.index` renumbered.

    ### Details

    What is compared (the sort key) is, by default, each element itself (`property` mode) or
    each message's `payload` (`sequence` mode). `key` names a property of the element or
    message to compare instead; `key_expression` computes it with JSONata (for example
    `$number(payload.reading)`). With `numeric`, keys are compared as numbers (text such as
    `"10"` is read as a number). The sort is stable: equal keys keep their arrival order.

    In `sequence` mode messages are held until their sequence is complete; at most
    `max_messages` are kept, and past that the oldest incomplete sequence is dropped with an
    error.
    """

    type = "sort"
    icon = "list"
    evaluates = {"jsonata": ("key_expression",)}

    class Config(NodeConfig):
        mode: Literal["property", "sequence"] = field(
            "property", description="Sort an array in each message, or a sequence of messages."
        )
        property: PropertyPath = field("payload", description="`property` mode: the array to sort.")
        key: PropertyPath | None = field(
            None,
            description="Property of each element or message to compare (default: the "
            "element itself, or the message's payload).",
            examples=["temperature"],
        )
        key_expression: JsonataExpression | None = field(
            None,
            description="JSONata computing the value to compare, over each element or message.",
            examples=["$number(payload.reading)"],
        )
        order: Literal["ascending", "descending"] = field("ascending", description="Sort order.")
        numeric: bool = field(False, description="Compare the keys as numbers.")
        max_messages: int = field(
            10_000,
            description="`sequence` mode: most messages kept at once.",
            ge=1,
            advanced=True,
        )

        @model_validator(mode="after")
        def _one_key(self) -> Sort.Config:
            if self.key is not None and self.key_expression is not None:
                raise ValueError("set key or key_expression, not both")
            return self

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sequences = SequenceStore(self.config.max_messages)
        config = self.config
        self.key: Callable[[Any], Any]
        if config.key_expression is not None:
            expression = compile_expression(config.key_expression, self.ctx)
            self.key = lambda item: expression(item, None)
        elif config.key is not None:
            path = config.key
            self.key = lambda item: get_property(item, path)
        elif config.mode == "sequence":
            self.key = lambda msg: msg.get("payload", MISSING)
        else:
            self.key = lambda element: element

    def process(self, msg: Message) -> Output:
        if self.config.mode == "property":
            data = get_property(msg, self.config.property)
            if not isinstance(data, list):
                return None
            set_property(msg, self.config.property, self._sorted(data))
            return msg
        parts = parts_of(msg)
        if parts is None or "index" not in parts:
            self.ctx.warn("sort: the message has no parts.id and parts.index; dropped", msg)
            return None
        self.ctx.hold(msg)
        sequence = self.sequences.add(msg, parts)
        if sequence.complete:
            self.sequences.remove(sequence)
            held = sequence.messages
            try:
                ordered = self._sorted(held)
            except NodeError as exc:
                self._give_up(held, exc)
                return None
            for index, item in enumerate(ordered):
                item["parts"]["index"] = index
                self.ctx.send(item, origin=item)
                self.ctx.done(item)
        elif self.sequences.over_limit:
            oldest = self.sequences.oldest()
            assert oldest is not None
            self.sequences.remove(oldest)
            self._give_up(
                oldest.messages,
                NodeError(
                    f"sort: more than {self.config.max_messages} messages kept; dropped "
                    "the oldest incomplete sequence"
                ),
            )
        return None

    def _sorted(self, items: list[Any]) -> list[Any]:
        keyed = [(self.key(item), item) for item in items]
        if self.config.numeric:
            keyed = [(to_number(k), item) for k, item in keyed]
        direction = 1 if self.config.order == "ascending" else -1

        def compare(a: tuple[Any, Any], b: tuple[Any, Any]) -> int:
            x, y = a[0], b[0]
            try:
                if x == y:
                    return 0
                return direction if x > y else -direction
            except TypeError:
                raise NodeError(
                    f"sort: cannot compare {_kind(x)} with {_kind(y)}; use numeric, or a key "
                    "expression that gives values of one type"
                ) from None

        return [item for _, item in sorted(keyed, key=functools.cmp_to_key(compare))]

    def _give_up(self, held: list[Message], error: NodeError) -> None:
        for msg in held[:-1]:
            self.ctx.done(msg)
        self.ctx.done(held[-1], error)

    async def stop(self) -> None:
        for msg in self.sequences.clear():
            self.ctx.done(msg)


def _kind(value: Any) -> str:
    return "nothing" if value is MISSING else type(value).__name__
