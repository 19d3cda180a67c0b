"""dashboard: the layout of a flow's dashboard and the WebSocket its browsers connect to."""

from __future__ import annotations

import asyncio
import contextlib
import secrets
from typing import Any

from pydantic import model_validator

from flowrt.api import Connection, NodeConfig, field

from .dashboard_hub import Client, Hub, InputHandler
from .dashboard_layout import Page, Theme, browser_layout, layout_problems

SOCKET_PATH = "/dashboard/ws"
GOING_AWAY = 1001
MAX_FRAME = 64 * 1024


class Dashboard(Connection):
    """A dashboard: pages of groups of widgets, served at `/dashboard/`.

    ### Details

    The layout lives here, in the flow file: `pages`, each with `groups`, each listing its
    widgets (nodes of the dashboard pack: `ui-text`, `ui-gauge`, `ui-chart`, `ui-button`,
    `ui-dropdown`, `ui-table`...) in order, with their width in columns of a 12-column grid
    and their height in rows. Each widget node names this connection with `dashboard:`;
    `ui-notification` and `ui-control` are never placed.

    `flowrt serve` serves the page at `/dashboard/`, behind the editor's authentication and
    Host rules; browsers connect to the WebSocket `/dashboard/ws` (same-origin pages only).
    A browser that connects (or reconnects) is sent every widget's current state at once, a
    chart's history too; several browsers show the same values. A browser that cannot keep up
    is sent the latest value of each widget, never a backlog. One dashboard a server: a second
    `dashboard` connection that runs at the same time stops its flow from starting.

    ```yaml
    connections:
      board:
        type: dashboard
        title: Plant
        theme: dark
        pages:
          - id: home
            groups:
              - id: climate
                title: Climate
                width: 6
                widgets: [temperature, {node: history, width: 6, height: 4}]
    nodes:
      temperature: {type: ui-text, label: Temperature, dashboard: board, format: "{{value}} °C"}
      history: {type: ui-chart, label: Last hour, dashboard: board, max_age: 3600}
    ```
    """

    type = "dashboard"

    class Config(NodeConfig):
        title: str = field("Dashboard", description="The page's title, in the top bar.")
        theme: Theme = field(
            "light", description="`light`, `dark`, or `auto` (as the browser prefers).")
        pages: list[Page] = field(
            default_factory=list,
            description="The pages, in menu order; each has `groups` of widgets.")

        @model_validator(mode="after")
        def _unique(self) -> Dashboard.Config:
            problems = layout_problems(self.pages)
            if problems:
                raise ValueError("; ".join(problems))
            return self

    config: Config

    @property
    def hub(self) -> Hub:
        hub: Hub | None = getattr(self, "_hub", None)
        if hub is None:
            hub = self._hub = Hub({}, self.ctx.now)
            self.described: dict[str, dict[str, Any]] = {}
            self.sockets: dict[str, Any] = {}
        return hub

    def attach(self, widget_id: str, kind: str, described: dict[str, Any],
               state: dict[str, Any], on_input: InputHandler | None = None,
               max_points: int = 0, max_age: float = 0.0) -> Hub:
        """A widget starts: its state joins the hub, and browsers get the new layout. The
        first widget makes `/dashboard/ws` served."""
        hub = self.hub
        if not self.described:
            self.ctx.http_routes().add_websocket(self.id, SOCKET_PATH, self._serve)
        self.described[widget_id] = {"type": kind, **described}
        hub.register(widget_id, kind, state, on_input, max_points, max_age)
        hub.set_layout(self._layout())
        return hub

    async def detach(self, widget_id: str) -> None:
        hub = self.hub
        self.described.pop(widget_id, None)
        hub.unregister(widget_id)
        if not self.described:
            await self.close()
        else:
            hub.set_layout(self._layout())

    def _layout(self) -> dict[str, Any]:
        c = self.config
        return browser_layout(c.title, c.theme, c.pages, self.described)

    async def close(self) -> None:
        """The socket path is no longer served; browsers are told the server is going away
        (1001: they reconnect, and get the layout of what runs then)."""
        self.hub  # noqa: B018 - made if no widget ever attached
        self.ctx.http_routes().remove(self.id)
        for websocket in list(self.sockets.values()):
            with contextlib.suppress(Exception):
                async with asyncio.timeout(1.0):
                    await websocket.close(GOING_AWAY)

    async def _serve(self, websocket: Any) -> None:
        await websocket.accept()
        peer = websocket.client
        client = Client(secrets.token_urlsafe(12), websocket.send_text,
                        str(websocket.scope.get("flowrt.user", "local")),
                        f"{peer.host}" if peer else "")
        hub = self.hub
        hub.connect(client)
        self.sockets[client.socketid] = websocket
        sending = asyncio.get_running_loop().create_task(hub.run(client))
        try:
            await _read(websocket, hub, client, sending, self.ctx.warn)
        finally:
            hub.disconnect(client)
            self.sockets.pop(client.socketid, None)
            sending.cancel()


async def _read(websocket: Any, hub: Hub, client: Client, sending: asyncio.Task[Any],
                warn: Any) -> None:
    """Take the browser's frames until it leaves (or its sending fails)."""
    receiving = asyncio.get_running_loop().create_task(websocket.receive())
    try:
        while True:
            done, _ = await asyncio.wait({receiving, sending},
                                         return_when=asyncio.FIRST_COMPLETED)
            if sending in done:
                return  # the socket failed (or was closed) while sending
            event = receiving.result()
            if event["type"] == "websocket.disconnect":
                return
            text = event.get("text")
            if text is not None and len(text) <= MAX_FRAME:
                why = hub.receive(client, text)
                if why is not None:
                    warn(f"a frame from browser {client.socketid} was ignored: {why}")
            receiving = asyncio.get_running_loop().create_task(websocket.receive())
    finally:
        receiving.cancel()
