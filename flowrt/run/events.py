"""Errors, status and completion: routed to catch, status and complete nodes, else logged.

An error names its node and message: catch nodes whose scope holds the node get a copy of the
message with ``error = {message, source: {id, type, name, count}, stack}``. Inside a subflow
instance, catch nodes of the subflow come first; if none takes it, the error goes up to the
flow that holds the instance, as in Node-RED. ``source`` (here and in a status node's
``status.source``) names a node imported from Node-RED by its Node-RED id and type name (its
``origin``, see :class:`flowrt.compile.plan.PlannedNode`). An error no catch node takes is
logged with the node id and ``_msgid``, and marks the message failed, so its source is nacked
rather than acked.
A message that fails again in the same node more than ``MAX_ERROR_COUNT`` times is not routed
again (a catch flow that fails the same way would loop forever).

What leaves here is redacted (see flowrt.secrets.redact): an error's text and stack (in the catch
message's ``error``, the error hooks and the log), a node's log lines and its status. The
message itself is the flow's data and is left as it is.
"""

from __future__ import annotations

import logging
import traceback
from collections import defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from flowrt.api import Listener
from flowrt.errors import ScriptError
from flowrt.message import clone, new_msgid
from flowrt.secrets.redact import redact, redact_data
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.compile.plan import PlannedNode
    from flowrt.run.delivery import Delivery
    from flowrt.run.ports import Input

log = logging.getLogger("flowrt.node")
MAX_ERROR_COUNT = 9
LEVELS = {"error": logging.ERROR, "warning": logging.WARNING, "info": logging.INFO}


@dataclass(frozen=True)
class ErrorRecord:
    node: str
    node_type: str
    msgid: str
    message: str
    msg: Message | None
    caught: bool


@dataclass
class Hooks:
    """Observers of the runtime (the test harness, the server's websocket)."""

    error: list[Callable[[ErrorRecord], None]] = field(default_factory=list)
    status: list[Callable[[str, dict[str, Any]], None]] = field(default_factory=list)
    log: list[Callable[[str, str, str, Message | None], None]] = field(default_factory=list)


Scope = tuple[str, tuple[str, ...]]


class Events:
    def __init__(self, planned: Mapping[str, PlannedNode]) -> None:
        self.planned = planned
        self.hooks = Hooks()
        self.statuses: dict[str, dict[str, Any]] = {}
        self.catchers: dict[Scope, list[Listener]] = defaultdict(list)
        self.status_listeners: dict[Scope, list[Listener]] = defaultdict(list)
        self.complete_listeners: dict[str, list[Listener]] = defaultdict(list)
        self._inputs: Mapping[str, Input] = {}
        self._new_delivery: Callable[[], Delivery] = _not_started

    def index(
        self, nodes: Mapping[str, Any], inputs: Mapping[str, Input],
        new_delivery: Callable[[], Delivery],
    ) -> set[str]:
        """Find the listeners among ``nodes``, reached through ``inputs`` (events of no message
        get a delivery of their own from ``new_delivery``); returns the ids of the nodes that
        complete nodes watch."""
        self._inputs = inputs
        self._new_delivery = new_delivery
        for node_id, node in nodes.items():
            if not isinstance(node, Listener):
                continue
            pn = self.planned[node_id]
            key = (pn.flow, pn.scope)
            if node.event == "error":
                self.catchers[key].append(node)
            elif node.event == "status":
                self.status_listeners[key].append(node)
            elif node.event == "complete":
                prefix = pn.scope[-1] + "/" if pn.scope else ""
                for raw in node.scope() or ():
                    self.complete_listeners[prefix + raw].append(node)
        return set(self.complete_listeners)

    # errors ------------------------------------------------------------------------------

    def fail(
        self, node_id: str, msg: Message | None, d: Delivery | None, exc: BaseException
    ) -> None:
        pn = self.planned.get(node_id)
        node_type = pn.type if pn else ""
        text = redact(str(exc) or type(exc).__name__)
        source = _source(node_id, pn)
        previous = msg.get("error") if isinstance(msg, dict) else None
        count = 1
        if isinstance(previous, dict) and previous.get("source", {}).get("id") == source["id"]:
            count = int(previous["source"].get("count", 1)) + 1
        record: dict[str, Any] = {
            "message": text,
            "source": {**source, "count": count},
            "stack": redact("".join(traceback.format_exception(exc, limit=-4)).rstrip()),
        }
        if isinstance(exc, ScriptError) and exc.line:
            record["line"] = exc.line
        catchers = self._catchers(pn) if pn is not None and count <= MAX_ERROR_COUNT else []
        msgid = str(msg.get("_msgid", "")) if isinstance(msg, dict) else ""
        entry = ErrorRecord(node_id, node_type, msgid, text, msg, bool(catchers))
        for hook in self.hooks.error:
            hook(entry)
        if not catchers:
            if d is not None:
                d.failed = True
            where = f" (msg {msgid})" if msgid else ""
            self.log_node(node_id, "error", f"{text}{where}", msg, exc)
            return
        for catcher in catchers:
            out: Message = clone(msg) if msg is not None else {"_msgid": new_msgid()}
            if "error" in out:  # the error it already had, kept as Node-RED keeps it
                out["_error"] = out["error"]
            out["error"] = record
            self._deliver(catcher, out, d)

    def _catchers(self, pn: PlannedNode) -> list[Listener]:
        """The catch nodes that take an error of ``pn``: its own scope first, then outwards."""
        scope = pn.scope
        raw = pn.raw_id
        while True:
            listeners = [c for c in self.catchers.get((pn.flow, scope), ()) if _covers(c, raw)]
            chosen = [c for c in listeners if not c.only_uncaught] or listeners
            if chosen or not scope:
                return chosen
            raw = scope[-1].rsplit("/", 1)[-1]
            scope = scope[:-1]

    def _deliver(self, listener: Listener, msg: Message, d: Delivery | None) -> None:
        fresh = d is None
        delivery = self._new_delivery() if d is None else d
        if not fresh:
            delivery.pending += 1
        try:
            self._inputs[listener.id](msg, delivery)
        finally:
            delivery.release()

    # status and completion ---------------------------------------------------------------

    def set_status(self, node_id: str, status: dict[str, Any], route: bool = True) -> None:
        """Record a node's status and tell the hooks; with ``route``, also send it to the status
        nodes watching the node, as Node-RED does: only what was set (no empty ``text``, no
        unset ``fill`` or ``shape``; a cleared status is ``{}``). Node-RED routes no status set
        while its nodes are made or closed, so a node's ``start`` and ``stop`` pass
        ``route=False`` (see :meth:`NodeContext.status`)."""
        status = redact_data(status)
        self.statuses[node_id] = status
        for hook in self.hooks.status:
            hook(node_id, status)
        pn = self.planned.get(node_id)
        if pn is None or not route:
            return
        given = {k: v for k, v in status.items() if v is not None and v != ""}
        for listener in self.status_listeners.get((pn.flow, pn.scope), ()):
            if listener.id != node_id and _covers(listener, pn.raw_id):
                msg = {"_msgid": new_msgid(),
                       "status": {**given, "source": _source(node_id, pn)}}
                self._deliver(listener, msg, None)

    def completed(self, node_id: str, msg: Message, d: Delivery | None) -> None:
        for listener in self.complete_listeners.get(node_id, ()):
            self._deliver(listener, clone(msg), d)

    # logging -----------------------------------------------------------------------------

    def log_node(
        self,
        node_id: str,
        level: str,
        text: str,
        msg: Message | None,
        exc: BaseException | None = None,
    ) -> None:
        pn = self.planned.get(node_id)
        node_type = pn.type if pn else ""
        msgid = msg.get("_msgid", "") if isinstance(msg, dict) else ""
        text = redact(text)
        log.log(
            LEVELS.get(level, logging.INFO),
            "[%s:%s] %s",
            node_type,
            node_id,
            text,
            extra={"node": node_id, "node_type": node_type, "msgid": msgid},
            exc_info=exc if exc is not None and log.isEnabledFor(logging.DEBUG) else None,
        )
        for hook in self.hooks.log:
            hook(node_id, level, text, msg)


def _not_started() -> Delivery:
    raise RuntimeError("the runtime has not started: no listener to deliver to")


_NAME_KEPT = frozenset({"debug", "delay", "function", "template"})
"""The Node-RED types (and the flowrt types of the same name) that keep an empty name
(``this.name = n.name``); the others leave ``name`` out of ``source`` when it is empty."""


def _source(node_id: str, pn: PlannedNode | None) -> dict[str, str]:
    """``source`` of a catch or status message: the node's id and type, Node-RED's for a node
    imported from Node-RED (its origin), and ``name`` as Node-RED gives it: for a node with a
    name, or of a type that keeps an empty one."""
    if pn is None:
        return {"id": node_id, "type": ""}
    node_type = pn.origin.type if pn.origin is not None else pn.type
    source = {"id": pn.origin.id if pn.origin is not None else node_id, "type": node_type}
    if pn.label or node_type in _NAME_KEPT:
        source["name"] = pn.label
    return source


def _covers(listener: Listener, raw_id: str) -> bool:
    scope = listener.scope()
    return scope is None or raw_id in scope
