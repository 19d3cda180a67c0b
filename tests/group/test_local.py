"""The local backend of a group (file locks of one host, no database): one worker holds a
singleton, the other takes it over when the holder leaves or its process dies; the member
records show who is alive and holds what; the directory must be private."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
from pathlib import Path

import pytest

from flowrt.errors import ConfigError
from flowrt.group import Group
from flowrt.group.local import LocalBackend, group_directory
from tests.support.waiting import eventually


def local(directory: Path, worker: str) -> Group:
    return Group("g", backend=LocalBackend(directory), worker=worker, poll=0.1)


def test_one_worker_holds_a_singleton_and_the_other_takes_over_when_it_leaves(
    tmp_path: Path,
) -> None:
    async def scenario() -> None:
        a, b = local(tmp_path, "a"), local(tmp_path, "b")
        await a.start()
        await b.start()
        try:
            la = a.lease("tick")
            await eventually(lambda: la.held, "a to take the free lease")
            lb = b.lease("tick")
            await eventually(lambda: b.holder("tick") == "a", "b to see that a holds it")
            assert not lb.held, "two workers hold one singleton"
            assert {m.worker for m in b.members if m.alive} == {"a", "b"}
            await a.stop()
            await eventually(lambda: lb.held, "b to take over")
            await eventually(lambda: [m.worker for m in b.members if m.alive] == ["b"],
                             "a to show as gone")
            assert [m.holds for m in b.members if m.worker == "b"] == [("tick",)]
        finally:
            await a.stop()
            await b.stop()

    asyncio.run(scenario())


HOLDER = """\
import asyncio, sys
from pathlib import Path
from flowrt.group import Group
from flowrt.group.local import LocalBackend

async def main():
    group = Group("g", backend=LocalBackend(Path(sys.argv[1])), worker="dies", poll=0.1)
    await group.start()
    lease = group.lease("tick")
    await lease.granted()
    print("held", flush=True)
    await asyncio.sleep(3600)

asyncio.run(main())
"""


def test_the_lease_of_a_process_killed_outright_is_taken_over(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", HOLDER, str(tmp_path)],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"

        async def scenario() -> None:
            b = local(tmp_path, "b")
            await b.start()
            try:
                lb = b.lease("tick")
                await eventually(lambda: b.holder("tick") == "dies", "b to see the holder")
                assert not lb.held
                holder.kill()
                await eventually(lambda: lb.held, "b to take over from the killed process")
            finally:
                await b.stop()

        asyncio.run(scenario())
    finally:
        holder.kill()
        holder.communicate()


def test_a_group_directory_open_to_others_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("FLOWRT_RUNTIME_DIR", str(tmp_path / "run"))
    made = group_directory("plant")
    assert made.parent == tmp_path / "run" and made.stat().st_mode & 0o777 == 0o700
    os.chmod(made, 0o777)
    with pytest.raises(ConfigError, match="open to others"):
        group_directory("plant")


def test_a_group_stops_however_its_loop_is_caught_by_the_stop(tmp_path: Path) -> None:
    """Stops landing at every moment of the loop (a poll of a millisecond): each one ends. A
    cancellation swallowed by Python 3.11's wait_for used to leave stop() waiting for ever."""

    async def scenario() -> None:
        for i in range(150):
            group = Group("g", backend=LocalBackend(tmp_path), worker=f"w{i % 3}", poll=0.001)
            await group.start()
            group.lease("tick")
            await asyncio.sleep((i % 7) * 0.0007)
            await asyncio.wait_for(group.stop(), 30)  # a hang fails here, not the whole run

    asyncio.run(scenario())


def test_a_supervisor_starting_forgets_the_members_an_earlier_run_left(tmp_path: Path) -> None:
    """An earlier run's records (their process gone) would list as `gone` beside this run's
    workers; a live member's record stays."""
    from flowrt.group.local import hold_parent_lock, read_members

    async def scenario() -> None:
        earlier, live = local(tmp_path, "w0"), local(tmp_path, "w1")
        await earlier.start()
        await live.start()
        try:
            await eventually(lambda: len(read_members(tmp_path)) == 2, "both records")
            await earlier.stop()
            await eventually(lambda: [m.worker for m in read_members(tmp_path) if not m.alive]
                             == ["w0"], "w0 to show as gone")
            hold_parent_lock(tmp_path, "g")
            assert [(m.worker, m.alive) for m in read_members(tmp_path)] == [("w1", True)]
        finally:
            await live.stop()

    asyncio.run(scenario())
