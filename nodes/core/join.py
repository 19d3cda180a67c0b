"""join: turn a sequence of messages into one message."""

from __future__ import annotations

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
    Value,
    clone,
    compile_expression,
    evaluate,
    field,
    get_property,
    set_property,
)

from .join_group import JoinGroup
from .message_sequence import SequenceStore, group_key, parts_of, pop_parts
from .sequence_reduce import reduce_sequence

Build = Literal["string", "buffer", "array", "object", "merged"]
_MANUAL = "_"
"""The one group of manual mode."""


class Join(Transform):
    """Join a sequence of messages into one message.

    ### Inputs

    - `parts`: the message's place in its sequence (`id`, `index`, `count`, `type`, `ch`,
      `key`, `len`), as `split` sets it. Needed in `auto` and `reduce` modes.
    - `complete`: send what has been joined so far, after adding this message's value (delete
      the property from a message that should only complete the join).
    - `reset`: drop what has been joined so far, without sending it.
    - `restartTimeout`: start the timeout again.

    ### Outputs

    - `payload` (or `property`): the joined value. The message's other properties are those
      of the messages joined, the later ones overriding the earlier ones. `parts` is removed,
      or restored to the enclosing sequence's when sequences were nested.

    ### Details

    **auto** reverses a `split`: each sequence (by `parts.id`) is rebuilt as the type it was
    split from, in `parts.index` order, and sent when all `parts.count` parts are in. The
    value is read from, and written to, the property the split took it from
    (`parts.property`); an array sent early (`complete`) has `null` where a part is missing.

    **manual** builds, from the `property` of each message (or each whole message):
    a `string` or `buffer` joined with `joiner`; an `array`; an `object` whose keys are each
    message's `key` property; or a `merged` object with the properties of every message's
    object. It sends after `count` messages (for `object` and `merged`: once the result has
    `count` keys; with no `count`, the messages' `parts.count`), after `timeout` seconds from
    the first message, or on a message with `complete`. With `accumulate`, an object is kept
    after it is sent, and sent again, updated, on each following message.

    **reduce** folds each complete sequence into one value with the JSONata
    `reduce_expression`, where `$A` is the value so far (starting with `reduce_initial`),
    `$I` the message's `parts.index` and `$N` the number of messages. `reduce_fixup`, if set,
    then turns `$A` (with `$N`) into the result, which is sent as a new message's `payload`.
    For the average of a sequence: `reduce_expression: $A + payload`, `reduce_initial: 0`,
    `reduce_fixup: $A / $N`. Messages without `parts` pass through unchanged.

    Messages waiting to be joined are held: each is finished when the joined message is.
    At most `max_messages` are kept; past that, the node drops what it holds and reports an
    error.
    """

    type = "join"
    icon = "list"
    evaluates = {"jsonata": ("reduce_expression", "reduce_fixup", "reduce_initial")}
    asynchronous = True

    class Config(NodeConfig):
        mode: Literal["auto", "manual", "reduce"] = field(
            "auto", description="Reverse a split, build a result as configured, or reduce."
        )
        build: Build = field("array", description="Manual mode: what to build.")
        property: PropertyPath = field("payload", description="Message property to join.")
        whole_message: bool = field(
            False, description="Manual mode: join whole messages instead of `property`."
        )
        key: PropertyPath = field(
            "topic", description="Manual `object` build: message property holding the key."
        )
        joiner: str = field("\n", description="Manual `string` or `buffer` build: separator.")
        joiner_bytes: list[int] | None = field(
            None,
            description="Manual `buffer` build: byte values to put between parts, instead of "
            "`joiner`.",
            examples=[[13, 10]],
        )
        count: int | None = field(
            None, description="Manual mode: send after this many parts.", ge=1
        )
        timeout: float | None = field(
            None,
            description="Manual mode: send what has been joined this many seconds after the "
            "first message.",
            gt=0,
        )
        accumulate: bool = field(
            False,
            description="Manual `object` and `merged` builds: keep the object after sending "
            "and send it again on each new message.",
        )
        reduce_expression: JsonataExpression | None = field(
            None,
            description="Reduce mode: JSONata computing the next `$A`.",
            examples=["$A + payload"],
        )
        reduce_initial: Value = field(0, description="Reduce mode: the first `$A`.")
        reduce_fixup: JsonataExpression | None = field(
            None,
            description="Reduce mode: JSONata turning the final `$A` into the result.",
            examples=["$A / $N"],
        )
        reduce_right: bool = field(
            False, description="Reduce mode: go from the last message to the first."
        )
        max_messages: int = field(
            10_000, description="Most messages kept at once.", ge=1, advanced=True
        )

        @model_validator(mode="after")
        def _consistent(self) -> Join.Config:
            if self.mode == "reduce" and self.reduce_expression is None:
                raise ValueError("reduce mode needs reduce_expression")
            if self.accumulate and self.build not in ("object", "merged"):
                raise ValueError("accumulate applies to the object and merged builds")
            if self.whole_message and self.build in ("string", "buffer"):
                raise ValueError("whole_message applies to the array, object and merged builds")
            if self.joiner_bytes is not None and not all(0 <= b <= 255 for b in self.joiner_bytes):
                raise ValueError("joiner_bytes holds byte values from 0 to 255")
            return self

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.groups: dict[Any, JoinGroup] = {}
        self.props: dict[Any, Any] = {}
        """Group key -> the property its values are read from and the result written to."""
        self.held = 0
        self.sequences = SequenceStore(self.config.max_messages)
        config = self.config
        self.reduce = self.fixup = None
        if config.reduce_expression is not None:
            self.reduce = compile_expression(config.reduce_expression, self.ctx)
        if config.reduce_fixup is not None:
            self.fixup = compile_expression(config.reduce_fixup, self.ctx)

    def process(self, msg: Message) -> Output:
        if self.config.mode == "reduce":
            return self._reduce(msg)
        parts = parts_of(msg)
        if self.config.mode == "auto" and parts is None:
            self.ctx.warn(
                "join: the message has no parts.id, so it cannot be joined in auto "
                "mode; use split first, or the manual mode",
                msg,
            )
            return None
        config = self.config
        if config.mode == "auto":
            assert parts is not None
            key = group_key(parts["id"])
            kind = parts.get("type")
            object_key = parts.get("key", MISSING)
        else:
            key, kind = _MANUAL, config.build
            object_key = get_property(msg, config.key) if kind == "object" else MISSING
        if "reset" in msg:
            group = self.groups.pop(key, None)
            self.props.pop(key, None)
            if group is not None:
                self._release(group)
            return None
        prop = config.property
        if parts is not None and config.mode == "auto" and isinstance(parts.get("property"), str):
            prop = parts["property"] or prop  # where split took it from, as Node-RED
        value: Any = msg if config.whole_message else get_property(msg, prop)
        if kind == "object" and object_key in (MISSING, None, ""):
            if "complete" in msg and key in self.groups and config.mode == "manual":
                self.groups[key].merged["complete"] = msg["complete"]
                self._send(key)
                return None
            where = "parts.key" if config.mode == "auto" else config.key
            self.ctx.warn(
                f"join: the message has no {where}, so it cannot be added to an object", msg
            )
            return None
        if kind == "buffer" and not (
            value is MISSING or isinstance(value, bytes | bytearray | str | list)
        ):
            raise NodeError(f"join: cannot add a {type(value).__name__} to a buffer")
        group = self.groups.get(key)
        if group is None:
            group = self.groups[key] = self._new_group(kind, parts)
            self.props[key] = prop
            if config.mode == "manual" and config.timeout is not None:
                group.timer = self.ctx.call_later(config.timeout, lambda: self._send(key))
        elif "restartTimeout" in msg and group.timer is not None:
            group.timer.cancel()
            group.timer = self.ctx.call_later(config.timeout or 0, lambda: self._send(key))
        if kind == "merged" and not isinstance(value, dict) and "complete" not in msg:
            self.ctx.warn("join: cannot merge a value that is not an object", msg)
        self.ctx.hold(msg)
        group.held.append(msg)
        self.held += 1
        index = parts.get("index") if parts is not None and config.mode == "auto" else None
        group.add(value, object_key, index)
        group.merged.update(msg)
        target = group.target
        if parts is not None and not target:
            target = parts.get("count") if isinstance(parts.get("count"), int) else None
        if (target and group.filled >= target) or "complete" in msg:
            self._send(key)
        elif self.held > config.max_messages:
            self._overflow(msg)
        return None

    def _new_group(self, kind: Any, parts: dict[str, Any] | None) -> JoinGroup:
        config = self.config
        if config.mode == "auto":
            assert parts is not None
            count = parts.get("count")
            joiner: Any = parts.get("ch")
            return JoinGroup(
                kind if kind in ("string", "buffer", "array", "object", "merged") else "array",
                target=count if isinstance(count, int) else None,
                joiner=joiner,
                chunked=isinstance(parts.get("len"), int) and parts["len"] > 1,
            )
        joiner = bytes(config.joiner_bytes) if config.joiner_bytes is not None else config.joiner
        return JoinGroup(kind, target=config.count, joiner=joiner, chunked=False)

    def _send(self, key: Any) -> None:
        group = self.groups.get(key)
        if group is None:
            return
        if group.timer is not None:
            group.timer.cancel()
            group.timer = None
        prop = self.props.get(key, self.config.property)
        if not self.config.accumulate or "complete" in group.merged:
            del self.groups[key]
            self.props.pop(key, None)
        out = clone(group.merged)
        target = "payload" if self.config.whole_message else prop
        set_property(out, target, clone(group.result()))
        pop_parts(out)
        out.pop("complete", None)
        group.merged.pop("complete", None)
        held, group.held = group.held, []
        self.held -= len(held)
        self.ctx.send(out, origin=held)
        for msg in held:
            self.ctx.done(msg)

    def _release(self, group: JoinGroup) -> None:
        if group.timer is not None:
            group.timer.cancel()
        self.held -= len(group.held)
        for msg in group.held:
            self.ctx.done(msg)
        group.held = []

    def _overflow(self, msg: Message) -> None:
        for group in self.groups.values():
            group.held = [m for m in group.held if m is not msg]
            self._release(group)
        self.groups.clear()
        self.props.clear()
        self.held = 0
        self.ctx.done(msg, self._too_many())

    def _too_many(self) -> NodeError:
        return NodeError(
            f"join: more than {self.config.max_messages} messages kept; dropped them all"
        )

    def _reduce(self, msg: Message) -> Output:
        parts = parts_of(msg)
        if parts is None:
            return msg
        self.ctx.hold(msg)
        sequence = self.sequences.add(msg, parts)
        if sequence.complete:
            self.sequences.remove(sequence)
            held = sequence.messages
            assert self.reduce is not None
            try:
                result = reduce_sequence(
                    held,
                    expression=self.reduce,
                    initial=evaluate(self.config.reduce_initial, {}, self.ctx),
                    fixup=self.fixup,
                    right=self.config.reduce_right,
                )
            except NodeError as exc:
                for earlier in held[:-1]:
                    self.ctx.done(earlier)
                self.ctx.done(held[-1], exc)
                return None
            self.ctx.send({"_msgid": self.ctx.new_msgid(), "payload": result}, origin=held)
            for earlier in held:
                self.ctx.done(earlier)
        elif self.sequences.over_limit:
            for earlier in self.sequences.clear():
                if earlier is not msg:
                    self.ctx.done(earlier)
            self.ctx.done(msg, self._too_many())
        return None

    async def stop(self) -> None:
        for group in self.groups.values():
            self._release(group)
        self.groups.clear()
        self.props.clear()
        for msg in self.sequences.clear():
            self.ctx.done(msg)
