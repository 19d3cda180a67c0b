"""sysinfo: facts about the machine (host, CPUs, memory, disks, network) into the message, as
node-red-contrib-os and node-red-contrib-cpu give them."""

from __future__ import annotations

import os
from typing import Any, Literal

from flowrt.api import Message, NodeConfig, Output, Transform, field

from .sysinfo_readings import (
    cpus,
    drives,
    memory,
    network_interfaces,
    os_facts,
    temperatures,
    uptime,
)

_SCALES = {"byte": 1, "kilobyte": 1024, "megabyte": 1024**2, "gigabyte": 1024**3}


class Sysinfo(Transform):
    """Put facts about the machine in `payload`: its OS, CPUs, memory, disks, network, load.

    ### Inputs

    Any message: it triggers a reading.

    ### Outputs

    The message with `payload` set, by `report` (the shapes of node-red-contrib-os, whose
    node types `OS`, `Drives`, `Uptime`, `CPUs`, `Loadavg`, `Memory` and `NetworkIntf` the
    Node-RED import maps here):

    - `os`: `{hostname, type, platform, arch, release, endianness, tmpdir}` in Node.js's
      words (`Linux`, `linux`, `x64`, `LE`);
    - `uptime`: `{uptime}`, seconds since the machine started;
    - `cpus`: `{cpus: [{model, speed, times: {user, nice, sys, idle, irq}}]}`, one per
      logical CPU, speed in MHz, times in milliseconds;
    - `loadavg`: `{loadavg: [1, 5, 15 minutes]}`;
    - `memory`: `{totalmem, freemem, memusage}`: bytes (or `scale`), free being the memory
      available, usage a percentage with two decimals;
    - `drives`: a list of `{filesystem, size, used, available, capacity, mount}` for each
      mounted file system with a size (as `df -P`: sizes in 1024-byte blocks, capacity a
      fraction such as 0.25);
    - `network`: `{networkInterfaces: {name: [{address, netmask, family, mac, internal,
      cidr, scopeid}]}}`, IPv4 and IPv6 addresses of each interface;
    - `cpu-usage` (node-red-contrib-cpu's `cpu`): new messages instead of the input, one per
      CPU with `payload` its busy percentage since the previous input, `topic` `core_1`...,
      `model` and `speed` (`per_core`); with `overall` one more, `topic` `overall`, with the
      average; with `all_cores` one with them all in a list (`[{name, usage, model,
      speed}]`, `topic` `all_cores`); with `temperature` one with the CPU's temperature in
      °C (`payload`, `max`, `cores`: one per core; `topic` `temperature`; `null` and `[]`
      where the machine reports none).

    ### Details

    Readings come from psutil and the standard library; on Linux they read the same
    sources as Node.js (`/proc/uptime`, `/proc/stat`, cpufreq), so the values agree with
    Node-RED's on the same machine.

    ```yaml
    every_minute: {type: inject, repeat: 60, to: mem}
    mem: {type: sysinfo, report: memory, scale: megabyte, to: show}
    show: {type: debug}
    ```
    """

    type = "sysinfo"
    icon = "terminal"

    class Config(NodeConfig):
        report: Literal["os", "uptime", "cpus", "loadavg", "memory", "drives", "network",
                        "cpu-usage"] = field(description="What to read.", examples=["memory"])
        scale: Literal["byte", "kilobyte", "megabyte", "gigabyte"] = field(
            "byte", description="`memory`: the unit of `totalmem` and `freemem`.")
        per_core: bool = field(True, description="`cpu-usage`: one message per CPU.")
        overall: bool = field(False, description="`cpu-usage`: one message with the average.")
        all_cores: bool = field(
            False, description="`cpu-usage`: one message with every CPU in a list.")
        temperature: bool = field(
            False, description="`cpu-usage`: one message with the CPU temperatures.")

    config: Config

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.previous: list[tuple[int, int]] = []

    def process(self, msg: Message) -> Output:
        report = self.config.report
        if report == "cpu-usage":
            return self._usage()
        if report == "os":
            msg["payload"] = os_facts()
        elif report == "uptime":
            msg["payload"] = {"uptime": uptime()}
        elif report == "cpus":
            msg["payload"] = {"cpus": cpus()}
        elif report == "loadavg":
            msg["payload"] = {"loadavg": list(os.getloadavg())}
        elif report == "memory":
            msg["payload"] = self._memory()
        elif report == "drives":
            msg["payload"] = drives()
        else:
            msg["payload"] = {"networkInterfaces": network_interfaces()}
        return msg

    def _memory(self) -> dict[str, Any]:
        total, free = memory()
        usage = round(100 - free / total * 100, 2)
        size = _SCALES[self.config.scale]
        if size == 1:
            return {"totalmem": total, "freemem": free, "memusage": usage}
        return {"totalmem": round(total / size, 3), "freemem": round(free / size, 3),
                "memusage": usage}

    def _usage(self) -> Output:
        """node-red-contrib-cpu: each CPU's busy share of the time since the last input."""
        readings = cpus()
        now = [(sum(c["times"].values()), c["times"]["idle"]) for c in readings]
        out: list[Message] = []
        total = 0
        for i, (c, (ticks, idle)) in enumerate(zip(readings, now, strict=True)):
            before = self.previous[i] if i < len(self.previous) else (0, 0)
            ticked, idled = ticks - before[0], idle - before[1]
            busy = 100 - (int(100 * idled / ticked) if ticked else 0)
            total += busy
            out.append({"_msgid": self.ctx.new_msgid(), "payload": busy,
                        "topic": f"core_{i + 1}", "model": c["model"], "speed": c["speed"]})
        self.previous = now
        config = self.config
        sent = out if config.per_core else []
        if config.overall:
            sent.append({"_msgid": self.ctx.new_msgid(),
                         "payload": total / len(out) if out else 0, "topic": "overall"})
        if config.all_cores:
            listed = [{"name": m["topic"], "usage": m["payload"], "model": m["model"],
                       "speed": m["speed"]} for m in out]
            sent.append({"_msgid": self.ctx.new_msgid(), "payload": listed,
                         "topic": "all_cores"})
        if config.temperature:
            main, highest, cores = temperatures()
            sent.append({"_msgid": self.ctx.new_msgid(), "payload": main, "max": highest,
                         "cores": cores, "topic": "temperature"})
        return [sent] if sent else None
