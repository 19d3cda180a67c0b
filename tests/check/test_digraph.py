"""The checks' graphs walk as networkx did (:mod:`flowrt.check.digraph`), on random graphs."""

from __future__ import annotations

import random

import networkx as nx
import pytest

from flowrt.check.digraph import DiGraph, descendants, find_cycle, strongly_connected_components


def pair(seed: int) -> tuple[nx.DiGraph, DiGraph, list[str]]:
    rng = random.Random(seed)
    names = [f"n{i}" for i in range(rng.randint(1, 12))]
    rng.shuffle(names)
    theirs, ours = nx.DiGraph(), DiGraph()
    theirs.add_nodes_from(names)
    ours.add_nodes_from(names)
    for _ in range(rng.randint(0, 30)):
        tail, head = rng.choice(names), rng.choice(names)
        theirs.add_edge(tail, head)
        ours.add_edge(tail, head)
    return theirs, ours, names


@pytest.mark.parametrize("seed", range(200))
def test_the_walks_are_networkx_walks(seed: int) -> None:
    theirs, ours, names = pair(seed)
    assert list(ours) == list(theirs) and list(ours.edges()) == list(theirs.edges())
    assert ({frozenset(c) for c in strongly_connected_components(ours)}
            == {frozenset(c) for c in nx.strongly_connected_components(theirs)})
    assert all(descendants(ours, n) == nx.descendants(theirs, n) for n in names)
    try:
        cycle = [tuple(e) for e in nx.find_cycle(theirs)]
    except nx.NetworkXNoCycle:
        with pytest.raises(ValueError, match="no cycle"):
            find_cycle(ours)
    else:
        assert find_cycle(ours) == cycle
    for component in nx.strongly_connected_components(theirs):
        # networkx walks a subgraph of fewer than half the nodes in a set's order: not compared
        if len(component) > 1 and 2 * len(component) >= len(theirs):
            assert (find_cycle(ours.subgraph(component))
                    == [tuple(e) for e in nx.find_cycle(theirs.subgraph(component))])
    names_of = {n: "p/" + n for n in names[: len(names) // 2]}
    moved, renamed = ours.relabeled(names_of), nx.relabel_nodes(theirs, names_of)
    assert list(moved) == list(renamed) and list(moved.edges()) == list(renamed.edges())
    gone = names[:2]
    ours.remove_nodes_from(gone)
    theirs.remove_nodes_from(gone)
    assert list(ours) == list(theirs) and sorted(ours.edges()) == sorted(theirs.edges())
