"""Shared pieces of the server tests."""

from __future__ import annotations

from typing import Any

HEADERS = {"X-Flowrt-Request": "1"}

COMMENTED = """\
# Temperature alerts: a commented flow, saved from the editor
flowrt: 1
id: alerts      # the flow id
label: "Alerts"
nodes:
  # the ticker
  tick:
    type: inject
    payload: 5   # degrees
    to: show
  show: {type: debug, status: count}   # flow style stays
layout:
  tick: [80, 120]
"""


def flow(flow_id: str, payload: str = "hi") -> str:
    return (f"flowrt: 1\nid: {flow_id}\nnodes:\n"
            f"  {flow_id}_tick: {{type: inject, payload: {payload}, to: {flow_id}_show}}\n"
            f"  {flow_id}_show: {{type: debug, status: count}}\n")


def receive(ws: Any, kind: str, limit: int = 200) -> dict[str, Any]:
    """The next event of type ``kind`` on a test client's websocket (others are skipped)."""
    for _ in range(limit):
        event: dict[str, Any] = ws.receive_json()
        if event.get("type") == kind:
            return event
    raise AssertionError(f"no {kind} event among the next {limit}")
