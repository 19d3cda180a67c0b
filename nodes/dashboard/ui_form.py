"""ui-form: fields a person fills in and submits as one object."""

from __future__ import annotations

import itertools
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

from flowrt.api import Message, field, js_string

from .dashboard_hub import InputHandler
from .input_widget import InputConfig, InputWidget
from .widget import number_of

FieldType = Literal["text", "multiline", "number", "email", "password", "checkbox", "date",
                    "time"]


class FormField(BaseModel):
    """A field of the form: its label, the key it is sent under, its kind."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field("", description="Shown beside the field (default: `name`).")
    name: str = Field(description="The key of `msg.payload` it is sent under.", min_length=1)
    type: FieldType = Field("text", description="`text`, `multiline`, `number`, `email`, "
                            "`password`, `checkbox`, `date` or `time`.")
    required: bool = Field(False, description="The form is not sent while it is empty.")
    rows: int = Field(3, ge=1, le=20, description="Lines of a `multiline` field.")


class UiForm(InputWidget):
    """A form: submitting it sends `{<name>: <value>, ...}` into the flow.

    ### Inputs

    : payload (object) : fills the fields it names (with `msg.socketid`, in that browser
      only).

    ### Outputs

    : payload (object) : the fields' values by `name`: text, a number (`number`, empty:
      null), true or false (`checkbox`).
    : socketid (string) : the browser it was submitted in (`_client`: `{socketid, user,
      address}`).

    ### Details

    `cancel` (when not empty) is a button that empties the fields. After a submit, the fields
    are emptied in every browser; what one person types is not shown to the others.

    ```yaml
    nodes:
      visitor:
        type: ui-form
        dashboard: board
        label: Visitor
        fields:
          - {name: name, label: Name, required: true}
          - {name: age, label: Age, type: number}
          - {name: badge, label: Needs a badge, type: checkbox}
        to: debug
    ```
    """

    type = "ui-form"
    kind = "form"
    evaluates = {"jsonata": ("topic",)}

    class Config(InputConfig):
        fields: list[FormField] = field(description="The fields, in order.", min_length=1)
        submit: str = field("submit", description="The submit button's text.")
        cancel: str = field("cancel", description="The button that empties the fields "
                            "(empty: none).")

        @model_validator(mode="after")
        def _names(self) -> UiForm.Config:
            names = [f.name for f in self.fields]
            twice = sorted({n for n in names if names.count(n) > 1})
            if twice:
                raise ValueError(f"field names must be unique; twice: {', '.join(twice)}")
            return self

    config: Config

    def describe(self) -> dict[str, Any]:
        c = self.config
        return {"label": self.label, "submit": c.submit, "cancel": c.cancel,
                "fields": [{"label": f.label or f.name, "name": f.name, "type": f.type,
                            "required": f.required, "rows": f.rows} for f in c.fields]}

    def initial(self) -> dict[str, Any]:
        return {"values": {}, "seq": 0}

    async def start(self) -> None:
        self._seq = itertools.count(1)  # each fill or emptying: the browsers redraw the form
        await super().start()

    def values(self, given: Any) -> dict[str, Any] | None:
        """The fields' values from ``given`` (an object), by their kind; None: not an object
        or a required field is empty."""
        if not isinstance(given, dict):
            return None
        values: dict[str, Any] = {}
        for f in self.config.fields:
            raw = given.get(f.name)
            if f.type == "checkbox":
                values[f.name] = raw is True
                continue
            if f.type == "number":
                number = number_of(raw) if raw not in (None, "") else None
                values[f.name] = None if number is None else (
                    int(number) if number.is_integer() else number)
            else:
                values[f.name] = "" if raw is None else js_string(raw)
            if f.required and values[f.name] in (None, ""):
                return None
        return values

    def input_handler(self) -> InputHandler:
        def submitted(value: Any, client: dict[str, Any]) -> None:
            values = self.values(value)
            if values is None:
                return
            self.hub.set(self.id, {"values": {}, "seq": next(self._seq)})  # emptied everywhere
            self.emit(values, client)

        return submitted

    async def receive(self, msg: Message) -> None:
        given = msg.get("payload")
        if not isinstance(given, dict):
            return
        names = {f.name for f in self.config.fields}
        self.show({"values": {k: v for k, v in given.items() if k in names},
                   "seq": next(self._seq)}, msg)
