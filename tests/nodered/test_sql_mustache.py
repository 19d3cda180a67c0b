"""bind_tags: where a mustache tag of a node-red-contrib-postgresql query stands for a value
(it becomes a parameter) and where it writes SQL (refused, saying where)."""

from __future__ import annotations

import pytest

from flowrt.nodered.sql_mustache import WHOLE, NotAValue, bind_tags


@pytest.mark.parametrize(
    ("query", "sql", "texts"),
    [
        ("SELECT * FROM t WHERE a = '{{{msg.payload}}}'", "SELECT * FROM t WHERE a = :m1",
         {"m1": "'{{{msg.payload}}}'"}),
        ("SELECT * FROM t WHERE name LIKE '%{{msg.q}}%' -- by {{msg.who}}",
         "SELECT * FROM t WHERE name LIKE :m1 -- by ", {"m1": "'%{{msg.q}}%'"}),
        ("SELECT 'it''s {{msg.q}}', 'plain {x}'", "SELECT :m1, 'plain {x}'",
         {"m1": "'it''s {{msg.q}}'"}),
        ("INSERT INTO t VALUES (1, 2), ({{msg.a}}, '{{msg.b}}')",
         "INSERT INTO t VALUES (1, 2), (:m1, :m2)", {"m1": "{{msg.a}}", "m2": "'{{msg.b}}'"}),
        ("INSERT INTO t VALUES ({{msg.a}})", "INSERT INTO t VALUES (:m1)", {"m1": "{{msg.a}}"}),
        ("UPDATE t SET a = {{msg.a}}::int, b = {{& msg.b}} WHERE id IN ({{msg.i}}, 2)",
         "UPDATE t SET a = :m1::int, b = :m2 WHERE id IN (:m3, 2)",
         {"m1": "{{msg.a}}", "m2": "{{& msg.b}}", "m3": "{{msg.i}}"}),
        ("SELECT to_timestamp({{msg.ts}} / 1000) LIMIT {{msg.n}} OFFSET {{msg.o}};",
         "SELECT to_timestamp(:m1 / 1000) LIMIT :m2 OFFSET :m3;",
         {"m1": "{{msg.ts}}", "m2": "{{msg.n}}", "m3": "{{msg.o}}"}),
        ("SELECT $1::text, 'x' WHERE e'a' = E'a'", "SELECT $1::text, 'x' WHERE e'a' = E'a'", {}),
    ],
)
def test_tags_where_values_stand_become_parameters(
    query: str, sql: str, texts: dict[str, str]
) -> None:
    assert bind_tags(query) == (sql, texts)


@pytest.mark.parametrize(
    ("query", "why"),
    [
        ("SELECT * FROM {{msg.table}}", "sits where SQL text is expected"),
        ("SELECT * FROM t_{{msg.suffix}}", "sits where SQL text is expected"),
        ("SELECT a, {{msg.column}} FROM t", "sits where SQL text is expected"),
        ("SELECT * FROM t GROUP BY {{msg.column}}", "sits where SQL text is expected"),
        ("SELECT * FROM t WHERE a = 1 AND {{{msg.more}}}", "sits where SQL text is expected"),
        ("SELECT * FROM t WHERE a = {{msg.a}}{{msg.b}}", "sits where SQL text is expected"),
        ("SELECT * FROM t WHERE a = {{msg.f}}(1)", "sits where SQL text is expected"),
        ("SELECT * FROM t WHERE id IN ({{msg.ids}})", "fills `IN (...)` alone"),
        ("INSERT INTO t VALUES ({{{msg.row}}})", "fills `VALUES (...)` alone"),
        ('SELECT "{{msg.column}}" FROM t', "a tag sits in a quoted name"),
        ("SELECT $body$ {{msg.x}} $body$", "a tag sits in a dollar-quoted text"),
        ("SELECT E'{{msg.x}}'", "special string literal"),
        ("SELECT * FROM t WHERE a = '{{msg}}'", "is not a tag naming a message property"),
        ("SELECT * FROM t WHERE a = {{topic}}", "is not a tag naming a message property"),
    ],
)
def test_tags_that_write_sql_are_refused_saying_where(query: str, why: str) -> None:
    with pytest.raises(NotAValue) as info:
        bind_tags(query)
    assert why in str(info.value)


def test_a_query_of_one_raw_tag_is_the_whole_statement() -> None:
    assert WHOLE.fullmatch(" {{{msg.payload}}};\n")
    assert WHOLE.fullmatch("{{& msg.sql }}")
    assert not WHOLE.fullmatch("{{msg.payload}}")  # escaped: quotes would break
    assert not WHOLE.fullmatch("{{{msg.payload}}} LIMIT 1")
