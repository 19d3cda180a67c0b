"""The dashboard's hub: each widget's current state (a chart's history too), the browsers
connected, and what each of them still has to be sent.

A widget's state is a JSON-able mapping that the hub replaces as a whole (:meth:`Hub.set`); a
chart's points are appended with :meth:`Hub.add_points` and kept within the chart's window
(a count and an age). A browser that connects is sent the layout and then every widget's
state at once; after that it is sent what changed.

Each client has a *dirty set*, not a queue: a change marks the widget dirty for every client
and wakes its sender, which sends, in one frame, the latest state of each dirty widget (for a
chart, the points the client has not had yet, or the whole history when it fell behind the
window). A slow client therefore gets the latest value of each widget, coalesced, and the
memory it costs is bounded by the number of widgets, never by the rate of messages.

A socket's send returns as soon as the kernel takes the bytes, and the kernel's send buffer
grows to megabytes (seconds of frames) before a stalled socket blocks; a browser reads its
socket whatever its page's script is doing. So a client may *acknowledge* each update frame
(``{t: "ack"}`` once it has shown it): from its first acknowledgement on, it is sent no more
than :data:`MAX_UNACKED` frames ahead of its acknowledgements, and what changes meanwhile
waits in its dirty set, coalesced. A client that never acknowledges is sent frames as fast as
its socket takes them.

The hub knows nothing of WebSockets: a :class:`Client` sends text through the coroutine it
is given (:mod:`nodes.dashboard.dashboard` gives it a Starlette WebSocket's ``send_text``).
"""

from __future__ import annotations

import asyncio
import itertools
import json
from collections import deque
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

MAX_UNACKED = 2
"""Update frames an acknowledging client may have been sent and not yet acknowledged."""

Send = Callable[[str], Awaitable[None]]
InputHandler = Callable[[Any, dict[str, Any]], None]
"""Called with the value a browser sent and the client's info (socketid, user, address)."""
Listener = Callable[[str, dict[str, Any]], None]
"""Called with ``"connect"`` or ``"disconnect"`` and the client's info."""


@dataclass
class ChartSeries:
    """A chart's points, oldest first, each with the sequence number it was added with."""

    points: deque[tuple[int, float, float]] = field(default_factory=deque)


@dataclass
class Widget:
    id: str
    kind: str
    state: dict[str, Any]
    on_input: InputHandler | None = None
    max_points: int = 0
    max_age: float = 0.0
    series: dict[str, ChartSeries] = field(default_factory=dict)
    cleared: int = 0
    """The sequence number of the last clear: a client that saw less is sent the whole chart."""
    encoded: str | None = None
    """The update frame's entry for this state, encoded once for every client (not a chart)."""


@dataclass(eq=False)
class Client:
    """One browser: what it is still to be sent (widget ids, in the order they changed)."""

    socketid: str
    send: Send
    user: str = "local"
    address: str = ""
    dirty: dict[str, None] = field(default_factory=dict)
    seen: dict[str, int] = field(default_factory=dict)
    """Per chart, the sequence number of the last point sent to this client."""
    wake: asyncio.Event = field(default_factory=asyncio.Event)
    welcomed: bool = False
    """Whether the client has the current layout (a widget that starts later changes it)."""
    own: dict[str, dict[str, Any]] = field(default_factory=dict)
    """Per widget, the state shown to this client alone (a message in with its ``socketid``),
    until the widget's state is set for everyone."""
    acks: bool = False
    """Whether the client acknowledges update frames (it has sent an ``ack``)."""
    unacked: int = 0
    """Update frames sent and not acknowledged yet."""

    @property
    def info(self) -> dict[str, Any]:
        return {"socketid": self.socketid, "user": self.user, "address": self.address}


class Hub:
    """Widgets' state and the clients to keep in sync with it (see the module)."""

    def __init__(self, layout: dict[str, Any], now: Callable[[], float]) -> None:
        self.layout = layout
        self.now = now
        self.widgets: dict[str, Widget] = {}
        self.clients: dict[str, Client] = {}
        self.listeners: list[Listener] = []
        self._seq = itertools.count(1)

    def set_layout(self, layout: dict[str, Any]) -> None:
        """A new layout (a widget started or stopped): every client is sent it again."""
        self.layout = layout
        for client in self.clients.values():
            client.welcomed = False
            client.wake.set()

    def register(self, widget_id: str, kind: str, state: dict[str, Any],
                 on_input: InputHandler | None = None, max_points: int = 0,
                 max_age: float = 0.0) -> None:
        self.widgets[widget_id] = Widget(widget_id, kind, dict(state), on_input, max_points,
                                         max_age)
        self._mark(widget_id)

    def unregister(self, widget_id: str) -> None:
        self.widgets.pop(widget_id, None)

    def set(self, widget_id: str, state: dict[str, Any], socketid: str | None = None) -> None:
        """Replace a widget's state; every client will be sent it. With ``socketid``, the
        state is that client's alone (a client that left: nothing happens), the others keep
        theirs, and a client that connects later gets the widget's shared state."""
        widget = self.widgets[widget_id]
        if socketid is not None:
            client = self.clients.get(socketid)
            if client is not None:
                client.own[widget_id] = dict(state)
                client.dirty[widget_id] = None
                client.wake.set()
            return
        widget.state = dict(state)
        widget.encoded = None
        for client in self.clients.values():
            client.own.pop(widget_id, None)
        self._mark(widget_id)

    def state(self, widget_id: str, socketid: str | None = None) -> dict[str, Any]:
        """The state ``socketid`` is shown (default: the shared one)."""
        client = self.clients.get(socketid) if socketid is not None else None
        if client is not None and widget_id in client.own:
            return client.own[widget_id]
        return self.widgets[widget_id].state

    def add_points(self, widget_id: str, points: list[tuple[str, float, float]]) -> None:
        """Append ``(series, time in ms, value)`` points to a chart, then trim its window."""
        widget = self.widgets[widget_id]
        for name, t, value in points:
            series = widget.series.setdefault(name, ChartSeries())
            series.points.append((next(self._seq), t, value))
        self._trim(widget)
        self._mark(widget_id)

    def clear(self, widget_id: str) -> None:
        """Empty a chart (``msg.payload = []``)."""
        widget = self.widgets[widget_id]
        widget.series.clear()
        widget.cleared = next(self._seq)
        self._mark(widget_id)

    def _trim(self, widget: Widget) -> None:
        oldest = self.now() * 1000 - widget.max_age * 1000 if widget.max_age else None
        for series in widget.series.values():
            while widget.max_points and len(series.points) > widget.max_points:
                series.points.popleft()
            while oldest is not None and series.points and series.points[0][1] < oldest:
                series.points.popleft()

    def _mark(self, widget_id: str) -> None:
        for client in self.clients.values():
            client.dirty[widget_id] = None
            client.wake.set()

    # -- clients

    def connect(self, client: Client) -> None:
        """A browser joins: it will be sent the layout and every widget's state first."""
        self.clients[client.socketid] = client
        client.welcomed = False
        client.wake.set()
        self._tell("connect", client)

    def disconnect(self, client: Client) -> None:
        if self.clients.pop(client.socketid, None) is not None:
            self._tell("disconnect", client)

    def _tell(self, event: str, client: Client) -> None:
        for listener in list(self.listeners):
            listener(event, client.info)

    def welcome(self, client: Client) -> str:
        return json.dumps({"t": "hello", "socketid": client.socketid, "layout": self.layout},
                          allow_nan=False, default=str)

    def pending(self, client: Client) -> str | None:
        """The frame with what ``client`` has not been sent yet (None: nothing), and the client
        marked as having it."""
        if not client.dirty:
            return None
        updates = []
        for widget_id in list(client.dirty):
            widget = self.widgets.get(widget_id)
            if widget is None:
                continue
            if widget_id in client.own:
                updates.append(_dumps({"w": widget.id, "s": client.own[widget_id]}))
            elif widget.kind == "chart":
                updates.append(_dumps(self._update(widget, client)))
            else:
                if widget.encoded is None:
                    widget.encoded = _dumps({"w": widget.id, "s": widget.state})
                updates.append(widget.encoded)
        client.dirty.clear()
        return '{"t":"update","u":[' + ",".join(updates) + "]}" if updates else None

    def _update(self, widget: Widget, client: Client) -> dict[str, Any]:
        """A chart's entry for ``client``: the points it has not had (or all of them)."""
        update: dict[str, Any] = {"w": widget.id, "s": widget.state}
        self._trim(widget)
        seen = client.seen.get(widget.id, 0)
        # points dropped from the window before this client saw them are gone for it too: the
        # browser trims its copy by the same count and age
        whole = seen == 0 or seen < widget.cleared
        points = {name: [[t, v] for seq, t, v in s.points if whole or seq > seen]
                  for name, s in widget.series.items()}
        update["points"] = {name: p for name, p in points.items() if p or whole}
        update["whole"] = whole
        last = max((s.points[-1][0] for s in widget.series.values() if s.points), default=0)
        client.seen[widget.id] = max(last, widget.cleared, seen)
        return update

    async def run(self, client: Client) -> None:
        """Send ``client`` the layout and every widget's state, then its updates as they come,
        until cancelled or its socket fails."""
        while True:
            await client.wake.wait()
            client.wake.clear()
            if not client.welcomed:
                client.welcomed = True
                client.dirty = dict.fromkeys(self.widgets)
                client.seen = {}
                await client.send(self.welcome(client))
            if client.acks and client.unacked >= MAX_UNACKED:
                continue  # an acknowledgement wakes it; changes wait, coalesced
            frame = self.pending(client)
            if frame is not None:
                client.unacked += 1
                await client.send(frame)

    def receive(self, client: Client, text: str) -> str | None:
        """A frame from a browser: ``{t: "input", w: <widget id>, v: <value>}``, whose widget's
        input handler gets it, or ``{t: "ack"}`` (an update frame shown). Returns why a frame
        was ignored (None when it was taken)."""
        try:
            data = json.loads(text)
        except ValueError:
            return "not JSON"
        if isinstance(data, dict) and data.get("t") == "ack":
            client.acks = True
            client.unacked = max(0, client.unacked - 1)
            client.wake.set()
            return None
        if not isinstance(data, dict) or data.get("t") != "input":
            return "not an input frame"
        widget = self.widgets.get(str(data.get("w")))
        if widget is None or widget.on_input is None:
            return "no input widget has that id"
        widget.on_input(data.get("v"), client.info)
        return None


def _dumps(value: Any) -> str:
    try:
        return json.dumps(value, allow_nan=False, default=str, separators=(",", ":"))
    except ValueError:  # NaN or an infinity: shown as null, as JSON.stringify does
        return json.dumps(_finite(value), default=str, separators=(",", ":"))


def _finite(value: Any) -> Any:
    if isinstance(value, float) and value != value or value in (float("inf"), float("-inf")):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
