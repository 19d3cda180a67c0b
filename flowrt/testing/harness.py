"""The flow test harness: a plan run on the real engine, observed, on simulated time.

:class:`Harness` is the Python API (and what ``flowrt test`` uses): start a plan, send messages
into nodes or out of replaced sources, advance the clock, read what each node received and sent,
errors, status and log lines. :func:`run_flow` runs a flow text through it in one call::

    result = run_flow('''
    flowrt: 1
    nodes:
      double: {type: script, code: "msg['payload'] *= 2\\nreturn msg"}
    ''', inputs=[{"payload": 21}])
    assert result.sent("double")[0]["payload"] == 42

With ``virtual_time`` (the default) the engine's clock jumps to the next timer whenever nothing
else can run, so delays, repeats, cron and timeouts take no real time and never flake.
``until=S`` stops after S simulated seconds (for flows that never go idle, such as a repeating
inject); without it the run ends when nothing is in flight and no timer is pending.
"""

from __future__ import annotations

import asyncio
import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from flowrt.api import Node
from flowrt.compile import Plan, build_plan
from flowrt.load import Project, load_text
from flowrt.message import clone
from flowrt.registry import Registry, default_registry
from flowrt.registry.spec import spec_for
from flowrt.run import RealClock, Runtime, Stores, VirtualClock
from flowrt.run.events import ErrorRecord
from flowrt.testing.driver import drive, injector, start
from flowrt.types import Message

Input = Message | tuple[float, Message]


@dataclass
class FlowResult:
    """What a flow did: every message each node sent, errors, status, log lines, context."""

    messages: dict[tuple[str, int], list[Message]] = field(
        default_factory=lambda: defaultdict(list)
    )
    arrivals: dict[str, list[Message]] = field(default_factory=lambda: defaultdict(list))
    """Node id -> copies of the messages that arrived at its input, in order."""
    errors: list[ErrorRecord] = field(default_factory=list)
    statuses: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    warnings: list[tuple[str, str]] = field(default_factory=list)
    logs: list[tuple[str, str, str]] = field(default_factory=list)
    elapsed: float = 0.0
    """Seconds the flow ran, simulated or real."""
    stores: Stores | None = None
    runtime: Runtime | None = None

    def sent(self, node_id: str, port: int = 0) -> list[Message]:
        """The messages ``node_id`` sent on ``port``, in order (copies taken when sent)."""
        return list(self.messages.get((node_id, port), []))

    def received(self, node_id: str) -> list[Message]:
        """The messages that arrived at ``node_id``'s input, in order."""
        return list(self.arrivals.get(node_id, []))

    def payloads(self, node_id: str, port: int = 0) -> list[Any]:
        return [m.get("payload") for m in self.sent(node_id, port)]

    def flow_context(self, flow_id: str) -> dict[str, Any]:
        assert self.stores is not None
        return dict(self.stores.scope(f"flow:{flow_id}").values)

    def global_context(self) -> dict[str, Any]:
        assert self.stores is not None
        return dict(self.stores.scope("global").values)


def run_flow(
    flow: str,
    inputs: Iterable[Input] = (),
    *,
    into: str | None = None,
    env: Mapping[str, str] | None = None,
    until: float | None = None,
    virtual_time: bool = True,
    timeout: float = 10.0,
    registry: Registry | None = None,
    file: str = "test.yaml",
    others: Sequence[str] = (),
    nodes: Sequence[type[Node]] = (),
) -> FlowResult:
    """Load, check, compile and run ``flow`` (the text of a flow file); see the module docs.

    ``others``: texts of more flow files of the same project (link nodes, shared connections).
    ``nodes``: node classes to run beside the installed types (``registry``, by default every
    installed type), such as the one a pack's test is testing.
    """
    return asyncio.run(
        arun_flow(
            flow,
            inputs,
            into=into,
            env=env,
            until=until,
            virtual_time=virtual_time,
            timeout=timeout,
            registry=registry,
            file=file,
            others=others,
            nodes=nodes,
        )
    )


async def arun_flow(
    flow: str,
    inputs: Iterable[Input] = (),
    *,
    into: str | None = None,
    env: Mapping[str, str] | None = None,
    until: float | None = None,
    virtual_time: bool = True,
    timeout: float = 10.0,
    registry: Registry | None = None,
    file: str = "test.yaml",
    others: Sequence[str] = (),
    nodes: Sequence[type[Node]] = (),
) -> FlowResult:
    """:func:`run_flow` for tests that already run an event loop."""
    if nodes:
        base = list(registry if registry is not None else default_registry())
        registry = Registry([*base, *(spec_for(cls, cls.__module__) for cls in nodes)])
    docs = [load_text(flow, file)]
    docs += [load_text(text, f"other{i}.yaml") for i, text in enumerate(others, 1)]
    plan, _ = build_plan(Project(documents=docs), registry, env=dict(env or {}))
    harness = Harness(plan, env=env, virtual_time=virtual_time, timeout=timeout)
    await harness.start()
    try:
        targets = [into] if into is not None else plan.entries()
        for item in inputs:
            if isinstance(item, tuple):
                harness.send_at(item[0], targets, item[1])
            else:
                harness.send_to(targets, item)
        await harness.run(until)
    finally:
        await harness.stop()
    return harness.result


class Harness:
    """A plan running on the engine, observed: the Python API of flow tests."""

    def __init__(
        self,
        plan: Plan,
        *,
        env: Mapping[str, str] | None = None,
        virtual_time: bool = True,
        timeout: float = 10.0,
        stores: Stores | None = None,
    ) -> None:
        self.plan = plan
        self.timeout = timeout
        self.clock: VirtualClock | RealClock = VirtualClock() if virtual_time else RealClock()
        self.stores = stores or Stores()
        result = self.result = FlowResult(stores=self.stores)

        def sent(node_id: str, port: int, msg: Message) -> None:
            result.messages[(node_id, port)].append(msg)

        def arrived(node_id: str, port: int, msg: Message) -> None:
            result.arrivals[node_id].append(msg)

        self.runtime = rt = Runtime(plan, clock=self.clock, stores=self.stores,
                                    env=dict(env or {}), tap=sent, tap_in=arrived)
        result.runtime = rt
        rt.events.hooks.error.append(result.errors.append)
        rt.events.hooks.status.append(lambda node, status: result.statuses.append((node, status)))

        def on_log(node: str, level: str, text: str, msg: Message | None) -> None:
            result.logs.append((node, level, text))
            if level == "warning":
                result.warnings.append((node, text))

        rt.events.hooks.log.append(on_log)
        self._started = 0.0

    @classmethod
    def load(
        cls,
        *paths: str | Path,
        replace: Sequence[str | dict[str, str]] = (),
        env: Mapping[str, str] | None = None,
        registry: Registry | None = None,
        virtual_time: bool = True,
        timeout: float = 10.0,
    ) -> Harness:
        """A harness for flow files, with the nodes named in ``replace`` (ids, or
        ``{"type": ...}``) replaced by test doubles. ``await harness.start()`` to run it."""
        from flowrt.load.project import load_project
        from flowrt.testing.doubles import replace_nodes

        project = with_env(load_project(paths), dict(env or {}))
        plan, _ = build_plan(project, registry, env=dict(env or {}))
        plan, _ = replace_nodes(plan, list(replace))
        return cls(plan, env=env, virtual_time=virtual_time, timeout=timeout)

    async def __aenter__(self) -> Harness:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()

    def _deadline(self) -> float:
        return asyncio.get_running_loop().time() + self.timeout

    async def start(self) -> None:
        self._started = asyncio.get_running_loop().time()
        await start(self.runtime, self.clock, self._deadline())

    def send(self, node_id: str, msg: Message) -> None:
        """Send a copy of ``msg`` into a node's input, as a wire would."""
        self.runtime.inject(node_id, clone(msg))

    def emit(self, node_id: str, msg: Message) -> None:
        """Send a copy of ``msg`` out of a node's outputs, as if the node had (a source)."""
        self.runtime.emit_source(node_id, clone(msg), None)

    def send_to(self, targets: Sequence[str], msg: Message) -> None:
        injector(self.runtime, list(targets), msg)()

    def send_at(self, at: float, targets: Sequence[str], msg: Message) -> None:
        """Send ``msg`` into each target at simulated time ``at`` (seconds from the start)."""
        delay = at - self.elapsed
        self.clock.call_later(delay, injector(self.runtime, list(targets), msg))

    async def run(self, until: float | None = None) -> None:
        """Run until idle, or until ``until`` seconds since the start (simulated or real)."""
        loop = asyncio.get_running_loop()
        if isinstance(self.clock, VirtualClock):
            await drive(self.runtime, self.clock, until, self._deadline())
            self.result.elapsed = self.clock.now() - self.clock.start
        else:
            if until is None:
                async with asyncio.timeout(self.timeout):
                    await self.runtime.wait_idle()
            else:
                left = self._started + until - loop.time()
                await asyncio.sleep(max(0.0, left))
            self.result.elapsed = loop.time() - self._started

    async def advance(self, seconds: float) -> None:
        """Move the clock ``seconds`` ahead, running everything due meanwhile."""
        await self.run(self.elapsed + seconds)

    @property
    def elapsed(self) -> float:
        """Seconds since the start: simulated, or real."""
        if isinstance(self.clock, VirtualClock):
            return self.clock.now() - self.clock.start
        return asyncio.get_running_loop().time() - self._started

    async def stop(self) -> None:
        await self.runtime.stop(timeout=min(self.timeout, 5.0))


def with_env(project: Project, env: dict[str, str]) -> Project:
    """The project with the test's env winning over the flows' own `env` for the same names."""
    docs = [
        dataclasses.replace(doc, env={k: env.get(k, v) for k, v in doc.env.items()})
        for doc in project.documents
    ]
    return Project(documents=docs, diagnostics=project.diagnostics,
                   unreadable=project.unreadable)
