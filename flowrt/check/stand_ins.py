"""W110: nodes that stand in for ones an import could not bring over (``Node.stands_in``).

Such a node validates, keeps its wires and fails each message it gets; the warning names what
it stands in for and why, at the node, so the person who imported the flows knows what is left
to replace before the flow does its work.
"""

from __future__ import annotations

from flowrt.check.context import CheckContext, located
from flowrt.diagnostics import Diagnostic, diagnostic
from flowrt.load.document import Document


def check_stand_ins(doc: Document, ctx: CheckContext) -> list[Diagnostic]:
    found: list[Diagnostic] = []
    nodes = [*doc.nodes.values(), *(n for sub in doc.subflows.values() for n in sub.nodes.values())]
    for node in nodes:
        spec = ctx.registry.get(node.type)
        if spec is None or node.path in ctx.invalid:
            continue
        why = spec.stands_in(node.config)
        if why:
            found.append(diagnostic(
                "W110", why, "replace it with flowrt nodes that do its work; until then each "
                "message reaching it fails with this reason",
                node=node.id, node_type=node.type, **located(doc, node.path, "key"),
            ))
    return found
