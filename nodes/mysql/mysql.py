"""mysql: a MySQL or MariaDB server and database, with a pool of connections shared by its nodes."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from datetime import tzinfo
from typing import TYPE_CHECKING, Any

from pydantic import field_validator

from flowrt.api import Connection, NodeConfig, field, host_port

from .mysql_errors import connect_error
from .mysql_values import decoders, parse_timezone

if TYPE_CHECKING:
    from aiomysql import Connection as AioConnection
    from sqlalchemy.ext.asyncio import AsyncEngine


class Mysql(Connection):
    """A MySQL or MariaDB database: its address, login and a pool of connections.

    ### Details

    The counterpart of Node-RED's `MySQLdatabase` config node (node-red-node-mysql): `host`,
    `port`, `database`, `user`, `password`, `timezone` and `charset` mean what they mean
    there. The password is given as a reference (`password: ${MYSQL_PASSWORD}`) from the
    environment or `flowrt run --secrets FILE`; it is sent to the server only.

    The nodes that name this connection share one pool of at most `pool_size` connections,
    opened on first use. A pooled connection is checked (a ping) before it is handed out, so
    one the server dropped (a restart, `KILL`, `wait_timeout`) is replaced instead of failing
    a message. A server that is away fails the message at hand (Node-RED: "not yet
    connected"); refused credentials are reported as an authentication failure.

    `timezone` is how DATETIME and DATE values are read as instants, as Node-RED's `tz`:
    `local` (the flowrt process's zone), `Z` (UTC) or an offset such as `+02:00`. Several
    statements in one query (`INSERT ...; SELECT ...`) are allowed, as in Node-RED.

    ```yaml
    connections:
      plant_db:
        type: mysql
        host: 127.0.0.1
        database: plant
        user: flowrt
        password: ${MYSQL_PASSWORD}
    ```
    """

    type = "mysql"

    class Config(NodeConfig):
        host: str = field("127.0.0.1", description="The server's host name or address.")
        port: int = field(3306, ge=1, le=65535, description="The server's TCP port.")
        database: str | None = field(
            None, description="The database (schema) statements use by default.",
            examples=["plant"],
        )
        user: str | None = field(
            None, description="The user to log in as.", examples=["flowrt"]
        )
        password: str | None = field(
            None,
            secret=True,
            description="The user's password, as a reference such as `${MYSQL_PASSWORD}`; "
            "none when the user has none.",
            examples=["${MYSQL_PASSWORD}"],
        )
        timezone: str = field(
            "local",
            description="How DATETIME and DATE values are read as instants: `local` (this "
            "process's time zone), `Z` (UTC) or an offset `+HH:MM` (Node-RED's `tz`).",
            examples=["Z", "+02:00"],
        )
        charset: str = field(
            "utf8mb4",
            description="The connection's character set (`utf8mb4`, `latin1`...); a "
            "collation name (`UTF8_GENERAL_CI`, as Node-RED takes) names its character set.",
        )
        pool_size: int = field(
            5, ge=1, le=1000, description="The most connections open at once."
        )
        pool_timeout: float = field(
            30.0,
            gt=0,
            advanced=True,
            description="Seconds to wait for a free connection when all of them are busy.",
        )
        connect_timeout: int = field(
            10, ge=1, le=3600, description="Seconds to wait for the server when connecting."
        )

        @field_validator("timezone")
        @classmethod
        def _known_zone(cls, value: str) -> str:
            parse_timezone(value)  # raises ValueError naming the accepted forms
            return value

    config: Config

    def __init__(self, node_id: str, config: Any, ctx: Any) -> None:
        super().__init__(node_id, config, ctx)
        self._engine: AsyncEngine | None = None
        cfg = config
        where = f"{host_port(cfg.host, cfg.port)}/{cfg.database or ''}"
        self.server = f"{where} (user {cfg.user})" if cfg.user else where
        """Where the database is, for messages: ``host:port/database (user u)``."""
        self.zone: tzinfo | None = parse_timezone(cfg.timezone)
        """The zone DATETIME values are read in; None for the process's local zone."""

    def charset(self) -> str:
        """The character set to connect with: a collation's (``UTF8_GENERAL_CI``) is its
        prefix, in lower case."""
        name = self.config.charset.strip().lower()
        return name.split("_", 1)[0] if "_" in name else name

    async def open(self) -> None:
        """Make the pool; connections are opened on first use."""
        if self._engine is not None:
            return
        import aiomysql
        from pymysql.constants import CLIENT
        from sqlalchemy.ext.asyncio import create_async_engine

        cfg = self.config
        charset = self.charset()
        conv = decoders(self.zone)

        async def connect() -> AioConnection:
            return await aiomysql.connect(
                host=cfg.host, port=cfg.port, user=cfg.user or "", password=cfg.password or "",
                db=cfg.database, charset=charset, autocommit=True,
                connect_timeout=cfg.connect_timeout, client_flag=CLIENT.MULTI_STATEMENTS,
                program_name="flowrt", conv=conv,
            )

        self._engine = create_async_engine(
            "mysql+aiomysql://",
            async_creator=connect,
            pool_size=cfg.pool_size,
            max_overflow=0,
            pool_timeout=cfg.pool_timeout,
            pool_pre_ping=True,
        )

    async def close(self) -> None:
        engine, self._engine = self._engine, None
        if engine is not None:
            await engine.dispose()

    @asynccontextmanager
    async def acquire(self, node_id: str) -> AsyncIterator[AioConnection]:
        """An aiomysql connection from the pool (autocommit on), returned to it afterwards, or
        dropped if it broke. Raises NotConnected or AuthFailed, naming the server and
        ``node_id``, when no connection can be had."""
        await self.open()
        assert self._engine is not None
        try:
            held = await self._engine.connect()
        except Exception as exc:
            raise connect_error(exc, self.server, node_id, self.config) from exc
        try:
            raw = await held.get_raw_connection()
            conn: AioConnection = raw.driver_connection
            try:
                yield conn
            finally:
                if conn.closed:
                    await held.invalidate()
        finally:
            await held.close()

