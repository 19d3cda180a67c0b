"""`flowrt run`: validate, compile and run flows until a signal (or until idle), then stop
gracefully and report per-node message counts."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from flowrt.compile.plan import Plan
from flowrt.netloc import host_port
from flowrt.run.clock import RealClock
from flowrt.run.follow import Following, Replaceable, follow
from flowrt.run.runtime import CLOSE_TIMEOUT, Runtime
from flowrt.run.sidecars import flushing, sidecars
from flowrt.run.stores import Stores

if TYPE_CHECKING:
    from flowrt.broker.embedded import EmbeddedBroker
    from flowrt.group import Group
    from flowrt.run.http import RouteTable

log = logging.getLogger("flowrt.run")


@dataclass(frozen=True)
class SideServer:
    """An app made of the engine's routes, served on an address of its own (`flowrt run
    --dashboard`): ``make(routes)`` makes it once the flows started; the paths it ``owns``
    are not served on the ``--http`` address."""

    make: Callable[[Any], Any]
    host: str
    port: int
    owns: Callable[[str], bool]
    option: str


@dataclass
class RunOutcome:
    summary: list[tuple[str, str, int, int]]
    failed: int
    """Messages that failed with an error no catch node took."""
    interrupted: bool


async def run_plan(
    plan: Plan,
    *,
    env: Mapping[str, str],
    until_idle: bool = False,
    context_url: str | None = None,
    close_timeout: float = CLOSE_TIMEOUT,
    http: tuple[str, int] | None = None,
    mqtt_broker: EmbeddedBroker | None = None,
    group: Group | None = None,
    reuse_port: bool = False,
    side: SideServer | None = None,
    following: Following | None = None,
) -> RunOutcome:
    """Run ``plan`` until a signal (or idle). ``http``: where to serve http-in nodes' routes, if
    any node added one (``reuse_port``: shared with the other workers of this host, the kernel
    spreading connections among them). ``mqtt_broker``: start this embedded MQTT broker
    first. ``group``: run as a worker of that group (joined before the flows start, left after
    they stopped). ``side``: another app of the engine's routes, on its own address.
    ``following``: run the group's newest revision of the flows directory (:mod:`.follow`)."""
    async with sidecars(mqtt_broker, group):
        return await _run(plan, env, until_idle, context_url, close_timeout, http, group,
                          reuse_port, side, following)


async def _run(
    plan: Plan,
    env: Mapping[str, str],
    until_idle: bool,
    context_url: str | None,
    close_timeout: float,
    http: tuple[str, int] | None,
    group: Group | None,
    reuse_port: bool,
    side: SideServer | None = None,
    following: Following | None = None,
) -> RunOutcome:
    stores = Stores(context_url)
    # the runtimes of successive revisions (following) serve on one route table; a single
    # runtime makes its own when a node first adds a route, so flows without HTTP never load
    # Starlette
    routes: RouteTable | None = None
    if following is not None:
        from flowrt.run.http import RouteTable

        routes = RouteTable()
    failed = 0

    def count(record: object) -> None:
        nonlocal failed
        if not getattr(record, "caught", True):
            failed += 1

    def make(plan: Plan) -> Runtime:
        made = Runtime(plan, clock=RealClock(), stores=stores, env=env, http=routes,
                       group=group)
        made.events.hooks.error.append(count)
        return made

    rt = make(plan)
    running = Replaceable(rt, make, close_timeout)
    follower = None
    stop = asyncio.Event()
    interrupted = False
    loop = asyncio.get_running_loop()
    signals = (signal.SIGINT, signal.SIGTERM)

    def on_signal() -> None:
        nonlocal interrupted
        if interrupted:
            log.warning("second signal: stopping now, in-flight messages stay unacknowledged")
            for task in asyncio.all_tasks(loop):
                task.cancel()
            return
        interrupted = True
        log.info("stopping: no new messages; draining what is in flight (Ctrl-C again to quit)")
        stop.set()

    for sig in signals:
        loop.add_signal_handler(sig, on_signal)
    server = beside = None
    owned = side.owns if side is not None else (lambda path: False)
    try:
        await rt.start()
        if side is not None:
            from flowrt.run.http import HttpServer

            beside = HttpServer(side.make(rt.http), side.host, side.port, option=side.option)
            await beside.start()
            log.info("%s: http://%s/dashboard/", side.option, host_port(side.host, beside.port))
        server = await _serve_http(rt, http, side, owned, reuse_port)
        if following is not None and group is not None:
            async def started(new: Runtime) -> None:  # a revision may bring http-in nodes
                nonlocal server
                if server is None:
                    server = await _serve_http(new, http, side, owned, reuse_port)

            running.started = started
            follower = await follow(following, group, running, env)
        nodes = len(plan.nodes)
        log.info("running %d node%s in %d flow%s", nodes, "s"[: nodes != 1], len(plan.flows),
                 "s"[: len(plan.flows) != 1])
        async with flushing(stores):
            waiters: list[asyncio.Task[Any]] = [loop.create_task(stop.wait())]
            if until_idle:
                waiters.append(loop.create_task(running.rt.wait_idle()))
            await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
            for waiter in waiters:
                waiter.cancel()
    finally:
        if follower is not None:
            await follower.stop()
        await running.rt.stop(timeout=close_timeout)
        for serving in (server, beside):
            if serving is not None:
                await serving.stop()
        for sig in signals:
            loop.remove_signal_handler(sig)
    return RunOutcome(running.summary(), failed, interrupted)


async def _serve_http(rt: Runtime, http: tuple[str, int] | None, side: SideServer | None,
                      owned: Callable[[str], bool], reuse_port: bool) -> Any:
    """Serve ``rt``'s http-in routes on ``http`` when it has routes of its own (those of
    ``side`` left out); the server, or None."""
    if http is None or not rt.has_http or all(owned(p) for _, p, _ in rt.http.describe()):
        return None
    from flowrt.run.http import HttpServer, Without

    app = rt.http if side is None else Without(rt.http, owned)
    server = HttpServer(app, *http, reuse_port=reuse_port)
    await server.start()
    for method, path, node in rt.http.describe():
        scheme = "ws" if method == "WS" else "http"  # a websocket-listener's path
        log.info("http: %s %s://%s%s (node %s)", method, scheme, host_port(http[0], server.port),
                 path, node)
    return server


def render_summary(summary: list[tuple[str, str, int, int]]) -> str:
    rows = [("node", "type", "in", "out")] + [
        (node, kind, str(received), str(produced))
        for node, kind, received, produced in summary
    ]
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    lines = [
        "  ".join(
            cell.rjust(widths[i]) if i >= 2 else cell.ljust(widths[i]) for i, cell in enumerate(r)
        ).rstrip()
        for r in rows
    ]
    return "\n".join(lines)
