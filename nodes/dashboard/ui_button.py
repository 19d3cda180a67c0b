"""ui-button: a button that sends a message when pressed."""

from __future__ import annotations

from typing import Any

from flowrt.api import Message, TypedValue, Value, compile_value, field

from .dashboard_hub import InputHandler
from .input_widget import InputConfig, InputWidget


class UiButton(InputWidget):
    """A button on the dashboard: pressing it sends `payload` (and `topic`) into the flow.

    ### Inputs

    : (any) : a message in presses the button, as a person would (the message goes on with
      `payload` and `topic` set; no `socketid`).

    ### Outputs

    : payload (any) : the button's `payload` (a typed value: a literal, `msg`, `flow`, `env`,
      `date`, `jsonata`...).
    : socketid (string) : the browser that pressed it; `_client` has `{socketid, user,
      address}`, so a flow can answer that browser alone.

    ### Details

    ```yaml
    nodes:
      reset:
        type: ui-button
        dashboard: board
        label: Reset
        payload: {type: str, value: reset}
        topic: {type: str, value: commands}
        to: debug
    ```
    """

    type = "ui-button"
    kind = "button"
    evaluates = {"jsonata": ("payload", "topic")}

    class Config(InputConfig):
        payload: Value = field(
            default_factory=lambda: TypedValue(type="date"),
            description="What pressing it sends (default: the time, epoch ms).")
        color: str = field("", description="The button's CSS colour (default: the theme's).",
                           pattern=r"^(#[0-9a-fA-F]{3,8}|[a-zA-Z]{3,20})?$")

    config: Config

    def describe(self) -> dict[str, Any]:
        return {"label": self.label or "Press", "color": self.config.color}

    def input_handler(self) -> InputHandler:
        payload = compile_value(self.config.payload, self.ctx)

        def pressed(_value: Any, client: dict[str, Any]) -> None:
            msg: Message = {"_msgid": self.ctx.new_msgid()}
            self.emit(payload(msg), client, msg)

        return pressed

    async def receive(self, msg: Message) -> None:
        payload = compile_value(self.config.payload, self.ctx)
        self.emit(payload(msg), None, msg)
