"""postgres-query against a real PostgreSQL: bound parameters (an injection attempt stays a
value), rows, single, rowcount, msg.query only when allowed, SQL errors, timeouts, types."""

from __future__ import annotations

from typing import Any

from flowrt.testing import FlowResult, run_flow
from tests.nodes.postgres.pg_testing import Database, flow, node


def query(db: Database, inputs: list[dict[str, Any]], **options: Any) -> FlowResult:
    """Run postgres-query `q` (with a catch node `oops`) over the messages."""
    text = flow(
        {"dsn": db.url},
        node("q", "postgres-query", connection="db", **options),
        "oops: {type: catch}",
    )
    return run_flow(text, inputs=inputs, into="q")


def errors(result: FlowResult) -> list[str]:
    return [m["error"]["message"] for m in result.sent("oops")]


def readings(db: Database) -> str:
    table = db.table("device text, at int, celsius float8")
    db.execute(
        f"INSERT INTO {table} VALUES ('d1', 1, 20.5), ('d1', 2, 21.0), ('d2', 1, 5.0), "
        "('it''s', 1, 0)"
    )
    return table


def test_parameters_come_from_message_properties(db: Database) -> None:
    table = readings(db)
    result = query(
        db,
        [{"payload": {"device": "d1"}, "limit": 5}, {"payload": {"device": "d9"}, "limit": 5}],
        query=f"SELECT at, celsius FROM {table} WHERE device = :device ORDER BY at LIMIT :n",
        params={"device": "payload.device", "n": "limit"},
    )
    assert errors(result) == []
    assert result.payloads("q") == [[{"at": 1, "celsius": 20.5}, {"at": 2, "celsius": 21.0}], []]
    assert [m["rowcount"] for m in result.sent("q")] == [2, 0]


def test_an_injection_attempt_stays_a_value(db: Database) -> None:
    table = readings(db)
    attacks = [f"x'; DROP TABLE {table}; --", "' OR '1'='1", "it's"]
    result = query(
        db,
        [{"payload": a} for a in attacks],
        query=f"SELECT device FROM {table} WHERE device = :device",
        params={"device": "payload"},
    )
    assert errors(result) == []
    assert result.payloads("q") == [[], [], [{"device": "it's"}]]
    assert db.rows(f"SELECT count(*) FROM {table}") == [(4,)]


def test_msg_params_and_missing_parameters(db: Database) -> None:
    table = readings(db)
    result = query(
        db,
        [{"params": {"device": "d2", "at": 1}}, {"params": {"device": "d2"}}, {"payload": 1}],
        query=f"SELECT celsius FROM {table} WHERE device = :device AND at = :at",
    )
    assert result.payloads("q") == [[{"celsius": 5.0}]]
    assert errors(result) == [
        "no value for parameter :at: map it in `params`, or send it in `msg.params`",
        "no value for parameter :device, :at: map it in `params`, or send it in `msg.params`",
    ]


def test_single_sends_the_first_row_or_null(db: Database) -> None:
    table = readings(db)
    result = query(
        db,
        [{"payload": "d1"}, {"payload": "d9"}],
        query=f"SELECT at FROM {table} WHERE device = :d ORDER BY at DESC",
        params={"d": "payload"},
        single=True,
    )
    assert result.payloads("q") == [{"at": 2}, None]


def test_rowcount_of_changes(db: Database) -> None:
    table = readings(db)
    statements = [
        (f"UPDATE {table} SET celsius = celsius + 1 WHERE device = :d", 2),
        (f"DELETE FROM {table} WHERE device = :d AND at = 1", 1),
        (f"INSERT INTO {table} VALUES (:d, 9, 1), (:d, 10, 2), (:d, 11, 3)", 3),
    ]
    for statement, count in statements:
        result = query(db, [{"payload": "d1"}], query=statement, params={"d": "payload"})
        assert errors(result) == []
        [sent] = result.sent("q")
        assert (sent["payload"], sent["rowcount"]) == ([], count)
    assert db.rows(f"SELECT at, celsius FROM {table} WHERE device = 'd1' ORDER BY at") == [
        (2, 22.0),
        (9, 1.0),
        (10, 2.0),
        (11, 3.0),
    ]


def test_returning_rows_of_a_change(db: Database) -> None:
    table = readings(db)
    result = query(
        db,
        [{"payload": {"device": "d7", "t": 30}}],
        query=f"INSERT INTO {table} VALUES (:device, 1, :t) RETURNING device, celsius",
        params={"device": "payload.device", "t": "payload.t"},
    )
    [sent] = result.sent("q")
    assert (sent["payload"], sent["rowcount"]) == ([{"device": "d7", "celsius": 30.0}], 1)


def test_msg_query_is_refused_unless_allowed(db: Database) -> None:
    table = readings(db)
    asked = {"query": f"SELECT count(*) AS n FROM {table}"}
    refused = query(db, [asked])
    assert refused.sent("q") == []
    assert errors(refused) == [
        "no query to run (msg.query is refused: allow_msg_query is false): set the node's `query`"
    ]
    configured = query(db, [asked], query="SELECT 1 AS one")
    assert configured.payloads("q") == [[{"one": 1}]]
    allowed = query(db, [asked, {"payload": 1}], query="SELECT 1 AS one", allow_msg_query=True)
    assert allowed.payloads("q") == [[{"n": 4}], [{"one": 1}]]
    nothing = query(db, [{"payload": 1}])
    assert errors(nothing) == [
        "no query to run: set the node's `query`, or send `msg.query` with `allow_msg_query: true`"
    ]


def test_a_sql_error_fails_the_message_with_its_sqlstate(db: Database) -> None:
    table = readings(db)
    result = query(
        db,
        [{"payload": 0}, {"payload": 2}],
        query=f"SELECT 10 / :d AS x FROM {table} LIMIT 1",
        params={"d": "payload"},
    )
    assert result.payloads("q") == [[{"x": 5}]]
    [message] = errors(result)
    assert message.startswith("the query failed on ")
    assert message.endswith(": division by zero (SQLSTATE 22012)")
    missing = query(db, [{"payload": 1}], query="SELECT * FROM flowrt_no_such_table")
    [message] = errors(missing)
    assert 'relation "flowrt_no_such_table" does not exist (SQLSTATE 42P01)' in message


def test_a_timeout_cancels_the_statement(db: Database) -> None:
    result = query(db, [{"payload": 1}], query="SELECT pg_sleep(30)", timeout=0.2)
    [message] = errors(result)
    assert "canceling statement due to statement timeout (SQLSTATE 57014)" in message
    quick = query(db, [{"payload": 1}], query="SELECT 2 AS two", timeout=5)
    assert quick.payloads("q") == [[{"two": 2}]]


def test_parameter_styles_casts_and_percent_signs(db: Database) -> None:
    result = query(
        db,
        [{"payload": {"a": 2, "tag": "x"}}],
        query="SELECT :a::int * 2 AS twice, '100%' AS pct, ':not_a_param' AS text, "
        "$$ :nor_this $$ AS dollar /* :nor_that */",
        params={"a": "payload.a"},
    )
    assert result.payloads("q") == [
        [{"twice": 4, "pct": "100%", "text": ":not_a_param", "dollar": " :nor_this "}]
    ]
    pyformat = query(
        db,
        [{"payload": {"a": 3}}],
        query="SELECT %(a)s::int + 1 AS n, '50%%' AS pct",
        params={"a": "payload.a"},
    )
    assert pyformat.payloads("q") == [[{"n": 4, "pct": "50%"}]]


def test_objects_go_as_json_and_lists_as_arrays(db: Database) -> None:
    table = readings(db)
    result = query(
        db,
        [{"payload": {"doc": {"k": [1, 2]}, "devices": ["d2", "it's"]}}],
        query=f"SELECT :doc::jsonb -> 'k' AS k, (SELECT count(*) FROM {table} "
        "WHERE device = ANY(:devices)) AS n",
        params={"doc": "payload.doc", "devices": "payload.devices"},
    )
    assert errors(result) == []
    assert result.payloads("q") == [[{"k": [1, 2], "n": 2}]]


def test_values_read_are_message_friendly(db: Database) -> None:
    result = query(
        db,
        [{"payload": 1}],
        query="SELECT 1.50::numeric AS dec, 12::numeric AS whole, "
        "'2024-05-06T07:08:09Z'::timestamptz AS at, '2024-05-06'::date AS day, "
        "'90 seconds'::interval AS span, 'a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11'::uuid AS id, "
        """'{"a": [1.5, null]}'::jsonb AS doc, '\\x00ff'::bytea AS raw, ARRAY[1, 2] AS list, """
        "NULL AS nothing, true AS yes",
    )
    assert errors(result) == []
    [row] = result.payloads("q")[0]
    assert row == {
        "dec": 1.5,
        "whole": 12,
        "at": "2024-05-06T07:08:09+00:00",
        "day": "2024-05-06",
        "span": 90.0,
        "id": "a0eebc99-9c0b-4ef8-bb6d-6bb9bd380a11",
        "doc": {"a": [1.5, None]},
        "raw": b"\x00\xff",
        "list": [1, 2],
        "nothing": None,
        "yes": True,
    }
    assert type(row["whole"]) is int


def test_a_server_that_is_away_fails_the_message_and_shows_it() -> None:
    from tests.support.servers import free_port

    port = free_port()
    text = flow(
        {"dsn": f"postgresql://postgres@127.0.0.1:{port}/test"},
        node("q", "postgres-query", connection="db", query="SELECT 1"),
        "oops: {type: catch}",
    )
    result = run_flow(text, inputs=[{"payload": 1}], into="q")
    [message] = errors(result)
    assert message.startswith(f"cannot connect to 127.0.0.1:{port}/test")
    assert ("q", {"fill": "red", "shape": "ring", "text": "disconnected"}) in result.statuses
