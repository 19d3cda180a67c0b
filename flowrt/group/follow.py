"""Following the group's revisions: a deploy on any worker reaches every worker.

A :class:`Follower` beside a worker's flows holds a connection of its own to the group's
database and ``LISTEN``s on the group's channel (:func:`flowrt.group.revisions.channel`). When
a revision is announced, and on every (re)connection and every ``recheck`` seconds (a
notification sent while this worker was disconnected is lost), it compares the hash of the
group's newest revision with the one this worker runs; when they differ it fetches the files
and hands them to ``apply``, the command's own deploy (write the files into the flows
directory, then deploy them as the editor's deploy does; when that fails, the directory is put
back as it was, so its files stay those of the flows that run). The revision this worker runs,
and why applying one failed, go into its member record
(:meth:`flowrt.group.group.Group.report`).

A revision whose apply failed is not tried again until a newer one comes, also after a restart:
it is remembered in the state directory (:mod:`flowrt.group.failure`), and its error is
reported again by the restarted worker. :meth:`Follower.publish` stores a revision this worker
deployed itself.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from flowrt.group.failure import Failure, FailureRecord
from flowrt.group.postgres import close_quietly
from flowrt.group.revisions import (
    GroupRevision,
    channel,
    create_table,
    fetch,
    newest,
    snapshot_hash,
    store,
)

if TYPE_CHECKING:
    from flowrt.group.group import Group

log = logging.getLogger("flowrt.group")

RECHECK = 5.0
"""Seconds between two looks at the group's newest revision without a notification."""
MAX_ERROR = 600
"""Characters of a failed deploy's summary kept in the member record."""

Apply = Callable[[GroupRevision], Awaitable[None]]


class Follower:
    """Keep this worker of ``group`` (database ``url``) on the group's newest revision.

    ``apply(revision)`` deploys a revision's files here (raises when it cannot, leaving the
    flows directory as it was); ``running`` is the hash of the files this worker runs as it
    starts, ``problem`` why they did not start; ``failures`` remembers the revision that failed
    here across restarts.
    """

    def __init__(self, group: Group, url: str, apply: Apply, running: str,
                 problem: str = "", recheck: float = RECHECK,
                 failures: FailureRecord | None = None) -> None:
        from flowrt.group.postgres import plain_postgres_url

        self.group = group
        self.url = plain_postgres_url(url)
        self.apply = apply
        self.recheck = recheck
        self.newest: GroupRevision | None = None
        """The group's newest revision, as last read."""
        self.failures = failures
        remembered = failures.read() if failures is not None else None
        self.failed = remembered.hash if remembered else ""
        """The hash of the revision whose apply failed last (not tried again)."""
        self.failed_id = remembered.id if remembered else None
        """Its id: a newer revision, even of the same files, is tried."""
        self._remembered = remembered is not None
        self.lock = asyncio.Lock()
        self.pending: tuple[dict[str, str], str, str] | None = None
        """A revision deployed here that the database did not take yet (files, author,
        message)."""
        self._task: asyncio.Task[None] | None = None
        self._conn: Any = None
        if remembered is not None and not problem:
            problem = remembered.why
        group.report(running, summary(problem) if problem else "")

    @property
    def revision(self) -> str:
        return self.group.revision

    async def start(self) -> None:
        self._task = asyncio.get_running_loop().create_task(self._loop(),
                                                            name="flowrt:group-revisions")

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None:
            task.cancel()
            await asyncio.wait({task})
        await self._close()

    async def publish(self, files: dict[str, str], author: str, message: str) -> GroupRevision:
        """Store ``files``, which this worker now runs, as the group's newest revision (on a
        connection of its own: the listening one may be waiting) and tell the others. When the
        database cannot be reached, it is stored once the follower reconnects (rather than
        this worker going back to the group's older revision) and the error is raised."""
        import psycopg

        async with self.lock:
            self.pending = (files, author, message)
            self.group.report(snapshot_hash(files))
            async with await psycopg.AsyncConnection.connect(
                    self.url, autocommit=True, connect_timeout=5) as conn:
                return await self._store(conn)

    async def _store(self, conn: Any) -> GroupRevision:
        """Store the pending revision (under the lock)."""
        assert self.pending is not None
        await create_table(conn)
        rev = await store(conn, self.group.name, *self.pending)
        self.pending = None
        self.newest = rev
        await self._forget()
        self.group.report(rev.hash)
        log.info("group %s: revision %s stored for every worker", self.group.name, rev.hash)
        return rev

    # the loop ----------------------------------------------------------------------------

    async def _loop(self) -> None:
        from psycopg import sql

        delay = 0.5
        while True:
            try:
                conn = await self._connect()
                await create_table(conn)
                await conn.execute(sql.SQL("LISTEN {}").format(
                    sql.Identifier(channel(self.group.name))))
                delay = 0.5
                if self.pending is not None:
                    async with self.lock:
                        if self.pending is not None:
                            await self._store(conn)
                while True:
                    await self._check(conn)
                    async for _ in conn.notifies(timeout=self.recheck, stop_after=1):
                        pass
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                # said once per outage (then at debug level): the group's loop says it too
                say = log.warning if delay == 0.5 else log.debug
                say("group %s: cannot read the group's revisions (%s); retry in %.1f s",
                    self.group.name, _first_line(exc), delay)
                await self._close()
                await asyncio.sleep(delay)
                delay = min(delay * 2, 10.0)

    async def _connect(self) -> Any:
        import psycopg

        self._conn = await psycopg.AsyncConnection.connect(
            self.url, autocommit=True, connect_timeout=5,
            application_name=f"flowrt revisions {self.group.name}"[:63],
            keepalives=1, keepalives_idle=5, keepalives_interval=2, keepalives_count=2)
        return self._conn

    async def _close(self) -> None:
        conn, self._conn = self._conn, None
        await close_quietly(conn)

    async def _check(self, conn: Any) -> None:
        """Apply the group's newest revision if this worker runs another one."""
        latest = await newest(conn, self.group.name)
        self.newest = latest
        if latest is not None and latest.hash == self.revision and self.group.deploy_error:
            await self._forget()  # the group went back to what this worker runs
            self.group.report(self.revision)
        if latest is None or latest.hash == self.revision or self.pending:
            return
        if latest.id == self.failed_id:
            if self._remembered:  # said once after a restart: why the newest does not run
                self._remembered = False
                log.warning("group %s: revision %s failed on this worker before it restarted: "
                            "not applied again until a newer one comes (%s)", self.group.name,
                            latest.hash, self.group.deploy_error)
            return
        async with self.lock:
            if latest.hash == self.revision or self.pending:  # deployed here meanwhile
                return
            try:
                rev = await fetch(conn, latest)
            except ValueError as exc:
                await self._failed(latest, str(exc))
                return
            log.info("group %s: deploying revision %s by %s (%s)", self.group.name, rev.hash,
                     rev.author, rev.message or "no message")
            try:
                await self.apply(rev)
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                await self._failed(rev, describe(exc))
                return
            await self._forget()
            self.group.report(rev.hash)
            log.info("group %s: this worker runs revision %s", self.group.name, rev.hash)

    async def _failed(self, rev: GroupRevision, why: str) -> None:
        self.failed, self.failed_id = rev.hash, rev.id
        text = summary(f"revision {rev.hash}: {why}")
        log.error("group %s: %s", self.group.name, text)
        self.group.report(self.revision, text)
        if self.failures is not None:
            await asyncio.to_thread(self.failures.write, Failure(rev.id, rev.hash, text))

    async def _forget(self) -> None:
        """No revision failed here (any more)."""
        if self.failed_id is not None and self.failures is not None:
            await asyncio.to_thread(self.failures.clear)
        self.failed, self.failed_id, self._remembered = "", None, False


def describe(exc: BaseException) -> str:
    """What went wrong applying a revision, in a few lines: the problems in the flows when they
    have errors (``diagnostics``), else the exception's text."""
    diagnostics = getattr(exc, "diagnostics", None)
    if diagnostics:
        first = "; ".join(str(d) for d in diagnostics[:3])
        more = f" (and {len(diagnostics) - 3} more)" if len(diagnostics) > 3 else ""
        return f"{len(diagnostics)} problem(s) in the flows: {first}{more}"
    return str(exc) or type(exc).__name__


def summary(text: str) -> str:
    """``text`` fit for the member record: secret values hidden, at most :data:`MAX_ERROR`
    characters."""
    from flowrt.secrets.redact import redact

    text = redact(text)
    return text if len(text) <= MAX_ERROR else text[:MAX_ERROR - 1] + "…"


def _first_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__
