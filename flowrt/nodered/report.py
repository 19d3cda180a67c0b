"""The fidelity report of an import: every Node-RED node, what it became, and what differs.

Each node is one :class:`Entry` with a status:

- ``mapped``: a flowrt node (or connection) that behaves as the Node-RED one does;
- ``caveats``: mapped, with notes saying what differs;
- ``unsupported``: not imported as a working node, with the reason (the flow keeps an
  ``unsupported`` node in its place, with its wires and its Node-RED properties, so nothing is
  dropped silently and the export gives it back).

The report renders as text for people and as JSON for programs (``--report json``).
"""

from __future__ import annotations

import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

from flowrt.nodered.reader import Problem

Status = Literal["mapped", "caveats", "unsupported"]
STATUSES: tuple[Status, ...] = ("mapped", "caveats", "unsupported")


@dataclass
class Entry:
    nr_id: str
    nr_type: str
    name: str = ""
    kind: str = "node"
    """node, config, tab, subflow, group or junction."""
    flowrt_id: str = ""
    flowrt_type: str = ""
    flow: str = ""
    """The flowrt file the node went to."""
    notes: list[str] = field(default_factory=list)
    reason: str = ""
    """Why it is unsupported ("" when it was mapped)."""

    @property
    def status(self) -> Status:
        if self.reason:
            return "unsupported"
        return "caveats" if self.notes else "mapped"

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["status"] = self.status
        return data


@dataclass
class Report:
    source: str
    entries: list[Entry] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    files: list[str] = field(default_factory=list)
    secrets_file: str | None = None
    variables: list[str] = field(default_factory=list)
    """Environment variables the imported flows reference and the import has no value for."""
    diagnostics: list[str] = field(default_factory=list)
    """What `flowrt validate` says of the imported files (errors and warnings)."""

    def counts(self) -> dict[str, int]:
        found = Counter(e.status for e in self.entries)
        return {status: found.get(status, 0) for status in STATUSES}

    def unsupported_by_type(self) -> dict[str, int]:
        return dict(Counter(e.nr_type for e in self.entries if e.status == "unsupported"))

    def to_dict(self) -> dict[str, Any]:
        return {
            "source": self.source,
            "counts": self.counts(),
            "files": self.files,
            "secrets_file": self.secrets_file,
            "variables": self.variables,
            "problems": [p.to_dict() for p in self.problems],
            "diagnostics": self.diagnostics,
            "nodes": [e.to_dict() for e in self.entries],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, ensure_ascii=False)

    def render_text(self) -> str:
        lines = [f"Node-RED import of {self.source}"]
        counts = self.counts()
        lines.append(
            f"  {len(self.entries)} nodes: {counts['mapped']} mapped, {counts['caveats']} mapped "
            f"with caveats, {counts['unsupported']} unsupported"
        )
        for file in self.files:
            lines.append(f"  wrote {file}")
        if self.secrets_file:
            lines.append(f"  wrote {self.secrets_file} (credentials; keep it out of version "
                         "control, run with --secrets)")
        if self.variables:
            lines.append("  set these variables (environment or a --secrets file): "
                         + ", ".join(self.variables))
        for problem in self.problems:
            where = f" [{problem.node}]" if problem.node else ""
            lines.append(f"  problem{where}: {problem.message}")
        for status in STATUSES:
            chosen = [e for e in self.entries if e.status == status]
            if not chosen:
                continue
            lines.append("")
            lines.append(f"{status.upper()} ({len(chosen)})")
            for e in chosen:
                lines.append("  " + _describe(e))
                if e.reason:
                    lines.append(f"      why: {e.reason}")
                for note in e.notes:
                    lines.append(f"      - {note}")
        if self.diagnostics:
            lines.append("")
            lines.append("CHECK OF THE IMPORTED FILES")
            lines.extend(f"  {d}" for d in self.diagnostics)
        return "\n".join(lines)


def _describe(entry: Entry) -> str:
    name = f" '{entry.name}'" if entry.name else ""
    source = f"{entry.nr_type}{name} ({entry.nr_id})"
    if entry.reason and not entry.flowrt_id:
        return source
    target = entry.flowrt_type or entry.kind
    where = f" in {entry.flow}" if entry.flow else ""
    return f"{source} -> {target} '{entry.flowrt_id}'{where}"


def aggregate(reports: list[Report]) -> dict[str, Any]:
    """Totals over several imports (the corpus figures)."""
    totals: Counter[str] = Counter()
    unsupported: Counter[str] = Counter()
    caveats: Counter[str] = Counter()
    for report in reports:
        totals.update(report.counts())
        unsupported.update(report.unsupported_by_type())
        caveats.update(e.nr_type for e in report.entries if e.status == "caveats")
    return {
        "files": len(reports),
        "nodes": sum(totals.values()),
        "counts": {s: totals.get(s, 0) for s in STATUSES},
        "unsupported_by_type": dict(unsupported.most_common()),
        "caveats_by_type": dict(caveats.most_common()),
    }
