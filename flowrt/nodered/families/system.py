"""Node-RED's exec and watch nodes: flowrt's exec and watch (nodes/system); the system
information nodes of node-red-contrib-os (``OS``, ``Drives``, ``Uptime``, ``CPUs``,
``Loadavg``, ``Memory``, ``NetworkIntf``) and node-red-contrib-cpu (``cpu``): flowrt's sysinfo,
exported back to the type its ``report`` names.

Node-RED runs exec mode through a shell (``/bin/bash`` on Linux) and spawn mode without one;
flowrt runs a command without a shell unless the node says ``shell: true``. So an exec-mode
node is imported with ``shell: true`` (and a caveat), a spawn-mode node without, and each
behaves as it did. The export maps back; a flowrt exec node that Node-RED would run
differently (exec mode without a shell, spawn mode with one) has no counterpart.
"""

from __future__ import annotations

from typing import Any

from flowrt.nodered.export_values import NoCounterpart
from flowrt.nodered.mapping import MapContext, Mapped, Unsupported
from flowrt.nodered.nrnode import NrNode, as_bool, as_number
from flowrt.nodered.nrtype import NrType
from flowrt.nodered.values import property_path

SHELL_CAVEAT = (
    "Node-RED runs exec mode in a shell: imported with `shell: true`, so the shell reads the "
    "command line and the message value added to it, as in Node-RED; set `shell: false` to "
    "pass them as plain arguments (no pipes, variables or globs then)"
)

# -- import: Node-RED -> flowrt -------------------------------------------------------------------


def import_exec(node: NrNode, cx: MapContext) -> Mapped:
    command = node.get("command")
    command = command.strip() if isinstance(command, str) else ""
    if not command:
        raise Unsupported("the node names no command (the program would come from the "
                          "message); flowrt's exec node runs the program its `command` names")
    config: dict[str, Any] = {"command": command}
    addpay = node.get("addpay", True)
    if addpay is True:
        addpay = "payload"
    if not addpay:
        config["property"] = None
    elif isinstance(addpay, str):
        prop = property_path(addpay, cx.note)
        if prop != "payload":
            config["property"] = prop
    else:
        raise Unsupported(f"`addpay` is {addpay!r}, which is no message property")
    append = node.get("append")
    if isinstance(append, str) and append.strip():
        config["append"] = append.strip()
    if node.get("useSpawn") in ("true", True):
        config["mode"] = "spawn"
    else:
        config["shell"] = True
        cx.note(SHELL_CAVEAT)
    timer = as_number(node.get("timer"))
    if timer:
        if timer < 0:
            raise Unsupported(f"the timeout is {timer} seconds")
        config["timeout"] = timer
    if node.get("oldrc") not in (None, False, "", 0, "false"):  # Node-RED: anything else
        config["old_rc"] = True
    return Mapped("exec", config)


def import_watch(node: NrNode, cx: MapContext) -> Mapped:
    files = node.get("files")
    names = [f.strip() for f in files.split(",")] if isinstance(files, str) else []
    if not names or not all(names):
        raise Unsupported(f"`files` is {files!r}: a comma-separated list of the files and "
                          "directories to watch, none of them empty")
    config: dict[str, Any] = {"files": names}
    if as_bool(node.get("recursive")):
        config["recursive"] = True
    return Mapped("watch", config)


# -- export: flowrt -> Node-RED -------------------------------------------------------------------


def export_exec(c: dict[str, Any]) -> dict[str, Any]:
    spawn = c.get("mode", "exec") == "spawn"
    if spawn and c.get("shell"):
        raise NoCounterpart("Node-RED's spawn mode runs no shell; `shell: true` has no "
                            "counterpart there")
    if not spawn and not c.get("shell"):
        raise NoCounterpart("Node-RED's exec mode always runs the command in a shell; set "
                            "`shell: true` or `mode: spawn`")
    timeout = c.get("timeout", 0)
    return {"command": c["command"], "addpay": c.get("property", "payload") or "",
            "append": c.get("append", ""), "useSpawn": "true" if spawn else "false",
            "timer": str(timeout) if timeout else "", "winHide": False,
            "oldrc": bool(c.get("old_rc"))}


def export_watch(c: dict[str, Any]) -> dict[str, Any]:
    files = c["files"]
    if any("," in f or f != f.strip() for f in files):
        raise NoCounterpart("Node-RED's watch takes a comma-separated list: a name with a "
                            "comma or spaces at its ends cannot be written in it")
    return {"files": ",".join(files), "recursive": bool(c.get("recursive"))}


# -- node-red-contrib-os and node-red-contrib-cpu: flowrt's sysinfo -------------------------------

_REPORTS = {"OS": "os", "Drives": "drives", "Uptime": "uptime", "CPUs": "cpus",
            "Loadavg": "loadavg", "Memory": "memory", "NetworkIntf": "network", "cpu": "cpu-usage"}
"""Node-RED type -> the sysinfo node's `report`."""
_SCALES = {"Byte": "byte", "Kilobyte": "kilobyte", "Megabyte": "megabyte",
           "Gigabyte": "gigabyte"}


def import_sysinfo(node: NrNode, cx: MapContext) -> Mapped:
    report = _REPORTS[node.type]
    config: dict[str, Any] = {"report": report}
    if report == "memory":
        scale = _SCALES.get(node.word("scale", "Byte"), "byte")
        if scale != "byte":
            config["scale"] = scale
    if report == "cpu-usage":
        if not as_bool(node.get("msgCore"), True):
            config["per_core"] = False
        if as_bool(node.get("msgOverall"), False):
            config["overall"] = True
        if as_bool(node.get("msgArray"), False):
            config["all_cores"] = True
        if as_bool(node.get("msgTemp"), False):
            config["temperature"] = True
    return Mapped("sysinfo", config)


def export_sysinfo(c: dict[str, Any]) -> dict[str, Any]:
    report = c["report"]
    out: dict[str, Any] = {"type": next(t for t, r in _REPORTS.items() if r == report)}
    if report == "memory":
        out["scale"] = next(n for n, s in _SCALES.items() if s == c.get("scale", "byte"))
    if report == "cpu-usage":
        out |= {"msgCore": c.get("per_core", True), "msgOverall": bool(c.get("overall")),
                "msgArray": bool(c.get("all_cores")), "msgTemp": bool(c.get("temperature"))}
    return out


TYPES = (
    NrType("exec", "exec", import_exec, export_exec),
    NrType("watch", "watch", import_watch, export_watch),
    NrType("Memory", "sysinfo", import_sysinfo, export_sysinfo),
    *(NrType(t, "sysinfo", import_sysinfo) for t in _REPORTS if t != "Memory"),
)
