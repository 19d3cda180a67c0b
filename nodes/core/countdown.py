"""countdown: count seconds down from a start message to a stop message."""

from __future__ import annotations

import math
from typing import Any

from flowrt.api import (
    MISSING,
    Evaluator,
    Message,
    NodeConfig,
    Output,
    Timer,
    Transform,
    TypedValue,
    Value,
    compile_value,
    field,
)


class Countdown(Transform):
    """Count down from `duration` seconds: a message when it starts, every second the seconds
    left, and a message when it reaches zero. As node-red-contrib-countdown's `countdown`.

    ### Inputs

    - a message with payload `false` or `0` stops the countdown (sending the stop message
      only with `output_on_reset`) and the seconds left as 0;
    - a message with topic `control` and a number above 1 as payload sets the countdown's
      length (rounded up) from the next start; with `follow_control` a running countdown
      goes on from that number; with `start_on_control` a stopped one starts;
    - any other message starts the countdown (or, running, restarts it with `restart`).

    ### Outputs

    1. `start_payload` when the countdown starts, `stop_payload` when it ends (each with
       `topic` when it is set); none for a payload left out;
    2. the seconds left: every second while running, then 0.

    ### Details

    `stop_payload` may be `{type: msg, value: PROPERTY}`: that property of the last message
    that was not a control message. The seconds are counted by a timer started with the
    countdown, as the contrib node's interval is. The status shows `Running: N` or
    `Stopped: N` (N: the countdown's length).
    """

    type = "countdown"
    outputs = 2
    asynchronous = True
    icon = "clock"
    evaluates = {"jsonata": ("start_payload", "stop_payload")}

    class Config(NodeConfig):
        duration: int = field(description="Seconds to count down from.", ge=1, examples=[60])
        topic: str = field("", description="Topic of the start and stop messages (none if "
                           "empty).")
        start_payload: Value | None = field(True, description="Payload of the message sent "
                                            "at the start; none: no message.")
        stop_payload: Value | None = field(False, description="Payload of the message sent at "
                                           "the end; none: no message.")
        restart: bool = field(False, description="A start message while running restarts "
                              "the countdown.")
        output_on_reset: bool = field(False, description="A stop (`false` or `0`) sends the "
                                      "stop message too.")
        follow_control: bool = field(True, description="A control message while running "
                                     "sets the seconds left.")
        start_on_control: bool = field(False, description="A control message while stopped "
                                       "starts the countdown.")

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.config
        self.length: int = c.duration
        self.ticks: float = -1
        self.ticker: Timer | None = None
        self.start_value = _maker(c.start_payload, self.ctx)
        self.stop_value = _maker(c.stop_payload, self.ctx)
        stop = c.stop_payload
        self.stop_from_msg = isinstance(stop, TypedValue) and stop.type == "msg"
        self.last: Message = {}

    async def start(self) -> None:
        self.ctx.status("red", "dot", f"Stopped: {self.length}")

    def process(self, msg: Message) -> Output:
        payload = msg.get("payload")
        if msg.get("topic") == "control":
            seconds = _number(payload)
            if seconds is not None and seconds > 1:
                self.length = math.ceil(seconds)
                if self.ticker is not None:
                    if self.config.follow_control:
                        self.ticks = seconds
                        self.ctx.status("green", "dot", f"Running: {self.length}")
                elif self.config.start_on_control:
                    return self._start()
                else:
                    self.ctx.status("red", "dot", f"Stopped: {self.length}")
            return None
        if self.stop_from_msg:
            self.last = msg
        if payload is False or (type(payload) in (int, float) and payload == 0):
            return self._stop(reset=True)
        if self.ticker is None:
            return self._start()
        if self.config.restart:
            self._end_ticker()
            return self._start()
        return None

    def _message(self, value: Any) -> Message:
        out: Message = {"_msgid": self.ctx.new_msgid(), "payload": value}
        if self.config.topic:
            out["topic"] = self.config.topic
        return out

    def _start(self) -> Output:
        self.ticks = self.length
        self.ctx.status("green", "dot", f"Running: {self.ticks}")
        if self.ticker is None:
            self.ticker = self.ctx.call_later(1, self._tick)
        if self.start_value is None:
            return None
        return [self._message(self.start_value({})), None]

    def _tick(self) -> None:
        self.ticker = self.ctx.call_later(1, self._tick)
        if self.ticks > 1:
            self.ticks -= 1
            self.ctx.send([None, {"_msgid": self.ctx.new_msgid(), "payload": self.ticks}])
            self.ctx.status("green", "dot", f"Running: {_js(self.ticks)}")
        elif self.ticks == 1:
            self.ctx.send(self._stop(reset=False))
            self.ticks = 0

    def _stop(self, reset: bool) -> Output:
        self.ctx.status("red", "dot", f"Stopped: {self.length}")
        self._end_ticker()
        left = {"_msgid": self.ctx.new_msgid(), "payload": 0}
        if self.stop_value is None or (reset and not self.config.output_on_reset):
            return [None, left]
        value = self.stop_value(self.last)
        if value is MISSING and isinstance(self.config.stop_payload, TypedValue):
            self.ctx.warn("Property not set correctly! Input Message does not have property: "
                          f"{self.config.stop_payload.value}")
            value = self.config.stop_payload.value
        return [self._message(value), left]

    def _end_ticker(self) -> None:
        if self.ticker is not None:
            self.ticker.cancel()
            self.ticker = None
        self.ticks = -1

    async def stop(self) -> None:
        self._end_ticker()


def _maker(value: Any, ctx: Any) -> Evaluator | None:
    return None if value is None else compile_value(value, ctx)


def _number(value: Any) -> int | float | None:
    """The number is-number (the contrib's check) sees in a payload, or None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str) and value.strip():
        try:
            value = float(value.strip())
        except ValueError:
            return None
    if not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return int(value) if float(value).is_integer() else value


def _js(number: float) -> str:
    return str(int(number)) if float(number).is_integer() else str(number)
