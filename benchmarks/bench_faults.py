"""Each fault scenario of tests/faults once: messages lost and duplicated, and memory under a
slow sink.

    python benchmarks/bench_faults.py [--only kill restart slow] [--json]

The scenarios are the tests' own (tests/faults/scenario_*.py), run with real worker processes
against the FLOWRT_TEST_* servers and private servers for the restarts:

- ``kill``: two workers, AMQP -> script -> PostgreSQL, 10,000 messages, one worker killed with
  SIGKILL after 2,000 rows; with ``mode: insert`` (no unique key: duplicates show), ``mode:
  ignore`` (a unique key), and as a group (``--group``);
- ``restart``: RabbitMQ, Mosquitto, PostgreSQL, InfluxDB each restarted mid-stream under one
  worker (2,000 messages; 1,000 for MQTT). InfluxDB stores a point written twice once (same
  time and tags), so its duplicates do not show;
- ``slow``: AMQP with 20,000 messages of 8 KB into a sink that sleeps 5 ms per row, prefetch
  100, for 20 s; MQTT 5 with 1,000 messages of 64 KB, receive maximum 10, sink stalled 6 s
  then slow 6 s. RSS is the worker's VmRSS: at the first sample (once rows were written, or
  once the first messages arrived), the highest, and the last.

"Duplicated" counts rows beyond the first for a message; the bound for a kill is the killed
worker's prefetch (what it held unacknowledged).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parent)]  # the repository, for tests.faults and tests.support

from tests.faults.scenario_kill import kill_worker  # noqa: E402
from tests.faults.scenario_restart import KINDS, restart_server  # noqa: E402
from tests.faults.scenario_slow import slow_amqp, slow_mqtt  # noqa: E402
from tests.support.servers import url  # noqa: E402

MB = 1 << 20
SERVERS = {"amqp": "RabbitMQ", "mqtt": "Mosquitto", "pg": "PostgreSQL", "influx": "InfluxDB"}


def kills() -> list[dict[str, Any]]:
    rows = []
    for label, mode, group_db in (
        ("kill -9 1 of 2 workers, insert", "insert", None),
        ("kill -9 1 of 2 workers, ignore (unique seq)", "ignore", None),
        ("kill -9 1 of 2 workers, insert, --group", "insert", url("pg")),
    ):
        out = kill_worker(mode=mode, group_db=group_db)
        rows.append({
            "scenario": label, "messages": out.tally.expected, "lost": len(out.tally.lost),
            "duplicated": out.tally.duplicated,
            "note": f"killed at {out.rows_at_kill} rows; bound {out.prefetch}; "
                    f"{out.rows_after_kill} rows after, all by the survivor: "
                    f"{out.writers_after_kill == {out.survivor}}",
        })
    return rows


def restarts() -> list[dict[str, Any]]:
    rows = []
    for kind in KINDS:
        out = restart_server(kind)
        back = "logged" if out.reconnection else "NOT logged"
        rows.append({
            "scenario": f"restart {SERVERS[kind]} mid-stream", "messages": out.tally.expected,
            "lost": len(out.tally.lost), "duplicated": out.tally.duplicated,
            "note": f"restarted at {out.done_at_restart}; loss and reconnection of "
                    f"'{out.node}' {back}",
        })
    return rows


def slows() -> list[dict[str, Any]]:
    rows = []
    for label, out in (
        ("slow sink, AMQP 20,000 x 8 KB, prefetch 100", slow_amqp()),
        ("stalled then slow sink, MQTT 5 1,000 x 64 KB, receive maximum 10", slow_mqtt("5")),
    ):
        samples = out.samples + out.later
        rows.append({
            "scenario": label, "messages": out.messages, "lost": out.lost,
            "duplicated": out.duplicated,
            "rss_mb": [round(out.rss_start / MB, 1), round(max(s.rss for s in samples) / MB, 1),
                       round(samples[-1].rss / MB, 1)],
            "note": f"held at most {max(s.held for s in samples)} (window {out.bound}); "
                    f"{samples[-1].rows} rows written while observed",
        })
    return rows


PARTS = {"kill": kills, "restart": restarts, "slow": slows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", nargs="+", choices=sorted(PARTS), default=list(PARTS))
    parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    args = parser.parse_args()
    rows = [row for part in args.only for row in PARTS[part]()]
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    width = max(len(r["scenario"]) for r in rows)
    print(f"{'scenario':<{width}} {'messages':>8} {'lost':>5} {'dup':>5}  "
          "RSS start/peak/end, notes")
    for r in rows:
        rss = "{} / {} / {} MB; ".format(*r["rss_mb"]) if "rss_mb" in r else ""
        print(f"{r['scenario']:<{width}} {r['messages']:>8} {r['lost']:>5} "
              f"{r['duplicated']:>5}  {rss}{r['note']}")


if __name__ == "__main__":
    main()
