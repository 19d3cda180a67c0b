"""node-red-contrib-postgresql nodes whose query is a mustache template, imported and run
against the real PostgreSQL (FLOWRT_TEST_POSTGRES): tags where a value stands become bound
parameters holding the text mustache would have written, so an injection attempt is stored as
data; a query that is one raw tag becomes a msg.query statement; tags writing SQL text are
refused with the reason."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from flowrt.nodered import Conversion
from tests.nodered.helpers import entry, errors, flowrt_id, node, nr_import, run_imported, tab
from tests.nodes.postgres.pg_testing import PG_URL, Database

CONFIG = {"id": "cfg", "type": "postgreSQLConfig", "name": "test", "host": "127.0.0.1",
          "hostFieldType": "str", "port": "5432", "portFieldType": "num", "database": "test",
          "databaseFieldType": "str", "ssl": "false", "sslFieldType": "bool",
          "user": "postgres", "userFieldType": "str", "password": "", "passwordFieldType": "str",
          "max": "2", "maxFieldType": "num"}


@pytest.fixture
def db() -> Iterator[Database]:
    found = Database(PG_URL)
    yield found
    found.drop_all()


def imported(query: str) -> Conversion:
    conversion = nr_import([
        tab(), CONFIG,
        {"id": "q", "type": "postgresql", "z": "t1", "postgreSQLConfig": "cfg", "query": query,
         "split": False, "rowsPerMsg": 1, "outputs": 1, "wires": [["out"]]},
        {"id": "out", "type": "debug", "z": "t1", "wires": []},
        {"id": "oops", "type": "catch", "z": "t1", "scope": None, "wires": [["out"]]},
    ])
    assert not errors(conversion), errors(conversion)
    return conversion


def run(conversion: Conversion, inputs: list[dict[str, Any]], into: str = "") -> list[Any]:
    """What reached the debug node: each message's payload, or the error a catch got."""
    result = run_imported(conversion, inputs, into=into or flowrt_id(conversion, "q"))
    return [m["error"]["message"] if "error" in m else m["payload"]
            for m in result.received(flowrt_id(conversion, "out"))]


def test_an_injection_through_a_triple_mustache_is_stored_as_data(db: Database) -> None:
    table = db.table("v text")
    attacks = [f"'); DROP TABLE {table}; --", f"x'; DROP TABLE {table}; --", "it's"]
    conversion = imported(f"INSERT INTO {table} (v) VALUES ('{{{{{{msg.payload}}}}}}');")
    assert node(conversion, "q")["query"] == f"INSERT INTO {table} (v) VALUES (:m1);"
    assert node(conversion, "q")["text_params"] == {"m1": "'{{{msg.payload}}}'"}
    assert run(conversion, [{"payload": a} for a in attacks]) == [[], [], []]
    assert db.rows(f"SELECT v FROM {table}") == [(a,) for a in attacks]


def test_values_get_the_text_mustache_writes(db: Database) -> None:
    """`{{ }}` escapes as mustache.js does, a missing value is empty text (not NULL), a
    number is read as the column's type, a list is its items joined by commas."""
    table = db.table("id int, name text, at timestamptz")
    conversion = imported(
        f"INSERT INTO {table} VALUES ({{{{msg.payload.id}}}}, '{{{{msg.payload.name}}}} "
        "({{{msg.topic}}})', '{{msg.payload.at}}') RETURNING id")
    assert node(conversion, "q")["query"] == f"INSERT INTO {table} VALUES (:m1, :m2, :m3) " \
                                             "RETURNING id"
    sent: list[dict[str, Any]] = [
        {"payload": {"id": 1, "name": "<b>'x'</b>", "at": "2024-05-01T10:00:00Z"},
         "topic": "a'b"},
        {"payload": {"id": 2.0, "name": [1, None, "z"], "at": "2024-05-02"}}]
    assert run(conversion, sent) == [[{"id": 1}], [{"id": 2}]]
    assert db.rows(f"SELECT id, name, to_char(at, 'YYYY-MM-DD') FROM {table} ORDER BY id") == [
        (1, "&lt;b&gt;&#39;x&#39;&lt;&#x2F;b&gt; (a'b)", "2024-05-01"),
        (2, "1,,z ()", "2024-05-02")]


def test_bare_tags_where_values_stand_are_bound(db: Database) -> None:
    table = db.table("id int, v text")
    db.execute(f"INSERT INTO {table} VALUES (1, 'a'), (2, 'b'), (3, 'c')")
    conversion = imported(f"SELECT v FROM {table} WHERE id >= {{{{msg.from}}}} AND "
                          "v <> '{{msg.not}}' ORDER BY id LIMIT {{{msg.n}}}")
    rows, failed = run(conversion, [{"from": 2, "not": "c", "n": "5"},
                                    {"from": "1 OR 1=1", "n": 1}])
    assert rows == [{"v": "b"}]
    # the text mustache writes (`=` escaped), refused as a value: never SQL
    assert 'invalid input syntax for type integer: "1 OR 1&#x3D;1" (SQLSTATE 22P02)' in failed


def test_a_query_that_is_one_raw_tag_is_the_message_statement(db: Database) -> None:
    table = db.table("v int")
    conversion = imported("{{{msg.payload}}}")
    assert node(conversion, "q")["allow_msg_query"] is True
    assert "any message can run any SQL" in " ".join(entry(conversion, "q").notes)
    prelude = next(n for n in conversion.flows[0].nodes if n.endswith("-in"))
    assert run(conversion, [{"payload": f"INSERT INTO {table} VALUES (7)"}], into=prelude) == [[]]
    assert db.rows(f"SELECT v FROM {table}") == [(7,)]


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("SELECT * FROM {{msg.table}}", "{{msg.table}} sits where SQL text is expected"),
        ("SELECT * FROM t WHERE {{{msg.payload}}}", "sits where SQL text is expected"),
        ("SELECT * FROM t WHERE id IN ({{{msg.ids}}})", "fills `IN (...)` alone"),
        ("INSERT INTO t VALUES ({{{msg.payload}}})", "fills `VALUES (...)` alone"),
        ('SELECT "{{msg.column}}" FROM t', "a tag sits in a quoted name"),
        ("SELECT * FROM t ORDER BY {{msg.by}} DESC", "sits where SQL text is expected"),
        ("SELECT * FROM t WHERE a = {{payload}}", "is not a tag naming a message property"),
        ("SELECT * FROM t WHERE a = '{{#msg.a}}x{{/msg.a}}'", "not a tag naming a message"),
    ],
)
def test_tags_that_write_sql_are_refused_with_the_reason(query: str, why: str) -> None:
    conversion = imported(query)
    found = entry(conversion, "q")
    assert found.status == "unsupported"
    assert why in found.reason and "a tag may stand only for a value" in found.reason
