"""The postgres connection: its validation, the connection string it makes, and how refused
logins, absent servers and missing databases are reported (against real servers)."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
from flowrt_nodes.postgres.postgres import Postgres

from flowrt.api import AuthFailed, NotConnected
from flowrt.check import check
from flowrt.load import Project, load_text
from flowrt.registry import default_registry
from tests.nodes.postgres.pg_testing import PASSWORD, Database, flow, node
from tests.support.servers import PrivatePostgres


def diagnostics(text: str, env: dict[str, str] | None = None) -> list[Any]:
    return check(Project(documents=[load_text(text, "f.yaml")]), env=env or {})


def connection(**config: Any) -> Postgres:
    cfg = Postgres.Config.model_validate(config)
    return Postgres("db", cfg, ctx=None)


async def first_value(conn: Postgres, query: str) -> Any:
    try:
        async with conn.acquire("probe") as pg:
            cur = await pg.execute(query)
            row = await cur.fetchone()
            assert row is not None
            return row[0]
    finally:
        await conn.close()


QUERY = node("q", "postgres-query", connection="db", query="SELECT 1")


@pytest.mark.parametrize(
    "dsn",
    [
        "postgresql://flowrt:hunter2@db.example:5432/plant",
        "postgres://flowrt:hunter2@db.example/plant",
    ],
)
def test_a_dsn_url_with_an_inline_password_is_refused_with_a_hint(dsn: str) -> None:
    [problem] = [d for d in diagnostics(flow({"dsn": dsn}, QUERY)) if d.severity == "error"]
    assert (problem.code, problem.node, problem.path[-1]) == ("E039", "db", "dsn")
    assert "${DB_PASSWORD}" in problem.hint


def test_a_key_value_dsn_with_a_password_is_refused_with_a_hint() -> None:
    dsn = "host=db.example user=flowrt password=hunter2 dbname=plant"
    found = [d for d in diagnostics(flow({"dsn": dsn}, QUERY), {}) if d.severity == "error"]
    (d,) = found
    assert (d.code, d.node, d.node_type) == ("E020", "db", "postgres")
    assert d.line > 0 and d.path[-1] == "dsn"
    assert "the DSN holds a password" in d.message and "hunter2" not in str(d)
    assert "set `password: ${PG_PASSWORD}`" in d.message


@pytest.mark.parametrize(
    "config",
    [
        {"dsn": "postgresql://flowrt:${PG_PASSWORD}@db.example/plant"},
        {"dsn": "${PG_URL}"},
        {"dsn": "postgresql://flowrt@db.example/plant", "password": "${PG_PASSWORD}"},
    ],
)
def test_a_password_from_a_reference_is_accepted(config: dict[str, str]) -> None:
    env = {"PG_PASSWORD": "hunter2", "PG_URL": "postgresql://flowrt:hunter2@db.example/plant"}
    assert [d for d in diagnostics(flow(config, QUERY), env) if d.severity == "error"] == []


def test_an_inline_password_field_is_refused() -> None:
    inline = diagnostics(flow({"dsn": "postgresql://u@h/d", "password": "hunter2"}, QUERY))
    assert [(d.code, d.path[-1]) for d in inline if d.severity == "error"] == [("E039", "password")]


def test_the_password_and_options_are_joined_to_the_dsn() -> None:
    conn = connection(
        dsn="postgresql://flowrt@db.example:6543/plant",
        password="p@ss word",
        application_name="line-3",
        sslmode="require",
        statement_timeout=1.5,
        connect_timeout=4,
    )
    from psycopg.conninfo import conninfo_to_dict

    assert conninfo_to_dict(conn.conninfo()) == {
        "host": "db.example",
        "port": "6543",
        "dbname": "plant",
        "user": "flowrt",
        "password": "p@ss word",
        "application_name": "line-3",
        "sslmode": "require",
        "connect_timeout": "4",
        "options": "-c statement_timeout=1500",
    }
    assert conn.server == "db.example:6543/plant (user flowrt)"
    assert "p@ss" not in conn.server


def test_the_password_field_wins_over_one_in_the_dsn() -> None:
    from psycopg.conninfo import conninfo_to_dict

    both = connection(dsn="postgresql://u:from-dsn@h/d", password="from-field")
    assert conninfo_to_dict(both.conninfo())["password"] == "from-field"
    only_dsn = connection(dsn="postgresql://u:from-dsn@h/d")
    assert conninfo_to_dict(only_dsn.conninfo())["password"] == "from-dsn"
    assert "from-dsn" not in only_dsn.server


def test_options_apply_to_the_session(db: Database) -> None:
    conn = connection(dsn=db.url, application_name="flowrt-test-app", statement_timeout=0.25)
    assert asyncio.run(first_value(conn, "SHOW application_name")) == "flowrt-test-app"
    conn = connection(dsn=db.url, statement_timeout=0.25)
    assert asyncio.run(first_value(conn, "SHOW statement_timeout")) == "250ms"


def test_a_wrong_password_is_auth_failed(private_server: PrivatePostgres) -> None:
    wrong = connection(dsn=private_server.url(), password="not-the-password")
    with pytest.raises(AuthFailed) as caught:
        asyncio.run(first_value(wrong, "SELECT 1"))
    text = str(caught.value)
    assert f"127.0.0.1:{private_server.port}/test (user postgres) refused the login" in text
    assert 'password authentication failed for user "postgres"' in text
    assert "not-the-password" not in text
    assert caught.value.node == "probe"
    right = connection(dsn=private_server.url(), password=PASSWORD)
    assert asyncio.run(first_value(right, "SELECT 41 + 1")) == 42
    in_url = private_server.url().replace("postgres@", f"postgres:{PASSWORD}@")
    assert asyncio.run(first_value(connection(dsn=in_url), "SELECT 43")) == 43


def test_no_password_where_one_is_needed_is_auth_failed(private_server: PrivatePostgres) -> None:
    with pytest.raises(AuthFailed, match="no password supplied|password authentication failed"):
        asyncio.run(first_value(connection(dsn=private_server.url()), "SELECT 1"))


def test_a_role_that_may_not_log_in_is_auth_failed(db: Database) -> None:
    role = f"flowrt_nologin_{db.table('x int')[-12:]}"
    db.execute(f"CREATE ROLE {role} NOLOGIN")
    try:
        url = db.url.replace("postgres@", f"{role}@", 1)
        with pytest.raises(AuthFailed, match=f'role "{role}" is not permitted to log in'):
            asyncio.run(first_value(connection(dsn=url), "SELECT 1"))
    finally:
        db.execute(f"DROP ROLE {role}")


def test_a_server_that_is_away_is_not_connected() -> None:
    from tests.support.servers import free_port

    port = free_port()
    away = connection(dsn=f"postgresql://postgres@127.0.0.1:{port}/test", connect_timeout=3)
    with pytest.raises(NotConnected) as caught:
        asyncio.run(first_value(away, "SELECT 1"))
    assert not isinstance(caught.value, AuthFailed)
    assert str(caught.value).startswith(f"cannot connect to 127.0.0.1:{port}/test")
    assert "Connection refused" in str(caught.value)


def test_a_missing_database_says_to_create_it(db: Database) -> None:
    url = db.url.rsplit("/", 1)[0] + "/flowrt_no_such_database"
    with pytest.raises(NotConnected) as caught:
        asyncio.run(first_value(connection(dsn=url), "SELECT 1"))
    assert 'database "flowrt_no_such_database" does not exist' in str(caught.value)
    assert "create the database" in str(caught.value)


def test_a_busy_pool_says_which_setting_to_raise(db: Database) -> None:
    async def hold_the_only_connection() -> None:
        conn = connection(dsn=db.url, pool_size=1, max_overflow=0, pool_timeout=0.2)
        try:
            async with conn.acquire("first"):
                async with conn.acquire("second"):
                    raise AssertionError("a second connection was handed out")
        finally:
            await conn.close()

    with pytest.raises(NotConnected, match="all 1 are busy; raise pool_size or max_overflow"):
        asyncio.run(hold_the_only_connection())


def test_a_statement_error_keeps_the_connection_usable(db: Database) -> None:
    async def fail_then_succeed() -> Any:
        conn = connection(dsn=db.url, pool_size=1, max_overflow=0)
        try:
            with pytest.raises(Exception, match="division by zero"):
                async with conn.acquire("probe") as pg:
                    await pg.execute("SELECT 1 / 0")
            async with conn.acquire("probe") as pg:
                cur = await pg.execute("SELECT 7")
                return (await cur.fetchone(), pg.info.transaction_status.name)
        finally:
            await conn.close()

    assert asyncio.run(fail_then_succeed()) == ((7,), "IDLE")


def test_registry_lists_the_pack() -> None:
    registry = default_registry()
    assert {"postgres", "postgres-out", "postgres-query"} <= set(registry.types())
    assert registry["postgres"].is_connection
