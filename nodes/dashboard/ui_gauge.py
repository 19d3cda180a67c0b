"""ui-gauge: a number on a radial dial, with a range and coloured sectors."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flowrt.api import MISSING, Message, Output, Transform, field, get_property

from .widget import RangeConfig, Widget, WidgetConfig, format_text, number_of


class Sector(BaseModel):
    """A band of the dial up to a value, in a colour."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    to: float = Field(description="Where the sector ends (it starts where the previous ended).")
    color: str = Field(description="A CSS colour: `#2e7d32`, `orange`.",
                       pattern=r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})$")


class UiGauge(Widget, Transform):
    """Shows a number on a radial gauge between `min` and `max`, with coloured sectors.

    ### Inputs

    : payload (number) : the value shown (numeric text too); anything else shows no value.

    ### Details

    The needle stops at the ends of the range; the value is written in the middle with
    `format` (`{{value}}`) and `units` under it. `sectors` colour the dial: each goes up to
    its `to`, the first from `min`; the value's own sector colours the arc up to the needle.
    `gtype` chooses another shape: node-red-dashboard's `donut`, `compass` and `wave`,
    FlowFuse Dashboard 2's `three-quarter`, `tile`, `battery` and `tank` (its `gauge-34`,
    `gauge-tile`, ...); each fills or points to the value, in its sector's colour (a compass
    has one colour).

    ```yaml
    nodes:
      temperature_gauge:
        type: ui-gauge
        dashboard: board
        label: Temperature
        units: °C
        min: -10
        max: 40
        sectors: [{to: 18, color: "#1e88e5"}, {to: 28, color: "#43a047"},
                  {to: 40, color: "#e53935"}]
    ```
    """

    type = "ui-gauge"
    kind = "gauge"
    category = "sink"
    outputs = 0

    class Config(RangeConfig, WidgetConfig):
        property: str = field("payload", description="The message property shown.")
        gtype: Literal["gage", "linear", "donut", "compass", "wave", "three-quarter", "tile",
                       "battery", "tank"] = field(
            "gage", description="The shape: `gage` a half-circle dial; `linear` a horizontal "
            "bar; `donut` a whole ring; `compass` a needle on a whole turn from north; `wave` "
            "liquid in a round glass; `three-quarter` a dial on three quarters of a turn; "
            "`tile` a tile in the value's colour; `battery` a battery charged to the value; "
            "`tank` a tank filled to it.")
        min: float = field(0, description="The value at the left end of the dial.")
        max: float = field(100, description="The value at the right end of the dial.")
        units: str = field("", description="Written under the value.", examples=["°C"])
        format: str = field("{{value}}", description="How the value is written.")
        sectors: list[Sector] = field(
            default_factory=list, description="Coloured bands, in increasing `to` order.")

        @model_validator(mode="after")
        def _sectors(self) -> UiGauge.Config:
            tos = [s.to for s in self.sectors]
            if tos != sorted(tos):
                raise ValueError("sectors must be in increasing `to` order")
            return self

    config: Config

    def describe(self) -> dict[str, Any]:
        c = self.config
        return {"label": self.label, "gtype": c.gtype, "min": c.min, "max": c.max,
                "units": c.units,
                "sectors": [{"to": s.to, "color": s.color} for s in c.sectors]}

    def initial(self) -> dict[str, Any]:
        return {"value": None, "text": ""}

    def process(self, msg: Message) -> Output:
        found = get_property(msg, self.config.property)
        number = number_of(None if found is MISSING else found)
        text = format_text(self.config.format, number, msg) if number is not None else ""
        self.show({"value": number, "text": text}, msg)
        return None
