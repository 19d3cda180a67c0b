"""Running the flows of the directory, and replacing them on deploy.

The plan of the whole directory is cut into *units*: groups of flows joined by wires (a link
or a subflow instance can join files), each run by its own :class:`~flowrt.run.runtime.Runtime`
with only the connections its nodes use. Three deploy modes:

- ``full`` stops every unit gracefully and starts the new plan.
- ``flows`` (also called ``changed``) compares each node's signature (type, configuration,
  wires, environment, and the configuration of the connections it uses) with the running one:
  units where nothing changed keep running, with their nodes' context and in-flight messages;
  the rest are stopped and started again. A changed node restarts the other nodes of its flow
  too (their node context is kept, since every unit shares one context store).
- ``nodes`` changes a running unit node by node (:mod:`flowrt.run.hot_swap`): only the nodes
  whose signature changed are stopped and started again (with the nodes using a changed
  connection); the others keep running with everything they hold, and a node whose wires alone
  changed is rewired. A change that cannot be made so (:func:`flowrt.run.plan_diff.diff_plans`
  says why: a flow's environment, a subflow, a complete node, a journaled source) restarts its
  unit, and the answer says so. Units that appear, vanish, or are joined or split by a new wire
  start and stop whole.
"""

from __future__ import annotations

import asyncio
import dataclasses
import logging
import time
from collections.abc import Mapping
from dataclasses import dataclass
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
from flowrt.run import paths
from flowrt.run.clock import RealClock
from flowrt.run.events import ErrorRecord
from flowrt.run.hot_swap import hot_swap
from flowrt.run.http import RouteTable
from flowrt.run.metrics import connection_metrics, node_metrics
from flowrt.run.plan_diff import PlanDiff, diff_plans, signature, uses
from flowrt.run.runtime import CLOSE_TIMEOUT, Runtime
from flowrt.run.stores import Stores
from flowrt.run.tracing import TRACE_KEY
from flowrt.server.deploy_outcome import Held, Outcome
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


Cut = tuple[frozenset[str], dict[str, str], Plan]
"""A unit of the new plan: its flows, its nodes' signatures, its plan."""
MODES = ("nodes", "flows", "changed", "full")
"""The deploy modes (``changed`` is ``flows``, its older name)."""


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
        self.held = Held()

    # deploying ---------------------------------------------------------------------------

    def load(self) -> Project:
        return load_project([self.root]) if any(self._flow_files()) else Project()

    def _flow_files(self) -> list[Path]:
        from flowrt.load.project import find_flow_files

        return find_flow_files([self.root])[0] if self.root.is_dir() else []

    def plan(self, skip_invalid: bool = False) -> Plan:
        """The directory's plan. With ``skip_invalid``, the files with errors are left out
        (with every file of a running unit that holds one of their flows, which keeps running
        as it is): what they held is in :attr:`held`."""
        from flowrt.check import check

        project = self.load()
        self.held = Held()
        diagnostics = check(project, self.registry, env=self.env, scripts=self.scripts)
        while skip_invalid and (errors := [d for d in diagnostics if d.severity == "error"]):
            smaller = self._without(project, errors)
            if smaller is None:  # an error no file can be left out for
                break
            project = smaller
            diagnostics = check(project, self.registry, env=self.env, scripts=self.scripts)
        try:
            plan, _ = build_plan(project, self.registry, env=self.env, diagnostics=diagnostics)
        except CheckError as exc:
            raise DeployRefused(exc.diagnostics) from exc
        except CompileError as exc:  # a ${VAR} with no value where a valid value must go
            raise ConfigError(str(exc)) from exc
        return plan

    def _without(self, project: Project, errors: list[Diagnostic]) -> Project | None:
        """``project`` without the files the errors are in, and without every file of a
        running unit holding one of their flows; None when an error is in no file."""
        bad = {d.file for d in errors}
        if "" in bad:
            return None
        flows = {doc.id for doc in project.documents if doc.file in bad}
        for unit in self.units:
            if unit.flows & flows:
                flows |= unit.flows
                bad |= {unit.runtime.plan.flows.get(f, "") for f in unit.flows} - {""}
        for d in errors:
            self.held.files.setdefault(d.file, []).append(d)
        self.held.flows |= flows
        left = [doc for doc in project.documents if doc.file not in bad]
        problems = [d for d in project.diagnostics if d.file not in bad]
        if len(left) == len(project.documents) and len(problems) == len(project.diagnostics):
            return None
        return Project(left, problems)

    def _name(self, file: str) -> str:
        """A flow file's name in the flows directory (as the API names it)."""
        try:
            return Path(file).resolve().relative_to(self.root.resolve()).as_posix()
        except ValueError:
            return file

    async def deploy(self, mode: str = "full", skip_invalid: bool = False) -> Outcome:
        """Check and plan the directory, then replace what changed: the nodes (``mode``
        "nodes"), the flows ("flows" or "changed"), or everything ("full"). Raises DeployRefused
        (nothing changed) when the flows have errors; with ``skip_invalid``, the files with
        errors are left out instead and their running flows kept as they are (``skipped`` in
        the outcome)."""
        if mode not in MODES:
            raise ValueError(f"deploy mode is one of {', '.join(MODES)}")
        async with self.lock:
            return await self._deploy(mode, skip_invalid)

    def _cut_plan(self, skip_invalid: bool = False) -> list[Cut]:
        """The plan cut into units, each with its nodes' signatures (in a worker thread: for
        10,000 nodes this is seconds of loading and checking and a second of signatures)."""
        plan = self.plan(skip_invalid)
        out = []
        for flows, nodes in _units(plan):
            sub = _subplan(plan, flows, nodes)
            out.append((flows, {n: signature(sub, sub.nodes[n]) for n in sub.nodes}, sub))
        return out

    async def _deploy(self, mode: str, skip_invalid: bool = False) -> Outcome:
        cut = await asyncio.to_thread(self._cut_plan, skip_invalid)
        old_signatures = {n: s for u in self.units for n, s in u.signatures.items()}
        # a running unit holding a flow of a file left out keeps running as it is
        keep: list[Unit] = [u for u in self.units if u.flows & self.held.flows]
        start: list[Cut] = []
        swaps: list[tuple[Unit, Cut, Plan, PlanDiff]] = []
        outcome = Outcome(mode="flows" if mode == "changed" else mode)
        outcome.skipped = {self._name(f): [f"{d.line}:{d.column}: {d.code} {d.message}"
                                           for d in ds]
                           for f, ds in sorted(self.held.files.items())}
        for flows, signatures, sub in cut:
            running = next((u for u in self.units if u.flows == flows), None)
            if mode != "full" and running is not None and running.signatures == signatures:
                keep.append(running)
            elif mode == "nodes" and running is not None:
                new = _watching_debug(sub, self.hub)
                diff = await asyncio.to_thread(diff_plans, running.runtime.plan, new,
                                               self.group is not None)
                if diff.unsafe:
                    outcome.restarted.append({"flows": sorted(flows),
                                              "reason": "; ".join(diff.unsafe)})
                    start.append((flows, signatures, sub))
                else:
                    swaps.append((running, (flows, signatures, sub), new, diff))
                    keep.append(running)
            else:
                start.append((flows, signatures, sub))
        stopping = [u for u in self.units if not any(u is k for k in keep)]
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
        for unit, cut_unit, new, diff in swaps:
            try:
                outcome.swapped(await hot_swap(unit.runtime, new, diff, self.close_timeout))
            except ConfigError as exc:  # the unit stopped; the other flows still run
                failed.append(str(exc))
                self.units.remove(unit)
                continue
            except ValueError as exc:  # it stopped meanwhile: start it again
                log.warning("flows %s restart: %s", ", ".join(sorted(unit.flows)), exc)
                outcome.restarted.append({"flows": sorted(unit.flows), "reason": str(exc)})
                await unit.runtime.stop(timeout=self.close_timeout)
                self.units.remove(unit)
                start.append(cut_unit)
                continue
            unit.signatures = cut_unit[1]
        outcome.nodes = sorted({*outcome.nodes, *outcome.replaced, *outcome.started,
                                *outcome.stopped})
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
        """Each node's status, counts, errors and measurements (:mod:`flowrt.run.metrics`),
        each connection's state, and the flows running."""
        nodes: dict[str, Any] = {}
        connections: dict[str, Any] = {}
        for unit in self.units:
            rt = unit.runtime
            measured = node_metrics(rt.meter, rt.queues, rt.windows)
            for node_id, (received, produced) in rt.stats.items():
                nodes[node_id] = {"status": rt.events.statuses.get(node_id), "in": received,
                                  "out": produced, "type": rt.plan.nodes[node_id].type,
                                  "flow": rt.plan.nodes[node_id].flow,
                                  "errors": self.errors.get(node_id, 0),
                                  **measured.get(node_id, {})}
            connections.update(connection_metrics(rt.meter))
        flows = sorted({flow for unit in self.units for flow in unit.flows})
        return {"nodes": nodes, "flows": flows, "connections": connections}


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
            event = {"type": "debug", "node": self.id, "msg": clone(msg),
                     "time": int(time.time() * 1000)}
            recorder = paths.recorder()
            if recorder is not None and TRACE_KEY in msg:
                trace = recorder.recorded(msg[TRACE_KEY])
                if trace is not None:  # the editor can show its path (flowrt.run.paths)
                    event["trace"] = trace
                if recorder.recording:  # the path's trace is the event's, not the message's
                    event["msg"].pop(TRACE_KEY, None)
            hub.publish(event)
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
        for target in _reached(pn):
            if target in plan.nodes:
                a, b = root(pn.flow), root(plan.nodes[target].flow)
                if a != b:
                    parent[a] = b
    groups: dict[str, tuple[set[str], list[str]]] = {}
    for pn in plan.nodes.values():
        flows, nodes = groups.setdefault(root(pn.flow), (set(), []))
        flows.add(pn.flow)
        nodes.append(pn.id)
    return sorted(((frozenset(f), n) for f, n in groups.values()), key=lambda g: sorted(g[0]))


def _reached(pn: PlannedNode) -> list[str]:
    """The nodes ``pn`` sends to: its wires' targets, and the link-in nodes a link-out or a
    link-call names (a link joins flows of other files as a wire would)."""
    reached = [target for port in pn.wires for target in port]
    if pn.type == "link-out":
        reached += getattr(pn.config, "links", None) or []
    elif pn.type == "link-call" and getattr(pn.config, "target", None):
        reached.append(pn.config.target)
    return reached


def _subplan(plan: Plan, flows: frozenset[str], nodes: list[str]) -> Plan:
    sub = Plan()
    for node_id in nodes:
        pn = plan.nodes[node_id]
        sub.nodes[node_id] = pn
        for conn in uses(pn, plan):
            sub.connections[conn] = plan.connections[conn]
    for flow in flows:
        if flow in plan.flows:
            sub.flows[flow] = plan.flows[flow]
        if flow in plan.flow_env:
            sub.flow_env[flow] = plan.flow_env[flow]
    return sub
