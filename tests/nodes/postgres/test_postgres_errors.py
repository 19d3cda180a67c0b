"""A connection that could not be had, as the flowrt error a person reads."""

from __future__ import annotations

from types import SimpleNamespace

import pytest
from flowrt_nodes.postgres.postgres_errors import connect_error
from sqlalchemy.exc import TimeoutError as PoolTimeout

from flowrt.api import AuthFailed, NodeError, NotConnected

SERVER = "127.0.0.1:5432/db (user app)"
CONFIG = SimpleNamespace(pool_size=2, max_overflow=3, pool_timeout=5.0)
PREAMBLE = 'connection failed: connection to server at "127.0.0.1", port 5432 failed: FATAL:  '


@pytest.mark.parametrize(
    ("exc", "kind", "words"),
    [
        (PoolTimeout("busy"), NotConnected, "no free connection to "),
        (PoolTimeout("busy"), NotConnected, "after 5 s: all 5 are busy"),
        (
            Exception(PREAMBLE + 'password authentication failed for user "app"'),
            AuthFailed,
            'refused the login: password authentication failed for user "app"; check',
        ),
        (
            Exception(PREAMBLE + 'database "nope" does not exist'),
            NotConnected,
            'database "nope" does not exist; create the database',
        ),
        (
            Exception('connection to server at "127.0.0.1", port 5432 failed: Connection refused'),
            NotConnected,
            "cannot connect to 127.0.0.1:5432/db (user app): Connection refused",
        ),
    ],
)
def test_connect_error(exc: BaseException, kind: type[NodeError], words: str) -> None:
    error = connect_error(exc, SERVER, "n", CONFIG)
    assert type(error) is kind
    assert words in str(error)
    assert error.node == "n"
