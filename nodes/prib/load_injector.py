"""load-injector: send messages at random intervals for a while, to load a flow, as
node-red-contrib-prib-functions' ``Load Injector`` node."""

from __future__ import annotations

import math
import random
import secrets
from typing import Any

from flowrt.api import (
    Message,
    NodeConfig,
    Output,
    Timer,
    Transform,
    Value,
    compile_value,
    field,
)

START, STOP = "loadinjector.start", "loadinjector.stop"


class LoadInjector(Transform):
    """Once started, send a message every `think_time_min` to `think_time_max` milliseconds
    (drawn at random each time) for `runtime` seconds.

    ### Inputs

    - topic `loadinjector.start`: start (again, from the beginning, when running);
    - topic `loadinjector.stop`: stop now;
    - any other message: sent on with `topic` and `payload` set, as an injected one.

    ### Outputs

    1. the injected messages: `payload` and `topic` as configured (evaluated for each);
    2. when the run stops, `{payload: {count, started, stopped}}`: how many were sent,
       and when it started and stopped (epoch milliseconds).

    ### Details

    The first message leaves as the run starts. As in the contrib node, the interval is
    `think_time_min + floor(random * (think_time_max - think_time_min + 1))`, and a
    minimum above the maximum is lowered to it.

    ```yaml
    go: {type: inject, topic: loadinjector.start, to: load}
    load: {type: load-injector, think_time_min: 100, think_time_max: 500, runtime: 10,
           payload: {type: date}, to: {0: under_test}}
    under_test: {type: debug}
    ```
    """

    type = "load-injector"
    outputs = 2
    asynchronous = True
    icon = "play"

    evaluates = {"jsonata": ("payload", "topic")}

    class Config(NodeConfig):
        think_time_min: float = field(ge=0, description="Shortest wait between messages, in "
                                      "milliseconds.", examples=[100])
        think_time_max: float = field(ge=0, description="Longest wait between messages, in "
                                      "milliseconds.", examples=[5000])
        runtime: float = field(gt=0, description="How long a run lasts, in seconds.",
                               examples=[60])
        payload: Value = field(None, description="Each message's payload.",
                               examples=[{"type": "date"}])
        topic: Value = field("", description="Each message's topic.")
        topic_id: bool = field(False, description="Give each message a new random id (16 "
                               "hex digits) as its topic, instead of `topic`.")

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        c = self.config
        self.low = min(c.think_time_min, c.think_time_max)
        self.spread = max(c.think_time_max - self.low + 1, 0)
        self.payload = compile_value(c.payload, self.ctx)
        self.topic = compile_value(c.topic, self.ctx)
        self.ender: Timer | None = None
        self.next: Timer | None = None
        self.count = 0
        self.started = 0

    async def start(self) -> None:
        self.ctx.status("red", "ring", "Not started")

    def process(self, msg: Message) -> Output:
        topic = msg.get("topic")
        if topic == STOP:
            return self._stop()
        if topic == START:
            self._start()
            return None
        return self._fill(msg)

    def _fill(self, msg: Message) -> Message:
        msg["topic"] = secrets.token_hex(8) if self.config.topic_id else self.topic(msg)
        msg["payload"] = self.payload(msg)
        return msg

    def _now_ms(self) -> int:
        return math.floor(self.ctx.now() * 1000)

    def _start(self) -> None:
        self._cancel()
        self.started, self.count = self._now_ms(), 0
        self.ender = self.ctx.call_later(self.config.runtime, self._end)
        self.ctx.status("green", "ring", "Started")
        self.ctx.log(f"started injector to run for {self.config.runtime:g} seconds")
        self._inject()

    def _inject(self) -> None:
        if self.ender is None:
            return
        self.count += 1
        self.ctx.send(self._fill({"_msgid": self.ctx.new_msgid()}))
        wait = self.low + math.floor(random.random() * self.spread)  # noqa: S311 - load timing
        self.next = self.ctx.call_later(wait / 1000, self._inject)

    def _end(self) -> None:
        self.ender = None
        self.ctx.send(self._stop())

    def _stop(self) -> Output:
        self._cancel()
        stats = {"count": self.count, "started": self.started, "stopped": self._now_ms()}
        self.ctx.status("red", "ring", "Stopped")
        return [None, {"_msgid": self.ctx.new_msgid(), "payload": stats}]

    def _cancel(self) -> None:
        for timer in (self.ender, self.next):
            if timer is not None:
                timer.cancel()
        self.ender = self.next = None

    async def stop(self) -> None:
        self._cancel()
