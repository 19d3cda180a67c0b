"""The pack's SQL text helpers (no server needed): `:name` parameters found only where they are
parameters, table names, DSNs read for naming the server."""

from __future__ import annotations

from decimal import Decimal

import pytest
from flowrt_nodes.postgres.postgres_errors import dsn_fields, reason, server_name
from flowrt_nodes.postgres.postgres_sql import json_like, named_parameters, table_parts


@pytest.mark.parametrize(
    ("query", "converted", "names"),
    [
        ("SELECT :a, :b_2, :a", "SELECT %(a)s, %(b_2)s, %(a)s", ["a", "b_2"]),
        ("SELECT x::int, :v::text", "SELECT x::int, %(v)s::text", ["v"]),
        ("SELECT ':no', 'it''s :no', :yes", "SELECT ':no', 'it''s :no', %(yes)s", ["yes"]),
        ("SELECT E'\\' :no', :yes", "SELECT E'\\' :no', %(yes)s", ["yes"]),
        ('SELECT ":no" FROM t', 'SELECT ":no" FROM t', []),
        ("SELECT 1 -- :no\n, :yes", "SELECT 1 -- :no\n, %(yes)s", ["yes"]),
        ("SELECT /* :no /* :no */ :no */ :yes", "SELECT /* :no /* :no */ :no */ %(yes)s", ["yes"]),
        ("SELECT $$ :no $$, $t$ :no $t$, :yes", "SELECT $$ :no $$, $t$ :no $t$, %(yes)s", ["yes"]),
        ("SELECT '10%', :p LIKE 'a%'", "SELECT '10%%', %(p)s LIKE 'a%%'", ["p"]),
        ("SELECT 5 % 2, '12:30', :1", "SELECT 5 %% 2, '12:30', :1", []),
        ("SELECT %(a)s, '50%%'", "SELECT %(a)s, '50%%'", ["a"]),
    ],
)
def test_named_parameters(query: str, converted: str, names: list[str]) -> None:
    assert named_parameters(query) == (converted, names)


def test_table_parts() -> None:
    assert table_parts("readings") == ("readings",)
    assert table_parts("plant.Readings") == ("plant", "Readings")
    for bad in ("a.b.c", "", ".x", "x."):
        with pytest.raises(ValueError, match="is not a table name"):
            table_parts(bad)


def test_json_like_keeps_json_values_and_converts_the_rest() -> None:
    assert json_like({"a": [1, "x", None, True, 2.5]}) == {"a": [1, "x", None, True, 2.5]}
    converted = json_like((Decimal("3"), Decimal("2.50"), Decimal("NaN")))
    assert converted[:2] == [3, 2.5] and converted[2] != converted[2]  # NaN
    assert json_like([Decimal("3"), Decimal("2.50")]) == [3, 2.5]
    assert type(json_like(Decimal("3"))) is int
    assert json_like(memoryview(b"ab")) == b"ab"


@pytest.mark.parametrize(
    ("dsn", "fields", "name"),
    [
        (
            "postgresql://app:secret@db.example:6543/plant",
            {
                "user": "app",
                "password": "secret",
                "host": "db.example",
                "port": "6543",
                "dbname": "plant",
            },
            "db.example:6543/plant (user app)",
        ),
        (
            "postgres://db.example/plant?user=app&sslmode=require",
            {"user": "app", "sslmode": "require", "host": "db.example", "dbname": "plant"},
            "db.example:5432/plant (user app)",
        ),
        (
            "host=db.example port=5433 dbname='my db' password=x",
            {"host": "db.example", "port": "5433", "dbname": "my db", "password": "x"},
            "db.example:5433/my db",
        ),
        ("postgresql:///plant", {"dbname": "plant"}, "localhost:5432/plant"),
    ],
)
def test_dsn_fields_and_server_name(dsn: str, fields: dict[str, str], name: str) -> None:
    assert dsn_fields(dsn) == fields
    assert server_name(dsn) == name
    assert "secret" not in server_name(dsn)


def test_reason_keeps_the_servers_words() -> None:
    text = (
        'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  '
        'password authentication failed for user "app"'
    )
    assert reason(Exception(text)) == 'password authentication failed for user "app"'
    refused = (
        'connection failed: connection to server at "127.0.0.1", port 1 failed: Connection '
        "refused\n\tIs the server running on that host and accepting TCP/IP connections?"
    )
    assert reason(Exception(refused)) == "Connection refused"
    assert reason(Exception("")) == "Exception"
