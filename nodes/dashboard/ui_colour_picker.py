"""ui-colour-picker: a colour chosen in the browser's picker, sent as hex, rgb or hsl."""

from __future__ import annotations

import colorsys
import re
from typing import Any, Literal

from flowrt.api import field

from .input_widget import REJECTED, ValueConfig, ValueWidget

_HEX = re.compile(r"^#?([0-9a-fA-F]{6})$")
_RGB = re.compile(r"^rgba?\(\s*(\d{1,3})\s*,\s*(\d{1,3})\s*,\s*(\d{1,3})\s*(?:,[^)]*)?\)$")


class UiColourPicker(ValueWidget):
    """A colour swatch: choosing a colour sends it into the flow.

    ### Inputs

    : payload (string | object) : sets the colour: `#rrggbb`, `rgb(r, g, b)` or
      `{r, g, b}`; with `passthru` the message goes on with the colour as it is sent.

    ### Outputs

    : payload (string | object) : the colour in `format` (`hex`: `#1e88e5`, `rgb`:
      `rgb(30, 136, 229)`, `hsl`: `hsl(208, 79%, 51%)`); with `outformat: object`, an
      object (`{r, g, b}` or `{h, s, l}`; hex stays a string).
    : socketid (string) : the browser it was chosen in (`_client`).

    ### Details

    ```yaml
    nodes:
      lamp:
        type: ui-colour-picker
        dashboard: board
        label: Lamp
        format: rgb
        outformat: object
        to: debug
    ```
    """

    type = "ui-colour-picker"
    kind = "colour-picker"
    evaluates = {"jsonata": ("topic",)}

    class Config(ValueConfig):
        format: Literal["hex", "rgb", "hsl"] = field("hex", description="How the colour is "
                                                     "written.")
        outformat: Literal["string", "object"] = field(
            "string", description="`string` (`rgb(...)`) or `object` (`{r, g, b}`).")

    config: Config

    def describe(self) -> dict[str, Any]:
        return {"label": self.label}

    def initial(self) -> dict[str, Any]:
        return {"value": "#000000"}

    def accept(self, value: Any, client: dict[str, Any] | None) -> Any:
        rgb = _rgb(value)
        return REJECTED if rgb is None else rgb

    def state_of(self, value: Any, socketid: str | None = None) -> dict[str, Any]:
        return {"value": "#{:02x}{:02x}{:02x}".format(*value)}

    def emit(self, payload: Any, client: dict[str, Any] | None, base: Any = None) -> None:
        super().emit(self.written(payload), client, base)

    async def receive(self, msg: Any) -> None:
        rgb = _rgb(msg.get("payload"))
        if rgb is None:
            return
        self.show(self.state_of(rgb), msg)
        if self.config.passthru:
            self.pass_on(msg, self.written(rgb))

    def written(self, rgb: tuple[int, int, int]) -> Any:
        """``rgb`` in the configured format."""
        c = self.config
        r, g, b = rgb
        if c.format == "hex":
            return "#{:02x}{:02x}{:02x}".format(*rgb)
        if c.format == "rgb":
            return {"r": r, "g": g, "b": b} if c.outformat == "object" else \
                f"rgb({r}, {g}, {b})"
        hue, light, sat = colorsys.rgb_to_hls(r / 255, g / 255, b / 255)
        h, s, l_ = round(hue * 360), round(sat * 100), round(light * 100)
        return {"h": h, "s": s, "l": l_} if c.outformat == "object" else \
            f"hsl({h}, {s}%, {l_}%)"


def _rgb(value: Any) -> tuple[int, int, int] | None:
    """A colour as ``(r, g, b)``: ``#rrggbb``, ``rgb(r, g, b)`` or ``{r, g, b}``."""
    if isinstance(value, dict):
        parts = [value.get(k) for k in "rgb"]
    elif isinstance(value, str) and (m := _HEX.match(value.strip())):
        return tuple(bytes.fromhex(m[1]))  # type: ignore[return-value]
    elif isinstance(value, str) and (m := _RGB.match(value.strip())):
        parts = [int(m[1]), int(m[2]), int(m[3])]
    else:
        return None
    if not all(type(p) is int and 0 <= p <= 255 for p in parts):
        return None
    return parts[0], parts[1], parts[2]  # type: ignore[return-value]
