"""What redaction costs: one log line, and one debug event, with 0, 10 and 100 secrets.

Each figure is the median time of one call over ``--rounds`` rounds of ``--calls`` calls:
``redact`` on a 120-character log line (the shape of a node's error), and ``redact_data`` on a
debug event whose message holds 20 properties. The line and the event hold no secret, which is
the common case (the text is searched and nothing replaced).

    python benchmarks/bench_redact.py
    python benchmarks/bench_redact.py --json
"""

from __future__ import annotations

import argparse
import json
import secrets
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from flowrt.secrets.redact import Secrets  # noqa: E402

LINE = ("12:00:01 ERROR   flowrt.node [http-request:fetch] GET https://api.example.com/v1/"
        "readings?site=north: cannot connect (msg 5f3a9c1e00000001)")
EVENT = {"type": "debug", "node": "show", "time": 1_700_000_000_000,
         "msg": {"_msgid": "5f3a9c1e00000001", "topic": "plant/north/temperature",
                 "payload": {f"sensor{i}": {"celsius": 21.5 + i, "ok": True} for i in range(20)}}}


def per_call(function: object, argument: object, calls: int, rounds: int) -> float:
    assert callable(function)
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        for _ in range(calls):
            function(argument)
        times.append((time.perf_counter() - start) / calls)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--calls", type=int, default=2000)
    parser.add_argument("--rounds", type=int, default=7)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    rows = []
    for count in (0, 10, 100):
        registry = Secrets()
        for i in range(count):
            registry.add(f"SECRET_{i}", secrets.token_urlsafe(18))
        registry.text("warm up")  # the pattern is compiled once, on first use
        rows.append({
            "secrets": count,
            "log_line_us": per_call(registry.text, LINE, args.calls, args.rounds) * 1e6,
            "debug_event_us": per_call(registry.data, EVENT, args.calls // 10 or 1,
                                       args.rounds) * 1e6,
        })
    if args.json:
        print(json.dumps(rows, indent=2))
        return
    print(f"{'secrets':>8} {'log line (µs)':>14} {'debug event (µs)':>17}")
    for row in rows:
        print(f"{row['secrets']:>8} {row['log_line_us']:>14.2f} {row['debug_event_us']:>17.1f}")


if __name__ == "__main__":
    main()
