"""Random fan-out trees give each branch the same messages in flowrt as in real Node-RED.

The trees of tests/security/fanout_graphs.py, as Node-RED exports: imported and run in flowrt
(on simulated time) and run in Node-RED (npm's node-red 4, as the other differential tests), a
batch of trees per Node-RED start. Each recorder (a debug node) must get the same messages on
both; the order in which messages reach one recorder through different branches is Node-RED's
scheduling, so each recorder's messages are compared as a multiset.
"""

from __future__ import annotations

import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from tests.nodered.differential import fire_injects, run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home
from tests.security.fanout_graphs import Tree, nodered_flow, trees

BATCH = 12


def _multisets(received: dict[str, list[Any]]) -> dict[str, list[str]]:
    return {node: sorted(json.dumps(p, sort_keys=True) for p in got)
            for node, got in received.items()}


@settings(max_examples=5, deadline=None, database=None, phases=[Phase.generate],
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(st.lists(trees(), min_size=BATCH, max_size=BATCH))
def test_random_trees_behave_as_in_node_red(batch: list[Tree]) -> None:
    home = nodered_home()
    flows = {f"t{i}": fire_injects(nodered_flow(tree, f"t{i}.")) for i, tree in enumerate(batch)}
    ours = {name: _multisets(run_flowrt(nodes)) for name, nodes in flows.items()}
    expected = sum(len(got) for received in ours.values() for got in received.values())
    with tempfile.TemporaryDirectory() as work:
        theirs = {name: _multisets(got) for name, got in
                  run_nodered(flows, home, Path(work), expected).items()}
    differing = {name: {"tree": repr(batch[int(name[1:])]),
                        "differ": {node: {"flowrt": ours[name].get(node),
                                          "node-red": theirs[name].get(node)}
                                   for node in sorted({*ours[name], *theirs[name]})
                                   if ours[name].get(node) != theirs[name].get(node)}}
                 for name in flows if ours[name] != theirs[name]}
    assert differing == {}, json.dumps(differing, indent=1)[:6000]
    assert expected > 0
