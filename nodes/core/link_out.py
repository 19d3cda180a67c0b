"""The link-out node."""

from __future__ import annotations

from typing import Literal

from pydantic import model_validator

from flowrt.api import ConfigError, Message, NodeConfig, Output, Transform, clone, field

from . import link_calls
from .link_in import planned_link_in


class LinkOut(Transform):
    """Sends messages to link-in nodes, or back to the link-call node that called this path.

    ### Inputs
    Any message.

    ### Details
    In `link` mode the message goes to every link-in node in `links` (each but the last gets a
    copy); `links: []` sends nowhere, as a Node-RED link out linked to nothing (`flowrt
    validate` warns of it, W111). In `return` mode it goes back to the link-call node that sent
    it down this path (the last entry of `msg._linkSource`), which sends it on from its own
    output; a message that came from no link-call is an error.
    """

    type = "link-out"
    icon = "link"
    outputs = 0

    class Config(NodeConfig):
        mode: Literal["link", "return"] = field(
            "link", description="`link`: to the link-in nodes in `links`; `return`: back to "
            "the calling link-call node."
        )
        links: list[str] = field(
            default_factory=list,
            description="The link-in nodes to send to (link mode).",
            node_ref="link-in",
            examples=[["alerts-in"]],
        )

        @model_validator(mode="after")
        def _links_match_mode(self) -> LinkOut.Config:
            if self.mode == "link" and "links" not in self.model_fields_set:
                raise ValueError("link mode needs `links`, the link-in nodes to send to "
                                 "(`links: []` sends nowhere)")
            if self.mode == "return" and "links" in self.model_fields_set:
                raise ValueError("return mode sends back to the caller: remove `links`")
            return self

    async def start(self) -> None:
        self._links = tuple(planned_link_in(self.ctx, self.id, self.type, t)
                            for t in self.config.links)

    _links: tuple[str, ...] = ()

    def process(self, msg: Message) -> Output:
        if self.config.mode == "return":
            self._return(msg)
            return None
        links = self._links
        last = len(links) - 1
        for i, target in enumerate(links):
            self.ctx.send_from(target, msg if i == last else clone(msg))
        return None

    def _return(self, msg: Message) -> None:
        stack = msg.get("_linkSource")
        if not isinstance(stack, list) or not stack:
            raise ConfigError(
                "a return-mode link-out got a message that no link-call sent; "
                "use link mode, or reach this node only through a link-call",
                node=self.id,
            )
        entry = stack.pop()
        if not stack:
            del msg["_linkSource"]
        call_id = entry.get("call", "") if isinstance(entry, dict) else ""
        if not link_calls.settle(call_id):
            self.ctx.warn("the link-call gave up waiting (timeout) before this return", msg)
            return
        self.ctx.send_from(entry["id"], msg)

