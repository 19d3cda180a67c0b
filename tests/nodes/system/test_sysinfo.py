"""The sysinfo node: each report's shape, and the values that do not change checked against
what the system says through other means (/proc, the os module, the df command)."""

from __future__ import annotations

import json
import os
import socket
import subprocess
from pathlib import Path
from typing import Any

import pytest

from flowrt.testing import run_flow


def read(report: str, inputs: int = 1, **options: Any) -> list[dict[str, Any]]:
    flow = {"flowrt": 1, "nodes": {"s": {"type": "sysinfo", "report": report, **options}}}
    result = run_flow(json.dumps(flow), [{"payload": "go", "keep": i} for i in range(inputs)],
                      into="s")
    assert result.errors == []
    return result.sent("s")


def meminfo(key: str) -> int:
    line = next(x for x in Path("/proc/meminfo").read_text().splitlines() if x.startswith(key))
    return int(line.split()[1]) * 1024


def test_os() -> None:
    (msg,) = read("os")
    assert msg["keep"] == 0  # the message itself, its payload replaced
    p = msg["payload"]
    assert sorted(p) == ["arch", "endianness", "hostname", "platform", "release", "tmpdir",
                         "type"]
    assert (p["hostname"], p["release"]) == (socket.gethostname(), os.uname().release)
    assert (p["type"], p["platform"], p["endianness"]) == ("Linux", "linux", "LE")
    assert p["arch"] in ("x64", "arm64", "arm", "ia32")


def test_memory_in_bytes_and_scaled() -> None:
    (msg,) = read("memory")
    p = msg["payload"]
    assert p["totalmem"] == meminfo("MemTotal:")
    assert 0 < p["freemem"] <= p["totalmem"] and 0 < p["memusage"] < 100
    assert round(p["memusage"], 2) == p["memusage"]
    (mega,) = read("memory", scale="megabyte")
    assert mega["payload"]["totalmem"] == round(meminfo("MemTotal:") / 1024**2, 3)


def test_cpus_uptime_and_load() -> None:
    (cpus,) = read("cpus")
    assert len(cpus["payload"]["cpus"]) == os.cpu_count()
    first = cpus["payload"]["cpus"][0]
    assert sorted(first) == ["model", "speed", "times"]
    assert sorted(first["times"]) == ["idle", "irq", "nice", "sys", "user"]
    assert all(isinstance(v, int) and v >= 0 for v in first["times"].values())
    (up,) = read("uptime")
    proc = float(Path("/proc/uptime").read_text().split()[0])
    assert abs(up["payload"]["uptime"] - proc) < 60
    (load,) = read("loadavg")
    assert len(load["payload"]["loadavg"]) == 3


def test_drives_are_what_df_lists() -> None:
    (msg,) = read("drives")
    root = next(d for d in msg["payload"] if d["mount"] == "/")
    assert sorted(root) == ["available", "capacity", "filesystem", "mount", "size", "used"]
    df = subprocess.run(["df", "-P", "/"], capture_output=True, text=True, check=True)
    fields = df.stdout.splitlines()[1].split()
    assert (root["filesystem"], root["size"]) == (fields[0], int(fields[1]))
    assert 0 <= root["capacity"] <= 1


def test_network_interfaces() -> None:
    (msg,) = read("network")
    interfaces = msg["payload"]["networkInterfaces"]
    lo = interfaces["lo"]
    v4 = next(a for a in lo if a["family"] == "IPv4")
    assert v4 == {"address": "127.0.0.1", "netmask": "255.0.0.0", "family": "IPv4",
                  "mac": "00:00:00:00:00:00", "internal": True, "cidr": "127.0.0.1/8"}


@pytest.mark.parametrize(("options", "topics"), [
    ({}, [f"core_{i + 1}" for i in range(os.cpu_count() or 1)]),
    ({"per_core": False, "overall": True}, ["overall"]),
])
def test_cpu_usage(options: dict[str, Any], topics: list[str]) -> None:
    sent = read("cpu-usage", inputs=2, **options)
    assert [m["topic"] for m in sent] == topics * 2
    assert all(0 <= m["payload"] <= 100 and "keep" not in m for m in sent)


def test_cpu_usage_as_a_list_and_temperatures() -> None:
    listed, heat = read("cpu-usage", per_core=False, all_cores=True, temperature=True)
    assert listed["topic"] == "all_cores"
    assert [c["name"] for c in listed["payload"]] == [
        f"core_{i + 1}" for i in range(os.cpu_count() or 1)]
    assert sorted(listed["payload"][0]) == ["model", "name", "speed", "usage"]
    assert heat["topic"] == "temperature" and isinstance(heat["cores"], list)
    hwmon = list(Path("/sys/class/hwmon").glob("hwmon*/temp*_input"))
    if not hwmon:  # this machine reports no temperature: none, as systeminformation says
        assert (heat["payload"], heat["max"], heat["cores"]) == (None, None, [])
    else:
        assert isinstance(heat["payload"], float) and heat["max"] >= heat["payload"]
