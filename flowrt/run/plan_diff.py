"""What changed between the plan a runtime runs and a new plan of the same flows.

A node's *signature* is what must be equal for it to keep running: its type, configuration,
guarantee, journal, origin, environment, its flow's environment and the configuration of the
connections it uses, and (unless left out) its wires. :func:`diff_plans` sorts the nodes of two
plans into those to keep, to keep but rewire (only their wires changed), to replace (anything
else changed), to start (new) and to stop (gone), and the connections to replace, start and
stop. It also says why the change cannot be made node by node, when it cannot
(:mod:`flowrt.run.hot_swap`): then the flows restart as a whole.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from flowrt.api import Listener, Source
from flowrt.compile.plan import Plan, PlannedNode


@dataclass
class PlanDiff:
    start: list[str] = field(default_factory=list)
    """Nodes only in the new plan."""
    stop: list[str] = field(default_factory=list)
    """Nodes only in the running plan."""
    replace: list[str] = field(default_factory=list)
    """Nodes in both whose signature (wires aside) changed: stopped, then made anew."""
    rewire: list[str] = field(default_factory=list)
    """Nodes in both whose wires alone changed: they keep running, sending where the new
    plan says."""
    connections: dict[str, list[str]] = field(default_factory=lambda: {
        "start": [], "stop": [], "replace": []})
    unsafe: list[str] = field(default_factory=list)
    """Why the change cannot be made node by node (empty when it can)."""

    @property
    def empty(self) -> bool:
        return not (self.start or self.stop or self.replace or self.rewire
                    or any(self.connections.values()))


def diff_plans(old: Plan, new: Plan, group: bool = False) -> PlanDiff:
    """Compare ``old`` (running) with ``new``; ``group``: the runtime is a member of a group
    of workers (its sources may run once in the group)."""
    out = PlanDiff()
    for node_id, pn in new.nodes.items():
        was = old.nodes.get(node_id)
        if was is None:
            out.start.append(node_id)
        elif signature(old, was, wires=False) != signature(new, pn, wires=False):
            out.replace.append(node_id)
        elif was.wires != pn.wires:
            out.rewire.append(node_id)
    out.stop = [n for n in old.nodes if n not in new.nodes]
    for conn_id, pc in new.connections.items():
        was_c = old.connections.get(conn_id)
        if was_c is None:
            out.connections["start"].append(conn_id)
        elif (was_c.spec.type, _dump(was_c.config)) != (pc.spec.type, _dump(pc.config)):
            out.connections["replace"].append(conn_id)
    out.connections["stop"] = [c for c in old.connections if c not in new.connections]
    out.unsafe = _unsafe(old, new, out, group)
    return out


def _unsafe(old: Plan, new: Plan, diff: PlanDiff, group: bool) -> list[str]:
    reasons = []
    envs = {f for f in {*old.flow_env, *new.flow_env}
            if old.flow_env.get(f) != new.flow_env.get(f)}
    if envs:
        reasons.append(f"the environment of flow {', '.join(sorted(envs))} changed")
    touched = [*diff.start, *diff.stop, *diff.replace]
    planned = [new.nodes.get(n) or old.nodes[n] for n in touched]
    planned += [old.nodes[n] for n in diff.replace]
    inner = sorted({pn.scope[0] for pn in planned if pn.scope})
    if inner:
        reasons.append(f"subflow instance {', '.join(inner)} changed (a subflow definition or "
                       "instance restarts its flow)")
    if any(issubclass(pn.spec.cls, Listener) and pn.spec.cls.event == "complete"
           for pn in planned):
        reasons.append("a complete node changed (what it watches is fixed when its flow starts)")
    if any(pn.journal for pn in planned):
        reasons.append("a journaled source changed (its journal is closed with its flow)")
    if group and any(issubclass(pn.spec.cls, Source) for pn in planned):
        reasons.append("a source changed in a group of workers")
    return reasons


def uses(pn: PlannedNode, plan: Plan) -> set[str]:
    """The connections a node's configuration names (its fields declared with ``connection=``)."""
    names = (getattr(pn.config, name, None) for name in pn.spec.connection_fields)
    return {v for v in names if isinstance(v, str) and v in plan.connections}


def signature(plan: Plan, pn: PlannedNode, wires: bool = True) -> str:
    """What must be equal for ``pn`` to keep running (see the module docs)."""
    conns = sorted(uses(pn, plan))
    data = {
        "type": pn.type,
        "config": _dump(pn.config),
        "guarantee": pn.guarantee,
        "journal": pn.journal,
        "origin": pn.origin,
        "wires": pn.wires if wires else None,
        "env": pn.env,
        "flow_env": plan.flow_env.get(pn.flow),
        "connections": {c: [plan.connections[c].spec.type, _dump(plan.connections[c].config)]
                        for c in conns},
    }
    return json.dumps(data, sort_keys=True, default=str)


def _dump(config: Any) -> Any:
    # warnings=False: a union field holding a model (an inject payload) is dumped as it is
    return (config.model_dump(mode="json", warnings=False) if hasattr(config, "model_dump")
            else repr(config))
