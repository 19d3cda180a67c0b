"""The table postgres-out writes to: its columns as the database describes them, and the
statements that write rows (COPY, INSERT with its ON CONFLICT clause), composed with
``psycopg.sql`` so every name is quoted."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from psycopg import AsyncConnection
    from psycopg.sql import Composed

JSON_TYPES = frozenset({"json", "jsonb"})

_DESCRIBE = """
SELECT a.attname, t.typname
FROM pg_catalog.pg_attribute a JOIN pg_catalog.pg_type t ON t.oid = a.atttypid
WHERE a.attrelid = to_regclass(%s) AND a.attnum > 0 AND NOT a.attisdropped
ORDER BY a.attnum
"""


@dataclass(frozen=True)
class Table:
    """A table: its name's parts and its columns in order, each with its type's name."""

    parts: tuple[str, ...]
    columns: dict[str, str]

    @property
    def name(self) -> str:
        return ".".join(self.parts)

    def listing(self) -> str:
        return ", ".join(self.columns)

    def is_json(self, column: str) -> bool:
        return self.columns.get(column) in JSON_TYPES


async def describe(pg: AsyncConnection[Any], parts: tuple[str, ...]) -> Table | None:
    """The table's columns, or None when there is no such table (or it cannot be seen)."""
    from psycopg import sql

    quoted = sql.Identifier(*parts).as_string(pg)
    async with pg.cursor() as cur:
        await cur.execute(_DESCRIBE, (quoted,))
        found = await cur.fetchall()
    if not found:
        return None
    return Table(parts, {str(name): str(kind) for name, kind in found})


def copy_statement(table: Table, columns: Sequence[str], binary: bool = False) -> Composed:
    from psycopg import sql

    return sql.SQL("COPY {} ({}) FROM STDIN{}").format(
        sql.Identifier(*table.parts), sql.SQL(", ").join(map(sql.Identifier, columns)),
        sql.SQL(" (FORMAT BINARY)" if binary else ""),
    )


def insert_statement(
    table: Table,
    columns: Sequence[str],
    mode: str,
    conflict: Sequence[str] | None,
    update: Sequence[str] | None,
) -> Composed:
    """``INSERT INTO t (cols) VALUES (...)`` with, for ``upsert``, ``ON CONFLICT (conflict) DO
    UPDATE SET`` the ``update`` columns (default: every inserted column not in ``conflict``),
    and for ``ignore``, ``ON CONFLICT [(conflict)] DO NOTHING``."""
    from psycopg import sql

    names = sql.SQL(", ").join(map(sql.Identifier, columns))
    statement = sql.SQL("INSERT INTO {} ({}) VALUES ({})").format(
        sql.Identifier(*table.parts), names, sql.SQL(", ").join(sql.Placeholder() * len(columns))
    )
    if mode == "insert":
        return statement
    target = (
        sql.SQL(" ({})").format(sql.SQL(", ").join(map(sql.Identifier, conflict)))
        if conflict
        else sql.SQL("")
    )
    changed = [c for c in (update if update is not None else columns) if c not in (conflict or ())]
    if mode == "ignore" or not changed:
        return sql.SQL("{} ON CONFLICT{} DO NOTHING").format(statement, target)
    sets = sql.SQL(", ").join(
        sql.SQL("{0} = EXCLUDED.{0}").format(sql.Identifier(c)) for c in changed
    )
    return sql.SQL("{} ON CONFLICT{} DO UPDATE SET {}").format(statement, target, sets)
