"""ui-text: a label and a value, formatted with `{{value}}`."""

from __future__ import annotations

from typing import Any, Literal

from flowrt.api import MISSING, Message, Output, Transform, field, get_property

from .widget import Widget, WidgetConfig, format_text


class UiText(Widget, Transform):
    """Shows a message's value on the dashboard, beside a label.

    ### Inputs

    : payload (any) : the value shown (another property with `property`).

    ### Details

    `format` writes the value: `{{value}}` is the value, `{{msg.topic}}` (any `msg.` path) a
    property of the message, e.g. `{{value}} °C`. Numbers are written as JavaScript writes
    them, objects as JSON. The text is shown as text, never as HTML. Every browser shows the
    latest value; one that connects later gets it at once. A message with `msg.socketid` is
    shown in that browser only.

    ```yaml
    nodes:
      temperature:
        type: ui-text
        dashboard: board
        label: Temperature
        format: "{{value}} °C"
    ```
    """

    type = "ui-text"
    kind = "text"
    category = "sink"
    outputs = 0

    class Config(WidgetConfig):
        property: str = field("payload", description="The message property shown.")
        format: str = field("{{value}}", description="How the value is written: "
                            "`{{value}}`, `{{msg.<path>}}` and plain text.",
                            examples=["{{value}} °C"])
        layout: Literal["row", "column"] = field(
            "row", description="`row`: label and value side by side; `column`: value under it.")

    config: Config

    def describe(self) -> dict[str, Any]:
        return {"label": self.label, "layout": self.config.layout}

    def initial(self) -> dict[str, Any]:
        return {"text": ""}

    def process(self, msg: Message) -> Output:
        value = get_property(msg, self.config.property)
        text = format_text(self.config.format, None if value is MISSING else value, msg)
        self.show({"text": text}, msg)
        return None
