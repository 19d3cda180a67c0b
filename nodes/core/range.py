"""range: map a number from one range onto another."""

from __future__ import annotations

import math
from typing import Literal

from pydantic import model_validator

from flowrt.api import (
    MISSING,
    Message,
    NodeConfig,
    NodeError,
    Output,
    PropertyPath,
    Transform,
    field,
    getter,
    setter,
)

from .js_coercion import to_number, to_str


class Range(Transform):
    """Map a number from an input range onto an output range.

    ### Inputs

    A message whose `property` (default `payload`) holds a number, or text that reads as one
    (`"12.5"`).

    ### Outputs

    The message with `property` scaled linearly: `min_in` becomes `min_out` and `max_in`
    becomes `max_out`. A message without the property passes unchanged.

    ### Details

    `action` says what happens to values outside the input range:

    - `scale`: scale them all the same (the result lies outside the output range);
    - `clamp`: limit the value to the input range first, so the result stays in the output
      range;
    - `wrap`: wrap the value around within the input range (as an angle wraps at 360);
    - `drop`: send nothing for values outside the input range.

    `round: true` rounds the result to the nearest whole number (halves round up). A value that
    is not a number is an error (catch nodes receive it) and the message goes no further.

    ```yaml
    percent:
      type: range
      min_in: 0
      max_in: 1023
      min_out: 0
      max_out: 100
      action: clamp
      round: true
    ```
    """

    type = "range"
    icon = "sigma"

    class Config(NodeConfig):
        property: PropertyPath = field(
            "payload", description="Message property holding the number."
        )
        min_in: float = field(description="Lower bound of the input range.", examples=[0])
        max_in: float = field(description="Upper bound of the input range.", examples=[1023])
        min_out: float = field(description="Lower bound of the output range.", examples=[0])
        max_out: float = field(description="Upper bound of the output range.", examples=[100])
        action: Literal["scale", "clamp", "wrap", "drop"] = field(
            "scale", description="What to do with values outside the input range."
        )
        round: bool = field(False, description="Round the result to the nearest whole number.")

        @model_validator(mode="after")
        def _has_width(self) -> Range.Config:
            if self.min_in == self.max_in:
                raise ValueError("min_in and max_in must differ (the input range has no width)")
            return self

    async def start(self) -> None:
        c = self.config
        self._get, self._set = getter(c.property), setter(c.property)
        low, high, low_out, high_out = c.min_in, c.max_in, c.min_out, c.max_out
        if low > high:
            low, high, low_out, high_out = high, low, high_out, low_out
        if c.round:  # as Node-RED: the output range shrinks to whole numbers first
            low_out, high_out = math.ceil(low_out), math.floor(high_out)
        self._low, self._high, self._low_out = low, high, low_out
        self._factor = (high_out - low_out) / (high - low)

    def process(self, msg: Message) -> Output:
        value = self._get(msg)
        if value is MISSING:
            return msg
        n = value if type(value) in (int, float) else to_number(value)
        if math.isnan(n):
            raise NodeError(f"range: {self.config.property} is not a number: {to_str(value)!r}")
        c = self.config
        action = c.action
        if action == "drop" and not self._low <= n <= self._high:
            return None
        if action == "clamp":
            n = min(max(n, self._low), self._high)
        elif action == "wrap":
            n = (n - self._low) % (self._high - self._low) + self._low
        result = (n - self._low) * self._factor + self._low_out
        if c.round:
            result = math.floor(result + 0.5)
        elif isinstance(result, float) and result.is_integer():
            result = int(result)
        self._set(msg, result)
        return msg
