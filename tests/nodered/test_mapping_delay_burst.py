"""The delay node's burst mode in the Node-RED mapping (flowrt/nodered/families/
flow_control.py): `pauseType: "burst"` as Node-RED 5's editor writes it, and back."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.nodered.families.flow_control import export_delay
from tests.nodered.helpers import node, nr_import, tab

BURST = {"id": "b", "type": "delay", "z": "t1", "name": "", "pauseType": "burst",
         "timeout": "5", "timeoutUnits": "seconds", "rate": "3", "nbRateUnits": "2",
         "rateUnits": "minute", "randomFirst": "1", "randomLast": "5",
         "randomUnits": "seconds", "drop": False, "allowrate": True, "outputs": 1,
         "wires": [[]]}


def test_burst_delay_nodes() -> None:
    assert node(nr_import([tab(), BURST]), "b") == {
        "type": "delay", "mode": "burst", "rate": 3, "per": 120}
    assert node(nr_import([tab(), {**BURST, "rate": "1", "nbRateUnits": "1",
                                   "rateUnits": "second", "outputs": 2,
                                   "wires": [[], []]}]), "b") == {
        "type": "delay", "mode": "burst", "dropped_output": True}


@pytest.mark.parametrize("config", [
    {"mode": "burst"},
    {"mode": "burst", "rate": 5, "per": 60, "dropped_output": True},
    {"mode": "burst", "rate": 2, "per": 0.5},
])
def test_burst_export_and_back(config: dict[str, Any]) -> None:
    exported = {"id": "x", "type": "delay", "z": "t1", **export_delay(config),
                "wires": [[], []] if config.get("dropped_output") else [[]]}
    assert exported["pauseType"] == "burst"
    assert node(nr_import([tab(), exported]), "x") == {"type": "delay", **config}
