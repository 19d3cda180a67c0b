"""What every dashboard widget shares: the dashboard it names, its label, joining the hub when
it starts and leaving it when it stops, and the `{{value}}` formats of labels and texts."""

from __future__ import annotations

import json
import math
import re
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import model_validator

from flowrt.api import MISSING, Message, NodeConfig, field, get_property, js_string

from .dashboard import Dashboard
from .dashboard_hub import Hub, InputHandler

_PLACEHOLDER = re.compile(r"\{\{\s*(value|msg\.[A-Za-z_$][A-Za-z0-9_$.\[\]]*)\s*\}\}")


class WidgetConfig(NodeConfig):
    """Base of every widget's configuration (the widget's label is the node's `label`)."""

    dashboard: str = field(description="The dashboard connection that shows this widget.",
                           connection="dashboard", examples=["board"])


class Widget:
    """Mixed into a widget node: joins the dashboard's hub at start, leaves it at stop."""

    kind: ClassVar[str] = ""
    placed: ClassVar[bool] = True
    """Whether the widget is shown in a group (a notification or a control is not)."""
    id: str
    ctx: Any
    config: Any

    def describe(self) -> dict[str, Any]:
        """What a browser needs to draw the widget (its label, range, colours...)."""
        return {"label": self.label}

    @property
    def label(self) -> str:
        """The node's ``label`` (empty: none)."""
        return str(self.ctx.label or "")

    def initial(self) -> dict[str, Any]:
        """The widget's state before any message."""
        return {}

    def input_handler(self) -> InputHandler | None:
        return None

    def window(self) -> tuple[int, float]:
        return 0, 0.0

    async def start(self) -> None:
        board = self.ctx.connection(self.config.dashboard, Dashboard)
        self.board: Dashboard = board
        points, age = self.window()
        described = self.describe() if self.placed else {**self.describe(), "placed": False}
        self.hub: Hub = board.attach(self.id, self.kind, described, self.initial(),
                                     self.input_handler(), points, age)

    def show(self, state: dict[str, Any], msg: Message | None = None) -> None:
        """Set what the widget shows: to the browser ``msg.socketid`` names, else to all."""
        socketid = msg.get("socketid") if msg is not None else None
        self.hub.set(self.id, state, socketid if isinstance(socketid, str) else None)

    async def stop(self) -> None:
        board: Dashboard | None = getattr(self, "board", None)
        if board is not None:
            await board.detach(self.id)


def format_text(template: str, value: Any, msg: Message | None) -> str:
    """``template`` with ``{{value}}`` and ``{{msg.<path>}}`` replaced by the values as
    JavaScript's ``String`` writes them (an object as JSON); no other template language."""

    def replace(match: re.Match[str]) -> str:
        name = match[1]
        found = value if name == "value" else (
            get_property(msg, name[4:]) if msg is not None else MISSING)
        if found is MISSING or found is None:
            return ""
        if isinstance(found, dict | list):
            return json.dumps(found, default=str)
        return js_string(found)

    return _PLACEHOLDER.sub(replace, template)


def number_of(value: Any) -> float | None:
    """A payload as a number, as the dashboard shows it: numbers and numeric text; None for
    anything else (a widget then shows nothing rather than a wrong value)."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    elif isinstance(value, str):
        try:
            number = float(value.strip())
        except ValueError:
            return None
    else:
        return None
    return number if math.isfinite(number) else None


OUTSIDE = ("A number a message brings outside `min`..`max`: `clamp` keeps it within the "
           "range (on a step from `min`); `keep` shows and passes it on as it is, rounded to "
           "a multiple of `step` (node-red-dashboard's way, which its import sets).")
"""The description of a slider's and a numeric's ``outside`` field."""

REPEATS = ("A message in with the value the widget holds already: `pass` sets it and passes it "
           "on; `drop` does neither (node-red-dashboard's way, which its import sets).")
"""The description of a slider's and a numeric's ``repeats`` field."""


class RangeConfig(NodeConfig):
    """Mixed first into the configuration of a widget on a range of numbers (slider, numeric,
    gauge), whose ``min`` and ``max`` fields it declares with its own defaults and words:
    ``max`` must be above ``min``."""

    if TYPE_CHECKING:
        min: float
        max: float

    @model_validator(mode="after")
    def _range(self) -> Self:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max:g}) must be above min ({self.min:g})")
        return self


def settle(number: float, low: float, high: float, step: float, outside: str) -> float:
    """A number a message brings to a slider or numeric: :func:`on_step` with ``clamp``;
    with ``keep``, as node-red-dashboard's ``toNumber`` does, rounded to a multiple of
    ``step`` (JavaScript's ``Math.round``, to 4 decimals) and not kept within the range."""
    if outside != "keep":
        return on_step(number, low, high, step)
    value = _js_round(_js_round(number / step) * step * 10000) / 10000
    return int(value) if value.is_integer() else value


def _js_round(number: float) -> float:
    """JavaScript's ``Math.round``: halves go up (Python's round goes to even)."""
    return float(math.floor(number + 0.5))


def on_step(number: float, low: float, high: float, step: float) -> float:
    """``number`` within ``low``..``high``, on a step from ``low``; whole numbers stay ints."""
    steps = round((min(max(number, low), high) - low) / step)
    value = round(min(low + steps * step, high), 10)
    return int(value) if float(value).is_integer() and math.isfinite(value) else value
