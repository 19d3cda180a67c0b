"""http-in with `cors`, called over real HTTP as a browser would: preflights from an allowed and a
refused origin, actual requests from both, and the CORS headers on refusals (a page must be able
to read its 401 or 429). Also the /metrics text that counts these requests per key."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowrt.secrets.keys import add_key, use_keys
from flowrt.server.metrics import render
from tests.nodes.http.serving import run, served

APP = "https://app.example.com"
EVIL = "https://evil.example.net"
FLOW = """\
flowrt: 1
nodes:
  readings:
    type: http-in
    method: post
    url: /readings/:sensor
    auth: key
    rate: 0.01
    burst: 2
    cors:
      origins: [https://app.example.com]
      headers: [x-api-key, content-type]
    to: [seen, reply]
  seen: {type: debug}
  reply:
    type: http-response
"""


@pytest.fixture
def key(tmp_path: Path) -> Iterator[str]:
    use_keys(tmp_path / "keys.json")
    yield add_key(tmp_path / "keys.json", "browser-app", [])
    use_keys(None)


def exchange(flow: str, requests: list[dict[str, Any]]) -> tuple[list[Any], int]:
    async def go() -> tuple[list[Any], int]:
        answers = []
        async with served(flow) as (harness, client):
            for request in requests:
                answers.append(await client.request(request.pop("method"),
                                                    request.pop("url", "/readings/7"),
                                                    **request))
            return answers, len(harness.result.received("seen"))
    return run(go())


def preflight(origin: str, method: str = "POST", headers: str = "x-api-key, content-type"
              ) -> dict[str, Any]:
    return {"method": "OPTIONS", "headers": {
        "Origin": origin, "Access-Control-Request-Method": method,
        "Access-Control-Request-Headers": headers}}


def test_a_preflight_from_an_allowed_origin_is_answered_without_the_flow(key: str) -> None:
    answers, reached = exchange(FLOW, [preflight(APP)])
    answer = answers[0]
    assert answer.status_code == 204
    assert answer.headers["access-control-allow-origin"] == APP
    assert "POST" in answer.headers["access-control-allow-methods"]
    assert answer.headers["access-control-allow-headers"] == "x-api-key, content-type"
    assert answer.headers["access-control-max-age"] == "600"
    assert "Origin" in answer.headers["vary"]
    assert reached == 0


@pytest.mark.parametrize("request_", [
    preflight(EVIL),
    preflight(APP, method="DELETE"),
    preflight(APP, headers="x-api-key, x-admin"),
    preflight("null"),
], ids=["refused-origin", "method", "header", "null-origin"])
def test_refused_preflights_get_403_without_cors_headers(key: str, request_: dict[str, Any]
                                                         ) -> None:
    answers, reached = exchange(FLOW, [request_])
    assert answers[0].status_code == 403
    assert "access-control-allow-origin" not in answers[0].headers
    assert reached == 0


def test_requests_from_an_allowed_origin_can_read_answers_and_refusals(key: str) -> None:
    good = {"X-API-Key": key, "Origin": APP}
    answers, reached = exchange(FLOW, [
        {"method": "POST", "json": {"t": 1}, "headers": good},
        {"method": "POST", "json": {}, "headers": {"Origin": APP}},
        {"method": "POST", "json": {"t": 2}, "headers": good},
        {"method": "POST", "json": {"t": 3}, "headers": good},
    ])
    assert [a.status_code for a in answers] == [200, 401, 200, 429]
    for answer in answers:
        assert answer.headers["access-control-allow-origin"] == APP
        assert "Origin" in answer.headers["vary"]
    assert "Retry-After" in answers[3].headers["access-control-expose-headers"]
    assert reached == 2


def test_a_request_from_a_refused_origin_never_reaches_the_flow(key: str) -> None:
    answers, reached = exchange(FLOW, [
        {"method": "POST", "json": {}, "headers": {"X-API-Key": key, "Origin": EVIL}},
        {"method": "POST", "data": {"a": "1"}, "headers": {"Origin": EVIL}},  # a form post
    ])
    assert [a.status_code for a in answers] == [403, 403]
    assert all("access-control-allow-origin" not in a.headers for a in answers)
    assert reached == 0


def test_clients_without_an_origin_and_same_origin_pages_are_not_affected(key: str) -> None:
    async def go() -> list[int]:
        async with served(FLOW) as (_, client):
            own = str(client.base_url).rstrip("/")
            plain = await client.post("/readings/7", json={}, headers={"X-API-Key": key})
            same = await client.post("/readings/7", json={},
                                     headers={"X-API-Key": key, "Origin": own})
            return [plain.status_code, same.status_code]
    assert run(go()) == [200, 200]


def test_without_cors_a_preflight_is_not_answered(key: str) -> None:
    plain = FLOW.replace("""    cors:
      origins: [https://app.example.com]
      headers: [x-api-key, content-type]
""", "")
    answers, _ = exchange(plain, [preflight(APP)])
    assert answers[0].status_code == 405
    assert "access-control-allow-origin" not in answers[0].headers


def test_metrics_count_requests_per_key_and_outcome(key: str) -> None:
    flow = FLOW.replace("/readings/:sensor", "/metered")
    exchange(flow, [
        {"method": "POST", "url": "/metered", "json": {}, "headers": {"X-API-Key": key}},
        {"method": "POST", "url": "/metered", "json": {}, "headers": {"X-API-Key": "frk_no"}},
        {"method": "POST", "url": "/metered", "json": {}, "headers": {"X-API-Key": key}},
        {"method": "POST", "url": "/metered", "json": {}, "headers": {"X-API-Key": key}},
    ])
    text = render({"nodes": {}}, {}, 0, True)
    assert "# TYPE flowrt_http_requests_total counter" in text
    lines = [ln for ln in text.splitlines() if 'endpoint="POST /metered"' in ln]
    assert ('flowrt_http_requests_total{endpoint="POST /metered",key="browser-app",'
            'outcome="ok"} 2') in lines
    assert ('flowrt_http_requests_total{endpoint="POST /metered",key="browser-app",'
            'outcome="rate_limited"} 1') in lines
    assert ('flowrt_http_requests_total{endpoint="POST /metered",key="",'
            'outcome="unauthorized"} 1') in lines
    assert key not in text and "frk_no" not in text


def check_codes(flow: str) -> list[tuple[str, str]]:
    from flowrt.check import check
    from flowrt.load import Project, load_text

    found = check(Project(documents=[load_text(flow, "t.yaml")]), env={})
    return [(d.code, d.message) for d in found if d.severity == "error"]


@pytest.mark.parametrize(("settings", "says"), [
    ("cors: {origins: ['*'], credentials: true}", "credentials"),
    ("cors: {origins: ['https://app.example.com/path']}", "is not an origin"),
    ("auth: none\n    scopes: [a]", "need `auth: key`"),
    ("auth: bearer", "needs `tokens`"),
    ("auth: basic", "needs `users`"),
    ("burst: 3", "needs a `rate`"),
])
def test_settings_that_cannot_work_are_errors_before_running(settings: str, says: str) -> None:
    flow = f"""\
flowrt: 1
nodes:
  api:
    type: http-in
    url: /api
    {settings}
"""
    errors = check_codes(flow)
    assert any(says in message for _, message in errors), errors


def test_tokens_written_inline_are_e039_each() -> None:
    flow = """\
flowrt: 1
nodes:
  api:
    type: http-in
    url: /api
    auth: bearer
    tokens: {gateway: "${GATEWAY_TOKEN}", laptop: plain-token-in-the-file}
"""
    errors = check_codes(flow)
    assert [(c, m) for c, m in errors if c == "E039"] == [
        ("E039", "tokens.laptop is a secret and is written inline in the flow file")]


def test_an_endpoint_without_auth_on_a_public_address_is_warned_about(
        caplog: pytest.LogCaptureFixture) -> None:
    from flowrt.run.http import HttpServer, RouteTable

    async def handler(request: Any) -> Any:
        raise AssertionError("not called")

    class Keyed:
        auth, scopes, tokens, users, rate, burst, quota, cors = "key", [], {}, {}, None, None, \
            None, None

    async def go() -> None:
        table = RouteTable()
        table.add("open", "GET", "/open", handler)
        table.add("closed", "GET", "/closed", handler, access=Keyed())
        for host in ("127.0.0.1", "0.0.0.0"):
            server = HttpServer(table, host, 0)
            await server.start()
            await server.stop()

    use_keys(None)
    caplog.set_level(logging.WARNING, logger="flowrt.http")
    run(go())
    warned = [r.getMessage() for r in caplog.records if "to anyone" in r.getMessage()]
    assert len(warned) == 1
    assert "node 'open' serves GET /open on 0.0.0.0" in warned[0]
    keyless = [r.getMessage() for r in caplog.records if "no keys file" in r.getMessage()]
    assert len(keyless) == 2 and "'closed'" in keyless[0]  # one for each start
