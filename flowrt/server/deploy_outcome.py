"""What a deploy did (the answer of ``POST /api/deploy`` and the ``deploy`` event), and what a
deploy that skips the files with errors left out."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from flowrt.diagnostics import Diagnostic
from flowrt.run.hot_swap import Swap


@dataclass
class Held:
    """What a deploy with ``skip_invalid`` left out: the files with errors (and their
    diagnostics), and the flows kept running as they were."""

    files: dict[str, list[Diagnostic]] = field(default_factory=dict)
    flows: set[str] = field(default_factory=set)


@dataclass
class Outcome:
    flows: list[str] = field(default_factory=list)
    """The flows stopped or started whole."""
    nodes: list[str] = field(default_factory=list)
    """The nodes that changed (started, stopped or replaced)."""
    mode: str = "full"
    replaced: list[str] = field(default_factory=list)
    started: list[str] = field(default_factory=list)
    stopped: list[str] = field(default_factory=list)
    rewired: list[str] = field(default_factory=list)
    """``nodes`` mode: the nodes swapped in, in or out, and kept but rewired, in running flows."""
    restarted: list[dict[str, Any]] = field(default_factory=list)
    """``nodes`` mode: the units restarted whole instead, with why."""
    given_up: dict[str, int] = field(default_factory=dict)
    """Messages held by a stopped or replaced node, given up (nacked) as at a stop."""
    skipped: dict[str, list[str]] = field(default_factory=dict)
    """With ``skip_invalid``: the files left out, with their errors."""

    def public(self) -> dict[str, Any]:
        out: dict[str, Any] = {"flows": self.flows, "nodes": self.nodes}
        if self.skipped:
            out["skipped"] = self.skipped
        if self.mode == "nodes":
            out.update(mode=self.mode, replaced=self.replaced, started=self.started,
                       stopped=self.stopped, rewired=self.rewired, restarted=self.restarted,
                       given_up=self.given_up)
        return out

    def swapped(self, swap: Swap) -> None:
        self.replaced += swap.replaced
        self.started += swap.started
        self.stopped += swap.stopped
        self.rewired += swap.rewired
        self.given_up.update(swap.given_up)
