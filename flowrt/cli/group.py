"""Group options shared by `flowrt run` and `flowrt serve`, and `flowrt group status`."""

from __future__ import annotations

import asyncio
import json
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import click

from flowrt.cli.common import EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE

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

    async def read(db: str) -> list[dict[str, Any]]:
        import psycopg

        async with await psycopg.AsyncConnection.connect(
            plain_postgres_url(db), autocommit=True, connect_timeout=5
        ) as conn:
            cur = await conn.execute(
                "SELECT worker, host, pid, address, started, seen, messages, holds, "
                + ALIVE + " FROM " + TABLE +
                " WHERE group_name = %s ORDER BY worker", (alive_after, group_name))
            names = ("worker", "host", "pid", "address", "started", "seen", "messages",
                     "holds", "alive")
            return [dict(zip(names, row, strict=True)) for row in await cur.fetchall()]

    try:
        rows = asyncio.run(read(group_db)) if group_db else read_local()
    except Exception as exc:
        where = "the database" if group_db else "this host"
        click.echo(f"flowrt: error: cannot read the group from {where}: {exc}", err=True)
        sys.exit(EXIT_USAGE)
    if as_json:
        out = [{**r, "started": r["started"].isoformat(), "seen": r["seen"].isoformat(),
                "holds": list(r["holds"] or ())} for r in rows]
        click.echo(json.dumps({"group": group_name, "workers": out}, indent=2))
    else:
        table = [("worker", "state", "messages", "holds", "last seen")] + [
            (r["worker"], "alive" if r["alive"] else "gone", str(r["messages"]),
             (", ".join(r["holds"] or ()) if r["alive"] else "") or "-",
             r["seen"].strftime("%Y-%m-%d %H:%M:%S"))
            for r in rows
        ]
        widths = [max(len(row[i]) for row in table) for i in range(5)]
        for row in table:
            click.echo("  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row)).rstrip())
    sys.exit(EXIT_OK if any(r["alive"] for r in rows) else EXIT_PROBLEMS)
