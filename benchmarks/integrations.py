"""The integration packs against their real servers, in one run, one table.

    python benchmarks/integrations.py            # every pack
    python benchmarks/integrations.py postgres   # some of them (mqtt, amqp, influx, postgres)
    python benchmarks/integrations.py --json

Each ``bench_<pack>.py`` beside this file measures its pack through a flowrt flow against the
server named by the ``FLOWRT_TEST_*`` variables (see .ci/services.sh) and also runs on its own.
Figures depend on the machine: compare ratios measured in the same run, not numbers across runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import platform
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
PACKS = ("postgres", "influx", "mqtt", "amqp")


def load(pack: str) -> Any:
    path = HERE / f"bench_{pack}.py"
    spec = importlib.util.spec_from_file_location(f"bench_{pack}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("packs", nargs="*", metavar="PACK", help=f"any of {', '.join(PACKS)}")
    parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    args = parser.parse_args()
    unknown = sorted(set(args.packs) - set(PACKS))
    if unknown:
        parser.error(f"unknown pack {', '.join(unknown)}; choose from {', '.join(PACKS)}")
    rows: list[dict[str, Any]] = []
    for pack in args.packs or PACKS:
        started = time.perf_counter()
        try:
            figures = load(pack).measure()
        except Exception as exc:  # one pack's failure must not hide the others' figures
            rows.append({"pack": pack, "label": "FAILED", "value": None, "unit": repr(exc)})
            continue
        for label, value, unit in figures:
            rows.append({"pack": pack, "label": label, "value": value, "unit": unit})
        print(f"# {pack}: {time.perf_counter() - started:.1f} s", file=sys.stderr)
    if args.json:
        print(json.dumps({"python": platform.python_version(), "rows": rows}, indent=2))
        return
    width = max(len(r["label"]) for r in rows) if rows else 10
    print(f"{'pack':<9} {'measure':<{width}} {'value':>12}  unit")
    for r in rows:
        value = "-" if r["value"] is None else f"{r['value']:,.1f}"
        print(f"{r['pack']:<9} {r['label']:<{width}} {value:>12}  {r['unit']}")


if __name__ == "__main__":
    main()
