"""The complete node."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from flowrt.api import Listener, NodeConfig, field


class Complete(Listener):
    """Receives each message that one of the watched nodes finished handling.

    ### Outputs
    A copy of the finished message.

    ### Details
    A node has finished with a message when its processing returned (a transform), when it
    wrote the message out (a sink), or when it let go of a message it kept (a delay sends or drops
    it, a join sends the joined message). A message that failed is not complete: it goes to
    `catch` nodes instead.
    """

    type = "complete"
    icon = "alert"
    event: ClassVar[str] = "complete"

    class Config(NodeConfig):
        scope: list[str] = field(
            description="Node ids to watch; `[]` watches none, so the node never sends (as a "
            "Node-RED complete node with no node selected).",
            node_ref="*", examples=[["store"]],
        )

    def scope(self) -> Collection[str] | None:
        return frozenset(self.config.scope)
