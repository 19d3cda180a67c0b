"""The PostgreSQL backend of a group (``--group-db``): leases are session-level advisory locks
taken on the worker's one group connection, members are rows of ``flowrt_group_member``.

The database releases a lock the moment the connection that took it ends, so a worker that dies
(kill -9, a lost machine) gives its leases up without anyone's help. The database, not the
workers' clocks, says when a row was last seen.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
from typing import TYPE_CHECKING, Any

from flowrt.group.leases import lock_key

if TYPE_CHECKING:
    from flowrt.group.member import Member, Membership

log = logging.getLogger("flowrt.group")

TABLE = "flowrt_group_member"
_CREATE = f"""
CREATE TABLE IF NOT EXISTS {TABLE} (
    group_name text NOT NULL,
    worker text NOT NULL,
    host text NOT NULL,
    pid integer NOT NULL,
    address text NOT NULL DEFAULT '',
    started timestamptz NOT NULL,
    seen timestamptz NOT NULL,
    messages bigint NOT NULL DEFAULT 0,
    holds text[] NOT NULL DEFAULT '{{}}',
    backend_pid integer NOT NULL DEFAULT 0,
    revision text NOT NULL DEFAULT '',
    deploy_error text NOT NULL DEFAULT '',
    PRIMARY KEY (group_name, worker)
)"""
ADDED = ("revision", "deploy_error")
"""Columns added since the table's first version: a table made before gets them on open."""
_COLUMNS = """
SELECT column_name FROM information_schema.columns
WHERE table_name = %s AND table_schema = current_schema()"""
_REGISTER = f"""
INSERT INTO {TABLE} (group_name, worker, host, pid, address, started, seen, backend_pid)
VALUES (%s, %s, %s, %s, %s, now(), now(), pg_backend_pid())
ON CONFLICT (group_name, worker) DO UPDATE
SET host = EXCLUDED.host, pid = EXCLUDED.pid, address = EXCLUDED.address,
    started = CASE WHEN {TABLE}.pid = EXCLUDED.pid AND {TABLE}.host = EXCLUDED.host
                   THEN {TABLE}.started ELSE EXCLUDED.started END,
    seen = EXCLUDED.seen, holds = '{{}}', backend_pid = EXCLUDED.backend_pid"""
_HEARTBEAT = f"""
UPDATE {TABLE} SET seen = now(), messages = %s, holds = %s, revision = %s, deploy_error = %s
WHERE group_name = %s AND worker = %s"""
ALIVE = f"""(seen > now() - make_interval(secs => %s)
       AND EXISTS (SELECT 1 FROM pg_stat_activity a WHERE a.pid = {TABLE}.backend_pid))"""
"""A member is alive while it was seen lately and its database session still exists: a worker
killed outright is gone the moment the database notices its connection closed."""
_MEMBERS = f"""
SELECT worker, host, pid, address, started, seen, messages, holds,
       {ALIVE} AS alive, revision, deploy_error
FROM {TABLE} WHERE group_name = %s ORDER BY worker"""
_FORGET = f"""
DELETE FROM {TABLE} WHERE group_name = %s AND seen < now() - make_interval(secs => %s)"""
FORGET_AFTER = 24 * 3600.0
"""Rows of workers gone this long are deleted (until then they show as not alive)."""


def plain_postgres_url(url: str) -> str:
    """psycopg wants ``postgresql://``; accept SQLAlchemy's ``postgresql+psycopg://`` too."""
    for prefix in ("postgresql+psycopg://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql://" + url[len(prefix):]
    return url


async def _add_columns(conn: Any) -> None:
    """Give a member table made by an earlier version the columns it lacks."""
    import psycopg

    cur = await conn.execute(_COLUMNS, (TABLE,))
    present = {row[0] for row in await cur.fetchall()}
    for column in ADDED:
        if column not in present:
            try:
                await conn.execute(f"ALTER TABLE {TABLE} ADD COLUMN IF NOT EXISTS {column} "
                                   "text NOT NULL DEFAULT ''")
            except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateColumn):
                pass  # another worker added it at the same moment


class PostgresBackend:
    """A group's leases and members in the PostgreSQL database at ``url``."""

    where = "the database"

    def __init__(self, url: str) -> None:
        self.url = plain_postgres_url(url)
        self._conn: Any = None

    async def open(self, group: Membership) -> None:
        import psycopg

        self._conn = conn = await psycopg.AsyncConnection.connect(
            self.url, autocommit=True, connect_timeout=max(2, int(group.alive_after)),
            application_name=f"flowrt group {group.name} {group.worker}"[:63],
            keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=2,
        )
        try:
            await conn.execute(_CREATE)
        except (psycopg.errors.UniqueViolation, psycopg.errors.DuplicateTable):
            pass  # another worker created it at the same moment
        await _add_columns(conn)
        await conn.execute(_REGISTER, (group.name, group.worker, socket.gethostname(),
                                       os.getpid(), group.address))

    async def round(self, group: Membership, rounds: int) -> list[Member]:
        from flowrt.group.member import Member

        conn, table = self._conn, group.leases
        for key in sorted(table.to_unlock):
            await conn.execute("SELECT pg_advisory_unlock(%s)", (lock_key(group.name, key),))
            table.unlocked(key)
            log.info("group %s: released %s", group.name, key)
        wanted = table.wanted()
        if wanted:
            cur = await conn.execute(
                "SELECT pg_try_advisory_lock(k) FROM unnest(%s::bigint[]) WITH ORDINALITY "
                "AS t(k, n) ORDER BY n", ([lock_key(group.name, key) for key in wanted],))
            for key, (took,) in zip(wanted, await cur.fetchall(), strict=True):
                if took:
                    table.took(key)
                    log.info("group %s: this worker (%s) now runs %s", group.name,
                             group.worker, key)
        await conn.execute(_HEARTBEAT, (group.messages, sorted(table.held), group.revision,
                                        group.deploy_error, group.name, group.worker))
        cur = await conn.execute(_MEMBERS, (group.alive_after, group.name))
        members = [
            Member(worker=r[0], host=r[1], pid=r[2], address=r[3], started=r[4], seen=r[5],
                   messages=r[6], holds=tuple(r[7] or ()), alive=bool(r[8]),
                   revision=r[9], deploy_error=r[10])
            for r in await cur.fetchall()
        ]
        if rounds % 600 == 0:
            await conn.execute(_FORGET, (group.name, FORGET_AFTER))
        return members

    async def leave(self, group: Membership) -> None:
        if self._conn is not None:
            async with asyncio.timeout(5.0):
                await self._conn.execute(
                    f"UPDATE {TABLE} SET seen = now(), holds = '{{}}', backend_pid = 0 "
                    "WHERE group_name = %s AND worker = %s", (group.name, group.worker))

    async def close(self) -> None:
        conn, self._conn = self._conn, None
        await close_quietly(conn)


async def close_quietly(conn: Any) -> None:
    """Close a group database connection (None: nothing), in 2 s at most: a broken connection
    may not close cleanly, and it is gone either way."""
    if conn is None:
        return
    try:
        async with asyncio.timeout(2.0):
            await conn.close()
    except Exception:
        pass
