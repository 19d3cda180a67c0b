"""The exec node's command line and its child process: the words it runs, the shell it runs
them with, and a process group that can be killed whole."""

from __future__ import annotations

import asyncio
import os
import re
import shutil
import signal
from dataclasses import dataclass, field
from typing import Any

from flowrt.api import NodeError, js_string

_WORD = re.compile(r'(?:[^\s"]+|"[^"]*")+')
CHUNK = 65_536
"""Most bytes of one stdout or stderr message in spawn mode (a pipe's read)."""
STOP_GRACE = 2.0
"""Seconds a process group has to end after SIGTERM when its flow stops, before SIGKILL."""


def shell() -> str:
    """The shell a ``shell: true`` command runs in: bash where there is one (as Node-RED on
    Linux), else sh."""
    return "/bin/bash" if os.path.exists("/bin/bash") else shutil.which("sh") or "/bin/sh"


def words(line: str) -> list[str]:
    """The words of a command line as Node-RED's spawn mode splits it: at white space, except
    inside double quotes; a word that is wholly quoted loses its quotes. Nothing else is
    interpreted: no variable, glob, redirection, pipe, `;` or `$(...)`."""
    found = []
    for word in _WORD.findall(line):
        found.append(word[1:-1] if len(word) >= 2 and word[0] == word[-1] == '"' else word)
    return found


as_text = js_string
"""A message value as JavaScript's ``String(value)`` writes it, which is what Node-RED appends
to the command."""


def decoded(data: bytes) -> str | bytes:
    """Text when the bytes are UTF-8, else the bytes (Node-RED's ``isUtf8`` test)."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data


def signal_number(name: Any) -> signal.Signals:
    """The signal ``msg.kill`` names; SIGTERM for anything that is not a ``SIG...`` name."""
    if not isinstance(name, str) or not name.upper().startswith("SIG"):
        return signal.SIGTERM
    try:
        return signal.Signals[name.upper()]
    except KeyError:
        raise NodeError(f"msg.kill names no signal this system knows: {name!r}") from None


@dataclass
class Child:
    """One running command: its process (the leader of a process group of its own), what it
    has written so far in exec mode, and why it was stopped, if it was."""

    process: asyncio.subprocess.Process
    line: str
    killed_by: signal.Signals | None = None
    overflow: str | None = None
    """``stdout`` or ``stderr`` when that output went over the node's ``max_output``."""
    output: dict[str, bytearray] = field(
        default_factory=lambda: {"stdout": bytearray(), "stderr": bytearray()})

    @property
    def pid(self) -> int:
        return self.process.pid

    def kill(self, sig: signal.Signals = signal.SIGTERM) -> None:
        """Send ``sig`` to the whole process group (a shell and what it started)."""
        self.killed_by = self.killed_by or sig
        try:
            os.killpg(self.process.pid, sig)
        except (ProcessLookupError, PermissionError):
            pass

    def result(self) -> tuple[int | None, str | None]:
        """(exit code, None) or (None, signal name) once the process ended."""
        code = self.process.returncode
        if code is not None and code < 0:
            return None, signal.Signals(-code).name
        return code, None


async def start(line: str, argv: list[str] | None) -> Child:
    """Start ``argv`` (or ``line`` in the shell when ``argv`` is None) in a new session, so
    its process group can be killed whole; stdin is empty. OSError when it cannot start."""
    options: dict[str, Any] = {
        "stdin": asyncio.subprocess.DEVNULL, "stdout": asyncio.subprocess.PIPE,
        "stderr": asyncio.subprocess.PIPE, "start_new_session": True,
    }
    if argv is None:
        process = await asyncio.create_subprocess_exec(shell(), "-c", line, **options)
    else:
        process = await asyncio.create_subprocess_exec(*argv, **options)
    return Child(process, line)
