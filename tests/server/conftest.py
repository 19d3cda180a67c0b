"""Fixtures for the server tests: a flows directory in tmp_path and the app over it."""

from __future__ import annotations

import warnings
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app
from flowrt.server.auth import Auth
from tests.server.server_kit import COMMENTED


@pytest.fixture
def flows_dir(tmp_path: Path) -> Path:
    root = tmp_path / "flows"
    root.mkdir()
    (root / "alerts.yaml").write_text(COMMENTED, encoding="utf-8")
    return root


@pytest.fixture
def make_client(flows_dir: Path) -> Iterator[Callable[..., TestClient]]:
    clients: list[TestClient] = []

    def make(auth: Auth | None = None, max_body: int = 2 * 1024 * 1024) -> TestClient:
        settings = ServerSettings(flows=flows_dir, env={}, auth=auth or Auth(),
                                  max_body=max_body, close_timeout=5.0)
        client = TestClient(create_app(settings), base_url="http://testserver")
        client.__enter__()
        clients.append(client)
        return client

    yield make
    for client in clients:
        client.__exit__(None, None, None)


@pytest.fixture
def client(make_client: Callable[..., TestClient]) -> TestClient:
    return make_client()
