"""postgres: a PostgreSQL server and database, with a pool of connections shared by its nodes."""

from __future__ import annotations

import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any, Literal

from pydantic import field_validator

from flowrt.api import Connection, NodeConfig, NotConnected, field

from .postgres_errors import connect_error, dsn_password, server_name

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from sqlalchemy.ext.asyncio import AsyncEngine

SslMode = Literal["disable", "allow", "prefer", "require", "verify-ca", "verify-full"]

USED = "flowrt_used"
"""Where a pooled connection's ``info`` keeps when it was last returned (``time.monotonic``);
SQLAlchemy clears ``info`` when it replaces the connection, so a new one has none."""


async def ping(pg: AsyncConnection[Any]) -> None:
    """One round trip to the server; raises if the connection is broken."""
    await pg.execute("SELECT 1")


class Postgres(Connection):
    """A PostgreSQL database: its address, credentials and a pool of connections.

    ### Details

    `dsn` names the server, user and database, as a URL
    (`postgresql://flowrt@db.example:5432/plant`) or in libpq's `key=value` form. The password
    is its own field, given as a reference (`password: ${PG_PASSWORD}`) from the environment
    or `flowrt run --secrets FILE`, and is joined to the DSN when the pool connects (it wins
    over a password in the DSN). A password written inline in the DSN is refused when the
    flow is checked; one that comes from a reference (`dsn: ${DATABASE_URL}`, or
    `postgresql://flowrt:${PG_PASSWORD}@db.example/plant`) is used.

    The nodes that name this connection share one pool: `pool_size` connections stay open,
    and up to `max_overflow` more are opened while every pooled one is busy. A pooled
    connection that has been idle is checked (a ping) before it is handed out, so connections
    left broken by a server restart are replaced instead of failing a message; one found
    broken makes every connection pooled before it suspect, each checked before its next use.

    Connections are made on first use. A server that is away makes `postgres-out` hold its
    batch and retry with back-off, and fails the message of a `postgres-query`; refused
    credentials are reported as an authentication failure and not retried.

    ```yaml
    connections:
      plant_db:
        type: postgres
        dsn: postgresql://flowrt@127.0.0.1:5432/plant
        password: ${PG_PASSWORD}
        statement_timeout: 30
    ```
    """

    type = "postgres"

    class Config(NodeConfig):
        dsn: str = field(
            description="The server, user and database: `postgresql://user@host:port/database` "
            "or libpq `key=value` pairs. The password goes in `password`.",
            examples=["postgresql://flowrt@127.0.0.1:5432/plant"],
        )
        password: str | None = field(
            None,
            secret=True,
            description="The user's password, as a reference such as `${PG_PASSWORD}`; none "
            "when the server needs none (trust, peer, a client certificate).",
            examples=["${PG_PASSWORD}"],
        )
        pool_size: int = field(5, ge=1, le=1000, description="Connections kept open in the pool.")
        max_overflow: int = field(
            5,
            ge=0,
            le=1000,
            description="Connections opened beyond `pool_size` while all pooled ones are busy; "
            "closed again when returned.",
        )
        pool_timeout: float = field(
            30.0,
            gt=0,
            advanced=True,
            description="Seconds to wait for a free connection when all of them are busy.",
        )
        connect_timeout: int = field(
            10, ge=2, le=3600, description="Seconds to wait for the server when connecting."
        )
        application_name: str = field(
            "flowrt",
            description="The name the server shows for these connections (pg_stat_activity).",
        )
        sslmode: SslMode | None = field(
            None,
            description="TLS: libpq's sslmode (`require`, `verify-full`...); when not set, the "
            "DSN's, else libpq's default (`prefer`).",
        )
        statement_timeout: float | None = field(
            None,
            gt=0,
            description="Seconds a statement may run before the server cancels it; when not "
            "set, the server's setting.",
        )

        @field_validator("dsn")
        @classmethod
        def _no_password_pair(cls, dsn: str) -> str:
            # A URL's password is checked where the flow is read: written inline it is an
            # error (E039), as a ${VAR} reference it is fine. A key=value DSN's password
            # cannot be told apart from a substituted one here, so it is not taken at all.
            if "://" not in dsn and dsn_password(dsn):
                raise ValueError(
                    "the DSN holds a password: remove `password=...` from it and set "
                    "`password: ${PG_PASSWORD}` on the connection, so the password stays out "
                    "of the flow file"
                )
            return dsn

    config: Config

    def __init__(self, node_id: str, config: Any, ctx: Any) -> None:
        super().__init__(node_id, config, ctx)
        self._engine: AsyncEngine | None = None
        self._suspect_before = float("-inf")
        self.server = server_name(config.dsn)
        """Where the database is, for messages: ``host:port/database (user u)``."""

    def conninfo(self) -> str:
        """The libpq connection string, with the password and the connection options."""
        from psycopg.conninfo import conninfo_to_dict, make_conninfo

        cfg = self.config
        extra: dict[str, Any] = {
            "connect_timeout": cfg.connect_timeout,
            "application_name": cfg.application_name,
        }
        if cfg.password:
            extra["password"] = cfg.password
        if cfg.sslmode:
            extra["sslmode"] = cfg.sslmode
        if cfg.statement_timeout:
            options = str(conninfo_to_dict(cfg.dsn).get("options") or "")
            ms = max(1, round(cfg.statement_timeout * 1000))
            extra["options"] = f"{options} -c statement_timeout={ms}".strip()
        return make_conninfo(cfg.dsn, **extra)

    async def open(self) -> None:
        """Make the pool; connections are opened on first use."""
        if self._engine is not None:
            return
        import psycopg
        from sqlalchemy.ext.asyncio import create_async_engine

        conninfo = self.conninfo()

        async def connect() -> psycopg.AsyncConnection[Any]:
            return await psycopg.AsyncConnection.connect(conninfo, autocommit=True)

        cfg = self.config
        self._engine = create_async_engine(
            "postgresql+psycopg://",
            async_creator=connect,
            pool_size=cfg.pool_size,
            max_overflow=cfg.max_overflow,
            pool_timeout=cfg.pool_timeout,
        )

    async def close(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            await engine.dispose()

    def suspect_all(self) -> None:
        """A connection was found broken: every one returned to the pool before now is
        checked before its next use (a server restart or failover ends them all)."""
        self._suspect_before = time.monotonic()

    @asynccontextmanager
    async def acquire(
        self, node_id: str, ping_after: float = 0.0
    ) -> AsyncIterator[AsyncConnection[Any]]:
        """A psycopg connection from the pool, returned to it afterwards (rolled back if a
        transaction was left open; dropped if it broke). Raises NotConnected or AuthFailed,
        naming the server and ``node_id``, when no connection can be had.

        A pooled connection idle for ``ping_after`` seconds or more (0: any), or suspect, is
        pinged first, and a broken one dropped for the next. A ping is a round trip, which a
        node writing batch after batch need not pay each time: the connection it is handed
        unchecked may be broken all the same, so it must be able to do its work again on
        another (postgres-out writes its batch again at once).

        The connection is in autocommit mode: a statement alone commits itself, and
        ``async with pg.transaction()`` makes one transaction (BEGIN ... COMMIT), never a mere
        savepoint of a transaction a previous statement opened."""
        await self.open()
        assert self._engine is not None
        cfg = self.config
        for _ in range(cfg.pool_size + cfg.max_overflow + 1):
            try:
                held = await self._engine.connect()
            except Exception as exc:
                raise connect_error(exc, self.server, node_id, cfg) from exc
            try:
                raw = await held.get_raw_connection()
                pg: AsyncConnection[Any] = raw.driver_connection  # type: ignore[assignment]
                used = raw.info.get(USED)
                if used is None or (
                    used > self._suspect_before and time.monotonic() - used < ping_after
                ):
                    break  # new, or in use a moment ago
                await ping(pg)
                break
            except Exception:  # broken: the next one
                self.suspect_all()
                await held.invalidate()
                await held.close()
            except BaseException:
                await held.close()
                raise
        else:  # never happens: an invalidated connection's place gets a new one
            raise NotConnected(f"no working connection to {self.server}", node=node_id)
        try:
            yield pg
        finally:
            try:
                if pg.closed or pg.broken:
                    self.suspect_all()
                    await held.invalidate()
                else:
                    raw.info[USED] = time.monotonic()
            finally:
                await held.close()
