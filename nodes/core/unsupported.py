"""unsupported: stands in for a node that could not be imported, keeping its place in the flow."""

from __future__ import annotations

from typing import Any

from flowrt.api import Message, NodeConfig, NodeError, Output, Transform, field


class Unsupported(Transform):
    """Stands in for a Node-RED node flowrt could not import; fails every message it gets.

    ### Details

    `flowrt import nodered` writes one for each node it cannot map (a type flowrt has no
    counterpart for, or properties it cannot read), with the reason. The node keeps the original
    node's place: its wires in and out, its outputs (`$out.N` in a subflow), and its Node-RED
    properties in `nodered`, so `flowrt export nodered` gives the original node back.

    `flowrt validate` warns of it (W110) with the Node-RED type and the reason; it counts as a
    source, so the nodes after it are not reported unreachable. When the flow runs, each message
    that reaches it fails with the reason (a `catch` node sees it, else the log): replace it
    with flowrt nodes that do the same work.

    ```yaml
    flowrt: 1
    nodes:
      ask:
        type: unsupported
        reason: no flowrt node type corresponds to Node-RED's `tcp request`
        nodered: {type: tcp request, server: 10.0.0.1, port: "7", out: time}
        to: show
      show: {type: debug}
    ```

    ### Inputs

    Any message: it fails with the reason.

    ### Outputs

    None is ever sent; the `outputs` ports keep the original node's wires.
    """

    type = "unsupported"
    icon = "alert"
    mutates = False

    class Config(NodeConfig):
        reason: str = field(
            description="Why the node could not be imported, and what to use instead.",
            examples=["no flowrt node type corresponds to Node-RED's `tcp request`"],
        )
        nodered: dict[str, Any] = field(
            description="The original node's Node-RED properties, `type` included (its id, "
            "tab, position and wires are the flow file's).",
            examples=[{"type": "tcp request", "server": "10.0.0.1", "port": "7"}],
        )
        outputs: int = field(
            1, ge=0, le=1000,
            description="The original node's number of outputs, which its wires leave from.",
            examples=[1],
        )

    @classmethod
    def output_count(cls, config: Any) -> int:
        return int(config.outputs)

    @classmethod
    def stands_in(cls, config: Any) -> str | None:
        return f"stands in for Node-RED's `{_kind(config)}` node, not imported: {config.reason}"

    def process(self, msg: Message) -> Output:
        raise NodeError(f"Node-RED's `{_kind(self.config)}` node was not imported: "
                        f"{self.config.reason}")


def _kind(config: Any) -> str:
    kind = config.nodered.get("type")
    return kind if isinstance(kind, str) and kind else "?"
