"""The ``node`` object a script sees, and the check of what a script sends."""

from __future__ import annotations

from typing import Any

from flowrt.api import Message, NodeContext, Output
from flowrt.api import clone as copy_message


class ScriptNode:
    """``node`` inside a script: send, report and log as this node."""

    __slots__ = ("_ctx", "_send", "_msg", "id", "name", "outputs")

    def __init__(self, ctx: NodeContext, outputs: int, msg: Message | None = None) -> None:
        self._ctx = ctx
        self._send = ctx.send  # bound once: a source's script calls it for every message
        self._msg = msg
        """The message being handled (set per call by a synchronous node): what sent messages
        take their ``_msgid`` from, as in Node-RED."""
        self.id = ctx.node_id
        self.name = ctx.label
        self.outputs = outputs

    def bound(self, msg: Message) -> BoundScriptNode:
        """The ``node`` of one call of an asynchronous script."""
        return BoundScriptNode(self._ctx, self.outputs, msg)

    def send(self, output: Output, clone: bool = True) -> None:
        """Send a message, or a list with one entry per output port, now. The messages are
        copied first unless ``clone=False`` (then do not change them after sending)."""
        if type(output) is dict:  # outputs_of's first case, without the call
            msg = copy_message(output) if clone else output
            origin = self._msg
            if origin is not None and "_msgid" not in msg and "_msgid" in origin:
                msg["_msgid"] = origin["_msgid"]
            self._send(msg)
            return
        if output is None:
            return
        checked = outputs_of(copy_message(output) if clone else output, self._msg, "sent")
        self._send(checked)

    def warn(self, text: Any) -> None:
        self._ctx.warn(str(text))

    def error(self, error: BaseException | str, msg: Message | None = None) -> None:
        """Report an error; with ``msg``, catch nodes get it as a failure of that message."""
        self._ctx.error(error if isinstance(error, BaseException) else str(error), msg)

    def log(self, text: Any) -> None:
        self._ctx.log(str(text))

    def status(
        self, fill: str | dict[str, Any] | None = None, shape: str | None = None, text: Any = ""
    ) -> None:
        """Show a status under the node: ``status(fill="green", shape="dot", text="ok")``, or
        Node-RED's ``status({"fill": ..., "shape": ..., "text": ...})``; ``status({})``
        clears it."""
        if isinstance(fill, dict):
            given = fill
            fill, shape, text = given.get("fill"), given.get("shape"), given.get("text", "")
        self._ctx.status(fill, shape, "" if text is None else str(text))

    def done(self) -> None:
        """Accepted for Node-RED compatibility: a message is finished when the script returns
        (or, for an asynchronous script, when its coroutine ends)."""

    def __repr__(self) -> str:
        return f"<node {self.id}>"


class BoundScriptNode(ScriptNode):
    """``node`` in one call of an asynchronous script: what it sends belongs to that call's
    message, so the message's source is acknowledged only when those are finished too."""

    __slots__ = ()

    def send(self, output: Output, clone: bool = True) -> None:
        origin = self._msg
        if type(output) is dict:  # outputs_of's first case, without the call
            msg = copy_message(output) if clone else output
            if origin is not None and "_msgid" not in msg and "_msgid" in origin:
                msg["_msgid"] = origin["_msgid"]
            self._send(msg, origin)
            return
        if output is None:
            return
        checked = outputs_of(copy_message(output) if clone else output, origin, "sent")
        self._send(checked, origin)


KEPT_TYPES = frozenset((str, int, float, bool, type(None), bytes))
"""The types whose values a message's copy (``clone``) keeps as they are, not copied."""


def outputs_of(output: Any, origin: Message | None, doing: str = "returned") -> Output:
    """Check what a script returned (or sent: ``doing="sent"``), and give new messages the
    ``_msgid`` of the message they came from, as Node-RED does. Raise TypeError for anything
    that is not an Output."""
    if type(output) is dict:
        if origin is not None and "_msgid" not in output and "_msgid" in origin:
            output["_msgid"] = origin["_msgid"]
        return output
    if output is None:
        return None
    if not isinstance(output, list):
        raise TypeError(_not_a_message(output, f"script {doing}"))
    for port, item in enumerate(output):
        items = item if isinstance(item, list) else [item]
        for one in items:
            if one is None:
                continue
            if type(one) is not dict:
                raise TypeError(_not_a_message(one, f"script {doing} for output {port}"))
            if origin is not None and "_msgid" not in one and "_msgid" in origin:
                one["_msgid"] = origin["_msgid"]
    return output


def _not_a_message(value: Any, what: str) -> str:
    shown = repr(value)
    shown = shown if len(shown) <= 30 else shown[:27] + "..."
    return (
        f"{what} {type(value).__name__} {shown}, not a message; use a dict, a list with one "
        "entry per output (a dict, a list of dicts or None), or None"
    )
