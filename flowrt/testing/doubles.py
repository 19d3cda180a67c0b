"""Test doubles: nodes a flow test puts in place of real ones (an MQTT input, a database sink).

A replaced node keeps its id and its wires. A source's double reads nothing (the test sends
messages out of it); any other node's double takes what arrives and does nothing with it (the
test looks at what arrived). Connections that only replaced nodes used are not opened.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

from flowrt.api import EndOfInput, Message, Output, Source, Transform
from flowrt.compile.plan import Plan, PlannedNode
from flowrt.registry.spec import spec_for


class DoubleNode(Transform):
    """Stands in for a node in a flow test: takes messages, changes nothing, sends nothing."""

    type = "test-double"
    category = "sink"
    outputs = 0
    mutates = False

    def process(self, msg: Message) -> Output:
        return None


class DoubleSource(Source):
    """Stands in for a source in a flow test: reads nothing; the test sends out of it."""

    type = "test-double-source"

    async def read(self) -> tuple[Message, Any]:
        raise EndOfInput("a test double reads nothing")


DOUBLE = spec_for(DoubleNode, "testing")
DOUBLE_SOURCE = spec_for(DoubleSource, "testing")


def matches(node: PlannedNode, selectors: Iterable[str | dict[str, str]]) -> bool:
    """True when a selector names the node: its id (or its id inside a subflow), or its type."""
    for selector in selectors:
        if isinstance(selector, str):
            if selector in (node.id, node.raw_id):
                return True
        elif selector.get("type") == node.type:
            return True
    return False


def replace_nodes(plan: Plan, selectors: list[str | dict[str, str]]) -> tuple[Plan, list[str]]:
    """A copy of ``plan`` with the selected nodes replaced by doubles, and their ids."""
    if not selectors:
        return plan, []
    nodes: dict[str, PlannedNode] = {}
    replaced: list[str] = []
    for node_id, node in plan.nodes.items():
        if matches(node, selectors):
            spec = DOUBLE_SOURCE if node.spec.inputs == 0 else DOUBLE
            node = dataclasses.replace(node, spec=spec, config=spec.config_model())
            replaced.append(node_id)
        nodes[node_id] = node
    used = {
        getattr(n.config, name, None)
        for n in nodes.values()
        for name in n.spec.connection_fields
    }
    connections = {k: v for k, v in plan.connections.items() if k in used}
    return (
        Plan(nodes=nodes, connections=connections, flows=plan.flows, flow_env=plan.flow_env),
        replaced,
    )
