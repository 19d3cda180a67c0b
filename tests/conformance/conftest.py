"""Fixtures of the conformance suite: the backends of every pack, and private servers."""

from __future__ import annotations

import importlib.util
import sys
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE), str(HERE.parent)]  # conformance_kit and servers, for the test modules
import servers  # noqa: E402


def _load_backends() -> list[Any]:
    found: list[Any] = []
    for path in sorted((HERE / "backends").glob("*.py")):
        if path.name.startswith("_"):
            continue
        spec = importlib.util.spec_from_file_location(f"conformance_backend_{path.stem}", path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        found.extend(module.BACKENDS)
    return found


BACKENDS = _load_backends()
SOURCES = [b for b in BACKENDS if b.source_type]
SINKS = [b for b in BACKENDS if b.sink_type]


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
