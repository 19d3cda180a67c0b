"""What message tracing costs on chain5: off (the default) against the revision before it, and
on, side by side in one run.

    python benchmarks/bench_tracing.py                      # 5 rounds, N=50,000
    python benchmarks/bench_tracing.py --before cb8550d~1 --rounds 7 --n 100000

Each round runs ``flowrt run --until-idle`` on chain5 (six nodes a message: inject's message
to a script that sends N, then change, switch, script, template, script) once per column,
alternating, so that the noise of this shared machine hits every column alike:

- ``before``: the revision before tracing (checked out into a temporary git worktree);
- ``off``: this checkout, FLOWRT_TRACE unset (nothing wrapped, opentelemetry not imported);
- ``on``: ``FLOWRT_TRACE=otlp``, every trace recorded: a span per node visit, batched and
  exported over OTLP/HTTP to a receiver in this process that takes and drops them;
- ``on, 1%``: the same with ``FLOWRT_TRACE_SAMPLE=0.01``: the sampled-out 99% are passed on
  without a span (the SDK's samplers, ParentBased).

Rates are messages per CPU second of the flow's process (all its threads: the exporter's
too), as :mod:`bench_metrics` measures them; the table gives best and median, and the median
of each round's ratio to its own ``before``.

``--in-process`` measures the message path alone, with less noise (and without the other
changes between ``--before`` and this checkout): chain5's five fused steps in this process,
messages sent into the first with ``Runtime.inject``; ``before`` wires them with the
``--before`` revision's ``flowrt.run.dispatch`` (loaded from git), the others with this
checkout's; ``on`` exports to the same receiver (a BatchSpanProcessor, its thread's CPU
counted).
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))
from bench_metrics import CHAIN, ROOT, cpu_flow, report, run  # noqa: E402

FIRST = "cb8550d"
"""The commit that brought tracing: ``--before`` defaults to the one before it."""


class Drop(BaseHTTPRequestHandler):
    """An OTLP/HTTP endpoint that takes every export and keeps nothing."""

    def do_POST(self) -> None:  # noqa: N802 (http.server's name)
        self.rfile.read(int(self.headers.get("content-length", 0)))
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        return None


def in_process(before: str, rounds: int, n: int, endpoint: str) -> None:
    import asyncio
    import contextlib
    import random
    import time
    import types
    from unittest import mock

    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor
    from opentelemetry.sdk.trace.sampling import ParentBased, TraceIdRatioBased

    from flowrt.compile import build_plan
    from flowrt.load import Project, load_text
    from flowrt.run import Runtime, dispatch, tracing

    old = types.ModuleType("dispatch_before")
    source = subprocess.run(["git", "-C", str(ROOT), "show", f"{before}:flowrt/run/dispatch.py"],
                            check=True, capture_output=True, text=True).stdout
    sys.modules[old.__name__] = old  # its dataclasses look their module up
    exec(compile(source, "dispatch_before.py", "exec"), old.__dict__)  # noqa: S102
    plan, _ = build_plan(Project(documents=[load_text(CHAIN, "chain.yaml")]), env={})
    messages = [{"payload": {"v": random.random(), "i": i}} for i in range(n)]

    def provider(ratio: float) -> TracerProvider:
        made = TracerProvider(sampler=ParentBased(TraceIdRatioBased(ratio)))
        made.add_span_processor(BatchSpanProcessor(
            OTLPSpanExporter(endpoint=f"{endpoint}/v1/traces")))
        return made

    providers = {"on": provider(1.0), "on, 1%": provider(0.01)}

    async def once(name: str) -> float:
        tracing.uninstall()
        if name in providers:
            tracing.install(providers[name])
        rt = Runtime(plan, env={})
        await rt.start()
        batch = [{"payload": dict(m["payload"])} for m in messages]
        start = time.process_time()
        for msg in batch:
            rt.inject("chg", msg)
        if name in providers:
            providers[name].force_flush()  # the export of these spans is their cost too
        elapsed = time.process_time() - start
        await rt.stop()
        tracing.uninstall()
        return n / elapsed

    old_wiring = mock.patch.multiple(dispatch, make_input=old.make_input,
                                     make_emits=old.make_emits)
    ways: dict[str, Any] = {"before": old_wiring, "off": contextlib.nullcontext(),
                            "on": contextlib.nullcontext(), "on, 1%": contextlib.nullcontext()}
    rates: dict[str, list[float]] = {k: [] for k in ways}
    for _ in range(rounds):
        for name, patch in ways.items():
            with patch:
                rates[name].append(asyncio.run(once(name)))
    report(rates, f"chain5's fused steps in process, N={n:,}, {rounds} rounds")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before", default=f"{FIRST}~1", help="a revision without tracing")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--n", type=int, default=50_000)
    parser.add_argument("--in-process", action="store_true",
                        help="the fused steps alone, in this process (see the module)")
    args = parser.parse_args()
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), Drop)
    threading.Thread(target=receiver.serve_forever, daemon=True).start()
    endpoint = f"http://127.0.0.1:{receiver.server_address[1]}"
    if args.in_process:
        in_process(args.before, args.rounds, min(args.n, 20_000), endpoint)
        receiver.shutdown()
        return
    on = {"FLOWRT_TRACE": "otlp", "OTEL_EXPORTER_OTLP_ENDPOINT": endpoint}
    with tempfile.TemporaryDirectory(prefix="flowrt-before-") as tmp:
        before = Path(tmp) / "tree"
        subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(before),
                        args.before], check=True, capture_output=True)
        flow = cpu_flow(Path(tmp))
        try:
            rates: dict[str, list[float]] = {"before": [], "off": [], "on": [], "on, 1%": []}
            for i in range(args.rounds):
                rates["before"].append(run(before, flow, args.n))
                rates["off"].append(run(ROOT, flow, args.n))
                rates["on"].append(run(ROOT, flow, args.n, **on))
                rates["on, 1%"].append(run(ROOT, flow, args.n, FLOWRT_TRACE_SAMPLE="0.01", **on))
                print(f"round {i + 1}: " + ", ".join(f"{k} {v[-1]:,.0f}"
                                                     for k, v in rates.items()), flush=True)
        finally:
            subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(before)],
                           check=False, capture_output=True)
            receiver.shutdown()
    report(rates, f"chain5, N={args.n:,}, {args.rounds} rounds")


if __name__ == "__main__":
    main()
