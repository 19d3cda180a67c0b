"""How much of real Node-RED exports `flowrt import nodered` turns into runnable flows.

    python benchmarks/nodered_import.py DIR [DIR ...]            # figures as text
    python benchmarks/nodered_import.py DIR --json               # the same as JSON
    python benchmarks/nodered_import.py DIR --failures           # each failing file, and why
    python benchmarks/nodered_import.py DIR --ignore helper      # leave a node type out

Every ``*.json`` file under the directories that holds a Node-RED export (an array of nodes, or
``{"flows": [...]}``) is imported in-process (``import_nodered``, written to a temporary
directory), and the written directory is checked as ``flowrt validate`` checks it (the same
load and check, the registry discovered once). Files that are JSON but no export (package
manifests, settings) are counted apart and not measured.

Figures: files; files imported without a traceback; files whose output validates (no error);
flow nodes (every node of a tab or subflow, not config nodes, tabs, groups or junctions); and,
among the flow nodes that need neither hardware nor a dashboard (the types flowrt's catalog
declares as such, flowrt/nodered/families/others.py), how many import as runnable (mapped, or
mapped with caveats). The same ratio is given for the nodes of types flowrt's catalog knows
(Node-RED's core nodes and the contrib types it maps), since most of the rest are contrib
nodes of other packages. Then the unsupported types by count, with the reasons given.

Goal (issue: the Node-RED bridge): every export imports without a traceback and validates;
>= 98 % of the non-hardware, non-dashboard flow nodes import as runnable.
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

FLOW_KINDS = ("node",)
"""Report entries that are flow nodes (not config, tab, subflow, group or junction)."""


def is_export(data: Any) -> bool:
    """An array of nodes (each with an id and a type, some wired or a tab), or {flows: [...]}."""
    if isinstance(data, dict):
        data = data.get("flows")
    if not isinstance(data, list) or not data:
        return False
    if not all(isinstance(n, dict) and "id" in n and "type" in n for n in data):
        return False
    return any("wires" in n or n.get("type") == "tab" for n in data)


def excluded_reason(nr_type: str) -> str | None:
    """Why a type is left out of the ratio (hardware or dashboard), from the catalog's
    declarations in families/others.py; None when it counts."""
    from flowrt.nodered.families import others

    for declared in others.TYPES:
        if not declared.unsupported:
            continue
        if nr_type == declared.type or (declared.prefix and nr_type.startswith(declared.type)):
            return "dashboard" if "dashboard" in declared.unsupported else "hardware"
    return None


def known(nr_type: str) -> bool:
    """A type flowrt's catalog declares (mapped or not), or a subflow instance."""
    from flowrt.nodered.catalog import TYPES

    return nr_type in TYPES or nr_type.startswith("subflow:")


@dataclass
class FileResult:
    path: str
    imported: bool = False
    validates: bool = False
    error: str = ""
    diagnostics: list[str] = field(default_factory=list)
    entries: list[tuple[str, str, str]] = field(default_factory=list)
    """(Node-RED type, status, reason) of each flow node."""


def measure_file(path: Path, registry: Any) -> FileResult:
    from flowrt.check import check, has_errors
    from flowrt.load import load_project
    from flowrt.nodered import import_nodered

    result = FileResult(str(path))
    with tempfile.TemporaryDirectory(prefix="nrimport-") as out:
        try:
            imported = import_nodered(path, out, registry=registry)
        except Exception:  # noqa: BLE001 - a traceback is what is measured
            result.error = traceback.format_exc(limit=-3)
            return result
        result.imported = True
        result.entries = [(e.nr_type, e.status, e.reason) for e in imported.report.entries
                          if e.kind in FLOW_KINDS]
        try:
            project = load_project([out])
            diagnostics = check(project, registry)
        except Exception:  # noqa: BLE001
            result.error = "validate: " + traceback.format_exc(limit=-3)
            return result
        result.diagnostics = [str(d) for d in diagnostics if d.severity == "error"]
        result.validates = not project.unreadable and not has_errors(diagnostics)
    return result


def exports_in(directories: list[str]) -> tuple[list[Path], int]:
    """The export files under the directories, and how many JSON files were not exports."""
    found, skipped = [], 0
    for directory in directories:
        root = Path(directory)
        for path in sorted([root] if root.is_file() else root.rglob("*.json")):
            try:
                data = json.loads(path.read_text(encoding="utf-8-sig"))
            except (OSError, ValueError):
                skipped += 1
                continue
            if is_export(data):
                found.append(path)
            else:
                skipped += 1
    return found, skipped


def figures(results: list[FileResult], skipped: int = 0,
            ignored: frozenset[str] = frozenset()) -> dict[str, Any]:
    nodes = [e for r in results for e in r.entries if e[0] not in ignored]
    counted = [e for e in nodes if excluded_reason(e[0]) is None]
    runnable = [e for e in counted if e[1] != "unsupported"]
    known_nodes = [e for e in counted if known(e[0])]
    known_runnable = [e for e in known_nodes if e[1] != "unsupported"]
    unsupported: Counter[str] = Counter()
    reasons: dict[str, Counter[str]] = defaultdict(Counter)
    for nr_type, status, reason in counted:
        if status == "unsupported":
            unsupported[nr_type] += 1
            reasons[nr_type][reason] += 1
    return {
        "files": len(results),
        "not_exports": skipped,
        "imported": sum(r.imported for r in results),
        "validated": sum(r.validates for r in results),
        "flow_nodes": len(nodes),
        "hardware_or_dashboard": len(nodes) - len(counted),
        "counted": len(counted),
        "runnable": len(runnable),
        "runnable_ratio": round(len(runnable) / len(counted), 4) if counted else 1.0,
        "known_type_nodes": len(known_nodes),
        "known_type_runnable": len(known_runnable),
        "known_type_ratio": (round(len(known_runnable) / len(known_nodes), 4)
                             if known_nodes else 1.0),
        "status": dict(Counter(e[1] for e in counted)),
        "unsupported": [
            {"type": t, "count": n, "known": known(t),
             "reasons": [{"reason": why, "count": k} for why, k in reasons[t].most_common(3)]}
            for t, n in unsupported.most_common()
        ],
        "failures": [
            {"file": r.path, "error": r.error.strip().splitlines()[-1] if r.error else "",
             "diagnostics": r.diagnostics[:3]}
            for r in results if not r.validates
        ],
    }


def render(data: dict[str, Any], top: int, failures: bool) -> str:
    pct = f"{100 * data['runnable_ratio']:.2f} %"
    kpct = f"{100 * data['known_type_ratio']:.2f} %"
    lines = [
        f"files: {data['files']} exports ({data['not_exports']} other JSON files skipped)",
        f"imported without a traceback: {data['imported']}",
        f"output validates: {data['validated']}",
        f"flow nodes: {data['flow_nodes']} ({data['hardware_or_dashboard']} hardware or "
        "dashboard, left out)",
        f"runnable (mapped + mapped with caveats): {data['runnable']} of {data['counted']} = "
        f"{pct}",
        f"  of types flowrt's catalog knows: {data['known_type_runnable']} of "
        f"{data['known_type_nodes']} = {kpct}",
        f"  by status: {data['status']}",
        "",
        f"unsupported types (top {top}): count, type, reason",
    ]
    for item in data["unsupported"][:top]:
        mark = "" if item["known"] else " (contrib, unknown)"
        why = item["reasons"][0]["reason"] if item["reasons"] else ""
        lines.append(f"  {item['count']:5d}  {item['type']}{mark}: {why[:150]}")
    if failures:
        lines += ["", "files that fail (traceback or validate errors):"]
        for item in data["failures"]:
            lines.append(f"  {item['file']}: {item['error']}")
            lines += [f"      {d[:200]}" for d in item["diagnostics"]]
    return "\n".join(lines)


def measure(directories: list[str], ignored: frozenset[str] = frozenset()) -> dict[str, Any]:
    from flowrt.cli.common import node_registry

    registry = node_registry()
    paths, skipped = exports_in(directories)
    return figures([measure_file(p, registry) for p in paths], skipped, ignored)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("directories", nargs="+", help="directories (or files) of exports")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--top", type=int, default=30, help="unsupported types listed")
    parser.add_argument("--failures", action="store_true", help="list each failing file")
    parser.add_argument("--ignore", action="append", default=[], metavar="TYPE",
                        help="leave nodes of this type out of the node figures (such as "
                             "`helper`, the stand-in node of Node-RED's own tests)")
    args = parser.parse_args(argv)
    data = measure(args.directories, frozenset(args.ignore))
    print(json.dumps(data, indent=2) if args.json else render(data, args.top, args.failures))
    return 0 if data["validated"] == data["files"] else 1


if __name__ == "__main__":
    sys.exit(main())
