"""`flowrt run --workers N`: every core of one host, no database.

The parent process checks the flows once, refuses what cannot work with several processes,
then supervises N workers (:mod:`flowrt.group.supervisor`). Each worker is the same ``flowrt
run`` command with ``FLOWRT_WORKER_SLOT`` set, and a member of a group: ``--group NAME`` if
given, else a name derived from the flow paths. Without ``--group-db`` the group's leases are
file locks of this host (:mod:`flowrt.group.local`); with it, the PostgreSQL group, so the
workers of several hosts can form one group.
"""

from __future__ import annotations

import asyncio
import hashlib
import json
import logging
import os
import re
import signal
import socket
import sys
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn, TypeVar

import click

from flowrt.cli.common import EXIT_PROBLEMS, EXIT_USAGE

T = TypeVar("T")
SLOT_VARIABLE = "FLOWRT_WORKER_SLOT"
log = logging.getLogger("flowrt.workers")


def cpu_count() -> int:
    """The CPUs this process may run on (its affinity, not only the machine's count)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        return os.cpu_count() or 1


class WorkerCount(click.ParamType[int]):
    """A number of workers ≥ 1, or ``auto`` for one per CPU."""

    name = "N|auto"

    def convert(self, value: Any, param: click.Parameter | None,
                ctx: click.Context | None) -> int:
        if isinstance(value, int) and value >= 1:
            return value
        text = str(value).strip().lower()
        if text == "auto":
            return cpu_count()
        if text.isdecimal() and int(text) >= 1:
            return int(text)
        self.fail(f"expected a number of workers (1 or more) or 'auto', got {value!r}",
                  param, ctx)


WORKERS_OPTION = click.option(
    "--workers", type=WorkerCount(), envvar="FLOWRT_WORKERS",
    help="Run N worker processes of the flows on this host, supervised by this one (auto: one "
         "per CPU). They form a group (--group, or one named after the flow paths): shared "
         "sources split the load, a singleton runs on one worker; no database is needed "
         "[env: FLOWRT_WORKERS].")


@dataclass(frozen=True)
class Slot:
    """What a worker process got from its parent."""

    index: int
    fd: int
    """The read end of the parent's pipe: it closes when the parent is gone."""
    summaries: Path

    @property
    def name(self) -> str:
        return f"w{self.index}"


def worker_slot() -> Slot | None:
    """This process's slot when a ``flowrt run --workers`` parent started it, else None."""
    text = os.environ.get(SLOT_VARIABLE)
    if not text:
        return None
    data = json.loads(text)
    return Slot(int(data["index"]), int(data["fd"]), Path(data["summaries"]))


def project_group_name(paths: tuple[str, ...]) -> str:
    """A group name for these flow paths: the first one's name and a hash of them all
    (absolute), so two projects on one host never share a group by chance."""
    resolved = sorted(str(Path(p).resolve()) for p in paths)
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(paths[0]).resolve().stem).strip("-") or "flows"
    digest = hashlib.sha256("\0".join(resolved).encode()).hexdigest()[:8]
    return f"{stem[:40]}-{digest}"


def refuse(count: int, *, until_idle: bool, mqtt_broker: str | None,
           context_url: str | None) -> None:
    """Exit with a usage error, saying what to do, for options that cannot work with
    ``count`` worker processes."""
    problems = []
    if until_idle:
        problems.append("--until-idle runs a batch to its end in one process, and --workers "
                        "shares sources that do not end: drop one of the two")
    if mqtt_broker:
        problems.append("--mqtt-broker starts a broker in the process, which the workers "
                        "cannot share (and it has no shared subscriptions): run a broker such "
                        "as Mosquitto on its own and point the flows at it")
    if count > 1 and context_url and not context_url.startswith(("postgres", "postgresql")):
        problems.append("--context-store " + context_url.split(":", 1)[0] + " keeps context "
                        "in a file each worker would load once and overwrite with its own "
                        "values: use --workers 1, or a postgresql:// context store")
    for problem in problems:
        click.echo(f"flowrt: error: {problem}", err=True)
    if problems:
        sys.exit(EXIT_USAGE)
    if count > 1 and context_url:
        click.echo("flowrt: warning: with --workers each worker keeps its own copy of the "
                   "persisted context and writes back the keys it changed (the last writer "
                   "wins): keep shared state in a database table, not in context", err=True)


def run_parent(count: int, paths: tuple[str, ...], group_name: str | None,
               group_db: str | None, own: dict[str, str]) -> NoReturn:
    """Supervise ``count`` workers running this command line; exit with their outcome.
    ``own``: flowrt's own variables, taken out of this process's environment (see
    flowrt.secrets.references), which the workers need as much as the parent did."""
    from flowrt.errors import ConfigError
    from flowrt.group.local import group_directory, hold_parent_lock
    from flowrt.group.supervisor import supervise
    from flowrt.run.main import render_summary

    name = group_name or project_group_name(paths)
    try:  # with a group database too: the workers' names (HOST-w0, ...) would clash
        hold_parent_lock(group_directory(name), name)
    except ConfigError as exc:
        click.echo(f"flowrt: error: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    log.info("group %s: starting %d worker%s on this host (%s)", name, count,
             "s"[: count != 1], "PostgreSQL group" if group_db else "local locks")
    env = {**os.environ, **own, "FLOWRT_GROUP": name}
    code, supervisor = supervise(count, sys.argv[1:], env)
    rows, records, failed = supervisor.summary()
    lines = [render_summary(rows)] if rows else []
    for record in sorted(records, key=lambda r: (r["worker"], r["pid"])):
        lines.append(f"worker {record['worker']} (pid {record['pid']}): read "
                     f"{record['messages']} message(s)")
    restarts = sum(w.restarts for w in supervisor.workers)
    if restarts:
        lines.append(f"{restarts} restart(s); the counts of a worker that did not stop "
                     "cleanly are missing above")
    if lines:
        click.echo("\n".join(lines), err=True)
    if failed:
        click.echo(f"{failed} message(s) failed with errors no catch node took", err=True)
    sys.exit(code and EXIT_PROBLEMS)


def worker_group(slot: Slot, name: str, db: str | None, worker: str | None,
                 poll: float) -> Any:
    """The Group of a worker process: local file locks, or the PostgreSQL group."""
    from flowrt.group import Group

    if db:
        return Group(name, db, worker=f"{worker or socket.gethostname()}-{slot.name}",
                     poll=poll)
    from flowrt.group.local import LocalBackend, group_directory

    return Group(name, backend=LocalBackend(group_directory(name)),
                 worker=f"{worker}-{slot.name}" if worker else slot.name, poll=poll)


async def supervised(slot: Slot, running: Coroutine[Any, Any, T]) -> T:
    """Run a worker's flows; when the parent's pipe closes (the parent was killed), stop
    gracefully as on SIGTERM."""
    loop = asyncio.get_running_loop()

    def parent_gone() -> None:
        loop.remove_reader(slot.fd)
        log.warning("the parent flowrt process is gone: stopping this worker")
        os.kill(os.getpid(), signal.SIGTERM)

    loop.add_reader(slot.fd, parent_gone)
    try:
        return await running
    finally:
        loop.remove_reader(slot.fd)


def leave_summary(slot: Slot, worker: str, summary: list[tuple[str, str, int, int]],
                  failed: int, messages: int) -> None:
    """Write this worker's summary for the parent to add up."""
    path = slot.summaries / f"{slot.name}-{os.getpid()}.json"
    path.write_text(json.dumps({"worker": worker, "pid": os.getpid(), "summary": summary,
                                "failed": failed, "messages": messages}))
