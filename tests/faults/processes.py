"""Every process a fault test's worker is made of, found and killed; and a guard process that
kills them when the test process itself dies.

A worker (``flowrt run``) starts in a session of its own (see :mod:`tests.faults.harness`), and
what it starts may take sessions of their own too: the JavaScript worker of a function node,
the workers of ``--workers N``. ``kill -9`` of the worker's process group misses those, and
once their parent is dead they hang under init where nothing names them. So a worker's
*processes* are found in ``/proc`` before anything is killed: the worker, its descendants, and
every process in the sessions they lead (a descendant keeps its session when its parent dies).

And a test process killed outright (``timeout`` sends SIGTERM, which Python does not turn into
an exception; SIGKILL; a closed terminal) runs no ``finally``: its workers, in sessions of their
own, get no signal and run on. The guard (``python -m tests.faults.processes``, in a session of
its own) holds the read end of a pipe from the test process, which registers each worker's pid
as it starts (``+PID``) and unregisters it once it is gone (``-PID``). When the pipe closes (the
test process exited, however), the guard kills every worker still registered, and exits.

Linux only (``/proc``), as the fault tests are.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


@dataclass(frozen=True)
class Proc:
    pid: int
    ppid: int
    pgid: int
    sid: int
    state: str


def processes() -> dict[int, Proc]:
    """Every process alive now (zombies left out: they are dead, waiting to be reaped)."""
    found = {}
    for entry in os.scandir("/proc"):
        if not entry.name.isdigit():
            continue
        try:
            text = Path(entry.path, "stat").read_text()
        except OSError:  # gone meanwhile
            continue
        fields = text[text.rindex(")") + 2:].split()  # the name may hold spaces and ')'
        state, ppid, pgid, sid = fields[0], int(fields[1]), int(fields[2]), int(fields[3])
        if state not in ("Z", "X"):
            found[int(entry.name)] = Proc(int(entry.name), ppid, pgid, sid, state)
    return found


def family(pid: int, sessions: set[int] | None = None) -> tuple[set[int], set[int]]:
    """(the pids of ``pid`` and all it started, the sessions they are in). ``sessions``: ones
    seen before, whose processes count too (a descendant whose parent died is still in its
    session). The test process and its own session are never part of it."""
    table = processes()
    own = os.getsid(0)
    children: dict[int, list[int]] = {}
    by_session: dict[int, list[int]] = {}
    for proc in table.values():
        children.setdefault(proc.ppid, []).append(proc.pid)
        by_session.setdefault(proc.sid, []).append(proc.pid)
    known = set(sessions or ()) - {own}
    members: set[int] = set()
    # the worker leads its session and group: a pid reused since it died, by a process that
    # leads neither, is not taken for it
    todo = [p.pid for p in table.values() if p.pgid == pid or p.sid in known]
    while todo:
        current = todo.pop()
        found = table.get(current)
        if current in members or found is None or found.sid == own or current == os.getpid():
            continue
        members.add(current)
        if found.sid not in known:
            known.add(found.sid)
            todo.extend(by_session[found.sid])
        todo.extend(children.get(current, ()))
    return members, known


def kill_family(pid: int, sessions: set[int] | None = None,
                timeout: float = 30.0) -> set[int]:
    """SIGKILL ``pid`` and everything it started (:func:`family`), again while any is left;
    returns the pids killed. Raises AssertionError naming those still alive after
    ``timeout`` seconds."""
    killed: set[int] = set()
    known = set(sessions or ())
    deadline = time.monotonic() + timeout
    while True:
        members, known = family(pid, known)
        if not members:
            return killed
        if time.monotonic() > deadline:
            raise AssertionError(f"processes {sorted(members)} of worker {pid} survive SIGKILL")
        for member in members:
            try:
                os.kill(member, signal.SIGKILL)
            except ProcessLookupError:
                pass
        killed |= members
        time.sleep(0.05)


class Guard:
    """The guard of this test process (see the module); started on first use."""

    _process: subprocess.Popen[bytes] | None = None

    @classmethod
    def _pipe(cls) -> subprocess.Popen[bytes]:
        if cls._process is None or cls._process.poll() is not None:
            cls._process = subprocess.Popen(
                [sys.executable, "-m", "tests.faults.processes", str(os.getpid())],
                cwd=ROOT, stdin=subprocess.PIPE, start_new_session=True,
            )
        return cls._process

    @classmethod
    def watch(cls, pid: int) -> None:
        cls._send(f"+{pid}\n")

    @classmethod
    def forget(cls, pid: int) -> None:
        cls._send(f"-{pid}\n")

    @classmethod
    def _send(cls, line: str) -> None:
        process = cls._pipe()
        assert process.stdin is not None
        process.stdin.write(line.encode())
        process.stdin.flush()


def guard() -> None:
    """The guard's main: read registrations until the pipe closes, then kill what is left."""
    watched: dict[int, set[int]] = {}
    for raw in sys.stdin.buffer:
        line = raw.decode().strip()
        if line.startswith("+"):
            pid = int(line[1:])
            watched[pid] = family(pid)[1]
        elif line.startswith("-"):
            watched.pop(int(line[1:]), None)
    for pid, sessions in watched.items():
        try:
            kill_family(pid, sessions)
        except AssertionError as exc:
            print(f"flowrt fault-test guard: {exc}", file=sys.stderr)


if __name__ == "__main__":
    guard()
