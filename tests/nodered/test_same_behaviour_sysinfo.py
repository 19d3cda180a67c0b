"""Imported system information nodes answer as node-red-contrib-os's do: one Node-RED export
(an inject into `OS`, `Drives`, `Uptime`, `CPUs`, `Loadavg`, `Memory` in bytes and in
megabytes, and `NetworkIntf`) runs in real Node-RED 4 with the contrib package (installed from
npm on first use, see tests/nodered/contrib.py) and, imported, in flowrt, on the same machine.

Compared: every payload's shape (its keys, recursively, and the JSON type of each value), and
the values that do not change between two readings a few seconds apart: the whole of `OS` and
`NetworkIntf`, the CPUs' models, speeds and count, the total memory, each drive's file system,
mount and size. Uptimes agree within a minute.

Run: `python -m pytest -q -p no:cacheprovider tests/nodered/test_same_behaviour_sysinfo.py`.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.nodered.contrib import with_contrib
from tests.nodered.differential import fire_injects, run_flowrt, run_nodered
from tests.nodered.helpers import nodered_home

NODES = {"os": ("OS", {}), "drives": ("Drives", {}), "uptime": ("Uptime", {}),
         "cpus": ("CPUs", {}), "load": ("Loadavg", {}), "memory": ("Memory", {"scale": "Byte"}),
         "mega": ("Memory", {"scale": "Megabyte"}), "network": ("NetworkIntf", {})}


def flow() -> list[dict[str, Any]]:
    nodes: list[dict[str, Any]] = [
        {"id": "t1", "type": "tab", "label": "sysinfo"},
        {"id": "go", "type": "inject", "z": "t1", "props": [{"p": "payload"}], "payload": "",
         "payloadType": "date", "wires": [list(NODES)]},
    ]
    for nid, (nr_type, props) in NODES.items():
        nodes.append({"id": nid, "type": nr_type, "z": "t1", "name": "", **props,
                      "wires": [[f"d-{nid}"]]})
        nodes.append({"id": f"d-{nid}", "type": "debug", "z": "t1", "active": True,
                      "complete": "payload", "wires": []})
    return nodes


def shape(value: Any) -> Any:
    """The keys and JSON types of a value, recursively (lists by their first item)."""
    if isinstance(value, dict):
        return {k: shape(v) for k, v in value.items()}
    if isinstance(value, list):
        return [shape(value[0])] if value else []
    if isinstance(value, bool) or value is None:
        return type(value).__name__
    return "number" if isinstance(value, int | float) else type(value).__name__


def test_system_information_as_in_node_red(tmp_path: Path) -> None:
    home = nodered_home()
    with_contrib(tmp_path, "node-red-contrib-os")
    nodes = fire_injects(flow())
    theirs = run_nodered({"s": nodes}, home, tmp_path, expected=len(NODES))["s"]
    ours = run_flowrt(nodes)
    assert all(len(theirs[f"d-{n}"]) == len(ours[f"d-{n}"]) == 1 for n in NODES)
    got = {n: (theirs[f"d-{n}"][0], ours[f"d-{n}"][0]) for n in NODES}
    for name, (nr, fr) in got.items():
        assert shape(fr) == shape(nr), name
    assert got["os"][0] == got["os"][1]
    assert got["network"][0] == got["network"][1]
    nr_cpus, fr_cpus = (side["cpus"] for side in got["cpus"])
    assert [(c["model"], c["speed"]) for c in fr_cpus] == [
        (c["model"], c["speed"]) for c in nr_cpus]
    assert got["memory"][0]["totalmem"] == got["memory"][1]["totalmem"]
    assert got["mega"][0]["totalmem"] == got["mega"][1]["totalmem"]
    assert abs(got["uptime"][0]["uptime"] - got["uptime"][1]["uptime"]) < 60
    assert len(got["load"][1]["loadavg"]) == 3

    def drives(listed: list[dict[str, Any]]) -> list[tuple[str, str, int]]:
        return sorted((d["filesystem"], d["mount"], d["size"]) for d in listed)

    assert drives(got["drives"][1]) == drives(got["drives"][0]) != []
