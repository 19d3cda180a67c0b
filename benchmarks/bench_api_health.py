"""How long /health waits while `flowrt serve` lists, lays out and deploys a large flow.

A `flowrt serve` process gets a flow file of ``--nodes`` nodes (chains of inject -> change x8 ->
debug) after it has started; then each heavy request runs in turn (``GET /api/flows`` twice: the
first parses the file, the second finds it unchanged; ``GET /api/flows/{file}``, ``POST
/api/layout``, ``POST /api/deploy``) while /health is asked every 50 ms. Prints, per request, how
long it took and the median and worst /health latency meanwhile.

    python benchmarks/bench_api_health.py                # 10,000 nodes
    python benchmarks/bench_api_health.py --nodes 2000 --json

Run it with PYTHONPATH pointing at another checkout to measure that code instead.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.security.api_kit import big_flow, call, serving  # noqa: E402

REQUESTS = [
    ("GET /api/flows (first)", "/api/flows", None),
    ("GET /api/flows (unchanged)", "/api/flows", None),
    ("GET /api/flows/large.yaml", "/api/flows/large.yaml", None),
    ("POST /api/layout", "/api/layout", {"file": "large.yaml"}),
    ("POST /api/deploy", "/api/deploy", {"mode": "full"}),
]


def measure(url: str, path: str, body: dict[str, str] | None) -> dict[str, float]:
    done: dict[str, float] = {}
    started = time.monotonic()

    def heavy() -> None:
        status, _ = call(url + path, "POST" if body is not None else "GET", body, timeout=900)
        done["status"] = status
        done["seconds"] = time.monotonic() - started

    thread = threading.Thread(target=heavy)
    thread.start()
    waits = []
    while thread.is_alive():
        asked = time.monotonic()
        call(url + "/health", timeout=900)
        waits.append(time.monotonic() - asked)
        time.sleep(0.05)
    thread.join()
    return {"status": done["status"], "seconds": round(done["seconds"], 2),
            "health_median_ms": round(statistics.median(waits) * 1000, 1),
            "health_worst_ms": round(max(waits) * 1000, 1), "health_asked": len(waits)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--nodes", type=int, default=10_000)
    parser.add_argument("--json", action="store_true", help="print JSON")
    args = parser.parse_args()
    results = {}
    with tempfile.TemporaryDirectory() as tmp:
        flows = Path(tmp) / "flows"
        flows.mkdir()
        with serving(flows) as served:
            (flows / "large.yaml").write_text(big_flow(args.nodes, "large"))
            for name, path, body in REQUESTS:
                results[name] = measure(served.url, path, body)
                if not args.json:
                    r = results[name]
                    print(f"{name:28} {r['status']} in {r['seconds']:7.2f} s; /health median "
                          f"{r['health_median_ms']:7.1f} ms, worst {r['health_worst_ms']:8.1f} ms"
                          f" ({r['health_asked']} asked)", flush=True)
    if args.json:
        print(json.dumps({"nodes": args.nodes, "results": results}, indent=2))


if __name__ == "__main__":
    main()
