"""debug: show messages, or one property of them, in the log and the node's status."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import (
    MISSING,
    JsonataExpression,
    Message,
    NodeConfig,
    Output,
    PropertyPath,
    Transform,
    compile_expression,
    field,
    getter,
)

STATUS_LENGTH = 32
"""Characters of the value shown in the status, as in Node-RED."""


class Debug(Transform):
    """Show messages, or one property of them, in the log and under the node.

    ### Inputs

    Any message.

    ### Details

    By default the node shows `msg.payload`; set `property` to show another property,
    `complete: true` to show the whole message, or `expression` to show the result of a
    JSONata expression over the message. Each message is written to the runtime log with the
    node's id (strings as they are, other values as JSON), cut to `max_length` characters.

    `status: value` shows the value (its first 32 characters) under the node; for the whole
    message that is its payload, for a message with an `error` the error's text in red, and a
    value that is itself a status (`{fill, shape, text}`) is shown as that status.
    `status: count` shows how many messages arrived.

    `active: false` mutes the log output (Node-RED's button on the node); the status still
    updates. Status messages the node caused itself are ignored, so a status node wired back
    into a debug node does not loop.
    """

    type = "debug"
    icon = "log"
    evaluates = {"jsonata": ("expression",)}
    category = "sink"
    outputs = 0
    mutates = False

    class Config(NodeConfig):
        property: PropertyPath = field("payload", description="The message property to show.")
        complete: bool = field(False, description="Show the whole message instead.")
        expression: JsonataExpression | None = field(
            None,
            description="Show the result of this JSONata expression over the message instead.",
            examples=["payload.temperature & ' °C'"],
        )
        active: bool = field(True, description="Write to the log; false mutes the node.")
        console: bool = field(True, description="Write each value to the runtime log.")
        status: Literal["off", "value", "count"] = field(
            "off", description="What to show under the node: nothing, the value, or a count."
        )
        max_length: int = field(
            1000, description="Longest text written to the log; 0: no limit.", ge=0, advanced=True
        )

        @model_validator(mode="after")
        def _one_source(self) -> Debug.Config:
            if self.complete and self.expression is not None:
                raise ValueError("set either complete or expression, not both")
            return self

    config: Config

    async def start(self) -> None:
        cfg = self.config
        self._value = self._value_reader()
        self._count = 0
        self._shown: tuple[Any, ...] | None = None
        if cfg.status != "off":
            self._show("grey", "ring", "")

    async def stop(self) -> None:
        if self.config.status != "off":
            self.ctx.status()

    def _value_reader(self) -> Callable[[Message], Any]:
        cfg = self.config
        if cfg.complete:
            return _whole
        if cfg.expression is not None:
            run = compile_expression(cfg.expression, self.ctx)
            return lambda msg: run(msg, None)
        return getter(cfg.property)

    def process(self, msg: Message) -> Output:
        if self._is_own_status(msg):
            return None
        cfg = self.config
        value = self._value(msg)
        if cfg.status == "count":
            self._count += 1
            self._show("blue", "ring", str(self._count))
        elif cfg.status == "value":
            self._status_for(msg, msg.get("payload", MISSING) if cfg.complete else value)
        if cfg.active and cfg.console:
            text = format_value(value)
            if cfg.max_length and len(text) > cfg.max_length:
                text = text[: cfg.max_length] + f"... ({len(text)} characters)"
            self.ctx.log(text)
        return None

    def _is_own_status(self, msg: Message) -> bool:
        status = msg.get("status")
        if not isinstance(status, dict):
            return False
        source = status.get("source")
        return isinstance(source, dict) and source.get("id") == self.id

    def _status_for(self, msg: Message, value: Any) -> None:
        fill, shape = "grey", "dot"
        if isinstance(value, dict) and {"fill", "shape", "text"} <= value.keys():
            fill, shape, text = value["fill"], value["shape"], str(value["text"])
        else:
            text = value if isinstance(value, str) else format_value(value)
        error = msg.get("error")
        if error is not None:
            fill = "red"
            text = str(error.get("message", "")) if isinstance(error, dict) else str(error)
        if len(text) > STATUS_LENGTH:
            text = text[:STATUS_LENGTH] + "..."
        self._show(fill, shape, text)

    def _show(self, fill: str, shape: str, text: str) -> None:
        shown = (fill, shape, text)
        if shown != self._shown:
            self._shown = shown
            self.ctx.status(fill, shape, text)


def _whole(msg: Message) -> Message:
    return msg


def format_value(value: Any) -> str:
    """A value as the log shows it: a string as it is, bytes in hex, anything else as JSON
    (objects that JSON cannot hold by their ``repr``; NaN and infinities as ``NaN`` and
    ``Infinity``, as Node-RED's log shows them)."""
    if isinstance(value, str):
        return value
    if value is MISSING:
        return "undefined"
    if isinstance(value, bytes | bytearray):
        shown = value[:64].hex(" ")
        return f"<bytes {len(value)}: {shown}{' ...' if len(value) > 64 else ''}>"
    try:
        return json.dumps(value, ensure_ascii=False, default=repr)
    except (ValueError, TypeError):
        return repr(value)
