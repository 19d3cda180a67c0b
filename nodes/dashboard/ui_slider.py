"""ui-slider: a number chosen on a range, shared by every browser."""

from __future__ import annotations

from typing import Any, Literal

from flowrt.api import Message, field

from .dashboard_hub import InputHandler
from .input_widget import InputConfig, InputWidget
from .widget import OUTSIDE, REPEATS, RangeConfig, number_of, on_step, settle


class UiSlider(InputWidget):
    """A slider between `min` and `max` by `step`: moving it sends the number into the flow.

    ### Inputs

    : payload (number) : sets the slider (kept within the range, on a step, unless
      `outside: keep`; with `repeats: drop`, a number equal to the one it holds
      does nothing); with `passthru` the message goes on with that number and the
      slider's `topic` (none: its own).

    ### Outputs

    : payload (number) : the number chosen, when a person lets the slider go (`send:
      release`) or as it moves (`send: continuous`).
    : socketid (string) : the browser it was moved in (`_client`: `{socketid, user,
      address}`).

    ### Details

    ```yaml
    nodes:
      setpoint:
        type: ui-slider
        dashboard: board
        label: Set point
        min: 10
        max: 30
        step: 0.5
        to: debug
    ```
    """

    type = "ui-slider"
    kind = "slider"
    evaluates = {"jsonata": ("topic",)}

    class Config(RangeConfig, InputConfig):
        min: float = field(0, description="The lowest value.")
        max: float = field(100, description="The highest value.")
        step: float = field(1, gt=0, description="The values between are multiples of it.")
        send: Literal["release", "continuous"] = field(
            "release", description="`release`: send when let go; `continuous`: as it moves.")
        passthru: bool = field(False, description="A message in goes on with the number it "
                               "set.")
        outside: Literal["clamp", "keep"] = field("clamp", description=OUTSIDE)
        repeats: Literal["pass", "drop"] = field("pass", description=REPEATS)

    config: Config
    held: float | None = None
    """The number last set (by a message or a person; None before any)."""

    def describe(self) -> dict[str, Any]:
        c = self.config
        return {"label": self.label, "min": c.min, "max": c.max, "step": c.step, "send": c.send}

    def initial(self) -> dict[str, Any]:
        return {"value": self.config.min}

    def snap(self, number: float) -> float:
        """``number`` within the range, on a step from ``min``; whole numbers stay ints."""
        c = self.config
        return on_step(number, c.min, c.max, c.step)

    def input_handler(self) -> InputHandler:
        def moved(value: Any, client: dict[str, Any]) -> None:
            number = number_of(value)
            if number is None:
                return
            snapped = self.held = self.snap(number)
            self.hub.set(self.id, {"value": snapped})
            self.emit(snapped, client)

        return moved

    async def receive(self, msg: Message) -> None:
        number = number_of(msg.get("payload"))
        if number is None:
            return
        c = self.config
        snapped = settle(number, c.min, c.max, c.step, c.outside)
        if c.repeats == "drop" and snapped == self.held:
            return
        self.held = snapped
        self.show({"value": snapped}, msg)
        if c.passthru:
            self.pass_on(msg, snapped)
