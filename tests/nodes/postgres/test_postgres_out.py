"""postgres-out against a real PostgreSQL: COPY inserts, upsert, ignore, column mapping, JSON,
a bad row failing only its message, and the errors a person sees."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from flowrt_nodes.postgres.postgres_errors import server_name

from flowrt.check import check
from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.testing import FlowResult, Harness, run_flow
from tests.nodes.postgres.pg_testing import PASSWORD, Database, flow, node
from tests.support.servers import PrivatePostgres
from tests.support.waiting import eventually


def write(db: Database, inputs: list[dict[str, Any]], **options: Any) -> FlowResult:
    """Run postgres-out `w` (with a catch node `oops`) over the messages."""
    text = flow(
        {"dsn": db.url},
        node("w", "postgres-out", connection="db", **options),
        "oops: {type: catch}",
    )
    return run_flow(text, inputs=inputs, into="w")


def errors(result: FlowResult) -> list[tuple[Any, str]]:
    """(payload, error message) of every message caught."""
    return [(m["payload"], m["error"]["message"]) for m in result.sent("oops")]


async def until(condition: Callable[[], bool], what: str) -> None:
    """Wait (up to a minute) until ``condition()``, run in a thread (it queries the database),
    is true."""
    await eventually(lambda: asyncio.to_thread(condition), what)


def log_statements(db: Database, table: str) -> str:
    """A side table recording the text of every statement that inserts into ``table``."""
    log = db.table("query text", prefix="log")
    db.execute(
        f"CREATE FUNCTION {log}_f() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN INSERT INTO {log} VALUES (current_query()); RETURN NULL; END $$"
    )
    db.execute(
        f"CREATE TRIGGER {log}_t AFTER INSERT ON {table} "
        f"FOR EACH STATEMENT EXECUTE FUNCTION {log}_f()"
    )
    return log


def test_insert_writes_each_batch_with_one_copy(db: Database) -> None:
    table = db.table("id int, name text, v float8")
    log = log_statements(db, table)
    messages = [{"payload": {"id": i, "name": f"n{i}", "v": i / 4}} for i in range(1200)]
    result = write(db, messages, table=table, batch_size=500)
    assert result.errors == []
    assert db.rows(f"SELECT count(*), sum(id), sum(v) FROM {table}") == [(1200, 719400, 179850.0)]
    assert db.rows(f"SELECT name FROM {table} WHERE id = 777") == [("n777",)]
    statements = [q for (q,) in db.rows(f"SELECT query FROM {log}")]
    assert len(statements) == 3  # 500 + 500 + 200
    assert all(q.startswith(f'COPY "{table}" ("id", "name", "v") FROM STDIN') for q in statements)
    assert [s for s in result.statuses if s[0] == "w"][0][1]["fill"] == "green"


def test_a_schema_qualified_table(db: Database) -> None:
    schema = db.table("x int", prefix="s")  # a unique name, reused for the schema
    db.execute(f"DROP TABLE {schema}")
    db.execute(f"CREATE SCHEMA {schema}")
    try:
        db.execute(f"CREATE TABLE {schema}.readings (id int, name text)")
        result = write(
            db,
            [{"payload": {"id": 1, "name": "a"}}, {"payload": {"id": 2}}],
            table=f"{schema}.readings",
        )
        assert result.errors == []
        assert db.rows(f"SELECT * FROM {schema}.readings ORDER BY id") == [(1, "a"), (2, None)]
    finally:
        db.execute(f"DROP SCHEMA {schema} CASCADE")


def test_columns_map_nested_message_properties(db: Database) -> None:
    table = db.table("device text, celsius float8, topic text, msgid text")
    columns = {
        "device": "payload.device.id",
        "celsius": "payload.reading['t']",
        "topic": "topic",
        "msgid": "_msgid",
    }
    messages = [
        {"topic": "plant/1", "payload": {"device": {"id": "d1"}, "reading": {"t": 21.5}}},
        {"topic": "plant/2", "payload": {"device": {"id": "d2"}}},  # no reading: NULL
    ]
    result = write(db, messages, table=table, columns=columns)
    assert result.errors == []
    rows = db.rows(f"SELECT device, celsius, topic, msgid FROM {table} ORDER BY device")
    assert [r[:3] for r in rows] == [("d1", 21.5, "plant/1"), ("d2", None, "plant/2")]
    assert all(isinstance(r[3], str) and len(r[3]) == 16 for r in rows)


def test_upsert_updates_the_row_a_redelivered_message_finds(db: Database) -> None:
    table = db.table("device text, at int, celsius float8, note text, PRIMARY KEY (device, at)")
    options = {"table": table, "mode": "upsert", "conflict": ["device", "at"]}
    first = {"payload": {"device": "d1", "at": 1, "celsius": 20.0, "note": "first"}}
    assert write(db, [first, first], **options).errors == []  # the same batch twice
    again = {"payload": {"device": "d1", "at": 1, "celsius": 23.5, "note": "again"}}
    other = {"payload": {"device": "d2", "at": 1, "celsius": 5.0, "note": "x"}}
    assert write(db, [again, other], **options).errors == []
    assert db.rows(f"SELECT * FROM {table} ORDER BY device") == [
        ("d1", 1, 23.5, "again"),
        ("d2", 1, 5.0, "x"),
    ]
    only_celsius = {**options, "update": ["celsius"]}
    late = {"payload": {"device": "d1", "at": 1, "celsius": 30.0, "note": "ignored"}}
    assert write(db, [late], **only_celsius).errors == []
    assert db.rows(f"SELECT celsius, note FROM {table} WHERE device = 'd1'") == [(30.0, "again")]


def test_ignore_skips_rows_that_conflict(db: Database) -> None:
    table = db.table("id int PRIMARY KEY, name text")
    assert write(db, [{"payload": {"id": 1, "name": "kept"}}], table=table).errors == []
    messages = [{"payload": {"id": 1, "name": "skipped"}}, {"payload": {"id": 2, "name": "new"}}]
    for options in ({"mode": "ignore"}, {"mode": "ignore", "conflict": ["id"]}):
        result = write(db, messages, table=table, **options)
        assert result.errors == []
    assert db.rows(f"SELECT * FROM {table} ORDER BY id") == [(1, "kept"), (2, "new")]


def test_json_values(db: Database) -> None:
    table = db.table("id int, doc jsonb, raw json, label text, tags int[]")
    payloads = [
        {
            "id": 1,
            "doc": {"a": [1, {"b": None}]},
            "raw": [1, "x"],
            "label": {"k": 1},
            "tags": [1, 2, 3],
        },
        {"id": 2, "doc": "just text", "raw": 3.5, "label": "plain", "tags": []},
    ]
    for batch_size in (1, 10):  # one INSERT, and a COPY
        db.execute(f"TRUNCATE {table}")
        result = write(db, [{"payload": p} for p in payloads], table=table, batch_size=batch_size)
        assert result.errors == []
        rows = db.rows(f"SELECT id, doc, raw, label, tags FROM {table} ORDER BY id")
        assert rows == [
            (1, {"a": [1, {"b": None}]}, [1, "x"], '{"k": 1}', [1, 2, 3]),
            (2, "just text", 3.5, "plain", []),
        ]
        assert db.rows(f"SELECT jsonb_typeof(doc) FROM {table} ORDER BY id") == [
            ("object",),
            ("string",),
        ]


def test_a_bad_row_fails_only_its_own_message(db: Database) -> None:
    table = db.table("id int PRIMARY KEY, name text NOT NULL, v int CHECK (v >= 0)")
    messages = [
        {"payload": {"id": 1, "name": "a", "v": 1}},
        {"payload": {"id": 2, "name": None, "v": 1}},  # NOT NULL
        {"payload": {"id": 3, "name": "c", "v": 3}},
        {"payload": {"id": 4, "name": "d", "v": "four"}},  # not an integer
        {"payload": {"id": 5, "name": "e", "v": -5}},  # CHECK
        {"payload": {"id": 6, "name": "f", "v": 6}},
    ]
    for mode, options in (("insert", {}), ("upsert", {"conflict": ["id"]})):
        db.execute(f"TRUNCATE {table}")
        result = write(db, messages, table=table, mode=mode, **options)
        assert db.rows(f"SELECT id FROM {table} ORDER BY id") == [(1,), (3,), (6,)]
        failed = errors(result)
        assert [p["id"] for p, _ in failed] == [2, 4, 5]
        assert "(SQLSTATE 23502)" in failed[0][1] and '"name"' in failed[0][1]
        assert "(SQLSTATE 22P02)" in failed[1][1] and '"four"' in failed[1][1]
        assert "(SQLSTATE 23514)" in failed[2][1]
        assert all(m.startswith(f"writing a row to table {table} failed on ") for _, m in failed)
        assert {m["error"]["source"]["id"] for m in result.sent("oops")} == {"w"}


def test_a_bad_row_alone_fails_its_message(db: Database) -> None:
    table = db.table("id int PRIMARY KEY")
    result = write(db, [{"payload": {"id": 1}}, {"payload": {"id": 1}}], table=table, batch_size=1)
    assert [(p, "(SQLSTATE 23505)" in m) for p, m in errors(result)] == [({"id": 1}, True)]
    assert db.rows(f"SELECT id FROM {table}") == [(1,)]


def test_a_missing_table_names_it_and_what_to_do(db: Database) -> None:
    table = db.table("x int") + "_absent"
    result = write(db, [{"payload": {"x": 1}}, {"payload": {"x": 2}}], table=table)
    expected = (
        f"table {table} does not exist in {server_name(db.url)} (or this user cannot see it): "
        "create it first, postgres-out does not create tables"
    )
    assert errors(result) == [({"x": 1}, expected), ({"x": 2}, expected)]


def test_a_server_that_goes_away_gets_the_held_messages_when_it_is_back(
    private_server: PrivatePostgres,
) -> None:
    table = "held_" + uuid.uuid4().hex[:12]
    admin = private_server.admin_url()
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f"CREATE TABLE {table} (id int PRIMARY KEY)")
    env = {"PG_PASSWORD": PASSWORD}
    text = flow(
        {"dsn": private_server.url(), "password": "${PG_PASSWORD}"},
        node("w", "postgres-out", connection="db", table=table, batch_size=10, batch_interval=0.05),
    )

    def count() -> int:
        try:
            with psycopg.connect(admin, connect_timeout=3) as conn:
                row = conn.execute(f"SELECT count(*) FROM {table}").fetchone()
                return int(row[0]) if row else -1
        except psycopg.OperationalError:
            return -1

    async def scenario() -> FlowResult:
        plan, _ = build_plan(Project(documents=[load_text(text, "f.yaml")]), env=env)
        harness = Harness(plan, env=env, virtual_time=False, timeout=120)
        await harness.start()
        try:
            for i in range(50):
                harness.send("w", {"payload": {"id": i}})
            await until(lambda: count() == 50, "the first 50 rows")
            await asyncio.to_thread(private_server.stop)
            for i in range(50, 120):
                harness.send("w", {"payload": {"id": i}})
            red = ("w", {"fill": "red", "shape": "ring", "text": "disconnected"})
            await until(lambda: red in harness.result.statuses, "the red status")
            await asyncio.to_thread(private_server.start)
            await until(lambda: count() == 120, "the 70 rows held meanwhile")
        finally:
            if not (private_server.data / "postmaster.pid").exists():
                private_server.start()
            await harness.stop()
        return harness.result

    result = asyncio.run(scenario())
    assert result.errors == []
    with psycopg.connect(admin) as conn:
        assert conn.execute(f"SELECT min(id), max(id) FROM {table}").fetchone() == (0, 119)
        conn.execute(f"DROP TABLE {table}")
        conn.commit()
    assert result.statuses[-1][1]["fill"] == "green"  # back to connected


def test_a_deadlock_is_written_again_and_nothing_is_lost(db: Database) -> None:
    """The flow's batch and another session lock two rows in opposite orders: the server
    aborts the flow's transaction (deadlock_timeout 0.5 s there, 30 s in the other session);
    the engine keeps the batch and writes it again once the other session committed."""
    table = db.table("id int PRIMARY KEY, v int")
    db.execute(f"INSERT INTO {table} VALUES (1, 0), (2, 0)")
    app = "flowrt-deadlock-" + table[-12:]
    dsn = f"{db.url}?options=-c%20deadlock_timeout%3D500"
    sink = node(
        "w",
        "postgres-out",
        connection="db",
        table=table,
        mode="upsert",
        conflict=["id"],
        batch_interval=0.05,
    )
    plan, _ = build_plan(
        Project(documents=[load_text(flow({"dsn": dsn, "application_name": app}, sink), "f.yaml")]),
        env={},
    )

    def flow_waits_for_a_lock() -> bool:
        return db.rows(
            "SELECT count(*) FROM pg_stat_activity WHERE application_name = %s "
            "AND wait_event_type = 'Lock'",
            (app,),
        ) == [(1,)]

    async def scenario() -> FlowResult:
        harness = Harness(plan, virtual_time=False, timeout=60)
        await harness.start()
        other = await psycopg.AsyncConnection.connect(db.url)
        try:
            await other.execute("SET deadlock_timeout = '30s'")
            await other.execute(f"UPDATE {table} SET v = -1 WHERE id = 1")  # holds row 1
            harness.send("w", {"payload": {"id": 2, "v": 2}})  # the flow takes row 2 ...
            harness.send("w", {"payload": {"id": 1, "v": 1}})  # ... and waits for row 1
            await until(flow_waits_for_a_lock, "the flow to wait for row 1")
            await other.execute(f"UPDATE {table} SET v = -2 WHERE id = 2")  # the cycle
            await other.commit()
            await until(
                lambda: db.rows(f"SELECT id, v FROM {table} ORDER BY id") == [(1, 1), (2, 2)],
                "the batch written again",
            )
        finally:
            await other.close()
            await harness.stop()
        return harness.result

    result = asyncio.run(scenario())
    assert result.errors == []
    retried = [t for n, level, t in result.logs if n == "w" and level == "warning"]
    assert len(retried) == 1 and "deadlock detected (SQLSTATE 40P01)" in retried[0]
    assert "the batch is written again; holding 2 message(s)" in retried[0]


def test_a_refused_password_fails_the_batch(private_server: PrivatePostgres) -> None:
    text = flow(
        {"dsn": private_server.url(), "password": "${PG_PASSWORD}"},
        node("w", "postgres-out", connection="db", table="anything"),
        "oops: {type: catch}",
    )
    result = run_flow(
        text, inputs=[{"payload": {"a": 1}}] * 2, into="w", env={"PG_PASSWORD": "wrong"}
    )
    failed = errors(result)
    assert len(failed) == 2
    assert all("refused the login: password authentication failed" in m for _, m in failed)
    assert ("w", {"fill": "red", "shape": "ring", "text": "authentication failed"}) in (
        result.statuses
    )


def test_payloads_that_are_not_rows_fail_their_message(db: Database) -> None:
    table = db.table("id int, name text")
    messages = [
        {"payload": {"id": 1}},
        {"payload": "text"},
        {"payload": {"id": 2, "nme": "x"}},
        {"payload": {"id": 3, "name": "c"}},
    ]
    result = write(db, messages, table=table)
    failed = errors(result)
    assert [p for p, _ in failed] == ["text", {"id": 2, "nme": "x"}]
    assert "the payload is not an object of column values (got str)" in failed[0][1]
    assert f"table {table} has no column 'nme' (its columns: id, name)" in failed[1][1]
    assert db.rows(f"SELECT id, name FROM {table} ORDER BY id") == [(1, None), (3, "c")]


def test_a_mapped_column_the_table_lacks_fails_the_batch(db: Database) -> None:
    table = db.table("id int")
    result = write(db, [{"payload": 1}], table=table, columns={"id": "payload", "nope": "topic"})
    [(_, message)] = errors(result)
    assert f"table {table} has no column 'nope' (its columns: id): fix `columns`" in message
    assert db.rows(f"SELECT count(*) FROM {table}") == [(0,)]


@pytest.mark.parametrize(
    ("options", "expected"),
    [
        ({"mode": "upsert"}, "mode `upsert` needs `conflict`"),
        ({"update": ["v"]}, "`update` applies to mode `upsert` only"),
        ({"table": "a.b.c"}, "'a.b.c' is not a table name"),
        ({"batch_size": 0}, "batch_size"),
    ],
)
def test_configuration_errors(options: dict[str, Any], expected: str) -> None:
    config = {"table": "readings", **options}
    text = flow({"dsn": "postgresql://u@h/d"}, node("w", "postgres-out", connection="db", **config))
    found = check(Project(documents=[load_text(text, "f.yaml")]), env={})
    [problem] = [d for d in found if d.severity == "error"]
    assert problem.node == "w"
    assert expected in problem.message


def test_batching_comes_from_the_configuration() -> None:
    from flowrt_nodes.postgres.postgres_out import PostgresOut

    cfg = PostgresOut.Config.model_validate(
        {"connection": "db", "table": "t", "batch_size": 7, "batch_interval": 0.5}
    )
    sink = PostgresOut("w", cfg, ctx=None)
    assert (sink.batch_size, sink.batch_interval) == (7, 0.5)
    default = PostgresOut(
        "w", PostgresOut.Config.model_validate({"connection": "db", "table": "t"}), ctx=None
    )
    assert (default.batch_size, default.batch_interval) == (500, 0.2)
    assert json.loads(json.dumps(cfg.model_dump()))["mode"] == "insert"
