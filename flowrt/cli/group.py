"""Group options shared by `flowrt run` and `flowrt serve`, and `flowrt group status`."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import click

from flowrt.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE

if TYPE_CHECKING:
    from flowrt.group.failure import FailureRecord

F = TypeVar("F", bound=Callable[..., Any])


def group_options(command: F) -> F:
    """Add --group, --group-db, --worker and --group-poll to a command."""
    options = [
        click.option("--group", "group_name", metavar="NAME", envvar="FLOWRT_GROUP",
                     help="Run as one worker of this group [env: FLOWRT_GROUP]: sources that "
                          "must run once are held by one worker, MQTT subscriptions are shared."),
        click.option("--group-db", "group_db", metavar="URL", envvar="FLOWRT_GROUP_DB",
                     help="PostgreSQL database of the group's locks and members "
                          "[env: FLOWRT_GROUP_DB]."),
        click.option("--worker", "worker_name", metavar="NAME", envvar="FLOWRT_WORKER",
                     help="This worker's name in the group (default HOST:PID) "
                          "[env: FLOWRT_WORKER]."),
        click.option("--group-poll", type=click.FloatRange(0.1, 60.0), default=1.0,
                     show_default=True,
                     help="Seconds between the group's rounds: how soon a free singleton is "
                          "taken over."),
    ]
    for option in reversed(options):
        command = option(command)
    return command


def make_group(name: str | None, db: str | None, worker: str | None, poll: float,
               address: str = "") -> Any:
    """The Group for these options, or None; exits with a usage error when half given."""
    if not name and not db:
        return None
    if not name or not db:
        missing = "--group-db (or FLOWRT_GROUP_DB)" if name else "--group (or FLOWRT_GROUP)"
        click.echo(f"flowrt: error: a group needs both a name and a database: give {missing}",
                   err=True)
        sys.exit(EXIT_USAGE)
    if not db.startswith(("postgresql://", "postgres://", "postgresql+psycopg://")):
        click.echo("flowrt: error: --group-db must be a postgresql:// URL (the group's locks "
                   "are PostgreSQL advisory locks)", err=True)
        sys.exit(EXIT_USAGE)
    from flowrt.group import Group

    return Group(name, db, worker=worker, poll=poll, address=address)


def following(group: Any, paths: tuple[str, ...], until_idle: bool,
              check_ports: bool = False) -> Any:
    """How a `flowrt run` worker follows its group's revisions (a
    :class:`flowrt.run.follow.Following`): in a group with a database, when it runs one flows
    directory; else None (a note says why when a group database is given)."""
    if group is None or not group.url or until_idle:
        return None
    if len(paths) != 1 or not Path(paths[0]).is_dir():
        click.echo("flowrt: note: this worker does not follow the group's revisions: give "
                   "`flowrt run` one flows directory for that", err=True)
        return None
    from flowrt.run.follow import Following
    from flowrt.server.files import FlowFiles

    files = FlowFiles(Path(paths[0]))
    return Following(files.root, files.snapshot, files.replace_all, check_ports,
                     failures=_failures(group.name, files.root))


def _failures(group: str, flows: Path) -> FailureRecord:
    """Where a `flowrt run` worker remembers the group revision that failed on it: in the
    ``--state-dir`` when given, else beside the flows directory."""
    from flowrt.group.failure import FailureRecord
    from flowrt.run.journal_file import settings

    return FailureRecord.of(group, flows, settings().state_dir)


def take_revision(name: str | None, db: str | None, paths: tuple[str, ...]) -> None:
    """Before `flowrt run` in a group with a database reads its one flows directory, write the
    group's newest revision into it: a worker joining (or whose files have errors) starts on
    the group's flows. When that fails (the database does not answer, the revision names a
    file outside the directory) the files stay as they are, and a note says why. A revision
    that failed on this worker before (:mod:`flowrt.group.failure`) is not taken."""
    if not name or not db or len(paths) != 1 or not Path(paths[0]).is_dir():
        return
    from flowrt.group.postgres import plain_postgres_url
    from flowrt.group.revisions import fetch, newest, snapshot_hash
    from flowrt.server.files import FlowFiles

    files = FlowFiles(Path(paths[0]))

    async def take() -> None:
        import psycopg

        async with await psycopg.AsyncConnection.connect(
                plain_postgres_url(db), autocommit=True, connect_timeout=5) as conn:
            cur = await conn.execute("SELECT to_regclass('flowrt_group_revision') IS NOT NULL")
            made = await cur.fetchone()
            latest = await newest(conn, name) if made and made[0] else None
            if latest is None or latest.hash == snapshot_hash(files.snapshot()):
                return
            failed = _failures(name, files.root).read()
            if failed is not None and failed.id == latest.id:
                click.echo(f"flowrt: note: the group's revision {latest.hash} failed on this "
                           "worker before; it starts on its own files until a newer one comes",
                           err=True)
                return
            rev = await fetch(conn, latest)
        files.replace_all(rev.files)
        click.echo(f"flowrt: note: the flows directory now holds the group's revision "
                   f"{rev.hash} by {rev.author}", err=True)

    try:
        asyncio.run(take())
    except Exception as exc:
        from flowrt.secrets.redact import redact

        text = redact(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc))
        click.echo(f"flowrt: note: the group's revision was not taken at start ({text}); "
                   "this worker starts on its own files", err=True)


@click.group("group")
def group_cli() -> None:
    """Look at a group of workers."""


@group_cli.command("status")
@click.option("--group", "group_name", metavar="NAME", envvar="FLOWRT_GROUP", required=True)
@click.option("--group-db", "group_db", metavar="URL", envvar="FLOWRT_GROUP_DB",
              help="The group's PostgreSQL database; without it, the local group of this host "
                   "(flowrt run --workers).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON.")
@click.option("--alive-after", type=float, default=5.0, show_default=True,
              help="A worker not seen for this many seconds is shown as gone.")
def status(group_name: str, group_db: str | None, as_json: bool, alive_after: float) -> None:
    """List the group's workers: alive or gone, messages read, singletons held.

    Exit status: 0 listed, 1 no worker of the group is alive, 2 the database cannot be read.
    """
    from flowrt.group.postgres import ALIVE, TABLE, plain_postgres_url

    def read_local() -> list[dict[str, Any]]:
        from dataclasses import asdict

        from flowrt.group.local import group_directory, read_members

        return [asdict(m) for m in read_members(group_directory(group_name))]

    newest = ""

    async def read(db: str) -> list[dict[str, Any]]:
        import psycopg

        from flowrt.group.revisions import TABLE as REVISIONS

        nonlocal newest
        async with await psycopg.AsyncConnection.connect(
            plain_postgres_url(db), autocommit=True, connect_timeout=5
        ) as conn:
            # to_jsonb: a member table of an earlier version has no revision columns
            cur = await conn.execute(
                "SELECT worker, host, pid, address, started, seen, messages, holds, "
                + ALIVE + f", coalesce(to_jsonb({TABLE}) ->> 'revision', ''), "
                f"coalesce(to_jsonb({TABLE}) ->> 'deploy_error', '') FROM " + TABLE +
                " WHERE group_name = %s ORDER BY worker", (alive_after, group_name))
            names = ("worker", "host", "pid", "address", "started", "seen", "messages",
                     "holds", "alive", "revision", "deploy_error")
            rows = [dict(zip(names, row, strict=True)) for row in await cur.fetchall()]
            cur = await conn.execute("SELECT to_regclass(%s) IS NOT NULL", (REVISIONS,))
            made = await cur.fetchone()
            if made and made[0]:
                cur = await conn.execute(
                    f"SELECT hash FROM {REVISIONS} WHERE group_name = %s ORDER BY id DESC "
                    "LIMIT 1", (group_name,))
                found = await cur.fetchone()
                newest = found[0] if found else ""
            return rows

    try:
        rows = asyncio.run(read(group_db)) if group_db else read_local()
    except Exception as exc:
        where = "the database" if group_db else "this host"
        click.echo(f"flowrt: error: cannot read the group from {where}: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if as_json:
        out = [{**r, "started": r["started"].isoformat(), "seen": r["seen"].isoformat(),
                "holds": list(r["holds"] or ())} for r in rows]
        click.echo(json.dumps({"group": group_name, "revision": newest or None,
                               "workers": out}, indent=2))
    else:
        click.echo("\n".join(_table(rows, newest)))
    sys.exit(EXIT_OK if any(r["alive"] for r in rows) else EXIT_PROBLEMS)


def _table(rows: list[dict[str, Any]], newest: str) -> list[str]:
    """The workers as a table; a worker running another revision than the group's newest is
    marked ``(old)``, and a failed deploy is printed under the table."""
    def revision(r: dict[str, Any]) -> str:
        hash_ = r.get("revision") or "-"
        return hash_ + (" (old)" if newest and r["alive"] and hash_ != newest else "")

    table = [("worker", "state", "messages", "holds", "revision", "last seen")] + [
        (r["worker"], "alive" if r["alive"] else "gone", str(r["messages"]),
         (", ".join(r["holds"] or ()) if r["alive"] else "") or "-", revision(r),
         r["seen"].strftime("%Y-%m-%d %H:%M:%S"))
        for r in rows
    ]
    widths = [max(len(row[i]) for row in table) for i in range(len(table[0]))]
    lines = ["  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip()
             for row in table]
    if newest:
        lines.append(f"group revision: {newest}")
    lines += [f"deploy failed on {r['worker']}: {r['deploy_error']}"
              for r in rows if r.get("deploy_error") and r["alive"]]
    return lines
