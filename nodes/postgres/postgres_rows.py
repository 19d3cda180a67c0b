"""Messages made rows for postgres-out: each message's values in column order, grouped in runs
of consecutive messages with the same columns (one COPY or executemany each, in order).

Two shortcuts, each taken only where it gives the same rows as the general way:

- **one object**: when every column reads a key of the same object (``payload.id``,
  ``payload.t``, ...), a message whose object is a dict holding every key has its values
  picked at once (``operator.itemgetter``); any other message goes the general way (a property
  path per column).
- **binary COPY**: a run whose every value is of a Python type the column's binary form takes
  as the text form would (:data:`BINARY_TAKES`: ``int`` into ``int8``, ``float`` or ``int``
  into ``float8``, ``str`` into ``text``, ...; None into any) is marked with its columns' types,
  and postgres-out writes it with ``COPY ... (FORMAT BINARY)``: a float is not written out as
  text for the server to parse back (about half the CPU a row of COPY's formatting, see
  benchmarks/README.md). Any other value (a string into a number column, a timestamp as
  text) keeps its run in text, where the server converts it as before.
"""

from __future__ import annotations

import operator
from collections.abc import Callable, Mapping
from typing import Any

from flowrt.api import MISSING, Message, NodeError, getter, parse_path

from .postgres_table import Table

Row = tuple[Message, tuple[Any, ...]]
Run = tuple[tuple[str, ...], list[Row], tuple[str, ...] | None]
"""The columns, the messages written to them with their values in that order, and the
columns' types when the run can be copied in binary (None: in text)."""
Failure = tuple[Message, BaseException]

BINARY_TAKES: dict[str, frozenset[type]] = {
    "int8": frozenset({int}),
    "float8": frozenset({float, int}),
    "text": frozenset({str}),
    "varchar": frozenset({str}),
    "bool": frozenset({bool}),
}
"""Column types (``pg_type.typname``) written in binary COPY, and the Python types of values
they take so (``type(value)`` exactly: a bool is not an int here). A value out of range (an int
beyond int8, beyond a float) fails to format (OverflowError), and its batch is written in text
instead (postgres-out). Not ``int4`` nor ``int2``: psycopg 3.3's binary dumpers for them write
an int out of their range as 0 where the text form is refused by the server."""
SIGNATURES = 256
"""Rows' type signatures remembered per set of columns (binary or not)."""


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
        self._binary: dict[tuple[str, ...], tuple[tuple[str, ...] | None, dict[Any, bool]]] = {}
        self._pick: Callable[[Any], tuple[Any, ...]] | None = None
        self._holder = ""
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
            self._one_object(list(columns.values()))

    def _one_object(self, paths: list[str]) -> None:
        """The *one object* shortcut: every path is ``NAME.KEY`` with the same NAME, and no
        column of the table's json types (whose values are wrapped otherwise)."""
        parsed = [parse_path(path) for path in paths]
        if not all(len(keys) == 2 and all(type(k) is str for k in keys) for keys in parsed):
            return
        if len({keys[0] for keys in parsed}) != 1 or True in self._flags(self._columns):
            return
        keys = [keys[1] for keys in parsed]
        self._holder = str(parsed[0][0])
        if len(keys) == 1:
            one = operator.itemgetter(keys[0])
            self._pick = lambda obj: (one(obj),)
        else:
            self._pick = operator.itemgetter(*keys)

    def runs(self, batch: list[Message]) -> tuple[list[Run], list[Failure]]:
        runs: list[Run] = []
        failed: list[Failure] = []
        current: tuple[str, ...] | None = None
        rows: list[Row] = []
        types: tuple[str, ...] | None = None  # the run's column types while it can be binary
        known: dict[Any, bool] = {}
        pick, holder = self._pick, self._holder
        for msg in batch:
            values: tuple[Any, ...] | None = None
            columns = self._columns
            if pick is not None and type(msg) is dict:
                obj = msg.get(holder)
                if type(obj) is dict:
                    try:
                        values = pick(obj)
                    except KeyError:
                        pass
                    else:
                        if dict in map(type, values):  # an object is wrapped: the general way
                            values = None
            if values is None:
                made = self._make(msg)
                if isinstance(made, BaseException):
                    failed.append((msg, made))
                    continue
                columns, values = made
            if columns != current:
                if current is not None:
                    runs.append((current, rows, types))
                current, rows = columns, []
                types, known = self._signatures(current)
            if types is not None:
                kinds = tuple(map(type, values))
                ok = known.get(kinds)
                if ok is None:
                    ok = _takes(types, kinds, known)
                if not ok:
                    types = None
            rows.append((msg, values))
        if current is not None:
            runs.append((current, rows, types))
        return runs, failed

    def _signatures(
        self, columns: tuple[str, ...]
    ) -> tuple[tuple[str, ...] | None, dict[Any, bool]]:
        """The types of ``columns`` when rows to them may go in binary at all (else None), and
        the rows' type signatures seen so far."""
        entry = self._binary.get(columns)
        if entry is None:
            kinds = tuple(self.table.columns.get(c, "") for c in columns)
            types = kinds if all(k in BINARY_TAKES for k in kinds) else None
            if len(self._binary) >= SIGNATURES:
                self._binary.clear()
            entry = self._binary[columns] = (types, {})
        return entry

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


def _takes(types: tuple[str, ...], kinds: tuple[type, ...], known: dict[Any, bool]) -> bool:
    """Whether values of ``kinds`` go into columns of ``types`` in binary (remembered)."""
    ok = all(
        kind is type(None) or kind in BINARY_TAKES[pg]
        for kind, pg in zip(kinds, types, strict=True)
    )
    if len(known) < SIGNATURES:
        known[kinds] = ok
    return ok
