"""The catch node."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from flowrt.api import Listener, NodeConfig, field


class Catch(Listener):
    """Receives errors raised by other nodes of its flow, as messages.

    ### Outputs
    The message that failed, with `error` set:

    - `error.message`: what went wrong;
    - `error.source`: `{id, type, name, count}` of the node that failed (`count` grows when the
      same message fails again in the same node; `name` for a node with a name, and empty
      for an unnamed debug, delay, function or template node, as in Node-RED);
    - `error.stack`: the end of the traceback; `error.line` for errors in a script's own code;
    - `_error`: the `error` the message already had (caught once before), as in Node-RED.

    ### Details
    With no `scope`, the node catches errors of every node in its flow (or its subflow). With
    `scope`, only errors of the listed nodes. With `uncaught: true` it takes an error only when no
    other catch node of the flow did. An error in a subflow that no catch node inside it takes goes
    on to the catch nodes of the flow holding the subflow instance. An error nobody catches is
    logged with the node id and the message id, and the message counts as failed: its source is
    not acknowledged.
    """

    type = "catch"
    icon = "alert"
    event: ClassVar[str] = "error"

    class Config(NodeConfig):
        scope: list[str] | None = field(
            None,
            description="Node ids whose errors to catch; none means every node of the flow.",
            node_ref="*",
            examples=[["parse", "store"]],
        )
        uncaught: bool = field(
            False, description="Only errors that no other catch node of the flow took."
        )

    def scope(self) -> Collection[str] | None:
        return self._scope

    @property
    def only_uncaught(self) -> bool:
        return bool(self.config.uncaught)

    async def start(self) -> None:
        self._scope = frozenset(self.config.scope) if self.config.scope is not None else None

    _scope: Collection[str] | None = None
