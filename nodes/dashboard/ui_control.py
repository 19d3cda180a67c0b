"""ui-control: a flow changes the page browsers show and shows or hides groups; it hears
browsers connect, leave and change page."""

from __future__ import annotations

from typing import Any, ClassVar, Literal

from flowrt.api import Message, field

from .dashboard_hub import InputHandler
from .input_widget import InputConfig, InputWidget


class UiControl(InputWidget):
    """Controls the dashboard from the flow, and sends what browsers do.

    ### Inputs

    : payload (object) : `{page: <page id>}` shows that page (`tab` is taken too: a page's
      id, title or position from 0); `{group: {show: [<group id>...], hide: [...]}}` shows
      or hides groups. With `msg.socketid`, in that browser only, else in every browser.

    ### Outputs

    : payload (string) : `connect` when a browser connects, `disconnect` when it leaves,
      `change` when a person changes page (with `page`, the page's id); which ones, by
      `events`.
    : socketid (string) : the browser (`_client`: `{socketid, user, address}`).

    ### Details

    A control is not placed in a group. Groups hidden stay hidden for browsers that connect
    later; a page change applies to the browsers open.

    ```yaml
    nodes:
      control:
        type: ui-control
        dashboard: board
        events: connect
        to: debug
    ```
    """

    type = "ui-control"
    kind = "control"
    placed: ClassVar[bool] = False
    evaluates = {"jsonata": ("topic",)}

    class Config(InputConfig):
        events: Literal["all", "connect", "change", "none"] = field(
            "all", description="What it sends: `connect` (connect and disconnect), `change` "
            "(page changes), `all` or `none`.")

    config: Config

    def initial(self) -> dict[str, Any]:
        return {"seq": 0, "page": None, "hidden": []}

    def describe(self) -> dict[str, Any]:
        return {}

    async def start(self) -> None:
        await super().start()
        self.hub.listeners.append(self._heard)

    async def stop(self) -> None:
        hub = getattr(self, "hub", None)
        if hub is not None and self._heard in hub.listeners:
            hub.listeners.remove(self._heard)
        await super().stop()

    def _heard(self, event: str, client: dict[str, Any]) -> None:
        if self.config.events in ("all", "connect"):
            self.emit(event, client)

    def input_handler(self) -> InputHandler:
        def changed(value: Any, client: dict[str, Any]) -> None:
            if self.config.events not in ("all", "change") or not isinstance(value, dict):
                return
            page = value.get("page")
            if isinstance(page, str) and page in self.pages():
                self.emit("change", client, {"_msgid": self.ctx.new_msgid(), "page": page})

        return changed

    def pages(self) -> list[str]:
        return [p.id for p in self.board.config.pages]

    def page_of(self, wanted: Any) -> str | None:
        """A page by id, title or position."""
        pages = self.board.config.pages
        if type(wanted) is int and 0 <= wanted < len(pages):
            return pages[wanted].id
        for page in pages:
            if wanted in (page.id, page.title):
                return page.id
        return None

    async def receive(self, msg: Message) -> None:
        payload = msg.get("payload")
        if not isinstance(payload, dict):
            self.ctx.warn(f"ui-control '{self.id}' takes {{page}} or {{group: {{show, hide}}}}"
                          f"; got {type(payload).__name__}")
            return
        socketid = msg.get("socketid") if isinstance(msg.get("socketid"), str) else None
        state = dict(self.hub.state(self.id, socketid))
        wanted = payload.get("page", payload.get("tab"))
        if wanted is not None:
            page = self.page_of(wanted)
            if page is None:
                self.ctx.warn(f"ui-control '{self.id}': no page {wanted!r}; pages: "
                              f"{', '.join(self.pages())}")
                return
            state["page"] = page
        groups = payload.get("group")
        if isinstance(groups, dict):
            hidden = dict.fromkeys(state.get("hidden", []))
            for group_id in _ids(groups.get("hide")):
                hidden[group_id] = None
            for group_id in _ids(groups.get("show")):
                hidden.pop(group_id, None)
            state["hidden"] = list(hidden)
        state["seq"] = int(state.get("seq", 0)) + 1
        self.show(state, msg)


def _ids(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else []
