"""Run flows in tests: ``run_flow(yaml, inputs=[...])`` through the real load, check, compile and
run path, on simulated time by default.

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
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.message import clone
from flowrt.registry import Registry
from flowrt.run import RealClock, Runtime, Stores, VirtualClock
from flowrt.run.events import ErrorRecord
from flowrt.types import Message

Input = Message | tuple[float, Message]


@dataclass
class FlowResult:
    """What a flow did: every message each node sent, errors, status, log lines, context."""

    messages: dict[tuple[str, int], list[Message]] = field(
        default_factory=lambda: defaultdict(list)
    )
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
) -> FlowResult:
    """Load, check, compile and run ``flow`` (the text of a flow file); see the module docs.

    ``others``: texts of more flow files of the same project (link nodes, shared connections).
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
) -> FlowResult:
    """:func:`run_flow` for tests that already run an event loop."""
    docs = [load_text(flow, file)]
    docs += [load_text(text, f"other{i}.yaml") for i, text in enumerate(others, 1)]
    project = Project(documents=docs)
    plan, _ = build_plan(project, registry, env=dict(env or {}))
    result = FlowResult()
    clock = VirtualClock() if virtual_time else RealClock()
    stores = Stores()

    def tap(node_id: str, port: int, msg: Message) -> None:
        result.messages[(node_id, port)].append(msg)

    rt = Runtime(plan, clock=clock, stores=stores, env=dict(env or {}), tap=tap)
    result.stores, result.runtime = stores, rt
    rt.events.hooks.error.append(result.errors.append)
    rt.events.hooks.status.append(lambda node, status: result.statuses.append((node, status)))

    def on_log(node: str, level: str, text: str, msg: Message | None) -> None:
        result.logs.append((node, level, text))
        if level == "warning":
            result.warnings.append((node, text))

    rt.events.hooks.log.append(on_log)
    loop = asyncio.get_running_loop()
    started = loop.time()
    await _start(rt, clock, loop.time() + timeout)
    targets = [into] if into is not None else plan.entries()
    for item in inputs:
        if isinstance(item, tuple):
            at, msg = item
            clock.call_later(at, _injector(rt, targets, msg))
        else:
            _injector(rt, targets, item)()
    try:
        if isinstance(clock, VirtualClock):
            await _drive(rt, clock, until, loop.time() + timeout)
            result.elapsed = clock.now() - clock.start
        else:
            await asyncio.wait_for(
                rt.wait_idle() if until is None else asyncio.sleep(until), timeout
            )
            result.elapsed = loop.time() - started
    finally:
        await rt.stop(timeout=min(timeout, 5.0))
    return result


async def _start(rt: Runtime, clock: VirtualClock | RealClock, real_deadline: float) -> None:
    """Start the runtime; on simulated time, move the clock for a start that sleeps."""
    loop = asyncio.get_running_loop()
    starting = loop.create_task(rt.start())
    while not starting.done():
        await _settle(loop)
        if starting.done():
            break
        if isinstance(clock, VirtualClock) and clock.next_deadline() is not None:
            clock.advance()
        elif loop.time() > real_deadline:
            starting.cancel()
            raise TimeoutError("the flow did not finish starting before the timeout")
        else:
            await asyncio.sleep(0.002)
    await starting


def _injector(rt: Runtime, targets: list[str], msg: Message) -> Any:
    def inject() -> None:
        for target in targets:  # a copy each: the caller's dict stays as it was
            rt.inject(target, clone(msg))

    return inject


async def _settle(loop: asyncio.AbstractEventLoop) -> None:
    """Let everything that can run now run (the loop's ready queue empties)."""
    ready = getattr(loop, "_ready", None)
    for _ in range(10_000):
        await asyncio.sleep(0)
        if ready is not None and not ready:
            await asyncio.sleep(0)
            if not ready:
                return
        elif ready is None:
            return


async def _drive(
    rt: Runtime, clock: VirtualClock, until: float | None, real_deadline: float
) -> None:
    loop = asyncio.get_running_loop()
    end = clock.start + until if until is not None else None
    while True:
        await _settle(loop)
        if end is None and rt.is_idle():
            return
        if _real_work(rt, clock):
            if loop.time() > real_deadline:
                raise TimeoutError("the flow kept waiting on real I/O past the timeout")
            await asyncio.sleep(0.002)
            continue
        deadline = clock.next_deadline()
        if deadline is not None and (end is None or deadline <= end):
            clock.advance()
        elif end is not None:
            clock.advance_to(end)
            await _settle(loop)
            return
        elif loop.time() > real_deadline:
            raise TimeoutError(
                f"the flow did not go idle: {rt.inflight} message(s) in flight, no timer "
                "pending; a node holds a message it never finishes"
            )
        else:
            await asyncio.sleep(0.002)


def _real_work(rt: Runtime, clock: VirtualClock) -> bool:
    """True when some task waits on something other than the simulated clock (a thread, I/O)."""
    busy = sum(1 for q in rt.queues.values() if q.busy) + rt.spawned_count
    return busy > clock.sleepers
