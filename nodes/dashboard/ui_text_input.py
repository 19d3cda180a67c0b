"""ui-text-input: a text box (or a number, e-mail, password, date, time or colour field)."""

from __future__ import annotations

from typing import Any, Literal

from flowrt.api import field, js_string

from .input_widget import REJECTED, ValueConfig, ValueWidget
from .widget import number_of

Mode = Literal["text", "number", "email", "password", "date", "time", "color"]


class UiTextInput(ValueWidget):
    """A field a person types in: what they type is sent into the flow.

    ### Inputs

    : payload (any) : sets the field's text (a number in `number` mode); with `passthru` the
      message goes on. With `msg.socketid`, only that browser's field changes.

    ### Outputs

    : payload (string) : the text (a number in `number` mode; `date` as `YYYY-MM-DD`, `time`
      as `HH:MM`, `color` as `#rrggbb`), `delay` ms after the person stops typing, or on
      Enter or leaving the field when `delay` is 0.
    : socketid (string) : the browser it was typed in (`_client`: `{socketid, user,
      address}`).

    ### Details

    What is typed shows in every browser, except in `password` mode: a password is sent into
    the flow only, never to other browsers.

    ```yaml
    nodes:
      name:
        type: ui-text-input
        dashboard: board
        label: Name
        mode: text
        delay: 300
        to: debug
    ```
    """

    type = "ui-text-input"
    kind = "text-input"
    evaluates = {"jsonata": ("topic",)}

    class Config(ValueConfig):
        mode: Mode = field("text", description="The kind of field: `text`, `number`, "
                           "`email`, `password`, `date`, `time` or `color`.")
        delay: int = field(300, ge=0, le=60_000, description="Milliseconds after the last "
                           "key before it is sent (0: on Enter or when the field is left).")
        placeholder: str = field("", description="Shown in the empty field.")

    config: Config

    def describe(self) -> dict[str, Any]:
        c = self.config
        return {"label": self.label, "mode": c.mode, "delay": c.delay,
                "placeholder": c.placeholder}

    def initial(self) -> dict[str, Any]:
        return {"value": ""}

    def accept(self, value: Any, client: dict[str, Any] | None) -> Any:
        if self.config.mode == "number":
            if value in ("", None):
                return None
            number = number_of(value)
            return REJECTED if number is None else (int(number) if number.is_integer()
                                                     else number)
        if value is None:
            return ""
        if isinstance(value, dict | list):
            return REJECTED
        return js_string(value)

    def shared(self, _value: Any) -> bool:
        return self.config.mode != "password"
