"""No process a fault test starts outlives it: a worker killed with ``kill -9`` takes along what
it started in a session of its own (an exec node's command), a worker stopped or cleaned up too,
and the workers of a test process that dies without cleaning up (SIGKILL) are killed by the
guard (tests/faults/processes.py)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.faults.harness import ROOT, Worker, tag, workers, write_flow
from tests.faults.processes import family, kill_family, processes
from tests.support.waiting import wait_until

SLEEP = "sleep 600"
"""What the worker's exec node runs: a process in a session of its own, for ten minutes."""


@pytest.fixture
def flow() -> Iterator[Path]:
    """A flow that starts SLEEP at once, with the exec node (in a session of its own)."""
    with tempfile.TemporaryDirectory(prefix="flowrt-fault-procs-") as directory:
        yield write_flow(Path(directory), f"fault-procs-{tag()}", {"nodes": {
            "tick": {"type": "inject", "once": True, "once_delay": 0, "to": "run"},
            "run": {"type": "exec", "command": SLEEP, "property": None},
        }})


def sleeper(worker_pid: int) -> int:
    """The pid of the worker's exec command once it runs (0 before)."""
    for pid in family(worker_pid)[0]:
        try:
            command = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
        except OSError:
            continue
        if command.decode().strip() == SLEEP:
            return pid
    return 0


def alive(pid: int) -> bool:
    return pid in processes()


def test_kill_takes_along_what_the_worker_started_in_another_session(flow: Path) -> None:
    with workers(Worker(f"procs-{tag()}", [flow])) as (worker,):
        worker.wait_running()
        child = wait_until(lambda: sleeper(worker.pid), "the exec node's command")
        assert processes()[child].sid != worker.pid  # out of reach of the worker's group
        worker.kill()
        assert not alive(child), "the exec node's command outlived kill -9 of its worker"


def test_cleanup_takes_along_what_outlived_the_worker(flow: Path) -> None:
    worker = Worker(f"procs-{tag()}", [flow])
    with workers(worker):
        worker.wait_running()
        child = wait_until(lambda: sleeper(worker.pid), "the exec node's command")
        wait_until(lambda: processes()[child].sid in worker.sessions,
                   "the kit to see the command's session")
        os.kill(worker.pid, signal.SIGKILL)  # the worker alone dies: its command lives on
        worker.process.wait(30)  # type: ignore[union-attr]
        assert alive(child)
    assert not alive(child), "the exec node's command outlived the test's cleanup"


DRIVER = """
import sys, time
from pathlib import Path
from tests.faults.harness import Worker
worker = Worker("procs-driver", [Path(sys.argv[1])]).start()
worker.wait_running()
print(worker.pid, flush=True)
time.sleep(600)
"""


def test_the_workers_of_a_test_process_killed_outright_are_killed(flow: Path) -> None:
    """The test process gets SIGKILL (no ``finally`` runs): the guard kills its workers and
    what they started."""
    driver = subprocess.Popen([sys.executable, "-c", DRIVER, str(flow)], cwd=ROOT,
                              stdout=subprocess.PIPE, start_new_session=True)
    worker_pid = 0
    try:
        assert driver.stdout is not None
        worker_pid = int(driver.stdout.readline() or 0)
        assert worker_pid, "the driver started no worker"
        child = wait_until(lambda: sleeper(worker_pid), "the exec node's command")
        driver.kill()
        driver.wait(30)
        wait_until(lambda: not alive(worker_pid) and not alive(child),
                   "the guard to kill the worker and its command")
    finally:
        driver.kill()
        driver.wait(30)
        driver.stdout.close()  # type: ignore[union-attr]
        if worker_pid:
            kill_family(worker_pid)
