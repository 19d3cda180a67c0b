"""comment: a note in the flow, for people."""

from __future__ import annotations

from flowrt.api import Message, NodeConfig, Output, Transform, field


class Comment(Transform):
    """A note in the flow, for people; it has no ports and does nothing when the flow runs.

    ### Details

    The node's `label` is its title in the editor and `text` its body (Markdown). Use it to
    explain a part of the flow next to the nodes it is about. Node-RED's comment nodes are
    imported as comment nodes.
    """

    type = "comment"
    icon = "comment"
    inputs = 0
    outputs = 0
    mutates = False

    class Config(NodeConfig):
        text: str = field(
            "",
            description="The comment (Markdown).",
            examples=["Readings arrive every 10 s; see the *ingest* flow."],
            format="multiline",
        )

    def process(self, msg: Message) -> Output:
        return None
