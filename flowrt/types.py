"""The few type aliases shared across flowrt."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal, TypeAlias

Message: TypeAlias = dict[str, Any]
"""A message: a mapping with ``payload``, ``topic``, ``_msgid`` and whatever nodes set."""

NodeId: TypeAlias = str
PortRef: TypeAlias = tuple[NodeId, int]
"""An output port of a node: (node id, port index from 0)."""

JSON: TypeAlias = Any
Category: TypeAlias = Literal["source", "transform", "script", "sink", "connection"]
Stability: TypeAlias = Literal["stable", "beta", "experimental"]

Output: TypeAlias = Message | list[Any] | None
"""What a node hands on, with Node-RED's meaning:

- ``None``: nothing is sent;
- a message: sent on output port 0;
- a list: element *i* goes to output port *i*; an element may be ``None`` (nothing on that port),
  a message, or a list of messages (sent one after another on that port).
"""


@dataclass(frozen=True, slots=True)
class Confirmation:
    """What :meth:`flowrt.api.Sink.confirms` says of a sink's configuration: whether ``write``
    returns only once the server has the messages. When it does not, ``reason`` says why (a
    clause: "with `qos: 0` a publish returns before ...") and ``fix`` what to set instead (a
    sentence without its full stop: "Set `qos: 1`"); ``flowrt validate`` quotes both in W109."""

    confirms: bool
    reason: str = ""
    fix: str = ""
