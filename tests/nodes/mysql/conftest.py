"""The MariaDB (or MySQL) the pack's tests use: the server at FLOWRT_TEST_MYSQL (root, no
password), with tables of each test's own, dropped afterwards. A server that does not answer
fails the tests."""

from __future__ import annotations

from collections.abc import Iterator

import pymysql
import pytest

from tests.nodes.mysql.my_testing import MYSQL_URL, Database


@pytest.fixture
def db() -> Iterator[Database]:
    found = Database()
    try:
        found.rows("SELECT 1")
    except pymysql.err.MySQLError as exc:
        pytest.fail(
            f"MariaDB is not reachable at {MYSQL_URL} ({exc}): start it (.ci/services.sh "
            "ensure) or set FLOWRT_TEST_MYSQL"
        )
    yield found
    found.drop_all()
