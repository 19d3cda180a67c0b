"""How long `flowrt validate` takes next to reading the same file with ruamel.yaml alone.

    python benchmarks/validate_bench.py [--sizes 100 1000 10000] [--repeat 5] [--json]

For each size it writes one flow file of that many nodes (groups of inject -> switch -> change ->
debug with fan-out, or chains of whatever types are installed when the core pack lacks those),
then measures, side by side:

- bare load: ``YAML(typ="rt").load()`` of the file, the round-trip parse flowrt builds on;
- validate in-process: ``load_project`` + ``check`` (the registry already discovered), split
  into its load and check parts;
- the same two as processes: a Python process that only imports ruamel and loads the file, and
  ``python -m flowrt validate FILE``; the difference is flowrt's imports and node discovery.

Each figure is the median of ``--repeat`` runs. The goal is validate <= 2x the bare load.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML

from flowrt.check import check
from flowrt.load import load_project
from flowrt.registry import default_registry
from flowrt.registry.discover import Registry

PREFERRED = ("inject", "switch", "change", "debug")
BARE_LOAD = (
    "import sys; from ruamel.yaml import YAML; YAML(typ='rt').load(open(sys.argv[1]).read())"
)


def group(i: int) -> list[str]:
    """Seven nodes: a source, a two-way switch, three changes (fan-out and a chain), two sinks."""
    rule = "rules: [{{set: {0}, to: {{type: {1}, value: {2}}}}}]"
    return [
        f"  t{i}: {{type: inject, repeat: 5, payload: {{type: num, value: {i}}}, to: s{i}}}",
        f"  s{i}:",
        "    type: switch",
        "    property: payload",
        "    rules: [{gt: 20}, {else: true}]",
        f"    to: {{0: [a{i}, b{i}], 1: y{i}}}",
        f"  a{i}: {{type: change, {rule.format('payload', 'num', 1)}, to: c{i}}}",
        f"  b{i}: {{type: change, {rule.format('topic', 'str', 'hot')}, to: x{i}}}",
        f"  c{i}: {{type: change, {rule.format('payload.seen', 'msg', 'topic')}, to: x{i}}}",
        f"  x{i}: {{type: debug}}",
        f"  y{i}: {{type: debug, expression: payload}}",
    ]


def example_config(registry: Registry, type_: str) -> str:
    """Inline YAML for a node of this type, required fields filled from their examples."""
    spec = registry[type_]
    parts = [f"type: {type_}"]
    for name in spec.required:
        examples = spec.fields[name].get("examples")
        if not examples:
            raise SystemExit(f"cannot fill required field {name!r} of {type_!r}: no example")
        parts.append(f"{name}: {json.dumps(examples[0])}")
    return ", ".join(parts)


def chain_types(registry: Registry) -> tuple[str, str, str]:
    """A source, a one-output transform and a sink whose configuration can be filled in."""

    def fillable(type_: str) -> bool:
        spec = registry[type_]
        return all(spec.fields[n].get("examples") for n in spec.required)

    def pick(test: Callable[[Any], bool]) -> str:
        for spec in registry:
            if test(spec) and fillable(spec.type):
                return spec.type
        raise SystemExit("the registry has no usable node type for a benchmark flow")

    return (
        pick(lambda s: s.category == "source" and s.inputs == 0 and s.cls.outputs == 1),
        pick(lambda s: s.category == "transform" and s.inputs == 1 and s.cls.outputs == 1),
        pick(lambda s: s.category == "sink"),
    )


def flow_text(nodes: int, registry: Registry) -> str:
    lines = ["flowrt: 1", f"id: bench-{nodes}", "nodes:"]
    if all(t in registry for t in PREFERRED) and nodes >= 7:
        for i in range(nodes // 7):
            lines.extend(group(i))
        extra = [f"z{j}" for j in range(nodes % 7)]  # sinks on the first source: exact count
        lines.extend(f"  {z}: {{type: debug}}" for z in extra)
        if extra:
            lines[3] = lines[3].replace("to: s0}", f"to: [s0, {', '.join(extra)}]}}")
        return "\n".join(lines) + "\n"
    source, transform, sink = chain_types(registry)
    configs = {t: example_config(registry, t) for t in (source, transform, sink)}
    length = 10
    for i in range(0, nodes, length):
        ids = [f"n{k}" for k in range(i, min(nodes, i + length))]
        for k, node_id in enumerate(ids):
            kind = source if k == 0 else sink if k == len(ids) - 1 else transform
            wire = f", to: {ids[k + 1]}" if k + 1 < len(ids) else ""
            lines.append(f"  {node_id}: {{{configs[kind]}{wire}}}")
    return "\n".join(lines) + "\n"


def median_time(fn: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        fn()
        times.append(time.perf_counter() - started)
    return statistics.median(times)


def measure(path: Path, nodes: int, registry: Registry, repeat: int) -> dict[str, Any]:
    def bare() -> object:
        return YAML(typ="rt").load(path.read_text(encoding="utf-8"))

    def validate() -> list[Any]:
        found = check(load_project([path]), registry, env={})
        errors = [str(d) for d in found if d.severity == "error"]
        if errors:
            raise SystemExit("the benchmark flow does not validate:\n" + "\n".join(errors[:5]))
        return found

    def run(*command: str) -> Callable[[], object]:
        return lambda: subprocess.run(command, check=True, capture_output=True)

    validate()  # warm: node schemas are compiled on first use
    load_s = median_time(lambda: load_project([path]), repeat)
    project = load_project([path])
    check_s = median_time(lambda: check(project, registry, env={}), repeat)
    result: dict[str, Any] = {
        "nodes": nodes,
        "kib": round(path.stat().st_size / 1024),
        "bare_load_s": median_time(bare, repeat),
        "validate_s": median_time(validate, repeat),
        "validate_load_s": load_s,
        "validate_check_s": check_s,
        "bare_process_s": median_time(run(sys.executable, "-c", BARE_LOAD, str(path)), repeat),
        "cli_process_s": median_time(
            run(sys.executable, "-m", "flowrt", "validate", str(path)), repeat
        ),
    }
    result["ratio"] = result["validate_s"] / result["bare_load_s"]
    result["process_ratio"] = result["cli_process_s"] / result["bare_process_s"]
    return result


def table(rows: list[dict[str, Any]]) -> str:
    head = (
        "| nodes | file | bare load | validate (load + check) | ratio "
        "| bare load, process | `flowrt validate`, process | ratio |\n"
        "|---:|---:|---:|---:|---:|---:|---:|---:|"
    )
    lines = [head]
    for r in rows:
        lines.append(
            f"| {r['nodes']:,} | {r['kib']:,} KiB | {r['bare_load_s'] * 1000:,.0f} ms "
            f"| {r['validate_s'] * 1000:,.0f} ms ({r['validate_load_s'] * 1000:,.0f} + "
            f"{r['validate_check_s'] * 1000:,.0f}) | **{r['ratio']:.2f}x** "
            f"| {r['bare_process_s'] * 1000:,.0f} ms | {r['cli_process_s'] * 1000:,.0f} ms "
            f"| {r['process_ratio']:.2f}x |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 10000])
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--json", action="store_true", help="Print JSON instead of a table.")
    args = parser.parse_args()
    registry = default_registry()
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for size in args.sizes:
            path = Path(tmp) / f"bench-{size}.yaml"
            path.write_text(flow_text(size, registry), encoding="utf-8")
            rows.append(measure(path, size, registry, args.repeat))
    print(json.dumps(rows, indent=2) if args.json else table(rows))


if __name__ == "__main__":
    main()
