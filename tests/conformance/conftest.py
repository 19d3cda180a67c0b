"""Fixtures of the conformance suite: the backends of every pack, and private servers."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator

import pytest

from tests.conformance.conformance_kit import SINKS, SOURCES
from tests.support import servers


def pytest_generate_tests(metafunc: pytest.Metafunc) -> None:
    if "source" in metafunc.fixturenames:
        metafunc.parametrize("source", SOURCES, ids=[b.name for b in SOURCES])
    if "sink" in metafunc.fixturenames:
        metafunc.parametrize("sink", SINKS, ids=[b.name for b in SINKS])


@pytest.fixture
def key() -> str:
    return "flowrt_conf_" + uuid.uuid4().hex[:10]


@pytest.fixture
def private() -> Iterator[Callable[[str], servers.PrivateServer]]:
    """Start a private server of a kind; it is stopped and removed after the test."""
    made: list[servers.PrivateServer] = []

    def make(kind: str) -> servers.PrivateServer:
        server = servers.PrivateServer(kind)
        made.append(server)
        server.start()
        return server

    yield make
    for server in made:
        server.close()
