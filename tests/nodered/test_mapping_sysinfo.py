"""The system information nodes' mapping (flowrt/nodered/families/system.py):
node-red-contrib-os's types and node-red-contrib-cpu's `cpu` become sysinfo nodes, and go back
to the type their report names."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.nodered.families.system import export_sysinfo
from tests.nodered.helpers import errors, node, nr_import, tab


@pytest.mark.parametrize(("nr", "config"), [
    ({"type": "OS"}, {"report": "os"}),
    ({"type": "Drives"}, {"report": "drives"}),
    ({"type": "Uptime"}, {"report": "uptime"}),
    ({"type": "CPUs"}, {"report": "cpus"}),
    ({"type": "Loadavg"}, {"report": "loadavg"}),
    ({"type": "Memory", "scale": "Byte"}, {"report": "memory"}),
    ({"type": "Memory"}, {"report": "memory"}),
    ({"type": "Memory", "scale": "Gigabyte"}, {"report": "memory", "scale": "gigabyte"}),
    ({"type": "NetworkIntf"}, {"report": "network"}),
    ({"type": "cpu"}, {"report": "cpu-usage"}),
    ({"type": "cpu", "msgCore": False, "msgOverall": True},
     {"report": "cpu-usage", "per_core": False, "overall": True}),
    ({"type": "cpu", "msgArray": True, "msgTemp": True},
     {"report": "cpu-usage", "all_cores": True, "temperature": True}),
])
def test_each_type_imports_and_exports_back(nr: dict[str, Any], config: dict[str, Any]) -> None:
    conversion = nr_import([tab(), {"id": "n", "z": "t1", "name": "", "wires": [[]], **nr}])
    assert not errors(conversion)
    assert node(conversion, "n") == {"type": "sysinfo", **config}
    back = export_sysinfo(config)
    assert back["type"] == nr["type"]
    if nr["type"] == "Memory":
        assert back["scale"] == nr.get("scale", "Byte")
    if nr["type"] == "cpu":
        assert (back["msgCore"], back["msgOverall"], back["msgArray"], back["msgTemp"]) == (
            nr.get("msgCore", True), nr.get("msgOverall", False), nr.get("msgArray", False),
            nr.get("msgTemp", False))
