"""The parent of ``flowrt run --workers N``: N worker processes of the same flows on this host.

The parent runs no flow itself. It starts each worker as ``python -m flowrt`` with the same
command line, ``FLOWRT_WORKER_INDEX`` (0 to N-1, for flows that name their worker, such as an
MQTT client id) and ``FLOWRT_WORKER_SLOT`` (its index, the pipe it watches, where it leaves its
summary) set, each in a session of its own, so a Ctrl-C at the terminal reaches the parent alone and
the workers get exactly one SIGTERM from it. Then it:

- restarts a worker that ends on its own (a crash, kill -9, an exit status), after a back-off
  that doubles with each quick failure in a row (a worker that ends within ``STEADY`` seconds
  of its start) up to ``MAX_BACKOFF``, and gives up, stopping the others and failing, after
  ``GIVE_UP`` quick failures in a row of one worker;
- forwards SIGTERM and SIGINT to every worker, which drains as ``flowrt run`` does; a second
  signal is forwarded too, which stops the workers at once;
- keeps the write end of a pipe whose read end every worker watches: if the parent itself is
  killed, the workers see the pipe close and stop gracefully rather than run on unsupervised;
- at the end prints one summary: each node's counts summed over every worker that stopped
  cleanly, and the messages read by each worker.
"""

from __future__ import annotations

import asyncio
import json
import logging
import os
import shutil
import signal
import sys
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

log = logging.getLogger("flowrt.workers")

STEADY = 10.0
"""A worker that ran this long before it ended was not failing at start: its back-off resets."""
GIVE_UP = 5
"""Quick failures in a row of one worker after which the parent stops everything and fails."""
FIRST_BACKOFF = 0.5
MAX_BACKOFF = 30.0


_STOPPED = (0, -signal.SIGTERM, -signal.SIGINT)
"""How a worker ends when stopped: cleanly, or by our own signal before it could handle it."""


def _signal_name(number: int) -> str:
    try:
        return signal.Signals(number).name
    except ValueError:
        return f"signal {number}"


@dataclass
class Worker:
    index: int
    process: asyncio.subprocess.Process | None = None
    started: float = 0.0
    failures: int = 0
    """Quick failures in a row."""
    restarts: int = 0
    codes: list[int] = field(default_factory=list)


class Supervisor:
    """Start ``count`` workers running ``args`` (a ``flowrt`` command line) and keep them up."""

    def __init__(self, count: int, args: list[str], env: dict[str, str]) -> None:
        self.count = count
        self.args = args
        self.env = env
        self.workers = [Worker(i) for i in range(count)]
        self.summaries = Path(tempfile.mkdtemp(prefix="flowrt-workers-"))
        self.stopping = False
        self.gave_up = False
        self._signals = 0
        self._watch_r, self._watch_w = os.pipe()

    async def run(self) -> int:
        """Run until a signal (or giving up); the exit status for the parent."""
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, self._on_signal, sig)
        try:
            await asyncio.gather(*(self._keep(worker) for worker in self.workers))
        finally:
            for sig in (signal.SIGINT, signal.SIGTERM):
                loop.remove_signal_handler(sig)
            os.close(self._watch_r)
            os.close(self._watch_w)
        clean = all(w.codes and w.codes[-1] in _STOPPED for w in self.workers)
        return 1 if self.gave_up or not clean else 0

    def _on_signal(self, sig: signal.Signals) -> None:
        self._signals += 1
        if self._signals == 1:
            log.info("stopping: each worker drains what is in flight (Ctrl-C again to quit)")
        self.stopping = True
        for worker in self.workers:
            self._send(worker, sig if self._signals == 1 else signal.SIGTERM)

    def _send(self, worker: Worker, sig: signal.Signals) -> None:
        process = worker.process
        if process is not None and process.returncode is None:
            try:
                process.send_signal(sig)
            except ProcessLookupError:
                pass

    async def _keep(self, worker: Worker) -> None:
        """Run one worker slot: start, wait, restart with back-off, until stopping."""
        while not self.stopping:
            await self._start(worker)
            assert worker.process is not None
            if self.stopping:  # the signal came while it was starting: it gets one too
                self._send(worker, signal.SIGTERM)
            code = await worker.process.wait()
            worker.codes.append(code)
            how = f"killed by {_signal_name(-code)}" if code < 0 else f"exit status {code}"
            if self.stopping:
                if code not in _STOPPED:
                    log.error("worker w%d (pid %d) did not stop cleanly: %s", worker.index,
                              worker.process.pid, how)
                return
            lived = time.monotonic() - worker.started
            worker.failures = worker.failures + 1 if lived < STEADY else 1
            if worker.failures >= GIVE_UP:
                log.error("worker w%d failed %d times in a row, each within %.0f s of its start "
                          "(%s); stopping every worker", worker.index, worker.failures, STEADY,
                          how)
                self.gave_up = True
                self._on_signal(signal.SIGTERM)
                return
            delay = min(FIRST_BACKOFF * 2 ** (worker.failures - 1), MAX_BACKOFF)
            log.warning("worker w%d (pid %d) ended, %s, after %.1f s; restarting it in %.1f s",
                        worker.index, worker.process.pid, how, lived, delay)
            deadline = time.monotonic() + delay
            while not self.stopping and time.monotonic() < deadline:
                await asyncio.sleep(min(0.1, delay))
            worker.restarts += 1

    async def _start(self, worker: Worker) -> None:
        slot = {"index": worker.index, "fd": self._watch_r, "summaries": str(self.summaries)}
        env = {**self.env, "FLOWRT_WORKER_SLOT": json.dumps(slot),
               "FLOWRT_WORKER_INDEX": str(worker.index)}
        worker.process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "flowrt", *self.args, env=env, start_new_session=True,
            pass_fds=(self._watch_r,), stdin=asyncio.subprocess.DEVNULL)
        worker.started = time.monotonic()
        log.info("worker w%d started (pid %d)", worker.index, worker.process.pid)

    def summary(self) -> tuple[list[tuple[str, str, int, int]], list[dict[str, Any]], int]:
        """(per-node counts summed over the workers, each worker's record, failed messages)
        from the summaries the workers left when they stopped; the directory is removed."""
        totals: dict[tuple[str, str], list[int]] = {}
        records = []
        failed = 0
        for path in sorted(self.summaries.glob("*.json")):
            record = json.loads(path.read_text())
            records.append(record)
            failed += record["failed"]
            for node, kind, received, produced in record["summary"]:
                counts = totals.setdefault((node, kind), [0, 0])
                counts[0] += received
                counts[1] += produced
        shutil.rmtree(self.summaries, ignore_errors=True)
        rows = [(node, kind, c[0], c[1]) for (node, kind), c in totals.items()]
        return rows, records, failed


def supervise(count: int, args: list[str], env: dict[str, str]) -> tuple[int, Supervisor]:
    """Run the workers to the end; (exit status, the supervisor for its summary)."""
    supervisor = Supervisor(count, args, env)
    return asyncio.run(supervisor.run()), supervisor
