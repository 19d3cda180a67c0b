"""Worker processes for the fault tests: real ``python -m flowrt run`` processes, started,
killed and stopped as an operator (or a crash) would, with their JSON logs collected.

Each worker runs in a session of its own, so a signal to the test's terminal or process group
is not the worker's. Killing it kills every process it is made of: its process group, and the
processes it started in sessions of their own (an exec node's command), found in ``/proc``
(:mod:`tests.faults.processes`). A guard process kills them too if the test process dies
without cleaning up (SIGTERM from ``timeout``, SIGKILL). Its stderr is read line by line on a
thread; ``--log-format json``
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

from tests.faults.processes import Guard, family, kill_family
from tests.support.waiting import wait_until

ROOT = Path(__file__).resolve().parents[2]
T = TypeVar("T")
WATCH_EVERY = 0.5
"""Seconds between two looks at the processes a worker is made of."""


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
        self.sessions: set[int] = set()
        """The sessions of the processes it is made of, as last seen."""
        self.swept = False
        self.leftovers: set[int] = set()
        """Processes of a worker stopped with SIGTERM that were still alive after it exited,
        killed then."""

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
        self.sessions = {self.process.pid}
        Guard.watch(self.process.pid)
        self._reader = threading.Thread(target=self._read, name=f"log-{self.name}", daemon=True)
        self._reader.start()
        threading.Thread(target=self._watch, name=f"procs-{self.name}", daemon=True).start()
        return self

    def _watch(self) -> None:
        """Keep ``sessions`` current while the worker lives: what it started in a session of
        its own is found by that session once the worker is dead (its parent link is gone)."""
        process = self.process
        assert process is not None
        while process.poll() is None:
            self.sessions = family(process.pid, self.sessions)[1]
            time.sleep(WATCH_EVERY)

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
        """``kill -9`` every process of the worker: no drain, no acknowledgement, no goodbye."""
        kill_family(self.pid, self.sessions)
        assert self.process is not None
        self.exit_code = self.process.wait(30)
        self.killed = True
        self._gone()

    def stop(self, timeout: float = 60.0) -> int:
        """SIGTERM, as a service manager stops it: the worker drains, acknowledges and exits."""
        assert self.process is not None
        if self.process.poll() is None:
            self.sessions = family(self.pid, self.sessions)[1]
            self.process.send_signal(signal.SIGTERM)
            try:
                self.exit_code = self.process.wait(timeout)
            except subprocess.TimeoutExpired:
                self.cleanup()
                raise AssertionError(
                    f"worker {self.name} did not stop within {timeout:.0f} s of SIGTERM\n"
                    + self.tail()
                ) from None
        else:
            self.exit_code = self.process.returncode
        self.leftovers = kill_family(self.pid, self.sessions)
        self._gone()
        return self.exit_code

    def _gone(self) -> None:
        """Every process of the worker is dead: the guard forgets it, its log is read."""
        self.swept = True
        Guard.forget(self.pid)
        self._join_reader()

    def _join_reader(self) -> None:
        if self._reader is not None:
            self._reader.join(10)
        if self.process is not None and self.process.stderr is not None:
            self.process.stderr.close()

    def cleanup(self) -> None:
        """Kill what is left (a test that failed half-way): every process of the worker, the
        worker itself or not (what it started outlives it)."""
        if self.process is None or self.swept:
            return
        kill_family(self.pid, self.sessions)
        self.process.wait(30)
        self._gone()

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
    try:
        yield [worker.start() for worker in made]
    finally:
        failures = []
        for worker in made:
            try:
                worker.cleanup()
            except Exception as exc:  # the others are cleaned up all the same
                failures.append(exc)
        if failures:
            raise failures[0]


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
