"""A state object as Node-RED's Home Assistant nodes output it: ``timeSinceChangedMs`` (how
long ago the state last changed), the times of a state from the package's copy of the states
as a JavaScript Date writes them (``2024-05-01T10:30:00.123Z``), and, for a state type other
than text, ``state`` converted with the text kept as ``original_state``; and the units of the
nodes' durations (`for`, a timeout)."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any, Literal

from flowrt.api import NodeConfig, field

TimeUnit = Literal["milliseconds", "seconds", "minutes", "hours", "days"]
SECONDS: dict[str, float] = {"milliseconds": 0.001, "seconds": 1, "minutes": 60, "hours": 3600,
                             "days": 86400}
"""The seconds in one of each unit."""


class HeldFor(NodeConfig):
    """Node-RED's `for`: how long a state must have held."""

    hold_for: float = field(0, ge=0, description="How long the state must hold, in "
                            "`hold_units` (Node-RED's `for`); 0 for no wait.")
    hold_units: TimeUnit = field("minutes", description="The unit of `hold_for`.")

    @property
    def hold_seconds(self) -> float:
        return self.hold_for * SECONDS[self.hold_units]


def _js_time(value: Any) -> Any:
    try:
        at = datetime.fromisoformat(str(value)).astimezone(UTC)
    except ValueError:
        return value
    return at.strftime("%Y-%m-%dT%H:%M:%S.") + f"{at.microsecond // 1000:03d}Z"


def as_nodered(state: dict[str, Any], typed: Any = None, converted: bool = False,
               since: bool = True, js_times: bool = True) -> dict[str, Any]:
    """A copy of the state as Node-RED shows it (``converted``: ``typed`` replaces the state;
    ``js_times``: the times as JavaScript writes them, as in the package's copy of the
    states, not in the events it passes on)."""
    out = dict(state)
    for key in ("last_changed", "last_updated"):
        if key in out and js_times:
            out[key] = _js_time(out[key])
    if converted:
        out["original_state"] = out.get("state")
        out["state"] = typed
    if since:
        ms = since_changed_ms(state)
        if ms is not None:
            out["timeSinceChangedMs"] = ms
    return out


def since_changed_ms(state: dict[str, Any]) -> int | None:
    """How many milliseconds ago the state last changed; None when its time is unreadable."""
    try:
        at = datetime.fromisoformat(str(state.get("last_changed"))).timestamp()
    except ValueError:
        return None
    return int(time.time() * 1000 - at * 1000)
