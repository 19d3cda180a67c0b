"""Worker processes for the fault tests: real ``python -m flowrt run`` processes, started,
killed and stopped as an operator (or a crash) would, with their JSON logs collected.

Each worker runs in a process group of its own, so ``kill -9`` reaches it and whatever it
started, and nothing else. Its stderr is read line by line on a thread; ``--log-format json``
makes every record a JSON object with ``level``, ``message`` and, for records about a node,
``node``. A worker counts as started once it logged "running N nodes".

Flows are written as JSON files into a directory of the test's own, under names with a random
suffix, so parallel runs never share a queue, topic, table or MQTT client id.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")


def tag() -> str:
    """A short random suffix for the names one run uses."""
    return uuid.uuid4().hex[:10]


def write_flow(directory: Path, name: str, flow: dict[str, Any]) -> Path:
    path = directory / f"{name}.json"
    path.write_text(json.dumps({"flowrt": 1, "id": name, **flow}, indent=2), encoding="utf-8")
    return path


def group_supported() -> bool:
    """True when ``flowrt run`` takes ``--group`` (workers sharing locks in PostgreSQL)."""
    done = subprocess.run(
        [sys.executable, "-m", "flowrt", "run", "--help"],
        capture_output=True, text=True, cwd=ROOT, timeout=60,
    )
    return "--group" in done.stdout


class Worker:
    """One ``flowrt run`` process: its name (``WORKER`` in its environment), pid and log."""

    def __init__(
        self,
        name: str,
        flows: list[Path],
        env: dict[str, str] | None = None,
        args: Iterable[str] = (),
    ) -> None:
        self.name = name
        self.flows = flows
        self.env = {**os.environ, "WORKER": name, **(env or {})}
        self.args = list(args)
        self.records: list[dict[str, Any]] = []
        self.process: subprocess.Popen[bytes] | None = None
        self._lock = threading.Lock()
        self._reader: threading.Thread | None = None
        self.exit_code: int | None = None
        self.killed = False

    # starting and stopping ---------------------------------------------------------------

    def start(self) -> Worker:
        command = [
            sys.executable, "-m", "flowrt", "run", *map(str, self.flows),
            "--log-format", "json", "--close-timeout", "15", *self.args,
        ]
        self.process = subprocess.Popen(
            command, cwd=ROOT, env=self.env, stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, name=f"log-{self.name}", daemon=True)
        self._reader.start()
        return self

    def _read(self) -> None:
        assert self.process is not None and self.process.stderr is not None
        for raw in self.process.stderr:
            line = raw.decode("utf-8", "replace").rstrip("\n")
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if not isinstance(record, dict):
                record = {"level": "text", "message": line}
            record["seen"] = time.monotonic()
            with self._lock:
                self.records.append(record)

    @property
    def pid(self) -> int:
        assert self.process is not None, f"worker {self.name} was not started"
        return self.process.pid

    def alive(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def running(self) -> bool:
        """True once the worker logged that its flows run."""
        return any(str(r.get("message", "")).startswith("running ") for r in self.log())

    def wait_running(self, timeout: float = 60.0) -> None:
        wait_for(self.running, f"worker {self.name} to log 'running'", timeout, workers=[self])

    def kill(self) -> None:
        """``kill -9`` the worker's process group: no drain, no acknowledgement, no goodbye."""
        os.killpg(self.pid, signal.SIGKILL)
        assert self.process is not None
        self.exit_code = self.process.wait(30)
        self.killed = True
        self._join_reader()

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, as a service manager stops it: the worker drains, acknowledges and exits."""
        assert self.process is not None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.exit_code = self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                os.killpg(self.pid, signal.SIGKILL)
                self.exit_code = self.process.wait(30)
                raise AssertionError(
                    f"worker {self.name} did not stop within {timeout:.0f} s of SIGTERM\n"
                    + self.tail()
                ) from None
        else:
            self.exit_code = self.process.returncode
        self._join_reader()
        return self.exit_code

    def _join_reader(self) -> None:
        if self._reader is not None:
            self._reader.join(10)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()

    def cleanup(self) -> None:
        """Kill what is left (a test that failed half-way)."""
        if self.alive():
            try:
                os.killpg(self.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            assert self.process is not None
            self.process.wait(30)
        self._join_reader()

    # what it says ------------------------------------------------------------------------

    def log(self) -> list[dict[str, Any]]:
        with self._lock:
            return list(self.records)

    def node_log(self, node: str) -> list[dict[str, Any]]:
        return [r for r in self.log() if r.get("node") == node]

    def errors(self) -> list[dict[str, Any]]:
        return [r for r in self.log() if r.get("level") in ("error", "critical")]

    def tail(self, lines: int = 30) -> str:
        text = "\n".join(
            json.dumps({k: v for k, v in r.items() if k != "seen"}) for r in self.log()[-lines:]
        )
        return f"--- last log lines of worker {self.name} ---\n{text}"

    def rss(self) -> int:
        """The worker's resident memory in bytes (VmRSS of /proc/PID/status)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise AssertionError(f"no VmRSS for worker {self.name} (pid {self.pid})")


@contextmanager
def workers(*made: Worker) -> Iterator[list[Worker]]:
    """Start the workers; whatever happens, none is left running afterwards."""
    started: list[Worker] = []
    try:
        for worker in made:
            started.append(worker.start())
        yield started
    finally:
        for worker in started:
            worker.cleanup()


def wait_for(
    probe: Callable[[], T],
    what: str,
    timeout: float = 120.0,
    interval: float = 0.05,
    workers: Iterable[Worker] = (),
) -> T:
    """:func:`tests.support.waiting.wait_until`, which fails at once when one of ``workers``
    exited meanwhile, and shows their last log lines when it gives up."""
    watched = list(workers)

    def watching() -> T:
        found = probe()
        if not found:
            for worker in watched:
                if not worker.killed and not worker.alive():
                    raise _Exited(
                        f"worker {worker.name} exited while waiting for {what}\n{worker.tail()}"
                    )
        return found

    try:
        return wait_until(watching, what, timeout, interval)
    except _Exited:
        raise
    except AssertionError as exc:
        tails = "\n".join(w.tail() for w in watched)
        raise AssertionError(f"{exc}\n{tails}") from None


class _Exited(AssertionError):
    """A worker that should have kept running exited."""


@dataclass(frozen=True)
class Tally:
    """How a stream of numbered messages arrived: which were lost, how many came twice."""

    expected: int
    arrived: int
    lost: list[int]
    duplicated: int
    """Rows beyond the first for a number (a message written twice counts once here)."""
    unknown: list[int]

    def __str__(self) -> str:
        lost = f"{len(self.lost)} lost" + (f" (first: {self.lost[:10]})" if self.lost else "")
        return f"{self.arrived} rows for {self.expected} messages: {lost}, " \
            f"{self.duplicated} duplicated, {len(self.unknown)} unknown"


def tally(expected: Iterable[int], seen: Iterable[int]) -> Tally:
    want = set(expected)
    got = list(seen)
    distinct = set(got)
    return Tally(
        expected=len(want),
        arrived=len(got),
        lost=sorted(want - distinct),
        duplicated=len(got) - len(distinct),
        unknown=sorted(distinct - want),
    )


def reconnection(worker: Worker, node: str) -> tuple[dict[str, Any], dict[str, Any]] | None:
    """The first warning about node ``node`` losing its server (connection lost, write
    failed, cannot connect) and the first "reconnected" record after it, or None."""
    lost = None
    for record in worker.node_log(node):
        text = str(record.get("message", ""))
        if lost is None and record.get("level") == "warning" and any(
            s in text for s in ("connection lost", "write failed", "cannot connect")
        ):
            lost = record
        elif lost is not None and record.get("level") == "info" and "reconnected" in text:
            return lost, record
    return None
