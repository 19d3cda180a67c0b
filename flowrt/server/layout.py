"""Auto-layout: nodes in layers along x by topological generation, spread along y within one.

Cycles (a loop back through a delay) are broken by condensing strongly connected components,
so every node gets a position. :func:`layout_of` reads the flow's text first; both take
seconds for a 10,000-node flow, so the API runs them in a worker thread.
"""

from __future__ import annotations

from typing import Any

from flowrt.server.files import load_flow_text

X_STEP, Y_STEP, X0, Y0 = 200, 80, 100, 60


def layered(nodes: list[str], edges: list[tuple[str, str]]) -> dict[str, list[int]]:
    import networkx as nx

    graph: Any = nx.DiGraph()
    graph.add_nodes_from(nodes)
    graph.add_edges_from((a, b) for a, b in edges if a in graph and b in graph)
    dag = nx.condensation(graph)
    order = {n: i for i, n in enumerate(nodes)}
    layout: dict[str, list[int]] = {}
    for x, generation in enumerate(nx.topological_generations(dag)):
        members = sorted((n for c in generation for n in dag.nodes[c]["members"]),
                         key=order.__getitem__)
        for y, node in enumerate(members):
            layout[node] = [X0 + x * X_STEP, Y0 + y * Y_STEP]
    return layout


def layout_of(text: str, file: str) -> dict[str, list[int]]:
    """Positions for the nodes of a flow's text (subflow instances' inner nodes excluded);
    raises LoadError when the text cannot be read."""
    doc = load_flow_text(text, file)
    ids = [n for n, decl in doc.nodes.items() if decl.subflow is None]
    edges = [(n, w.target) for n in ids for w in doc.nodes[n].wires]
    return layered(ids, edges)
