"""postgres-out: write messages as rows of a table, a batch per transaction (COPY for inserts)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Literal

from pydantic import field_validator, model_validator

from flowrt.api import (
    ConnectionLost,
    Message,
    NodeError,
    PropertyPath,
    Sink,
    SinkConfig,
    field,
)

from .postgres import Postgres
from .postgres_errors import use_error
from .postgres_rows import Failure, RowMaker, Run
from .postgres_sql import table_parts
from .postgres_table import Table, copy_statement, describe, insert_statement

if TYPE_CHECKING:
    from psycopg import AsyncConnection

ROW_ERROR_CLASSES = ("22", "23")
"""SQLSTATE classes of errors caused by one row's data (data exceptions, integrity
violations): the batch is then written row by row so only the bad rows fail."""
ROW_ERROR_STATES = ("42804",)  # datatype_mismatch: a value of the wrong type in that row
STALE_STATES = ("42P01", "42703")  # undefined table or column: describe the table again
PING_AFTER = 1.0
"""Seconds a pooled connection may have been idle and still be used for a batch without a ping
first: batches back to back pay no round trip each."""
RETRY_CLASS = "40"
"""Transaction rollback (deadlock detected, serialization failure): the batch did nothing and
may succeed when written again, so the engine keeps it and retries with back-off."""


class PostgresOut(Sink):
    """Write messages as rows of a PostgreSQL table, in batches of one transaction each.

    ### Inputs

    - `payload` (object): the row, column name -> value, when `columns` is not set.
    - any message property named in `columns`.

    ### Details

    `columns` maps each column to the message property holding its value
    (`{device: payload.device.id, celsius: payload.t, topic: topic}`); a property the message
    lacks writes NULL. Without `columns`, the payload's keys are the columns: a payload that is
    not an object, or that has a key the table has no column for, fails that message.
    Objects and lists written to `json`/`jsonb` columns are stored as JSON (any value is, in
    such a column); an object written to another column is stored as its JSON text, a list to
    an array column as an array.

    `mode`:

    - `insert` adds every message as a new row, with COPY (the fastest way into PostgreSQL);
    - `upsert` inserts, or, when a row with the same `conflict` columns exists (a unique index
      or primary key over them), updates its `update` columns (default: every written column
      not in `conflict`). A message delivered twice then leaves one row;
    - `ignore` inserts, and skips a row that conflicts with an existing one.

    Messages are written in batches of up to `batch_size`; a batch is one transaction. A batch
    waits for more messages only while more are coming, and at most `batch_interval` seconds:
    when the flow has nothing more at hand, what arrived is written at once. When a row is
    refused for its data (a constraint, a value of the wrong type), the batch is written again
    row by row, each in a savepoint: the bad messages fail with the database's message (catch
    nodes get them) and the others are committed. When the server is away, or the batch's
    transaction was rolled back by the server (a deadlock, a serialization failure), the batch
    is kept and written again with back-off (nothing is lost; an insert whose commit was lost
    with the connection may be written twice: use `upsert` or `ignore` where that matters).

    The table must exist: postgres-out does not create tables. Names are used exactly as
    written (quoted): write them in lower case, as PostgreSQL stores names that were not quoted.

    ```yaml
    store:
      type: postgres-out
      connection: plant_db
      table: plant.readings
      columns: {device: payload.device, celsius: payload.t, at: payload.time}
      mode: upsert
      conflict: [device, at]
    ```
    """

    type = "postgres-out"
    icon = "database"

    class Config(SinkConfig):
        connection: str = field(
            description="The `postgres` connection to write through.",
            connection="postgres",
            examples=["plant_db"],
        )
        table: str = field(
            description="The table: `name`, or `schema.name`.",
            examples=["readings", "plant.readings"],
        )
        columns: dict[str, PropertyPath] | None = field(
            None,
            description="Column -> message property holding its value; when not set, the "
            "payload's keys are the columns.",
            examples=[{"device": "payload.device", "celsius": "payload.t", "topic": "topic"}],
        )
        mode: Literal["insert", "upsert", "ignore"] = field(
            "insert",
            description="`insert` new rows (COPY); `upsert`: update the row that conflicts; "
            "`ignore`: skip rows that conflict.",
        )
        conflict: list[str] | None = field(
            None,
            min_length=1,
            description="The columns of the unique index or primary key a row conflicts on "
            "(required for `upsert`; optional for `ignore`).",
            examples=[["device", "at"]],
        )
        update: list[str] | None = field(
            None,
            description="For `upsert`: the columns updated on a conflict (default: every "
            "written column not in `conflict`).",
            examples=[["celsius"]],
        )
        batch_size: int = field(
            500, ge=1, le=100_000, description="Most messages written in one transaction."
        )
        batch_interval: float = field(
            0.2,
            ge=0,
            le=60,
            description="Most seconds a batch waits to fill while messages keep coming; it is "
            "written at once when no more are on their way.",
        )

        @field_validator("table")
        @classmethod
        def _table_name(cls, table: str) -> str:
            table_parts(table)
            return table

        @model_validator(mode="after")
        def _mode_options(self) -> PostgresOut.Config:
            if self.mode == "upsert" and not self.conflict:
                raise ValueError(
                    "mode `upsert` needs `conflict`: the columns of the unique index or primary "
                    "key that identifies a row, e.g. `conflict: [device, at]`"
                )
            if self.update is not None and self.mode != "upsert":
                raise ValueError("`update` applies to mode `upsert` only: remove it")
            return self

    config: Config

    def __init__(self, node_id: str, config: Any, ctx: Any) -> None:
        super().__init__(node_id, config, ctx)
        self._parts = table_parts(config.table)
        self._table: Table | None = None
        self._rows: RowMaker | None = None
        self._written = 0
        self._shown = float("-inf")

    @property
    def batch_size(self) -> int:  # type: ignore[override]
        return self.config.batch_size

    @property
    def batch_interval(self) -> float:  # type: ignore[override]
        return self.config.batch_interval

    def _connection(self) -> Postgres:
        return self.ctx.connection(self.config.connection, Postgres)

    async def write(self, batch: list[Message]) -> None:
        try:
            await self._write(batch)
        except _Broken:
            # Most often a pooled connection the server ended while it waited (handed out
            # unchecked, see PING_AFTER): written again at once on another, which the pool
            # checks first. Nothing committed on a lost connection unless its COMMIT was the
            # statement lost, as with the engine's own retry.
            await self._write(batch)

    async def _write(self, batch: list[Message]) -> None:
        conn = self._connection()
        doing = f"writing to table {self.config.table}"
        async with conn.acquire(self.id, PING_AFTER) as pg:
            try:
                rows = await self._row_maker(pg, conn.server)
                runs, failed = rows.runs(batch)
                failed += await self._commit(pg, rows.table, runs, conn.server)
            except NodeError:
                raise
            except Exception as exc:
                state = str(getattr(exc, "sqlstate", None) or "")
                if state in STALE_STATES:
                    self._rows = None
                err = use_error(exc, pg, conn.server, self.id, doing)
                if err is exc:
                    raise
                if isinstance(err, ConnectionLost):
                    err = _Broken(str(err), node=self.id)
                elif state.startswith(RETRY_CLASS):
                    err = ConnectionLost(f"{err}; the batch is written again", node=self.id)
                raise err from exc
        for msg, error in failed:
            self.ctx.error(error, msg)
        self._report(len(batch) - len(failed))

    async def _row_maker(self, pg: AsyncConnection[Any], server: str) -> RowMaker:
        if self._rows is None:
            table = await describe(pg, self._parts)
            if table is None:
                raise NodeError(
                    f"table {self.config.table} does not exist in {server} (or this user "
                    "cannot see it): create it first, postgres-out does not create tables",
                    node=self.id,
                )
            self._rows = RowMaker(table, self.config.columns, self.id)
        return self._rows

    async def _commit(
        self, pg: AsyncConnection[Any], table: Table, runs: list[Run], server: str
    ) -> list[Failure]:
        """Write every run in one transaction; if a row's data is refused, row by row."""
        import psycopg

        if not runs:
            return []
        if len(runs) == 1 and len(runs[0][1]) == 1:  # one row: one statement, its own commit
            columns, [(msg, values)], _ = runs[0]
            try:
                await pg.execute(self._insert(table, columns), values)
            except psycopg.Error as exc:
                if pg.broken or not _row_error(exc):
                    raise
                return [(msg, _failure(exc, pg, server, self.id, self.config.table))]
            return []
        try:
            try:
                await self._write_runs(pg, table, runs)
            except _NotBinary:  # a value out of its binary form's range: all in text
                await self._write_runs(pg, table, [(c, rows, None) for c, rows, _ in runs])
            return []
        except psycopg.Error as exc:
            if pg.broken or not _row_error(exc):
                raise
        return await self._row_by_row(pg, table, runs, server)

    async def _write_runs(self, pg: AsyncConnection[Any], table: Table, runs: list[Run]) -> None:
        """Every run in one transaction: COPY (binary where the run allows it) for inserts,
        else ``executemany``. Raises :class:`_NotBinary`, the transaction rolled back, when a
        value of a binary run does not format."""
        async with pg.transaction(), pg.cursor() as cur:
            for columns, rows, types in runs:
                if self.config.mode != "insert" or len(rows) == 1:
                    statement = self._insert(table, columns)
                    await cur.executemany(statement, [values for _, values in rows])
                elif types is None:
                    async with cur.copy(copy_statement(table, columns)) as copy:
                        for _, values in rows:
                            await copy.write_row(values)
                else:
                    async with cur.copy(copy_statement(table, columns, binary=True)) as copy:
                        copy.set_types(types)
                        try:
                            for _, values in rows:
                                await copy.write_row(values)
                        except OverflowError as exc:
                            raise _NotBinary from exc

    async def _row_by_row(
        self, pg: AsyncConnection[Any], table: Table, runs: list[Run], server: str
    ) -> list[Failure]:
        import psycopg

        failed: list[Failure] = []
        async with pg.transaction(), pg.cursor() as cur:
            for columns, rows, _ in runs:
                statement = self._insert(table, columns)
                for msg, values in rows:
                    try:
                        async with pg.transaction():
                            await cur.execute(statement, values)
                    except psycopg.Error as exc:
                        if pg.broken or not _row_error(exc):
                            raise
                        failed.append((msg, _failure(exc, pg, server, self.id, self.config.table)))
        return failed

    def _insert(self, table: Table, columns: tuple[str, ...]) -> Any:
        cfg = self.config
        return insert_statement(table, columns, cfg.mode, cfg.conflict, cfg.update)

    def _report(self, written: int) -> None:
        self._written += written
        now = self.ctx.now()
        if now - self._shown >= 1.0:
            self._shown = now
            self.ctx.status("green", "dot", f"connected: {self._written} rows")


class _Broken(ConnectionLost):
    """The connection broke under the batch: written again at once, then with back-off."""


class _NotBinary(Exception):
    """A value of a run marked binary did not fit its column's binary form (an int beyond
    int8): the batch is written again in text, where the server judges it."""


def _row_error(exc: Any) -> bool:
    state = str(getattr(exc, "sqlstate", "") or "")
    return state[:2] in ROW_ERROR_CLASSES or state in ROW_ERROR_STATES


def _failure(exc: Exception, pg: Any, server: str, node: str, table: str) -> BaseException:
    error = use_error(exc, pg, server, node, f"writing a row to table {table}")
    error.__cause__ = exc
    return error
