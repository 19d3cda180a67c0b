"""What the dashboard's input widgets share: the message a browser's action sends into the
flow, with `msg.socketid` and `msg._client` naming the browser."""

from __future__ import annotations

from typing import Any, ClassVar

from flowrt.api import AsyncTransform, Message, Value, compile_value, field

from .dashboard_hub import InputHandler
from .widget import Widget, WidgetConfig


class InputConfig(WidgetConfig):
    """Base of an input widget's configuration."""

    topic: Value = field(None, description="`msg.topic` of the messages it sends (a typed "
                         "value; none: no topic). A message passed on keeps its own topic when "
                         "this is none or empty.")


class InputWidget(Widget, AsyncTransform):
    """An input widget: a message in sets what it shows; a person's action sends a message."""

    originates: ClassVar[bool] = True
    asynchronous: ClassVar[bool] = True

    def emit(self, payload: Any, client: dict[str, Any] | None,
             base: Message | None = None) -> None:
        """Send ``payload`` (with the topic, and the browser's ``socketid`` and ``_client``
        when a browser acted)."""
        msg: Message = dict(base) if base is not None else {"_msgid": self.ctx.new_msgid()}
        msg["payload"] = payload
        topic = self.topic(msg)
        if topic is not None:
            msg["topic"] = topic
        if client is not None:
            msg["socketid"] = client["socketid"]
            msg["_client"] = dict(client)
        self.ctx.send(msg)

    def pass_on(self, msg: Message, payload: Any) -> None:
        """Send ``msg`` on with ``payload``, and the widget's topic when it has one that is
        not empty (else the message's own), as node-red-dashboard's widgets pass on."""
        out: Message = {**msg, "payload": payload}
        topic = self.topic(out)
        if not _falsy(topic):
            out["topic"] = topic
        self.ctx.send(out)

    def topic(self, msg: Message) -> Any:
        evaluator = getattr(self, "_topic", None)
        if evaluator is None:
            evaluator = self._topic = compile_value(self.config.topic, self.ctx)
        return evaluator(msg)


class ValueConfig(InputConfig):
    """Base of a widget that holds one value a person changes (numeric, dropdown...)."""

    passthru: bool = field(False, description="A message in that sets the value goes on "
                           "with it.")


class ValueWidget(InputWidget):
    """An input widget holding one value: a message in sets it (for the browser
    `msg.socketid` names, else for all); a person's change sets it for every browser and
    sends it into the flow."""

    config: Any

    def accept(self, value: Any, client: dict[str, Any] | None) -> Any:
        """``value`` as the widget holds it, or :data:`REJECTED` (it shows nothing new)."""
        raise NotImplementedError

    def initial(self) -> dict[str, Any]:
        return {"value": None}

    def state_of(self, value: Any, socketid: str | None = None) -> dict[str, Any]:
        """What the browsers are sent for ``value`` (``socketid``: the browser that set it)."""
        return {"value": value}

    def input_handler(self) -> InputHandler:
        def changed(value: Any, client: dict[str, Any]) -> None:
            taken = self.accept(value, client)
            if taken is REJECTED:
                return
            if self.shared(taken):
                self.held = taken
                self.hub.set(self.id, self.state_of(taken, client["socketid"]))
            self.emit(taken, client)

        return changed

    def shared(self, _value: Any) -> bool:
        """Whether a person's change is shown in every browser (a password is not)."""
        return True

    held: Any = None
    """The value last set (by a message or a person; None before any)."""

    def repeated(self, value: Any) -> bool:
        """Whether a message in with ``value`` does nothing, as it is the value held (only a
        widget with `repeats: drop` says so)."""
        return getattr(self.config, "repeats", "pass") == "drop" and value == self.held

    async def receive(self, msg: Message) -> None:
        taken = self.accept(msg.get("payload"), None)
        if taken is REJECTED or self.repeated(taken):
            return
        self.held = taken
        self.show(self.state_of(taken), msg)
        if self.config.passthru:
            self.pass_on(msg, taken)


def _falsy(value: Any) -> bool:
    """Whether JavaScript reads ``value`` as false (None, false, 0, NaN, "")."""
    if value is None or value is False or value == "":
        return True
    return isinstance(value, int | float) and not isinstance(value, bool) and (
        value == 0 or value != value)


REJECTED: Any = object()
"""What :meth:`ValueWidget.accept` returns for a value the widget cannot hold."""
