"""Messages per second through a CPU-bound flow with ``flowrt run --workers 1`` and
``--workers 2``, on the same machine in the same run, with no group database.

    python benchmarks/bench_workers.py [--messages 6000] [--work 20000] [--json]

The flow is ``mqtt-in (QoS 1, a shared subscription) -> function (JavaScript, in the
process: a loop of WORK square roots per message) -> postgres-out (insert)`` into a fresh
table. Each run starts one ``python -m flowrt run FLOW --workers N`` parent, waits until every
worker has subscribed (each has stored some probe messages), then publishes N messages with
QoS 1. The publisher keeps at most 600 messages beyond what the table holds, as Mosquitto's
stock limits drop what a client has not taken beyond 1,000 queued messages. The figure is
rows per second between the first stored message and the last, by the database's clock
(``clock_timestamp()`` of each row); every message is checked to be in the table once, and
the share each worker stored is shown.

The servers are the FLOWRT_TEST_* ones (see .ci/services.sh). On a machine with two cores the
workers share them with Mosquitto, PostgreSQL and this publisher: the ratio says how much of
the machine one worker leaves unused, not how flowrt scales on more cores.
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

from tests.faults.brokers import publish_mqtt  # noqa: E402
from tests.faults.harness import Worker, tag, tally, wait_for, write_flow  # noqa: E402
from tests.faults.pipelines import mqtt_source, postgres_sink  # noqa: E402
from tests.faults.stores import Table  # noqa: E402
from tests.support.servers import url  # noqa: E402

FUNC = """\
let x = 0;
for (let i = 1; i <= LOOPS; i++) { x += Math.sqrt(i * msg.payload.seq + i); }
msg.payload.doubled = msg.payload.seq * 2;
msg.payload.worker = env.get("FLOWRT_WORKER_INDEX");
msg.payload.size = x > 0 ? 0 : 1;
return msg;
"""
AHEAD = 600
"""Messages the publisher keeps beyond what is stored (Mosquitto queues at most 1,000)."""


def stored_span(name: str) -> float:
    """Seconds between the first message row written and the last (probes left out)."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url("pg"), autocommit=True) as conn:
        found = conn.execute(sql.SQL(
            "select extract(epoch from max(at) - min(at)) from {} where seq >= 0"
        ).format(sql.Identifier(name))).fetchone()
    return float(found[0] or 0.0) if found else 0.0


def flow(run: str, table: str, work: int) -> dict[str, Any]:
    (source_conn, source), (sink_conn, sink) = (
        mqtt_source(url("mqtt"), f"bench/workers/{run}",
                    f"bench-workers-{run}-${{FLOWRT_WORKER_INDEX}}"),
        postgres_sink(url("pg"), table))
    return {"connections": {"source_server": source_conn, "sink_server": sink_conn},
            "nodes": {"source": {**source, "to": "work"},
                      "work": {"type": "function", "func": FUNC.replace("LOOPS", str(work)),
                               "to": "store"},
                      "store": sink}}


def one_run(count: int, messages: int, work: int) -> dict[str, Any]:
    run = tag()
    topic, table = f"bench/workers/{run}", Table(url("pg"), f"bench_workers_{run}").create()
    path = write_flow(Path(tempfile.mkdtemp(prefix="flowrt-bench-workers-")),
                      f"bench-workers-{run}", flow(run, table.name, work))
    parent = Worker("parent", [path], {"FLOWRT_JS_ISOLATION": "inline"},
                    ["--workers", str(count), "--group", f"bench-{run}", "--scripts", "allow"])
    try:
        parent.start()
        probes = iter(range(-1, -100_000, -1))

        def all_subscribed() -> bool:
            publish_mqtt(url("mqtt"), topic, [next(probes)])
            seen = {r.worker for r in table.rows() if r.seq < 0}
            return len(seen) == count

        wait_for(all_subscribed, f"{count} worker(s) to subscribe", timeout=120,
                 interval=0.2, workers=[parent])
        probed = table.count()
        started = time.perf_counter()
        sent = 0
        while sent < messages:
            if sent - (table.count() - probed) < AHEAD:
                batch = min(200, messages - sent)
                publish_mqtt(url("mqtt"), topic, range(sent, sent + batch))
                sent += batch
            else:
                time.sleep(0.02)
        wait_for(lambda: table.count() >= probed + messages, f"{messages} rows", timeout=900,
                 interval=0.05, workers=[parent])
        ended = time.perf_counter()
        clean = parent.stop() == 0
        if not clean:  # counted, and the log kept: the figures stand, the stop is reported
            crashes = Path(tempfile.gettempdir()) / f"bench-workers-{run}.log"
            crashes.write_text(parent.tail(400))
            print(f"--workers {count}: did not stop cleanly; log in {crashes}", file=sys.stderr)
        rows = [r for r in table.rows() if r.seq >= 0]
        span = stored_span(table.name)
    finally:
        parent.cleanup()
        table.drop()
    check = tally(range(messages), (r.seq for r in rows))
    if check.lost or check.duplicated:
        raise SystemExit(f"--workers {count}: {check}")
    shares = {w: sum(1 for r in rows if r.worker == w) for w in {r.worker for r in rows}}
    return {"workers": count, "messages": messages, "work": work,
            "rows_per_s": (messages - 1) / span if span else float("nan"),
            "seconds_from_publish": ended - started,
            "shares": sorted(shares.values(), reverse=True), "clean_stop": clean}


def measure(messages: int, work: int, rounds: int) -> list[dict[str, Any]]:
    one_run(1, 300, work)  # warm-up: caches, first connections
    return [one_run(count, messages, work) for _ in range(rounds) for count in (1, 2)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--messages", type=int, default=6000)
    parser.add_argument("--work", type=int, default=20_000,
                        help="Square roots the function computes per message.")
    parser.add_argument("--rounds", type=int, default=2,
                        help="Times to measure each number of workers, alternating.")
    parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    args = parser.parse_args()
    results = measure(args.messages, args.work, args.rounds)
    if args.json:
        print(json.dumps(results, indent=2))
        return
    print(f"{'workers':>7} {'msg/s':>8} {'publish to end':>15}  shares")
    for r in results:
        print(f"{r['workers']:>7} {r['rows_per_s']:>8,.0f} {r['seconds_from_publish']:>13.1f} s"
              f"  {r['shares']}" + ("" if r["clean_stop"] else "  (a worker did not stop "
                                    "cleanly)"))
    best = {n: max(r["rows_per_s"] for r in results if r["workers"] == n) for n in (1, 2)}
    print(f"best of each: 2 workers / 1 worker = {best[2] / best[1]:.2f}x")


if __name__ == "__main__":
    main()
