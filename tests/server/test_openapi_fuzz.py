"""schemathesis against /api/openapi.json: generated requests never get a 5xx."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app
from tests.server.server_kit import COMMENTED


@pytest.fixture
def api_schema(tmp_path: Path) -> Iterator[Any]:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "alerts.yaml").write_text(COMMENTED)
    app = create_app(ServerSettings(flows=flows, env={}, close_timeout=5.0))
    with TestClient(app):  # runs the lifespan: the flows are deployed while the API is fuzzed
        yield schemathesis.openapi.from_asgi("/api/openapi.json", app)


schema = schemathesis.pytest.from_fixture("api_schema")


@schema.parametrize()
@settings(max_examples=15, suppress_health_check=list(HealthCheck), deadline=None)
def test_no_server_errors(case: Any) -> None:
    response = case.call()
    assert response.status_code < 500, (case.method, case.path, response.text[:500])
