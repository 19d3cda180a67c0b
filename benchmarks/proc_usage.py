"""What a server process and its children use, read from /proc: CPU seconds, resident memory,
and the bytes the kernel holds to send on one of its connections."""

from __future__ import annotations

import os
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str]:
    text = Path(f"/proc/{pid}/stat").read_text()
    return text[text.rindex(")") + 2:].split()


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                parents.setdefault(int(_stat(int(entry.name))[1]), []).append(int(entry.name))
            except (OSError, ValueError):
                continue
    found, todo = [], [pid]
    while todo:
        p = todo.pop()
        found.append(p)
        todo += parents.get(p, [])
    return found


def cpu_seconds(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            fields = _stat(p)
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / TICK


def rss_mb(pid: int) -> float:
    total = 0
    for p in tree(pid):
        try:
            for line in Path(f"/proc/{p}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except OSError:
            continue
    return total / 1024


def send_queue(server_port: int, client_port: int) -> int:
    """Bytes the kernel holds to send on the server's end of a connection (``tx_queue`` of
    /proc/net/tcp: written by the server, not yet acknowledged by the client)."""
    want = f":{server_port:04X}", f":{client_port:04X}"
    for line in Path("/proc/net/tcp").read_text().splitlines()[1:]:
        fields = line.split()
        if fields[1].endswith(want[0]) and fields[2].endswith(want[1]):
            return int(fields[4].split(":")[0], 16)
    return 0


def child_pid(marker: str) -> int:
    """The child of this process whose command line holds ``marker`` (a server just started)."""
    me = os.getpid()
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if int(_stat(int(entry.name))[1]) == me and marker in (
                        entry / "cmdline").read_bytes().decode(errors="replace"):
                    return int(entry.name)
            except (OSError, ValueError):
                continue
    raise SystemExit(f"no server process with {marker!r} found")
