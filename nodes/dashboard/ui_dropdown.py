"""ui-dropdown: a choice among options, from the config or from `msg.options`."""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from flowrt.api import MISSING, Message, field, js_string

from .input_widget import REJECTED, ValueConfig, ValueWidget


class Option(BaseModel):
    """An option: what it shows and what choosing it sends."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    label: str = Field("", description="What the list shows (default: the value as text).")
    value: str | int | float | bool = Field(description="What choosing it sends.")


class UiDropdown(ValueWidget):
    """A drop-down list: choosing an option sends its value into the flow.

    ### Inputs

    : payload (any) : chooses the option with that value (a list of values with
      `multiple`); a value of no option chooses none.
    : options (array) : replaces the options: strings, `{label, value}` objects or
      `{<label>: <value>}` objects (as node-red-dashboard takes them). With `msg.socketid`,
      only that browser's list changes.

    ### Outputs

    : payload (any) : the chosen option's value (with `multiple`, the list of values).
    : socketid (string) : the browser it was chosen in (`_client`: `{socketid, user,
      address}`).

    ### Details

    ```yaml
    nodes:
      mode:
        type: ui-dropdown
        dashboard: board
        label: Mode
        options: [{label: Automatic, value: auto}, {label: Manual, value: manual}]
        to: debug
    ```
    """

    type = "ui-dropdown"
    kind = "dropdown"
    evaluates = {"jsonata": ("topic",)}

    class Config(ValueConfig):
        options: list[Option | str | int | float | bool] = field(
            default_factory=list, description="The options, in order: a value or "
            "`{label, value}`.")
        placeholder: str = field("Select option", description="Shown while none is chosen.")
        multiple: bool = field(False, description="Several options may be chosen.")

    config: Config

    def describe(self) -> dict[str, Any]:
        c = self.config
        return {"label": self.label, "placeholder": c.placeholder, "multiple": c.multiple}

    def initial(self) -> dict[str, Any]:
        options = [o if isinstance(o, Option) else Option(value=o) for o in self.config.options]
        return {"options": [[o.label or js_string(o.value), o.value] for o in options],
                "value": [] if self.config.multiple else None}

    def options(self, socketid: str | None) -> list[list[Any]]:
        return list(self.hub.state(self.id, socketid).get("options", []))

    def accept(self, value: Any, client: dict[str, Any] | None) -> Any:
        """A browser sends the chosen options' positions (a list with `multiple`)."""
        options = self.options(client["socketid"] if client else None)
        values = [v for _, v in options]
        if client is not None:
            picked = value if isinstance(value, list) else [value]
            if not all(type(i) is int and 0 <= i < len(options) for i in picked):
                return REJECTED
            chosen = [values[i] for i in picked]
            if self.config.multiple:
                return chosen
            return chosen[0] if chosen else None
        return self.chosen(value, options)

    async def receive(self, msg: Message) -> None:
        socketid = msg.get("socketid") if isinstance(msg.get("socketid"), str) else None
        given = msg.get("options", MISSING)
        if given is not MISSING:
            options = _options(given)
            if options is None:
                self.ctx.warn("msg.options must be a list of values, {label, value} or "
                              f"{{label: value}} objects; got {js_string(given)[:80]}")
                return
            if "payload" not in msg:
                self.show({"options": options, "value": self.initial()["value"]}, msg)
                return
        else:
            options = self.options(socketid)
        chosen = self.chosen(msg.get("payload"), options)
        self.show({"options": options, "value": chosen}, msg)
        if self.config.passthru:
            self.pass_on(msg, chosen)

    def chosen(self, value: Any, options: list[list[Any]]) -> Any:
        """The options of ``options`` whose value is ``value`` (or in it, a list)."""
        wanted = value if isinstance(value, list) else [value]
        chosen = [v for _, v in options if any(_same(v, w) for w in wanted)]
        if self.config.multiple:
            return chosen
        return chosen[0] if chosen else None

    def state_of(self, value: Any, socketid: str | None = None) -> dict[str, Any]:
        return {"options": self.options(socketid), "value": value}


def _same(a: Any, b: Any) -> bool:
    return type(a) is type(b) and a == b or (
        isinstance(a, int | float) and isinstance(b, int | float)
        and not isinstance(a, bool) and not isinstance(b, bool) and a == b)


def _options(given: Any) -> list[list[Any]] | None:
    """``msg.options`` as ``[[label, value], ...]`` (None: not options)."""
    if not isinstance(given, list):
        return None
    options: list[list[Any]] = []
    for item in given:
        if isinstance(item, str | int | float | bool):
            options.append([js_string(item), item])
        elif isinstance(item, dict) and "value" in item:
            options.append([js_string(item.get("label", item["value"])), item["value"]])
        elif isinstance(item, dict) and len(item) == 1:
            label, value = next(iter(item.items()))
            options.append([str(label), value])
        else:
            return None
    return options
