"""Stage 3: turn a checked project into an execution plan (pure: nothing runs here)."""

from flowrt.compile.build import build_plan
from flowrt.compile.plan import Plan, PlannedConnection, PlannedNode

__all__ = ["Plan", "PlannedConnection", "PlannedNode", "build_plan"]
