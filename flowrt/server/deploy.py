"""Running the flows of the directory, and replacing them on deploy.

The plan of the whole directory is cut into *units*: groups of flows joined by wires (a link
or a subflow instance can join files), each run by its own :class:`~flowrt.run.runtime.Runtime`
with only the connections its nodes use. A full deploy stops every unit gracefully and starts
the new plan. A ``changed`` deploy compares each node's signature (type, configuration, wires,
environment, and the configuration of the connections it uses) with the running one: units
where nothing changed keep running, with their nodes' context and in-flight messages; the rest
are stopped and started again. So the granularity is the flow (or group of joined flows), not
the single node: a changed node restarts the other nodes of its flow too (their node context
is kept, since every unit shares one context store).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from flowrt.check.policy import ScriptPolicy
from flowrt.compile import build_plan
from flowrt.compile.plan import Plan, PlannedNode
from flowrt.diagnostics import Diagnostic
from flowrt.errors import CheckError, CompileError, ConfigError
from flowrt.load import Project, load_project
from flowrt.message import clone
from flowrt.registry.discover import Registry
from flowrt.run.clock import RealClock
from flowrt.run.events import ErrorRecord
from flowrt.run.http import RouteTable
from flowrt.run.runtime import CLOSE_TIMEOUT, Runtime
from flowrt.run.stores import Stores
from flowrt.server.events import Hub
from flowrt.server.revisions import database_url
from flowrt.types import Message

if TYPE_CHECKING:
    from flowrt.group import Group

log = logging.getLogger("flowrt.server")


class DeployRefused(Exception):
    """The flows have errors; nothing was changed."""

    def __init__(self, diagnostics: list[Diagnostic]) -> None:
        super().__init__(f"{len(diagnostics)} problem(s) in the flows")
        self.diagnostics = diagnostics


@dataclass
class Unit:
    flows: frozenset[str]
    signatures: dict[str, str]
    """Node id -> signature (what must be equal for the node to keep running)."""
    runtime: Runtime


@dataclass
class Outcome:
    flows: list[str] = field(default_factory=list)
    nodes: list[str] = field(default_factory=list)


class Engine:
    def __init__(self, root: Path, registry: Registry, env: Mapping[str, str], hub: Hub,
                 close_timeout: float = CLOSE_TIMEOUT, context_url: str | None = None,
                 group: Group | None = None, scripts: ScriptPolicy = "allow") -> None:
        self.root = root.resolve()
        self.registry = registry
        self.env = dict(env)
        self.hub = hub
        self.close_timeout = close_timeout
        self.stores = Stores(database_url(context_url) if context_url else None)
        """One context store for every unit: node, flow and global context outlive deploys."""
        self.http = RouteTable()
        self.group = group
        self.scripts = scripts
        self.units: list[Unit] = []
        self.errors: dict[str, int] = {}
        self.deploys = 0
        self.ready = False
        self.lock = asyncio.Lock()

    # deploying ---------------------------------------------------------------------------

    def load(self) -> Project:
        return load_project([self.root]) if any(self._flow_files()) else Project()

    def _flow_files(self) -> list[Path]:
        from flowrt.load.project import find_flow_files

        return find_flow_files([self.root])[0] if self.root.is_dir() else []

    def plan(self) -> Plan:
        from flowrt.check import check

        project = self.load()
        diagnostics = check(project, self.registry, env=self.env, scripts=self.scripts)
        try:
            plan, _ = build_plan(project, self.registry, env=self.env, diagnostics=diagnostics)
        except CheckError as exc:
            raise DeployRefused(exc.diagnostics) from exc
        except CompileError as exc:  # a ${VAR} with no value where a valid value must go
            raise ConfigError(str(exc)) from exc
        return plan

    async def deploy(self, mode: str = "full") -> Outcome:
        """Check and plan the directory, then replace what changed (``mode`` "changed") or
        everything ("full"). Raises DeployRefused (nothing changed) when the flows have errors."""
        async with self.lock:
            return await self._deploy(mode)

    def _cut_plan(self) -> list[tuple[frozenset[str], dict[str, str], Plan]]:
        """The plan cut into units, each with its nodes' signatures (in a worker thread: for
        10,000 nodes this is seconds of loading and checking and a second of signatures)."""
        plan = self.plan()
        out = []
        for flows, nodes in _units(plan):
            sub = _subplan(plan, flows, nodes)
            out.append((flows, {n: _signature(sub, sub.nodes[n]) for n in sub.nodes}, sub))
        return out

    async def _deploy(self, mode: str) -> Outcome:
        cut = await asyncio.to_thread(self._cut_plan)
        old_signatures = {n: s for u in self.units for n, s in u.signatures.items()}
        keep: list[Unit] = []
        start: list[tuple[frozenset[str], dict[str, str], Plan]] = []
        for flows, signatures, sub in cut:
            running = next((u for u in self.units if u.flows == flows), None)
            if mode == "changed" and running is not None and running.signatures == signatures:
                keep.append(running)
            else:
                start.append((flows, signatures, sub))
        stopping = [u for u in self.units if not any(u is k for k in keep)]
        outcome = Outcome()
        outcome.flows = sorted({f for u in stopping for f in u.flows}
                               | {f for flows, _, _ in start for f in flows})
        new_signatures = {n: s for _, sigs, _ in start for n, s in sigs.items()}
        outcome.nodes = sorted(
            {n for n, s in new_signatures.items() if old_signatures.get(n) != s}
            | {n for u in stopping for n in u.signatures if n not in new_signatures
               and not any(n in k.signatures for k in keep)}
        )
        self.ready = False
        for unit in stopping:
            await unit.runtime.stop(timeout=self.close_timeout)
        self.units = keep
        failed: list[str] = []
        for flows, signatures, sub in start:
            rt = self._runtime(sub)
            try:
                await rt.start()
            except ConfigError as exc:  # the other flows still start
                failed.append(str(exc))
                continue
            self.units.append(Unit(flows, signatures, rt))
        self.ready = True
        self.deploys += 1
        if failed:
            raise ConfigError("; ".join(failed))
        return outcome

    def _runtime(self, plan: Plan) -> Runtime:
        # every unit's http-in nodes share the one mounted route table
        rt = Runtime(_watching_debug(plan, self.hub), clock=RealClock(), stores=self.stores,
                     env=self.env, http=self.http, group=self.group)
        hub = self.hub
        rt.events.hooks.status.append(
            lambda node, status: hub.publish({"type": "status", "node": node, "status": status}))
        rt.events.hooks.error.append(self._on_error)
        return rt

    def _on_error(self, record: ErrorRecord) -> None:
        self.errors[record.node] = self.errors.get(record.node, 0) + 1
        if not record.caught:
            self.hub.publish({"type": "error", "node": record.node, "message": record.message,
                              "msgid": record.msgid})

    async def stop(self) -> None:
        self.ready = False
        for unit in self.units:
            await unit.runtime.stop(timeout=self.close_timeout)
        self.units = []

    # looking -----------------------------------------------------------------------------

    def find(self, node_id: str) -> Runtime | None:
        for unit in self.units:
            if node_id in unit.runtime.nodes:
                return unit.runtime
        return None

    def state(self) -> dict[str, Any]:
        nodes: dict[str, Any] = {}
        for unit in self.units:
            rt = unit.runtime
            for node_id, (received, produced) in rt.stats.items():
                nodes[node_id] = {"status": rt.events.statuses.get(node_id), "in": received,
                                  "out": produced, "type": rt.plan.nodes[node_id].type,
                                  "flow": rt.plan.nodes[node_id].flow}
        return {"nodes": nodes}


def _watching_debug(plan: Plan, hub: Hub) -> Plan:
    """The plan with each active debug node's class extended to publish what it receives
    (a copy, taken only there: the runtime's tap would copy every message at every node)."""
    nodes = dict(plan.nodes)
    for node_id, pn in plan.nodes.items():
        if pn.type == "debug" and getattr(pn.config, "active", True):
            spec = dataclasses.replace(pn.spec, cls=_publishing(pn.spec.cls, hub))
            nodes[node_id] = dataclasses.replace(pn, spec=spec)
    return Plan(nodes, plan.connections, plan.flows, plan.flow_env)


def _publishing(base: Any, hub: Hub) -> Any:
    class Published(base):  # type: ignore[misc]
        def process(self, msg: Message) -> Any:
            hub.publish({"type": "debug", "node": self.id, "msg": clone(msg),
                         "time": int(time.time() * 1000)})
            return super().process(msg)

    Published.__name__ = Published.__qualname__ = base.__name__
    return Published


def _units(plan: Plan) -> list[tuple[frozenset[str], list[str]]]:
    """Flows joined by wires, with their nodes (union-find over flow ids)."""
    parent: dict[str, str] = {f: f for f in plan.flows}
    for pn in plan.nodes.values():
        parent.setdefault(pn.flow, pn.flow)

    def root(f: str) -> str:
        while parent[f] != f:
            parent[f] = parent[parent[f]]
            f = parent[f]
        return f

    for pn in plan.nodes.values():
        for port in pn.wires:
            for target in port:
                a, b = root(pn.flow), root(plan.nodes[target].flow)
                if a != b:
                    parent[a] = b
    groups: dict[str, tuple[set[str], list[str]]] = {}
    for pn in plan.nodes.values():
        flows, nodes = groups.setdefault(root(pn.flow), (set(), []))
        flows.add(pn.flow)
        nodes.append(pn.id)
    return sorted(((frozenset(f), n) for f, n in groups.values()), key=lambda g: sorted(g[0]))


def _uses(pn: PlannedNode, plan: Plan) -> set[str]:
    """The connections a node's configuration names (its fields declared with ``connection=``)."""
    names = (getattr(pn.config, name, None) for name in pn.spec.connection_fields)
    return {v for v in names if isinstance(v, str) and v in plan.connections}


def _subplan(plan: Plan, flows: frozenset[str], nodes: list[str]) -> Plan:
    sub = Plan()
    for node_id in nodes:
        pn = plan.nodes[node_id]
        sub.nodes[node_id] = pn
        for conn in _uses(pn, plan):
            sub.connections[conn] = plan.connections[conn]
    for flow in flows:
        if flow in plan.flows:
            sub.flows[flow] = plan.flows[flow]
        if flow in plan.flow_env:
            sub.flow_env[flow] = plan.flow_env[flow]
    return sub


def _signature(plan: Plan, pn: PlannedNode) -> str:
    conns = sorted(_uses(pn, plan))
    data = {
        "type": pn.type,
        "config": _dump(pn.config),
        "guarantee": pn.guarantee,
        "journal": pn.journal,
        "wires": pn.wires,
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
