"""The directed graphs the checks walk (:mod:`.graph`, :mod:`.delivery`): nodes and edges in the
order they were added, and the four walks the checks need.

The checks used networkx; importing it took the longest part of `flowrt run`'s check (a
hundred milliseconds of start-up, more than the check itself), for graphs of a few hundred
nodes and these few algorithms. The walks follow networkx's: :func:`find_cycle` returns the
cycle networkx's ``find_cycle`` does (a depth-first search from the first node, successors in
the order their edges were added), so a W102 names its loop as it did, and always the same
way (networkx took the nodes of a small component in the order of a set, which changes from
process to process).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping
from typing import Any

Node = Hashable


class DiGraph:
    """A directed graph without parallel edges; nodes and each node's successors iterate in
    the order they were added."""

    def __init__(self) -> None:
        self._succ: dict[Any, dict[Any, None]] = {}

    def __contains__(self, node: object) -> bool:
        return node in self._succ

    def __iter__(self) -> Iterator[Any]:
        return iter(self._succ)

    def __len__(self) -> int:
        return len(self._succ)

    def add_node(self, node: Node) -> None:
        self._succ.setdefault(node, {})

    def add_nodes_from(self, nodes: Iterable[Node]) -> None:
        for node in nodes:
            self.add_node(node)

    def add_edge(self, tail: Node, head: Node) -> None:
        self.add_node(tail)
        self.add_node(head)
        self._succ[tail][head] = None

    def add_edges_from(self, edges: Iterable[tuple[Node, Node]]) -> None:
        for tail, head in edges:
            self.add_edge(tail, head)

    def has_edge(self, tail: Node, head: Node) -> bool:
        return head in self._succ.get(tail, {})

    def successors(self, node: Node) -> Iterator[Any]:
        return iter(self._succ[node])

    def out_edges(self, node: Node) -> list[tuple[Any, Any]]:
        return [(node, head) for head in self._succ[node]]

    def edges(self) -> Iterator[tuple[Any, Any]]:
        return ((tail, head) for tail, heads in self._succ.items() for head in heads)

    def remove_nodes_from(self, nodes: Iterable[Node]) -> None:
        gone = {n for n in nodes if n in self._succ}
        for node in gone:
            del self._succ[node]
        if gone:
            for heads in self._succ.values():
                for node in gone & heads.keys():
                    del heads[node]

    def remove_edges_from(self, edges: Iterable[tuple[Node, Node]]) -> None:
        for tail, head in edges:
            self._succ.get(tail, {}).pop(head, None)

    def update(self, other: DiGraph) -> None:
        """Add ``other``'s nodes, then its edges."""
        self.add_nodes_from(other)
        self.add_edges_from(other.edges())

    def subgraph(self, nodes: Iterable[Node]) -> DiGraph:
        """The graph of ``nodes`` (those of this graph) and the edges between them, in this
        graph's order."""
        keep = set(nodes)
        sub = DiGraph()
        for node, heads in self._succ.items():
            if node in keep:
                sub._succ[node] = {h: None for h in heads if h in keep}
        return sub

    def relabeled(self, names: Mapping[Any, Any]) -> DiGraph:
        """A copy with each node renamed as ``names`` says (others keep their name)."""
        copy = DiGraph()
        copy.add_nodes_from(names.get(n, n) for n in self._succ)
        copy.add_edges_from((names.get(t, t), names.get(h, h)) for t, h in self.edges())
        return copy


def descendants(graph: DiGraph, source: Node) -> set[Any]:
    """The nodes a path leads to from ``source`` (not ``source`` itself, as in networkx)."""
    seen = {source}
    found: set[Any] = set()
    frontier = [source]
    while frontier:
        node = frontier.pop()
        for head in graph.successors(node):
            if head not in seen:
                seen.add(head)
                found.add(head)
                frontier.append(head)
    return found


def strongly_connected_components(graph: DiGraph) -> Iterator[set[Any]]:
    """Each set of nodes that all lead to one another (Tarjan's algorithm, without recursion)."""
    index: dict[Any, int] = {}
    low: dict[Any, int] = {}
    stack: list[Any] = []
    on_stack: set[Any] = set()
    for root in graph:
        if root in index:
            continue
        work = [(root, graph.successors(root))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, heads = work[-1]
            advanced = False
            for head in heads:
                if head not in index:
                    index[head] = low[head] = len(index)
                    stack.append(head)
                    on_stack.add(head)
                    work.append((head, graph.successors(head)))
                    advanced = True
                    break
                if head in on_stack:
                    low[node] = min(low[node], index[head])
            if advanced:
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = set()
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.add(member)
                    if member == node:
                        break
                yield component


def find_cycle(graph: DiGraph) -> list[tuple[Any, Any]]:
    """The edges of the first cycle a depth-first search meets, from the first node on, as
    networkx's ``find_cycle`` gives them (starting at the node the cycle closes on); ValueError
    for a graph without a cycle."""
    explored: set[Any] = set()
    for start in graph:
        if start in explored:
            continue
        seen = {start}
        path = [start]
        on_path = {start}
        work = [graph.successors(start)]
        while work:
            head = next(work[-1], None)
            if head is None:
                work.pop()
                on_path.discard(path.pop())
                continue
            if head in on_path:
                loop = path[path.index(head):]
                return list(zip(loop, [*loop[1:], head], strict=True))
            if head in seen or head in explored:
                continue
            seen.add(head)
            path.append(head)
            on_path.add(head)
            work.append(graph.successors(head))
        explored |= seen
    raise ValueError("no cycle")
