"""ui-switch: an on/off switch that every browser shows in the same position."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import model_validator

from flowrt.api import MISSING, Message, TypedValue, Value, compile_value, field

from .dashboard_hub import InputHandler
from .input_widget import InputConfig, InputWidget


class UiSwitch(InputWidget):
    """An on/off switch: turning it sends `on_value` or `off_value` into the flow.

    ### Inputs

    : payload (any) : equal to `on_value` or `off_value`, it sets the switch (other payloads
      leave it as it is); with `passthru` the message goes on, with the switch's `topic`
      (none: its own). A message with another payload is not passed on, unless `others:
      position`: then it goes on with the value of the switch's position (once it has one).
      With `indicator: output` (and no `passthru`) a message in changes nothing: the switch
      shows only what a person turned it to.

    ### Outputs

    : payload (any) : `on_value` or `off_value`, when a person turns the switch.
    : socketid (string) : the browser it was turned in (`_client`: `{socketid, user,
      address}`).

    ### Details

    Every browser shows the switch's position; one turned in a browser turns in the others.

    `others: position` is node-red-dashboard's way (its import sets it): there, any message
    passed through the switch comes out as the on or off value. It is not the default
    because a stray payload (`"maybe"`, `1` for `true`) then turns into a command: with
    `ignore`, only a message that is the on or off value goes on.

    `indicator` is node-red-dashboard's "Indicator" (`decouple`): `input` (the default, and
    flowrt's way before the option existed, so existing flows keep their behaviour) shows
    the last on or off value sent in, or turned to; `output` shows only what a person turned
    the switch to, as node-red-dashboard's switch with pass-through off and the indicator
    on "the state of the output" (its default, which its import sets). `output` needs
    `passthru` off: node-red-dashboard's switch always follows a message it passes on.

    ```yaml
    nodes:
      fan:
        type: ui-switch
        dashboard: board
        label: Fan
        on_value: {type: str, value: "on"}
        off_value: {type: str, value: "off"}
        to: debug
    ```
    """

    type = "ui-switch"
    kind = "switch"
    evaluates = {"jsonata": ("on_value", "off_value", "topic")}

    class Config(InputConfig):
        on_value: Value = field(default_factory=lambda: TypedValue(type="bool", value=True),
                                description="Sent when turned on.")
        off_value: Value = field(default_factory=lambda: TypedValue(type="bool", value=False),
                                 description="Sent when turned off.")
        passthru: bool = field(False, description="A message in that sets the switch goes on "
                               "to the output.")
        others: Literal["ignore", "position"] = field(
            "ignore", description="With `passthru`, a message in that is neither value: "
            "`ignore`: not passed on; `position`: passed on with the value of the switch's "
            "position (node-red-dashboard's way, which its import sets).")
        indicator: Literal["input", "output"] = field(
            "input", description="What the switch shows: `input`: the last on or off value "
            "sent in or turned to; `output`: only what a person turned it to (a message in "
            "changes nothing; needs `passthru` off).")

        @model_validator(mode="after")
        def _indicator(self) -> UiSwitch.Config:
            if self.indicator == "output" and self.passthru:
                raise ValueError("indicator: output needs passthru off (a switch that "
                                 "passes a message on shows it)")
            return self

    config: Config

    def describe(self) -> dict[str, Any]:
        return {"label": self.label}

    def initial(self) -> dict[str, Any]:
        return {"on": False}

    async def start(self) -> None:
        self._on = compile_value(self.config.on_value, self.ctx)
        self._off = compile_value(self.config.off_value, self.ctx)
        self._position: bool | None = None
        await super().start()

    def input_handler(self) -> InputHandler:
        def turned(value: Any, client: dict[str, Any]) -> None:
            on = value is True
            self._position = on
            self.hub.set(self.id, {"on": on})
            msg: Message = {"_msgid": self.ctx.new_msgid()}
            self.emit((self._on if on else self._off)(msg), client, msg)

        return turned

    async def receive(self, msg: Message) -> None:
        if self.config.indicator == "output":
            return  # node-red-dashboard's convert() keeps the old value; nothing goes on
        payload = msg.get("payload", MISSING)
        if _same(payload, self._on(msg)):
            on = True
        elif _same(payload, self._off(msg)):
            on = False
        elif self.config.passthru and self.config.others == "position" \
                and self._position is not None:
            self.pass_on(msg, (self._on if self._position else self._off)(msg))
            return
        else:
            return
        self._position = on
        self.show({"on": on}, msg)
        if self.config.passthru:
            self.pass_on(msg, payload)


def _same(value: Any, expected: Any) -> bool:
    """Equal and of the same kind, as JavaScript's ``===`` for what a switch compares: ``1``
    is not ``true``, ``"1"`` is not ``1``."""
    if isinstance(value, bool) or isinstance(expected, bool):
        return isinstance(value, bool) and isinstance(expected, bool) and value == expected
    if isinstance(value, int | float) and isinstance(expected, int | float):
        return value == expected
    return type(value) is type(expected) and bool(value == expected)
