"""`flowrt run` in a group with a database follows the group's revisions (:mod:`flowrt.group.
follow`): a revision deployed on any worker is written into this worker's flows directory,
checked and compiled as `flowrt run` does at start, and run.

The new plan replaces the running one as the editor's ``nodes`` deploy does: node by node
(:mod:`flowrt.run.hot_swap`) when it can, else the runtime is stopped gracefully and a new one
started (a source that changed in a group always restarts it). The http-in routes outlive the
runtimes (one route table, served on the same address); the summary at the end adds up every
runtime's counts.

A revision that fails here (its flows have errors under this worker's environment, or they do
not start) leaves the flows directory as it was: its files are put back, and when the new plan
had already replaced the running one, the plan of the files put back replaces it again. It is
not applied again until a newer one comes, also after a restart (:mod:`flowrt.group.failure`).
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from flowrt.compile.plan import Plan
from flowrt.errors import ConfigError
from flowrt.run.plan_diff import diff_plans
from flowrt.run.runtime import Runtime

if TYPE_CHECKING:
    from flowrt.group import Group
    from flowrt.group.failure import FailureRecord
    from flowrt.group.follow import Follower
    from flowrt.group.revisions import GroupRevision

log = logging.getLogger("flowrt.run")


@dataclass(frozen=True)
class Following:
    """What a worker needs to follow its group's revisions: its flows ``directory``, how to
    read its files (``snapshot``: name -> text) and write a revision's into it (``write``,
    which refuses a name outside the directory before writing anything)."""

    directory: Path
    snapshot: Callable[[], dict[str, str]]
    write: Callable[[dict[str, str]], None]
    check_ports: bool = False
    """Check each message of a node with ``in:``/``out:`` (``--check-ports``)."""
    failures: FailureRecord | None = None
    """Where the revision that failed here is remembered across restarts."""


def directory_plan(directory: Path, env: Mapping[str, str], check_ports: bool = False) -> Plan:
    """The plan of the flows in ``directory``, checked as `flowrt run` checks them (under the
    process's scripts policy, with ``check_ports`` as ``--check-ports``); CheckError or
    CompileError when they have errors."""
    from flowrt.check.policy import current
    from flowrt.compile import build_plan
    from flowrt.compile.isolated import check_isolated
    from flowrt.load import load_project
    from flowrt.registry.discover import default_registry

    registry = default_registry()
    project = load_project([directory])
    diagnostics = check_isolated(project, registry, env, scripts=current())
    plan, _ = build_plan(project, registry, env=env, diagnostics=diagnostics)
    if check_ports:
        from flowrt.compile.port_checks import with_port_checks

        plan = with_port_checks(plan, project, registry)
    if not plan.nodes:
        raise ConfigError("the revision has no enabled node")
    return plan


class Replaceable:
    """The runtime `flowrt run` runs, replaced by each new revision's. ``make(plan)`` makes a
    runtime (with the same stores, route table, group and hooks)."""

    def __init__(self, rt: Runtime, make: Callable[[Plan], Runtime], close_timeout: float,
                 started: Callable[[Runtime], Awaitable[None]] | None = None) -> None:
        self.rt = rt
        self.make = make
        self.close_timeout = close_timeout
        self.started = started
        """Awaited after each replacement, with the runtime now running."""
        self.counts: dict[tuple[str, str], list[int]] = {}
        """The counts of the runtimes stopped so far."""

    async def replace(self, plan: Plan) -> None:
        diff = diff_plans(self.rt.plan, plan, self.rt.group is not None)
        if diff.empty and self.rt.plan.flows == plan.flows:
            return
        if not diff.unsafe:
            await self.rt.swap(plan, self.close_timeout)
        else:
            log.info("restarting the flows: %s", "; ".join(diff.unsafe))
            await self.rt.stop(timeout=self.close_timeout)
            self._add(self.rt)
            self.rt = self.make(plan)
            await self.rt.start()
        if self.started is not None:
            await self.started(self.rt)

    def _add(self, rt: Runtime) -> None:
        for node, kind, received, produced in rt.summary():
            counts = self.counts.setdefault((node, kind), [0, 0])
            counts[0] += received
            counts[1] += produced

    def summary(self) -> list[tuple[str, str, int, int]]:
        """Each node's counts over every runtime that ran."""
        before = dict(self.counts)
        rows = []
        for node, kind, received, produced in self.rt.summary():
            old = before.pop((node, kind), [0, 0])
            rows.append((node, kind, received + old[0], produced + old[1]))
        rows += [(node, kind, c[0], c[1]) for (node, kind), c in before.items()]
        return rows


async def follow(following: Following, group: Group, running: Replaceable,
                 env: Mapping[str, str]) -> Follower | None:
    """Start following ``group``'s revisions (None for a group without a database)."""
    import asyncio

    if not group.url:
        return None
    from flowrt.group.follow import Follower
    from flowrt.group.revisions import snapshot_hash

    async def apply(rev: GroupRevision) -> None:
        before = await asyncio.to_thread(following.snapshot)
        ran = running.rt.plan
        try:
            await asyncio.to_thread(following.write, rev.files)
            plan = await asyncio.to_thread(directory_plan, following.directory, env,
                                           following.check_ports)
        except Exception:
            await asyncio.to_thread(following.write, before)
            raise
        try:
            await running.replace(plan)
        except Exception:
            await asyncio.to_thread(following.write, before)
            await _put_back(running, ran, rev)
            raise

    files = await asyncio.to_thread(following.snapshot)
    follower = Follower(group, group.url, apply, snapshot_hash(files),
                        failures=following.failures)
    await follower.start()
    return follower


async def _put_back(running: Replaceable, ran: Plan, rev: GroupRevision) -> None:
    """Run the plan ``ran`` again after ``rev``'s failed as it replaced it (said when that
    fails too)."""
    try:
        await running.replace(ran)
    except Exception as exc:
        log.error("group revision %s failed; the flows it replaced could not all start again "
                  "either: %s", rev.hash, str(exc).strip().splitlines()[0]
                  if str(exc).strip() else type(exc).__name__)
