"""ui-chart: a line chart of values over time, one series per topic."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import MISSING, Message, Output, Transform, field, get_property

from .widget import Widget, WidgetConfig, number_of

PALETTE = ["#1e88e5", "#e53935", "#43a047", "#fb8c00", "#8e24aa", "#00897b"]


class UiChart(Widget, Transform):
    """Draws values over time as lines, or each series' latest value as bars or a pie.

    A series is, by default, a `msg.topic`.

    ### Inputs

    : payload (number) : a point of the series (numeric text too; anything else is skipped).
    : topic (string) : the series (with `series: topic`, the default).
    : timestamp (number) : the point's time, in ms since the epoch (default: now).

    ### Details

    `msg.payload = []` clears the chart. The chart keeps, per series, the last `max_points`
    points no older than `max_age` seconds (0: no limit), and a browser that connects is sent
    them all at once. The lines are drawn with uPlot (docs/dashboard.md says why).

    With another `chart_type` (`bar`, `horizontal-bar`, `pie`, `radar`, `polar-area`), each
    series is a bar (a slice, an axis, a sector) with its latest value, in the order the
    series first came; drawn as SVG. A message's `payload` may then also be an object
    `{<series>: <value>, ...}`, which replaces them all.

    ```yaml
    nodes:
      history:
        type: ui-chart
        dashboard: board
        label: Temperatures
        max_age: 3600
        max_points: 1000
    ```
    """

    type = "ui-chart"
    kind = "chart"
    category = "sink"
    outputs = 0

    class Config(WidgetConfig):
        property: str = field("payload", description="The message property with the value.")
        chart_type: Literal["line", "bar", "horizontal-bar", "pie", "radar", "polar-area"] = \
            field("line", description="`line`: values over time; the others each series' "
                  "latest value: `bar` (upright), `horizontal-bar`, `pie`, `radar` (a point on "
                  "an axis each), `polar-area` (a sector each, as long as the value).")
        series: str = field("topic", description="The message property naming the series.")
        max_points: int = field(1000, ge=1, le=100_000,
                                description="Points kept per series (the oldest go first).")
        max_age: float = field(3600, ge=0, description="Seconds a point is kept (0: no limit).")
        y_min: float | None = field(None, description="The bottom of the y axis (default: "
                                    "as the values go).")
        y_max: float | None = field(None, description="The top of the y axis (default: as "
                                    "the values go).")
        units: str = field("", description="Written after the values on the y axis.")
        colors: list[str] = field(default_factory=lambda: list(PALETTE),
                                  description="The series' colours, in the order they appear.",
                                  min_length=1)

        @model_validator(mode="after")
        def _range(self) -> UiChart.Config:
            if self.y_min is not None and self.y_max is not None and self.y_max <= self.y_min:
                raise ValueError("y_max must be above y_min")
            return self

    config: Config

    def describe(self) -> dict[str, Any]:
        c = self.config
        return {"label": self.label, "chart_type": c.chart_type, "y_min": c.y_min,
                "y_max": c.y_max, "units": c.units,
                "colors": c.colors, "max_points": c.max_points, "max_age": c.max_age}

    def window(self) -> tuple[int, float]:
        return self.config.max_points, self.config.max_age

    def initial(self) -> dict[str, Any]:
        return {} if self.config.chart_type == "line" else {"values": []}

    def process(self, msg: Message) -> Output:
        found = get_property(msg, self.config.property)
        if self.config.chart_type != "line":
            self.latest(msg, found)
            return None
        if found == []:
            self.hub.clear(self.id)
            return None
        value = number_of(None if found is MISSING else found)
        if value is None:
            return None
        name = get_property(msg, self.config.series)
        series = str(name) if name is not MISSING and name not in (None, "") else \
            (self.label or "series")
        stamp = msg.get("timestamp")
        t = float(stamp) if isinstance(stamp, int | float) and not isinstance(stamp, bool) \
            else self.ctx.now() * 1000
        self.hub.add_points(self.id, [(series, t, value)])
        return None

    def latest(self, msg: Message, found: Any) -> None:
        """A bar or pie chart: the series' latest value replaced (or all of them)."""
        values: dict[str, float] = {name: v for name, v in self.hub.state(self.id)["values"]}
        if found == [] or found == {}:
            values = {}
        elif isinstance(found, dict):
            values = {str(k): n for k, v in found.items() if (n := number_of(v)) is not None}
        else:
            value = number_of(None if found is MISSING else found)
            if value is None:
                return
            name = get_property(msg, self.config.series)
            series = str(name) if name is not MISSING and name not in (None, "") else \
                (self.label or "series")
            values[series] = value
        self.hub.set(self.id, {"values": [[k, v] for k, v in values.items()]})
