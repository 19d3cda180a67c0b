"""The link-in node."""

from __future__ import annotations

from flowrt.api import Message, Output, Transform


class LinkIn(Transform):
    """Receives messages from link-out and link-call nodes, in any flow of the project.

    ### Outputs
    The message, unchanged.

    ### Details
    A link-in node has no input wire: link-out nodes name it in their `links`, and link-call nodes
    in their `target`. This joins flows (files) without wires between them.
    """

    type = "link-in"
    inputs = 0
    mutates = False

    def process(self, msg: Message) -> Output:
        return msg
