"""The Node-RED id each flowrt node gets in ``flowrt export nodered``.

A node imported from Node-RED keeps its Node-RED id in its ``origin`` key; the export gives it
that id back, so importing a Node-RED export and exporting it again keeps every node's id (what
Node-RED's deploy, its context store and other tools know the node by). Any other node is
exported with its flowrt id, prefixed inside a subflow with the subflow's name
(``scale.double``). Ids in a Node-RED export are unique, so an origin id that another node of
the export already has (two flows imported from different exports, or a node copied with its
``origin``) is not given twice: the node it would clash with keeps it, and the later one is
exported with its flowrt id. Tabs, config nodes and subflow definitions keep their flowrt ids.
"""

from __future__ import annotations

from typing import Any

from flowrt.load import Document

Key = tuple[str, str, str]
"""(flow id, subflow name or "" for a flow's own node, flowrt node id)."""


class NodeIds:
    """Node-RED ids by flowrt node, assigned once for the whole export."""

    def __init__(self, docs: list[Document]) -> None:
        self.ids: dict[Key, str] = {}
        self.top: dict[str, str] = {}
        """flowrt id -> Node-RED id of the flows' own nodes (links may cross flows)."""
        self.clashes: dict[Key, str] = {}
        """The nodes whose origin id another node took -> that id."""
        taken = {doc.id for doc in docs}
        for doc in docs:
            taken.update(doc.connections)
            taken.update(doc.subflows)
        nodes = [(doc, sub, decl) for doc in docs
                 for sub, decls in [("", doc.nodes), *((s.name, s.nodes)
                                                       for s in doc.subflows.values())]
                 for decl in decls.values()]
        for doc, sub, decl in nodes:
            if decl.origin is not None:
                key = (doc.id, sub, decl.id)
                if decl.origin.id in taken:
                    self.clashes[key] = decl.origin.id
                else:
                    taken.add(decl.origin.id)
                    self.ids[key] = decl.origin.id
        for doc, sub, decl in nodes:
            key = (doc.id, sub, decl.id)
            if key not in self.ids:
                wanted = f"{sub}.{decl.id}" if sub else decl.id
                found, n = wanted, 1
                while found in taken:
                    n += 1
                    found = f"{wanted}-{n}"
                taken.add(found)
                self.ids[key] = found
            if not sub:
                self.top.setdefault(decl.id, self.ids[key])

    def of(self, flow: str, sub: str, node_id: str) -> str:
        """The Node-RED id of a node of ``flow`` (inside subflow ``sub``, or "")."""
        return self.ids[(flow, sub, node_id)]

    def ref(self, flow: str, sub: str, target: Any) -> Any:
        """A reference to a node (a wire target, a link, a catch scope) as a Node-RED id: the
        node of the same container, else a flow's node of that id; anything else unchanged."""
        if not isinstance(target, str):
            return target
        found = self.ids.get((flow, sub, target))
        if found is None and not sub:
            found = self.top.get(target)
        return found if found is not None else target
