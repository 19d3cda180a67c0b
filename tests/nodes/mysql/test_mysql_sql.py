"""How values are bound (mysql_sql.bind): Node-RED's placeholders become PyMySQL's `%s`, the
values go apart from the SQL text, literals and comments are left alone, `%` is escaped only
when something is bound."""

from __future__ import annotations

import pytest
from flowrt_nodes.mysql.mysql_sql import bind, quote_identifier, split_sql


def test_a_list_fills_question_marks_in_order() -> None:
    assert bind("SELECT * FROM t WHERE a = ? AND b = ?", ["x", 2]) == (
        "SELECT * FROM t WHERE a = %s AND b = %s", ("x", 2))
    assert bind("SELECT ?, ?", [1]) == ("SELECT %s, ?", (1,))  # more marks than values


def test_an_object_fills_the_names_it_has() -> None:
    assert bind("SELECT :a, :b, :a", {"a": 1}) == ("SELECT %s, :b, %s", (1, 1))
    assert bind("SELECT ?", {"a": 1}) == ("SELECT ?", None)


def test_other_payloads_bind_nothing_and_keep_percent_signs() -> None:
    for payload in ("text", 5, None, b"x"):
        assert bind("SELECT '100%' AS p, ?", payload) == ("SELECT '100%' AS p, ?", None)


def test_values_never_enter_the_text() -> None:
    attack = "x'); DROP TABLE t; -- %s"
    sql, args = bind("INSERT INTO t VALUES (?)", [attack])
    assert sql == "INSERT INTO t VALUES (%s)" and args == (attack,)


def test_lists_rows_and_assignments() -> None:
    assert bind("WHERE id IN (?)", [[1, 2]]) == ("WHERE id IN (%s, %s)", (1, 2))
    assert bind("VALUES ?", [[["a", 1], ["b", 2]]]) == ("VALUES (%s, %s), (%s, %s)",
                                                        ("a", 1, "b", 2))
    assert bind("SET ? WHERE id = ?", [{"a`b": 1, "c": {"d": 2}}, 7]) == (
        "SET `a``b` = %s, `c` = %s WHERE id = %s", (1, '{"d": 2}', 7))
    assert bind("SELECT ?? FROM t", [["a", "s.b"]]) == ("SELECT `a`, `s`.`b` FROM t", ())


def test_literals_and_comments_are_not_searched() -> None:
    sql = "SELECT 'it''s ?', \"a\\\" ?\", `c?` /* ? */ # :a\n-- ?\n, ? AS v, 10%2"
    assert bind(sql, [1])[0] == sql.replace("%", "%%").replace(", ? AS", ", %s AS")
    assert [code for code, _ in split_sql("a 'b' c")] == [True, False, True]
    assert split_sql("a--b") == [(True, "a--b")]  # `--` starts a comment only before a space


def test_an_identifier_must_be_text() -> None:
    assert quote_identifier("plain") == "`plain`"
    with pytest.raises(ValueError, match="must be text"):
        quote_identifier(3)
