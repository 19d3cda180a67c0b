"""The status node."""

from __future__ import annotations

from collections.abc import Collection
from typing import ClassVar

from flowrt.api import Listener, NodeConfig, field


class Status(Listener):
    """Receives status changes of other nodes of its flow, as messages.

    ### Outputs
    `status`: `{fill, shape, text, source: {id, type, name}}`, where `fill` is red, green,
    yellow, blue or grey and `shape` is ring or dot, as a node set it. As in Node-RED, only
    what the node set is there (a status without text has no `text`; a cleared status is
    `{source}` alone), and `source.name` as in `error.source` of the catch node.

    ### Details
    Statuses a node sets while the flow starts or stops (such as a debug node's empty status)
    are not reported, as in Node-RED; the editor still shows them.
    With no `scope`, status changes of every node in the flow (or the subflow) are reported;
    with `scope`, only those of the listed nodes.
    """

    type = "status"
    icon = "alert"
    event: ClassVar[str] = "status"

    class Config(NodeConfig):
        scope: list[str] | None = field(
            None,
            description="Node ids to report on; none means every node of the flow.",
            node_ref="*",
        )

    def scope(self) -> Collection[str] | None:
        return frozenset(self.config.scope) if self.config.scope is not None else None
