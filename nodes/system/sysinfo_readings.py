"""The machine's facts as Node.js's ``os`` module gives them (what node-red-contrib-os and
node-red-contrib-cpu send), read with psutil and the standard library.

Names and units are Node's: ``os.type()`` is ``Linux``, ``os.platform()`` ``linux``,
``os.arch()`` ``x64``; CPU times are milliseconds; ``os.freemem()`` is the memory available
(Linux's MemAvailable); disk sizes are ``df -P``'s 1024-byte blocks.
"""

from __future__ import annotations

import ipaddress
import math
import os
import platform
import socket
import sys
import time
from pathlib import Path
from typing import Any

import psutil  # type: ignore[import-untyped]

_ARCH = {"x86_64": "x64", "amd64": "x64", "aarch64": "arm64", "arm64": "arm64", "i386": "ia32",
         "i686": "ia32", "x86": "ia32", "armv7l": "arm", "armv6l": "arm", "ppc64le": "ppc64",
         "s390x": "s390x", "riscv64": "riscv64", "mips": "mips", "loongarch64": "loong64"}
_PLATFORM = {"win32": "win32", "darwin": "darwin", "cygwin": "win32"}


def os_facts() -> dict[str, Any]:
    """node-red-contrib-os's OS node: hostname, type, platform, arch, release, endianness,
    tmpdir."""
    machine = platform.machine().lower()
    return {
        "hostname": socket.gethostname(),
        "type": platform.system() or "Linux",
        "platform": _PLATFORM.get(sys.platform, sys.platform.rstrip("0123456789")),
        "arch": _ARCH.get(machine, machine),
        "release": platform.release(),
        "endianness": "LE" if sys.byteorder == "little" else "BE",
        "tmpdir": _tmpdir(),
    }


def _tmpdir() -> str:
    """Node's os.tmpdir() on POSIX: TMPDIR, TMP or TEMP, else /tmp, without a trailing /."""
    path = os.environ.get("TMPDIR") or os.environ.get("TMP") or os.environ.get("TEMP") or "/tmp"
    return path[:-1] if len(path) > 1 and path.endswith("/") else path


def uptime() -> float:
    """Seconds since the machine started (Linux: /proc/uptime, as Node reads it)."""
    try:
        return float(Path("/proc/uptime").read_text().split()[0])
    except OSError:
        return round(time.time() - float(psutil.boot_time()), 2)


def cpus() -> list[dict[str, Any]]:
    """Node's os.cpus(): each logical CPU's model, speed (MHz) and times (ms)."""
    models = _models()
    speeds = _speeds()
    found = []
    for i, t in enumerate(psutil.cpu_times(percpu=True)):
        found.append({
            "model": models[i] if i < len(models) else (models[-1] if models else "unknown"),
            "speed": speeds[i] if i < len(speeds) else 0,
            "times": {"user": round(t.user * 1000), "nice": round(getattr(t, "nice", 0) * 1000),
                      "sys": round(t.system * 1000), "idle": round(t.idle * 1000),
                      "irq": round(getattr(t, "irq", 0) * 1000)},
        })
    return found


def _models() -> list[str]:
    try:
        text = Path("/proc/cpuinfo").read_text()
    except OSError:
        return [platform.processor() or "unknown"]
    return [line.split(":", 1)[1].strip() for line in text.splitlines()
            if line.startswith("model name")]


def _speeds() -> list[int]:
    """MHz of each CPU: Linux's cpufreq (as libuv reads it; 0 where there is none)."""
    if sys.platform.startswith("linux"):
        speeds = []
        for i in range(psutil.cpu_count() or 0):
            path = Path(f"/sys/devices/system/cpu/cpu{i}/cpufreq/scaling_cur_freq")
            try:
                speeds.append(int(path.read_text().strip()) // 1000)
            except (OSError, ValueError):
                speeds.append(0)
        return speeds
    freqs = psutil.cpu_freq(percpu=True) or []
    return [int(f.current) for f in freqs]


def memory() -> tuple[int, int]:
    """Node's os.totalmem() and os.freemem() (the memory available), in bytes."""
    mem = psutil.virtual_memory()
    return int(mem.total), int(mem.available)


def drives() -> list[dict[str, Any]]:
    """node-red-contrib-os's Drives node (``df -P``): each mounted file system with a size."""
    found: list[dict[str, Any]] = []
    seen: set[str] = set()
    for part in psutil.disk_partitions(all=True):
        if part.mountpoint in seen:
            continue
        try:
            usage = psutil.disk_usage(part.mountpoint)
        except OSError:
            continue
        if usage.total == 0:  # df leaves out pseudo file systems (proc, sysfs, cgroup...)
            continue
        seen.add(part.mountpoint)
        used, available = usage.used // 1024, usage.free // 1024
        capacity = math.ceil(100 * used / (used + available)) if used + available else 0
        found.append({"filesystem": part.device, "size": usage.total // 1024, "used": used,
                      "available": available, "capacity": capacity / 100,
                      "mount": part.mountpoint})
    return found


def network_interfaces() -> dict[str, list[dict[str, Any]]]:
    """Node's os.networkInterfaces(): each interface's IPv4 and IPv6 addresses."""
    stats = psutil.net_if_stats()
    found: dict[str, list[dict[str, Any]]] = {}
    for name, addresses in psutil.net_if_addrs().items():
        mac = next((a.address for a in addresses if a.family == psutil.AF_LINK),
                   "00:00:00:00:00:00")
        flags = getattr(stats.get(name), "flags", "")
        internal = "loopback" in flags.split(",") or name == "lo"
        entries = []
        for a in addresses:
            if a.family not in (socket.AF_INET, socket.AF_INET6) or not a.netmask:
                continue
            address = a.address.split("%")[0]
            v6 = a.family == socket.AF_INET6
            prefix = bin(int(ipaddress.ip_address(a.netmask))).count("1")
            entry: dict[str, Any] = {"address": address, "netmask": a.netmask,
                                     "family": "IPv6" if v6 else "IPv4", "mac": mac,
                                     "internal": internal, "cidr": f"{address}/{prefix}"}
            if v6:
                link_local = ipaddress.ip_address(address).is_link_local
                entry["scopeid"] = socket.if_nametoindex(name) if link_local else 0
            entries.append(entry)
        if entries:
            found[name] = entries
    return found


def temperatures() -> tuple[float | None, float | None, list[float]]:
    """The CPU's temperature (its package, or the first sensor), the highest reading and each
    core's, in °C, as node-red-contrib-cpu gives them (systeminformation's cpuTemperature);
    None and [] where the machine reports none."""
    sensors: dict[str, list[Any]] = getattr(psutil, "sensors_temperatures", dict)() or {}
    chips = [sensors[name] for name in ("coretemp", "k10temp", "cpu_thermal", "cpu-thermal")
             if sensors.get(name)] or list(sensors.values())
    readings = [r for chip in chips[:1] for r in chip]
    if not readings:
        return None, None, []
    cores = [float(r.current) for r in readings if r.label.startswith("Core")]
    package = next((r for r in readings if r.label.startswith(("Package", "Tctl", "Tdie"))),
                   readings[0])
    main = float(package.current)
    return main, max([main, *cores]), cores
