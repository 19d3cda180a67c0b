"""trigger: send a message, then, unless reset, a second one after a while."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import field_validator

from flowrt.api import (
    MISSING,
    Evaluator,
    Message,
    NodeConfig,
    NodeContext,
    Output,
    PropertyPath,
    Timer,
    Transform,
    TypedValue,
    Value,
    clone,
    compile_value,
    field,
    get_property,
)

from .context_store import ContextStore
from .template_mustache import Resolver, check_mustache, compile_mustache

_ALL = object()
"""The one stream when messages are not handled per topic."""


@dataclass
class _Armed:
    """A stream the trigger has fired on and that waits for its second message or a reset."""

    base: Message
    """The message the second message is built from."""
    second: Any
    timer: Timer | None = None


class Trigger(Transform):
    """Send a message, then, unless extended or reset, a second message after a while.

    ### Inputs

    - `reset`: cancel the wait (or the repeat) in progress; nothing more is sent. A message
      whose `payload` equals `reset_payload` does the same.
    - `delay` (milliseconds): with `allow_override`, the wait for this message.

    ### Outputs

    1. The first message: the triggering message with `payload` set to `first`; then the
       second message with `payload` set to `second` (unless `second_output`).
    2. With `second_output`: the second message.

    ### Details

    When a message arrives and the node is not already triggered, it sends the first message
    at once, then, depending on `then`:

    - `wait`: after `duration` seconds, sends the second message. Messages arriving in
      between are ignored or, with `extend`, start the wait again (the second message is then
      built from the latest message): with `send: second`, that is a watchdog which speaks
      only when messages stop coming.
    - `resend`: sends the first message again every `duration` seconds until reset; a new
      message restarts the repeat with itself.
    - `block`: sends nothing more and ignores messages until reset.

    `first` and `second` are values: a literal, or a typed value such as
    `{type: msg, value: payload}` (the triggering message's own payload) or
    `{type: flow, value: state}` (read when the second message is sent). A string with
    `{{...}}` is a mustache template over the message. `second` is evaluated against the
    message that started the trigger, or with `second_from: latest`, against the latest
    message received while waiting. `send` chooses which messages are sent at all.

    With `group_by` (for example `topic`), each value of that property is handled as a
    separate stream, with its own wait.
    """

    type = "trigger"
    icon = "clock"
    evaluates = {"jsonata": ("first", "second"), "mustache": ("first", "second")}
    asynchronous = True

    class Config(NodeConfig):
        first: Value = field(1, description="Payload of the first message.", examples=["on"])
        second: Value = field(0, description="Payload of the second message.", examples=["off"])
        send: Literal["both", "first", "second"] = field(
            "both", description="Which messages to send."
        )
        second_from: Literal["first", "latest"] = field(
            "first",
            description="Evaluate `second` against the message that started the trigger, or "
            "the latest one.",
        )
        then: Literal["wait", "resend", "block"] = field(
            "wait",
            description="After the first message: wait `duration` then send the second, "
            "resend the first every `duration`, or wait for a reset.",
        )
        duration: float = field(
            0.25, description="Seconds to wait, or between resends.", gt=0, examples=[5]
        )
        extend: bool = field(False, description="`wait`: a new message restarts the wait.")
        allow_override: bool = field(
            False, description="Let `msg.delay` (milliseconds) set the wait for a message."
        )
        reset_payload: str | float | bool | None = field(
            None, description="A payload equal to this resets the node.", examples=["stop"]
        )
        group_by: PropertyPath | None = field(
            None,
            description="Handle each value of this message property separately.",
            examples=["topic"],
        )
        second_output: bool = field(
            False, description="Send the second message on a second output."
        )

        @field_validator("first", "second")
        @classmethod
        def _mustache_parses(cls, value: Any) -> Any:
            if isinstance(value, str) and "{{" in value:
                check_mustache(value)
            return value

    config: Config

    @classmethod
    def output_count(cls, config: Any) -> int:
        return 2 if config.second_output else 1

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.armed: dict[Any, _Armed] = {}
        self.first = _payload_maker(self.config.first, self.ctx)
        self.second = _payload_maker(self.config.second, self.ctx)
        second = self.config.second
        self.second_when_sent = isinstance(second, TypedValue) and second.type in (
            "flow",
            "global",
        )

    def process(self, msg: Message) -> Output:
        config = self.config
        key = self._stream(msg)
        if self._is_reset(msg):
            state = self.armed.pop(key, None)
            if state is not None and state.timer is not None:
                state.timer.cancel()
            self._show()
            return None
        state = self.armed.get(key)
        if state is None or config.then == "resend":
            if state is not None and state.timer is not None:
                state.timer.cancel()
            return self._fire(key, msg)
        if config.second_from == "latest":
            state.base, state.second = msg, self._second(msg)
        if config.extend and config.then == "wait":
            state.base = msg
            if state.timer is not None:
                state.timer.cancel()
            state.timer = self.ctx.call_later(self._duration(msg), lambda: self._finish(key))
        return None

    def _fire(self, key: Any, msg: Message) -> Output:
        config = self.config
        state = self.armed[key] = _Armed(msg, self._second(msg))
        first: Message | None = None
        if config.send != "second":
            first = _with_payload(clone(msg), self.first(msg))
        if config.then == "wait":
            state.timer = self.ctx.call_later(self._duration(msg), lambda: self._finish(key))
        elif config.then == "resend" and first is not None:
            template = first
            every = self._duration(msg)
            state.timer = self.ctx.call_later(every, lambda: self._resend(key, template, every))
        self._show()
        return first

    def _resend(self, key: Any, template: Message, every: float) -> None:
        """Send the first message again, every ``every`` s (msg.delay's interval, when it
        overrode the configured one, for every repeat, as in Node-RED)."""
        state = self.armed.get(key)
        if state is None:
            return
        again = clone(template)
        again["_msgid"] = self.ctx.new_msgid()
        self.ctx.send(again)
        state.timer = self.ctx.call_later(every, lambda: self._resend(key, template, every))

    def _finish(self, key: Any) -> None:
        state = self.armed.pop(key, None)
        self._show()
        if state is None or self.config.send == "first":
            return
        payload = self.second(state.base) if self.second_when_sent else state.second
        out = _with_payload(clone(state.base), payload)
        out["_msgid"] = self.ctx.new_msgid()
        self.ctx.send([None, out] if self.config.second_output else out)

    def _second(self, msg: Message) -> Any:
        if self.config.send == "first" or self.second_when_sent:
            return MISSING
        return self.second(msg)

    def _duration(self, msg: Message) -> float:
        if self.config.allow_override and "delay" in msg:
            delay = msg["delay"]
            if isinstance(delay, int | float) and not isinstance(delay, bool) and delay >= 0:
                return delay / 1000
        return self.config.duration

    def _stream(self, msg: Message) -> Any:
        if self.config.group_by is None:
            return _ALL
        value = get_property(msg, self.config.group_by)
        try:
            hash(value)
        except TypeError:
            return repr(value)
        return value

    def _is_reset(self, msg: Message) -> bool:
        if "reset" in msg:
            return True
        wanted = self.config.reset_payload
        payload = msg.get("payload")
        return wanted is not None and payload is not None and _text(payload) == _text(wanted)

    def _show(self) -> None:
        if self.armed:
            self.ctx.status("blue", "dot", "")
        else:
            self.ctx.status()

    async def stop(self) -> None:
        for state in self.armed.values():
            if state.timer is not None:
                state.timer.cancel()
        self.armed.clear()


def _payload_maker(value: Any, ctx: NodeContext) -> Evaluator:
    """A function of the message giving the payload ``value`` describes: a text with ``{{``
    is a mustache template, rendered as the template node renders one (data only, bounded)."""
    if isinstance(value, str) and "{{" in value:
        scopes = ContextStore(ctx.flow), ContextStore(ctx.global_)
        return compile_mustache(value, Resolver(*scopes, json_strings=False))
    return compile_value(value, ctx)


def _with_payload(msg: Message, payload: Any) -> Message:
    if payload is MISSING:
        msg.pop("payload", None)
    else:
        msg["payload"] = payload
    return msg


def _text(value: Any) -> str:
    """A payload as text, to compare with ``reset_payload`` the way Node-RED does."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)
