"""ui-list: an array shown as a list of items, each with a title and a description."""

from __future__ import annotations

from typing import Any, Literal

from flowrt.api import MISSING, Message, field, get_property, js_string

from .dashboard_hub import InputHandler
from .input_widget import InputConfig, InputWidget


class UiList(InputWidget):
    """Shows an array as a list of items; clicking an item may send it into the flow.

    ### Inputs

    : payload (array) : the items: `{title, description}` objects, or values (shown as
      their text). `[]` empties the list. With `msg.socketid`, only that browser's list.

    ### Outputs

    : payload (object) : the item clicked, as it came in (`action: click`), with `index`.
    : socketid (string) : the browser it was clicked in (`_client`).

    ### Details

    Titles and descriptions are written as text, never as HTML.

    ```yaml
    nodes:
      alarms:
        type: ui-list
        dashboard: board
        label: Alarms
        action: click
        to: debug
    ```
    """

    type = "ui-list"
    kind = "list"
    evaluates = {"jsonata": ("topic",)}

    class Config(InputConfig):
        property: str = field("payload", description="The message property with the items.")
        action: Literal["none", "click"] = field("none", description="`click`: clicking an "
                                                 "item sends it.")
        max_items: int = field(1000, ge=1, le=100_000, description="Items kept at most.")

    config: Config
    _items: list[Any]
    _shown: dict[str, list[Any]]

    def describe(self) -> dict[str, Any]:
        return {"label": self.label, "action": self.config.action}

    def initial(self) -> dict[str, Any]:
        return {"items": []}

    def input_handler(self) -> InputHandler | None:
        if self.config.action == "none":
            return None
        def clicked(value: Any, client: dict[str, Any]) -> None:
            shown = self._shown.get(client["socketid"], self._items)
            if type(value) is not int or not 0 <= value < len(shown):
                return
            item = shown[value]
            payload = {**item, "index": value} if isinstance(item, dict) else \
                {"title": item, "index": value}
            self.emit(payload, client)

        return clicked

    async def receive(self, msg: Message) -> None:
        found = get_property(msg, self.config.property)
        if not isinstance(found, list):
            self.ctx.warn(f"ui-list '{self.id}' takes an array; got "
                          f"{'nothing' if found is MISSING else type(found).__name__}")
            return
        items = found[: self.config.max_items]
        socketid = msg.get("socketid")
        if isinstance(socketid, str):
            self._shown = {k: v for k, v in self._shown.items() if k in self.hub.clients}
            self._shown[socketid] = items
        else:
            self._items = items
            self._shown.clear()
        self.show({"items": [_item(i) for i in items]}, msg)

    async def start(self) -> None:
        self._items = []
        self._shown = {}
        await super().start()


def _item(value: Any) -> dict[str, str]:
    if isinstance(value, dict):
        title = value.get("title", value.get("label", ""))
        return {"title": js_string(title) if title is not None else "",
                "description": js_string(value.get("description") or "")}
    return {"title": js_string(value), "description": ""}
