"""Where the fault tests' flows write: a PostgreSQL table and an InfluxDB measurement, read
back to count what arrived.

The table has no unique key unless asked for, so a message written twice shows as two rows.
Each row records which worker wrote it and an ``id`` from a sequence, which orders rows by
the time their batch was written (a killed worker's later rows can be told from the
survivor's). ``slow`` adds a trigger that sleeps for each row as long as the one-row table
``<name>_delay`` says, so a test can make the sink slow and later fast again without taking
a lock the sink's transactions would wait for.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import httpx
import psycopg
from psycopg import sql


@dataclass(frozen=True)
class Row:
    id: int
    seq: int
    body: str
    doubled: int
    worker: str
    size: int


class Table:
    def __init__(self, dsn: str, name: str) -> None:
        self.dsn = dsn
        self.name = name

    def _run(self, statement: Any, params: Any = None) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.dsn, autocommit=True, connect_timeout=10) as conn:
            cur = conn.execute(statement, params)
            return cur.fetchall() if cur.description else []

    def create(self, unique: bool = False, slow: float | None = None) -> Table:
        """The table; ``unique``: ``seq`` is unique (for ``mode: ignore``); ``slow``: a trigger
        sleeps this many seconds per row (see :meth:`set_delay`)."""
        name = sql.Identifier(self.name)
        self._run(sql.SQL(
            "create table {} (id bigserial primary key, seq integer not null, body text, "
            "doubled integer, worker text, size integer, "
            "at timestamptz not null default clock_timestamp())"
        ).format(name))
        if unique:
            self._run(sql.SQL("create unique index on {} (seq)").format(name))
        if slow is not None:
            delay = sql.Identifier(f"{self.name}_delay")
            function = sql.Identifier(f"{self.name}_sleep")
            self._run(sql.SQL("create table {} (seconds float8 not null)").format(delay))
            self._run(sql.SQL("insert into {} values (%s)").format(delay), (slow,))
            self._run(sql.SQL(
                "create function {}() returns trigger language plpgsql as $$ begin "
                "perform pg_sleep((select seconds from {})); return new; end $$"
            ).format(function, delay))
            self._run(sql.SQL(
                "create trigger slow before insert on {} for each row execute function {}()"
            ).format(name, function))
        return self

    def set_delay(self, seconds: float) -> None:
        delay = sql.Identifier(f"{self.name}_delay")
        self._run(sql.SQL("update {} set seconds = %s").format(delay), (seconds,))

    def count(self) -> int:
        rows = self._run(sql.SQL("select count(*) from {}").format(sql.Identifier(self.name)))
        return int(rows[0][0])

    def distinct(self) -> int:
        rows = self._run(
            sql.SQL("select count(distinct seq) from {}").format(sql.Identifier(self.name))
        )
        return int(rows[0][0])

    def max_id(self) -> int:
        rows = self._run(
            sql.SQL("select coalesce(max(id), 0) from {}").format(sql.Identifier(self.name))
        )
        return int(rows[0][0])

    def rows(self) -> list[Row]:
        found = self._run(sql.SQL(
            "select id, seq, body, doubled, worker, size from {} order by id"
        ).format(sql.Identifier(self.name)))
        return [Row(*r) for r in found]

    def span(self) -> float:
        """Seconds between the first row written and the last."""
        found = self._run(sql.SQL(
            "select extract(epoch from max(at) - min(at)) from {}"
        ).format(sql.Identifier(self.name)))
        return float(found[0][0] or 0.0)

    def sessions(self, application: str) -> int:
        """Server sessions open under this application name (a worker's connections)."""
        found = self._run(
            "select count(*) from pg_stat_activity where application_name = %s", (application,)
        )
        return int(found[0][0])

    def drop(self) -> None:
        try:
            self._run(sql.SQL("drop table if exists {}, {} cascade").format(
                sql.Identifier(self.name), sql.Identifier(f"{self.name}_delay")))
            self._run(sql.SQL("drop function if exists {}()").format(
                sql.Identifier(f"{self.name}_sleep")))
        except psycopg.OperationalError:
            pass  # the server is gone already (a private one, closed by the test)


def check_content(rows: list[Row]) -> list[Row]:
    """Rows whose content is not what message ``seq`` should have become."""
    return [r for r in rows if r.body != f"message {r.seq}" or r.doubled != 2 * r.seq]


class Measurement:
    """An InfluxDB 1.x measurement whose points carry the message number as field ``seq``
    and are stamped with it (milliseconds), so a point written twice is one point."""

    def __init__(self, url: str, database: str, name: str) -> None:
        self.url = url.rstrip("/")
        self.database = database
        self.name = name

    def _query(self, text: str) -> Any:
        reply = httpx.post(
            f"{self.url}/query", params={"db": self.database, "q": text}, timeout=30
        )
        reply.raise_for_status()
        return reply.json()

    def create(self) -> Measurement:
        self._query(f'CREATE DATABASE "{self.database}"')
        return self

    def seqs(self) -> list[int]:
        data = self._query(f'SELECT "seq" FROM "{self.name}"')
        series = data["results"][0].get("series") or []
        return [int(value) for s in series for _, value in s["values"]]

    def count(self) -> int:
        try:
            return len(self.seqs())
        except httpx.HTTPError:
            return -1  # the server is restarting

    def drop(self) -> None:
        try:
            self._query(f'DROP DATABASE "{self.database}"')
        except httpx.HTTPError:
            pass
