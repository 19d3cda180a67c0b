"""ui-numeric: a number with up and down buttons, shared by every browser."""

from __future__ import annotations

from typing import Any, Literal

from flowrt.api import field

from .input_widget import REJECTED, ValueConfig, ValueWidget
from .widget import OUTSIDE, REPEATS, RangeConfig, format_text, number_of, on_step, settle


class UiNumeric(ValueWidget):
    """A number between `min` and `max`, changed by `step` with − and + (or typed).

    ### Inputs

    : payload (number) : sets the number (kept within the range, on a step, unless
      `outside: keep`; with `repeats: drop`, a number equal to the one it holds
      does nothing); with `passthru` the message goes on with it and the numeric's
      `topic` (none: its own). With `msg.socketid`, only that browser's
      number changes.

    ### Outputs

    : payload (number) : the number, when a person changes it.
    : socketid (string) : the browser it was changed in (`_client`: `{socketid, user,
      address}`).

    ### Details

    `format` writes the number beside the buttons (`{{value}}`). With `wrap`, + at `max`
    goes to `min` and − at `min` to `max`.

    ```yaml
    nodes:
      fans:
        type: ui-numeric
        dashboard: board
        label: Fans
        min: 0
        max: 8
        format: "{{value}} running"
        to: debug
    ```
    """

    type = "ui-numeric"
    kind = "numeric"
    evaluates = {"jsonata": ("topic",)}

    class Config(RangeConfig, ValueConfig):
        min: float = field(0, description="The lowest value.")
        max: float = field(10, description="The highest value.")
        step: float = field(1, gt=0, description="What − and + take away and add.")
        wrap: bool = field(False, description="+ at `max` goes to `min`, − at `min` to `max`.")
        format: str = field("{{value}}", description="How the number is written.")
        outside: Literal["clamp", "keep"] = field("clamp", description=OUTSIDE)
        repeats: Literal["pass", "drop"] = field("pass", description=REPEATS)

    config: Config

    def describe(self) -> dict[str, Any]:
        c = self.config
        return {"label": self.label, "min": c.min, "max": c.max, "step": c.step, "wrap": c.wrap}

    def initial(self) -> dict[str, Any]:
        c = self.config
        return self.state_of(on_step(c.min, c.min, c.max, c.step))

    def state_of(self, value: Any, socketid: str | None = None) -> dict[str, Any]:
        return {"value": value, "text": format_text(self.config.format, value, None)}

    def accept(self, value: Any, client: dict[str, Any] | None) -> Any:
        number = number_of(value)
        if number is None:
            return REJECTED
        c = self.config
        if client is None:  # a message's number; a browser's stays within the range
            return settle(number, c.min, c.max, c.step, c.outside)
        return on_step(number, c.min, c.max, c.step)
