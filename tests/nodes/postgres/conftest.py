"""The PostgreSQL the pack's tests use: the server at FLOWRT_TEST_POSTGRES (trust auth), with a
table of its own per test, dropped afterwards; and a private cluster for the tests that stop the
server or need a password refused. A server that does not answer fails the tests."""

from __future__ import annotations

from collections.abc import Iterator

import psycopg
import pytest

from tests.nodes.postgres.pg_testing import PASSWORD, PG_URL, Database
from tests.support.servers import PrivatePostgres


@pytest.fixture
def db() -> Iterator[Database]:
    try:
        with psycopg.connect(PG_URL, connect_timeout=5):
            pass
    except psycopg.OperationalError as exc:
        pytest.fail(
            f"PostgreSQL is not reachable at {PG_URL} ({exc}): start it (.ci/services.sh "
            "ensure) or set FLOWRT_TEST_POSTGRES"
        )
    found = Database(PG_URL)
    yield found
    found.drop_all()


@pytest.fixture(scope="session")
def private_server() -> Iterator[PrivatePostgres]:
    """A cluster of the tests' own, which logins over TCP reach with PASSWORD only."""
    server = PrivatePostgres.create(password=PASSWORD)
    yield server
    server.destroy()
