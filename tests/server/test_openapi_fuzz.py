"""schemathesis against /api/openapi.json: generated requests never get a 5xx.

The operations are driven with hypothesis directly rather than through schemathesis's pytest
plugin, which depends on pytest internals that change between pytest releases.
"""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app
from tests.server.server_kit import COMMENTED


def test_no_operation_answers_a_server_error(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "alerts.yaml").write_text(COMMENTED)
    app = create_app(ServerSettings(flows=flows, env={}, close_timeout=5.0))
    failures: list[str] = []
    checked = 0
    with TestClient(app):  # runs the lifespan: the flows are deployed while the API is fuzzed
        schema = schemathesis.openapi.from_asgi("/api/openapi.json", app)
        for result in schema.get_all_operations():
            operation = result.ok()
            checked += 1

            @given(case=operation.as_strategy())
            @settings(max_examples=15, suppress_health_check=list(HealthCheck), deadline=None,
                      database=None)
            def run(case: Any) -> None:
                response = case.call()
                if response.status_code >= 500:
                    failures.append(f"{case.method} {case.path}: {response.text[:300]}")

            run()
    assert checked >= 15, "the OpenAPI document describes the API's operations"
    assert failures == []
