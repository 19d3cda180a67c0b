"""Fixtures of the group tests: a fresh group name per test and the shared PostgreSQL."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.support.servers import PrivateServer, url


@pytest.fixture
def group_name() -> str:
    return f"g-{uuid.uuid4().hex[:10]}"


@pytest.fixture
def pg() -> str:
    return url("pg")


@pytest.fixture
def private() -> Iterator[Callable[[str], PrivateServer]]:
    """Start a private server of a kind; it is stopped and removed after the test."""
    made: list[PrivateServer] = []

    def make(kind: str) -> PrivateServer:
        server = PrivateServer(kind)
        made.append(server)
        server.start()
        return server

    yield make
    for server in made:
        server.close()
