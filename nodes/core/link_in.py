"""The link-in node."""

from __future__ import annotations

from flowrt.api import Message, NodeContext, Output, Transform


class LinkIn(Transform):
    """Receives messages from link-out and link-call nodes, in any flow of the project.

    ### Outputs
    The message, unchanged.

    ### Details
    A link-in node has no input wire: link-out nodes name it in their `links`, and link-call nodes
    in their `target`. This joins flows (files) without wires between them. Inside a subflow a
    link names the subflow's own link-in nodes, each instance its own; a link-call there may
    also name a link-in node of a flow (as in Node-RED).
    """

    type = "link-in"
    icon = "link"
    inputs = 0
    mutates = False

    def process(self, msg: Message) -> Output:
        return msg


def planned_link_in(ctx: NodeContext, me: str, me_type: str, target: str) -> str:
    """The planned id of the link-in node that node ``me`` (of type ``me_type``) names
    ``target``: inside a subflow instance, the instance's own node of that id first (Node-RED
    gives each instance its own copy of the subflow's nodes), else the node of the project."""
    mine = next((n for n in ctx.nodes_of_type(me_type) if n.id == me), None)
    if mine is not None and mine.scope:
        inner = f"{mine.scope[-1]}/{target}"
        if any(n.id == inner for n in ctx.nodes_of_type(LinkIn.type)):
            return inner
    return target
