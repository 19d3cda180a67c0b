"""inject: emit messages at start, at intervals or on a cron schedule."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from pydantic import field_validator, model_validator

from flowrt.api import (
    Ack,
    EndOfInput,
    Evaluator,
    Message,
    NodeConfig,
    PropertyPath,
    Source,
    TypedValue,
    Value,
    compile_value,
    field,
    setter,
)


class Inject(Source):
    """Emit a message at start, at a fixed interval or on a cron schedule.

    ### Outputs

    A message with `payload` (by default the current time, in milliseconds since the epoch),
    `topic` when set, and the `properties` given, each evaluated when the message is made.

    ### Details

    - `once: true` emits one message `once_delay` seconds after the flow starts.
    - `repeat: S` emits every S seconds: the first S seconds after the start, or right after the
      `once` message.
    - `cron: "*/5 * * * *"` emits on a cron schedule (minute hour day month weekday, local time;
      a sixth field gives seconds). Node-RED's "interval between times" is a cron schedule too:
      every 10 minutes from 8:00 to 17:59 on weekdays is `"*/10 8-17 * * 1-5"`.

    In a group of workers (`flowrt run --group`) an inject node runs on one worker at a time,
    so each tick happens once in the group; another worker takes it over when that one dies,
    and its schedule starts again there.

    With none of these the node emits nothing (in Node-RED it would wait for its button), and
    `flowrt run --until-idle` does not wait for it. A repeat that falls behind skips the ticks
    it missed rather than sending a burst.

    Values are literals or typed values: `{type: date}`, `{type: env, value: SITE}`,
    `{type: flow, value: counter}`, `{type: jsonata, value: "$random()"}`...

    ```yaml
    every_minute:
      type: inject
      repeat: 60
      payload: {type: str, value: tick}
      topic: heartbeat
      properties:
        site: {type: env, value: SITE}
    ```
    """

    type = "inject"
    icon = "play"
    evaluates = {"jsonata": ("payload", "topic", "properties")}

    class Config(NodeConfig):
        payload: Value = field(
            default_factory=lambda: TypedValue(type="date"),
            description="The payload: a literal or a typed value (default: the time, epoch ms).",
            examples=[{"type": "str", "value": "hello"}, 42],
        )
        topic: Value = field(None, description="The topic; none when not set.")
        properties: dict[PropertyPath, Value] = field(
            default_factory=dict,
            description="Other message properties to set: property path -> value.",
            examples=[{"site": "plant-1", "unit": {"type": "env", "value": "UNIT"}}],
        )
        once: bool = field(False, description="Emit one message after the flow starts.")
        once_delay: float = field(
            0.1, description="Seconds after the start for the `once` message.", ge=0
        )
        repeat: float | None = field(
            None, description="Emit every this many seconds.", gt=0, examples=[1, 60]
        )
        cron: str | None = field(
            None,
            description="Emit on this cron schedule (local time).",
            examples=["0 * * * *", "*/10 8-17 * * 1-5"],
        )

        @field_validator("cron")
        @classmethod
        def _valid_cron(cls, value: str | None) -> str | None:
            from croniter import croniter  # here, not at module level: most flows never use cron

            if value is not None and not croniter.is_valid(value):
                raise ValueError(f"invalid cron expression {value!r}")
            return value

        @model_validator(mode="after")
        def _one_schedule(self) -> Inject.Config:
            if self.repeat is not None and self.cron is not None:
                raise ValueError("set repeat or cron, not both")
            return self

    async def start(self) -> None:
        ctx = self.ctx
        c = self.config
        values: list[tuple[str, Any]] = [("payload", c.payload)]
        if c.topic is not None:
            values.append(("topic", c.topic))
        values.extend(c.properties.items())
        self._values: list[tuple[Any, Evaluator]] = [
            (setter(path), compile_value(value, ctx)) for path, value in values
        ]
        self._times: Iterator[float] | None = None

    async def connect(self) -> None:
        if self._times is None:
            self._times = self._schedule(self.ctx.now())

    def _schedule(self, start: float) -> Iterator[float]:
        c = self.config
        last = start
        if c.once:
            last = start + c.once_delay
            yield last
        if c.repeat is not None:
            while True:
                last += c.repeat
                now = self.ctx.now()
                if last < now - c.repeat:  # fell behind by more than a tick: skip ahead
                    last = now
                yield last
        elif c.cron is not None:
            from croniter import croniter

            times = croniter(c.cron, datetime.fromtimestamp(last).astimezone())
            while True:
                yield float(times.get_next(float))

    async def read(self) -> tuple[Message, Ack | None]:
        assert self._times is not None, "read() before connect()"
        at = next(self._times, None)
        if at is None:
            raise EndOfInput("inject: no more messages scheduled")
        wait = at - self.ctx.now()
        if wait > 0:
            await self.ctx.sleep(wait)
        msg: Message = {}
        for put, value in self._values:
            put(msg, value(msg))
        return msg, None
