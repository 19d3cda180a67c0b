"""Messages made rows for postgres-out: each message's values in column order, grouped in runs
of consecutive messages with the same columns (one COPY or executemany each, in order)."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from flowrt.api import MISSING, Message, NodeError, getter

from .postgres_table import Table

Row = tuple[Message, tuple[Any, ...]]
Run = tuple[tuple[str, ...], list[Row]]
"""The columns, and the messages written to them with their values in that order."""
Failure = tuple[Message, BaseException]


class RowMaker:
    """Makes the rows of one table from messages, by ``columns`` (column -> property path) or,
    without it, from the payload's keys."""

    def __init__(self, table: Table, columns: Mapping[str, str] | None, node: str) -> None:
        from psycopg.types.json import Jsonb

        self.table = table
        self.node = node
        self._jsonb = Jsonb
        self._getters: list[Callable[[Any], Any]] | None = None
        self._columns: tuple[str, ...] = ()
        self._json: dict[tuple[str, ...], tuple[bool, ...]] = {}
        if columns is not None:
            unknown = [c for c in columns if c not in table.columns]
            if unknown:
                raise NodeError(
                    f"table {table.name} has no column {', '.join(map(repr, unknown))} (its "
                    f"columns: {table.listing()}): fix `columns`, or add the column",
                    node=node,
                )
            self._columns = tuple(columns)
            self._getters = [getter(path) for path in columns.values()]

    def runs(self, batch: list[Message]) -> tuple[list[Run], list[Failure]]:
        runs: list[Run] = []
        failed: list[Failure] = []
        current: tuple[str, ...] | None = None
        rows: list[Row] = []
        for msg in batch:
            made = self._make(msg)
            if isinstance(made, BaseException):
                failed.append((msg, made))
                continue
            columns, values = made
            if columns != current:
                rows = []
                runs.append((columns, rows))
                current = columns
            rows.append((msg, values))
        return runs, failed

    def _flags(self, columns: tuple[str, ...]) -> tuple[bool, ...]:
        flags = self._json.get(columns)
        if flags is None:
            flags = self._json[columns] = tuple(self.table.is_json(c) for c in columns)
        return flags

    def _make(self, msg: Message) -> tuple[tuple[str, ...], tuple[Any, ...]] | NodeError:
        if self._getters is not None:
            columns = self._columns
            raw = [get(msg) for get in self._getters]
        else:
            payload = msg.get("payload")
            if not isinstance(payload, dict) or not payload:
                return NodeError(
                    f"the payload is not an object of column values (got "
                    f"{type(payload).__name__}): send an object, or set `columns` to map "
                    "message properties to columns",
                    node=self.node,
                )
            columns = tuple(payload)
            unknown = [c for c in columns if c not in self.table.columns]
            if unknown:
                return NodeError(
                    f"table {self.table.name} has no column {', '.join(map(repr, unknown))} "
                    f"(its columns: {self.table.listing()}): remove the key from the payload, "
                    "or set `columns`",
                    node=self.node,
                )
            raw = list(payload.values())
        jsonb = self._jsonb
        flags = self._flags(columns)
        if True not in flags:  # no json column: only objects are wrapped (as their JSON text)
            return columns, tuple([
                None if value is MISSING else jsonb(value) if type(value) is dict else value
                for value in raw
            ])
        values = tuple(
            None
            if value is None or value is MISSING
            else jsonb(value)
            if is_json or type(value) is dict
            else value
            for value, is_json in zip(raw, flags, strict=True)
        )
        return columns, values
