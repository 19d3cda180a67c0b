"""Running a Markdown page's blocks in order, in a scratch directory, as a reader would.

The scratch directory holds a copy of the example flows in ``flows/`` (and what the blocks'
``before:`` and ``file:`` directives add). Each shell command runs with bash there, with the
project's venv first on PATH and no ``FLOWRT_*`` variable of the test process. A command that
keeps running (``flowrt serve``, ``flowrt run`` of a flow that never ends) must show that it
started (``/health`` answers, or the log says it is running) and then stop cleanly on SIGTERM.
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx

from tests.support.servers import free_port

BIN = Path(sys.executable).parent
STARTED = re.compile(r"running \d+ nodes? in \d+ flows?|Uvicorn running|\d+ workers? running")
"""What `flowrt run` and `flowrt serve` log once the flows run."""
SETTLE = 2.0
"""Seconds a started command runs before SIGTERM, as a reader's would: a stop in the first
instants of a run is a case of its own, for the runtime's tests."""
LONG_RUNNING = re.compile(r"\bflowrt (serve|run)\b(?!.*--until-idle)")


class BlockFailed(Exception):
    """A block did not do what the page says."""


@dataclass
class Result:
    command: str
    status: int
    output: str


class Shell:
    """Runs commands in the scratch directory; remembers the output of the last one."""

    def __init__(self, scratch: Path) -> None:
        self.scratch = scratch
        self.last: list[Result] = []
        env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWRT_")}
        env.update(PATH=f"{BIN}{os.pathsep}{env.get('PATH', '')}", NO_COLOR="1",
                   COLUMNS="200", VIRTUAL_ENV=str(BIN.parent))
        self.env = env

    def run(self, command: str, status: int = 0, timeout: float = 180,
            stdin: str = "") -> Result:
        """Run a command to its end, ``stdin`` on its standard input; it must exit with
        ``status``."""
        if LONG_RUNNING.search(command):
            return self.start_and_stop(command, status)
        exported = re.fullmatch(r"export (\w+)=(\"[^\"]*\"|'[^']*'|\S*)", command)
        if exported:  # for the commands after it, as in the reader's shell
            name = exported.group(1)
            value = self._run(f'{{ {command}; }} 2>/dev/null && printf %s "${name}"', status,
                              timeout, stdin)
            self.env[name] = value.output
            return value
        return self._run(command, status, timeout, stdin)

    def _run(self, command: str, status: int, timeout: float, stdin: str) -> Result:
        try:
            done = subprocess.run(["bash", "-c", command], cwd=self.scratch, env=self.env,
                                  stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                  timeout=timeout, input=stdin)
        except subprocess.TimeoutExpired as exc:
            raise BlockFailed(f"`{command}` did not end within {timeout:.0f} s") from exc
        result = Result(command, done.returncode, done.stdout)
        self._expect(result, status)
        return result

    def _expect(self, result: Result, status: int) -> None:
        self.last.append(result)
        if result.status != status:
            raise BlockFailed(f"`{result.command}` exited {result.status}, expected {status}:\n"
                              f"{result.output[-3000:]}")

    def start_and_stop(self, command: str, status: int) -> Result:
        """A command that may keep running: it ends with ``status``, or starts and then stops
        with 0 on SIGTERM."""
        with self.running(command, must_start=False) as (result, started):
            pass
        self._expect(result, 0 if started else status)
        return result

    @contextlib.contextmanager
    def running(self, command: str, must_start: bool = True) -> Iterator[tuple[Result, bool]]:
        """Start a command that keeps running, wait until it runs its flows, stop it with
        SIGTERM on leaving. A server gets a free port instead of 1880, also in ``$PORT`` for the
        commands run meanwhile. The result is complete once left."""
        port = free_port()
        serve = re.search(r"\bflowrt serve\b", command) is not None
        command = command.replace(":1880", f":{port}")
        if serve and "--port" not in command:
            command += f" --port {port}"
        process = subprocess.Popen(["bash", "-c", command], cwd=self.scratch, env=self.env,
                                   stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                   start_new_session=True)
        lines: list[str] = []
        reader = threading.Thread(target=lambda: lines.extend(iter(process.stdout.readline, "")),
                                  daemon=True)  # type: ignore[union-attr]
        reader.start()
        result = Result(command, -1, "")
        try:
            started = self._wait_started(process, lines, port if serve else None)
            if must_start and not started:
                raise BlockFailed(f"`{command}` ended instead of running:\n{''.join(lines)}")
            self.env["PORT"] = str(port)
            yield result, started
            if started:
                time.sleep(SETTLE)
                os.killpg(process.pid, signal.SIGTERM)
            process.wait(timeout=90)
        except subprocess.TimeoutExpired as exc:
            raise BlockFailed(f"`{command}` did not stop within 90 s of SIGTERM:\n"
                              + "".join(lines)[-3000:]) from exc
        finally:
            self.env.pop("PORT", None)
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()
            reader.join(timeout=10)
            process.stdout.close()  # type: ignore[union-attr]
            result.status, result.output = process.returncode, "".join(lines)

    def _wait_started(self, process: subprocess.Popen[str], lines: list[str],
                      port: int | None, timeout: float = 90) -> bool:
        """True once the command runs its flows; False if it ended first."""
        deadline = time.monotonic() + timeout
        while process.poll() is None:
            if port is not None:
                try:
                    if httpx.get(f"http://127.0.0.1:{port}/health", timeout=2).is_success:
                        return True
                except httpx.HTTPError:
                    pass
            elif len(STARTED.findall("".join(lines))) >= _runners(str(process.args[-1])):
                return True
            if time.monotonic() > deadline:
                raise BlockFailed(f"`{process.args[-1]}` neither started nor ended within "
                                  f"{timeout:.0f} s:\n" + "".join(lines)[-3000:])
            time.sleep(0.2)
        return False


def _runners(command: str) -> int:
    """How many processes log that they run the flows: each of `--workers N`, else one."""
    workers = re.search(r"--workers[ =](\d+)", command)
    return int(workers.group(1)) if workers else 1


def normalise(text: str, scratch: Path) -> str:
    """Output as compared: the scratch path, times and durations made neutral, runs of blanks
    made one, blank lines dropped."""
    text = text.replace(f"{scratch}/", "").replace(str(scratch), ".")
    text = re.sub(r"\b\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:?\d\d)?", "<time>",
                  text)
    text = re.sub(r"\b\d\d:\d\d:\d\d(\.\d+)?\b", "<time>", text)
    text = re.sub(r"\b\d+(\.\d+)? ?ms\b", "<ms>", text)
    lines = (re.sub(r"[ \t]+", " ", line).strip() for line in text.splitlines())
    return "\n".join(line for line in lines if line)


def shows(expected: str, actual: str, scratch: Path) -> bool:
    """Whether ``actual`` is what ``expected`` shows; ``...`` in ``expected`` stands for any
    text, a line of ``...`` for any lines."""
    pattern = "".join(
        r"(?:[^\n]*\n)*?" if line == "..." else
        ".*?".join(re.escape(part) for part in line.split("...")) + "\n"
        for line in normalise(expected, scratch).splitlines())
    return re.fullmatch(pattern, normalise(actual, scratch) + "\n", re.S) is not None
