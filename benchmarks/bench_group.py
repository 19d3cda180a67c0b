"""Messages per second through AMQP -> script -> PostgreSQL with one worker process and with
two, on the same machine in the same run.

    python benchmarks/bench_group.py [--messages 20000] [--prefetch 100 1000] [--group] [--json]

Each run fills a fresh durable queue with N persistent JSON messages (``{"seq", "body"}``),
then starts the workers: ``python -m flowrt run FLOW`` processes, as in production, each
running ``amqp-in (prefetch P) -> script (adds two fields) -> postgres-out (insert, COPY
batches of 500)`` into a fresh table without indexes but its primary key. Workers compete for
the queue. The figure is rows per second between the first row and the last, by the
database's clock (``clock_timestamp()`` of each row), so process start-up is not counted; the
time from starting the processes to the last row is shown too. Every message is checked to be
in the table once. ``--group`` runs the workers as a group (``flowrt run --group``).

The servers are the FLOWRT_TEST_* ones (see .ci/services.sh). Two workers on a machine with
two cores share them with RabbitMQ and PostgreSQL: the ratio says how much of the machine one
worker leaves unused, not how flowrt scales on more cores.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]  # the repository, for tests.faults and tests.support

from tests.faults.brokers import delete_queue, fill_queue  # noqa: E402
from tests.faults.harness import Worker, tag, tally, wait_for, workers, write_flow  # noqa: E402
from tests.faults.pipelines import ENV, amqp_source, pipeline, postgres_sink  # noqa: E402
from tests.faults.stores import Table  # noqa: E402
from tests.support.servers import url  # noqa: E402


def one_run(count: int, messages: int, prefetch: int, group: bool) -> dict[str, Any]:
    run = tag()
    amqp, pg = url("amqp"), url("pg")
    queue, table_name = f"flowrt-bench-group-{run}", f"bench_group_{run}"
    table = Table(pg, table_name).create()
    try:
        fill_queue(amqp, queue, range(messages))
        flow = pipeline(amqp_source(amqp, queue, prefetch), postgres_sink(pg, table_name))
        path = write_flow(Path(tempfile.mkdtemp(prefix="flowrt-bench-group-")),
                          f"bench-group-{run}", flow)
        names = [f"w{i}-{run}" for i in range(count)]

        def extra(name: str) -> list[str]:
            return ["--group", f"bench-{run}", "--group-db", pg, "--worker", name] if group \
                else []

        started = time.perf_counter()
        with workers(*(Worker(n, [path], ENV, extra(n)) for n in names)) as running:
            wait_for(lambda: table.count() >= messages, f"{messages} rows", timeout=600,
                     interval=0.02, workers=running)
            ended = time.perf_counter()
            for worker in running:
                worker.stop()
        rows = table.rows()
        span = table.span()
    finally:
        delete_queue(amqp, queue)
        table.drop()
    check = tally(range(messages), (r.seq for r in rows))
    if check.lost or check.duplicated:
        raise SystemExit(f"{count} worker(s), prefetch {prefetch}: {check}")
    shares = {n: sum(1 for r in rows if r.worker == n) for n in names}
    return {
        "workers": count, "prefetch": prefetch, "messages": messages,
        "rows_per_s": (messages - 1) / span if span else float("nan"),
        "seconds_from_start": ended - started,
        "shares": sorted(shares.values(), reverse=True),
    }


def measure(messages: int = 20_000, prefetches: tuple[int, ...] = (100,),
            group: bool = False) -> list[dict[str, Any]]:
    one_run(1, 1000, 100, group)  # warm-up: caches, first connections
    results = []
    for prefetch in prefetches:
        for count in (1, 2):
            results.append(one_run(count, messages, prefetch, group))
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=20_000)
    parser.add_argument("--prefetch", type=int, nargs="+", default=[100, 1000])
    parser.add_argument("--group", action="store_true", help="Run the workers as a group.")
    parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    args = parser.parse_args()
    results = measure(args.messages, tuple(args.prefetch), args.group)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'prefetch':>8} {'workers':>7} {'rows/s':>10} {'start to end':>13}  shares")
    for r in results:
        print(f"{r['prefetch']:>8} {r['workers']:>7} {r['rows_per_s']:>10,.0f} "
              f"{r['seconds_from_start']:>11.1f} s  {r['shares']}")
    for prefetch in args.prefetch:
        one, two = (r["rows_per_s"] for r in results if r["prefetch"] == prefetch)
        print(f"prefetch {prefetch}: 2 workers / 1 worker = {two / one:.2f}x")


if __name__ == "__main__":
    main()
