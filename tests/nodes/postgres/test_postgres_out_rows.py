"""postgres-out's shortcuts (nodes/postgres/postgres_rows.py): columns picked from one object at
once, and runs copied in binary; each must write what the general way writes."""

from __future__ import annotations

from typing import Any

from tests.nodes.postgres.pg_testing import Database
from tests.nodes.postgres.test_postgres_out import errors, log_statements, write

READING = {c: f"payload.{c}" for c in ("id", "v", "name", "ok")}
"""The pipeline's kind of mapping: every column a key of the payload."""


def statements(db: Database, log: str) -> list[str]:
    return [q for (q,) in db.rows(f"SELECT query FROM {log}")]


def test_values_of_the_columns_types_are_copied_in_binary(db: Database) -> None:
    table = db.table("id bigint, v float8, name text, ok bool")
    log = log_statements(db, table)
    names = ["plain", "tab\there", "back\\slash", "new\nline", "\\N", "ünïcødé ✓", ""]
    messages: list[dict[str, Any]] = [
        {"payload": {"id": i, "v": i / 8 if i % 3 else i, "name": names[i % len(names)],
                     "ok": i % 2 == 0}}
        for i in range(40)
    ]
    messages[5]["payload"].update(v=None, name=None, ok=None)
    messages[6]["payload"]["id"] = -(2**63)
    result = write(db, messages, table=table, columns=READING, batch_size=100)
    assert result.errors == [] and errors(result) == []
    rows = db.rows(f"SELECT id, v, name, ok FROM {table} ORDER BY id")
    expected = sorted(
        (m["payload"]["id"], None if m["payload"]["v"] is None else float(m["payload"]["v"]),
         m["payload"]["name"], m["payload"]["ok"])
        for m in messages
    )
    assert rows == expected
    assert [q.endswith("FROM STDIN (FORMAT BINARY)") for q in statements(db, log)] == [True]


def test_text_values_for_typed_columns_are_copied_in_text(db: Database) -> None:
    table = db.table("id bigint, v float8, name text, at timestamptz")
    log = log_statements(db, table)
    columns = {**{c: f"payload.{c}" for c in ("id", "v", "name")}, "at": "payload.at"}
    messages = [
        {"payload": {"id": 1, "v": 1.5, "name": "a", "at": None}},
        {"payload": {"id": 2, "v": "2.25", "name": "b", "at": "2026-01-02T03:04:05Z"}},
        {"payload": {"id": 3, "v": 3, "name": "c", "at": None}},
    ]
    result = write(db, messages, table=table, columns=columns, batch_size=10)
    assert result.errors == [] and errors(result) == []
    assert db.rows(f"SELECT id, v, name, extract(epoch FROM at) FROM {table} ORDER BY id") == [
        (1, 1.5, "a", None), (2, 2.25, "b", 1767323045), (3, 3.0, "c", None),
    ]
    [statement] = statements(db, log)
    assert statement.endswith("FROM STDIN")  # a timestamptz column is never binary


def test_an_int_out_of_its_column_range_fails_only_its_message(db: Database) -> None:
    # int8 in binary refuses it (the batch then goes in text, where the server refuses it);
    # int4 is never binary: psycopg's binary form would store it as 0.
    for kind in ("bigint", "int"):
        table = db.table(f"id {kind}, v float8, name text, ok bool")
        messages: list[dict[str, Any]] = [
            {"payload": {"id": i, "v": 0.5, "name": "n", "ok": True}} for i in range(6)
        ]
        messages[2]["payload"]["id"] = 2**70 if kind == "bigint" else 2**40
        messages[4]["payload"]["v"] = 10**400  # beyond a float: out of float8's range too
        result = write(db, messages, table=table, columns=READING, batch_size=10)
        assert db.rows(f"SELECT id FROM {table} ORDER BY id") == [(0,), (1,), (3,), (5,)]
        failed = errors(result)
        assert [p["id"] for p, _ in failed] == [messages[2]["payload"]["id"], 4]
        assert all("(SQLSTATE 22003)" in text for _, text in failed)


def test_columns_of_one_object_read_as_their_paths_do(db: Database) -> None:
    table = db.table("id bigint, v float8, name text, ok bool")
    messages: list[dict[str, Any]] = [
        {"payload": {"id": 1, "v": 1.0, "name": "all keys", "ok": True}},
        {"payload": {"id": 2, "name": "no v, no ok"}},  # absent keys: NULL
        {"payload": {"id": 3, "v": 3.0, "name": {"an": "object"}, "ok": False}},  # JSON text
        {"payload": "not an object"},  # every column NULL
        {"payload": {"id": 5, "v": 5, "name": "extra keys", "ok": True, "other": [1]}},
        {"topic": "no payload"},
    ]
    result = write(db, messages, table=table, columns=READING, batch_size=10)
    assert result.errors == [] and errors(result) == []
    assert db.rows(f"SELECT id, v, name, ok FROM {table} ORDER BY id NULLS LAST") == [
        (1, 1.0, "all keys", True),
        (2, None, "no v, no ok", None),
        (3, 3.0, '{"an": "object"}', False),
        (5, 5.0, "extra keys", True),
        (None, None, None, None),
        (None, None, None, None),
    ]


def test_a_batch_of_many_sets_of_columns(db: Database) -> None:
    # more sets of payload keys in one batch than the row maker remembers (SIGNATURES)
    names = [f"c{i}" for i in range(9)]
    table = db.table(", ".join(f"{n} text" for n in ["id", *names]))
    subsets = [[n for bit, n in enumerate(names) if mask >> bit & 1] for mask in range(1, 301)]
    messages = [{"payload": {"id": str(i), **{n: n for n in keys}}}
                for i, keys in enumerate(subsets)]
    result = write(db, messages, table=table, batch_size=1000)
    assert result.errors == [] and errors(result) == []
    assert db.rows(f"SELECT count(*), count(c0), count(c8) FROM {table}") == [(300, 150, 45)]
