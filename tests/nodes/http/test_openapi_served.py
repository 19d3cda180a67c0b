"""/openapi.json and /openapi of the flows' HTTP server, on a running flow served for real:
every operation of the document is called (schemathesis, driven with hypothesis) with and
without its credentials, and each answer must be one the document describes. Then the page,
the precedence of a flow's own route, and the option that turns both off."""

from __future__ import annotations

import asyncio
import base64
import re
import warnings
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from flowrt.run import openapi_serve
from flowrt.run.access import hash_password
from flowrt.run.http import RouteTable
from flowrt.secrets.keys import add_key, use_keys
from tests.nodes.http.serving import run, served

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.core import NOT_SET
    from schemathesis.core.result import Ok
    from schemathesis.specs.openapi.checks import ignored_auth

FLOW = """\
flowrt: 1
nodes:
  get_item:
    type: http-in
    url: /items/:id
    label: <script>alert("item")</script> & more
    to: found
  found:
    type: switch
    property: req.params.id
    rules:
      - eq: "1"
      - else: true
    to: {0: ok, 1: missing}
  ok:
    type: http-response
    headers: {content-type: application/json, x-served-by: flowrt}
  missing:
    type: http-response
    status_code: 404
    headers: {content-type: text/plain}
  add_item:
    type: http-in
    method: post
    url: /items
    auth: key
    scopes: [items:write]
    to: out
  out: {type: link-out, links: [back]}
  back: {type: link-in, to: created}
  created:
    type: http-response
    status_code: 201
    headers: {content-type: application/json}
  replace:
    type: http-in
    method: put
    url: /items/:id
    auth: bearer
    tokens: {gw: "${TOKEN}"}
    to: ok
  remove:
    type: http-in
    method: delete
    url: /items/:id
    auth: basic
    users: {ops: "${OPS_HASH}"}
    to: accepted
  accepted:
    type: http-response
    status_code: 202
    headers: {content-type: text/plain}
  limited:
    type: http-in
    method: patch
    url: /limited/:n
    upload: true
    rate: 20
    burst: 5
    cors: {origins: ["https://app.example.com"]}
    to: ok
"""
PASSWORD = "correct horse battery staple"


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keys.json"
    use_keys(path)
    yield path
    use_keys(None)


def env() -> dict[str, str]:
    return {"TOKEN": "tok-for-tests", "OPS_HASH": hash_password(PASSWORD, iterations=1000)}


def credentials(key: str) -> dict[str, dict[str, str]]:
    """The headers each security scheme of the document takes."""
    basic = base64.b64encode(f"ops:{PASSWORD}".encode()).decode()
    return {"apiKey": {"X-API-Key": key}, "apiKeyBearer": {"Authorization": f"Bearer {key}"},
            "bearerToken": {"Authorization": "Bearer tok-for-tests"},
            "basicAuth": {"Authorization": f"Basic {basic}"}}


def call_every_operation(doc: dict[str, Any], base_url: str, key: str) -> dict[str, Any]:
    """Each operation called with generated requests, with each of its credentials and with
    none; every answer validated against the document (status, content type, headers) and
    never a server error. Returns what was called: operation -> the statuses seen."""
    schema = schemathesis.openapi.from_dict(doc)
    session = requests.Session()
    session.trust_env = False  # no proxy between the test and 127.0.0.1
    seen: dict[str, set[int]] = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        choices: list[dict[str, str]] = [{}]
        choices += [credentials(key)[name]
                    for req in operation.definition.raw.get("security", []) for name in req]
        statuses = seen.setdefault(f"{operation.method.upper()} {operation.path}", set())
        call_generated(operation, choices, Calls(base_url, session, statuses))
        if "{id}" in operation.path:  # the id the switch answers 200 for, rarely generated
            case = operation.Case(path_parameters={"id": "1"}, media_type="application/json",
                                  body={} if operation.method != "get" else NOT_SET)
            for headers in choices[1:] or choices:
                statuses.add(case.call_and_validate(base_url=base_url, session=session,
                                                    headers=headers).status_code)
    return seen


@dataclass
class Calls:
    base_url: str
    session: requests.Session
    statuses: set[int]


def call_generated(operation: Any, choices: list[dict[str, str]], calls: Calls) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=8, suppress_health_check=list(HealthCheck), deadline=None,
              database=None)
    def check(case: Any) -> None:
        for headers in choices:
            # with credentials given, schemathesis's own (invalid) ones are not what the
            # engine reads: its check that they are refused applies to the call without
            excluded = [ignored_auth] if headers else []
            response = case.call_and_validate(base_url=calls.base_url, session=calls.session,
                                              headers=headers, excluded_checks=excluded)
            calls.statuses.add(response.status_code)

    check()


def test_every_operation_answers_as_the_document_says(keys: Path) -> None:
    key = add_key(keys, "client", ["items:write"])

    async def go() -> tuple[dict[str, Any], dict[str, Any]]:
        async with served(FLOW, env()) as (_, client):
            answer = await client.get("/openapi.json")
            assert answer.status_code == 200
            assert answer.headers["content-type"] == "application/json"
            doc = answer.json()
            seen = await asyncio.to_thread(call_every_operation, doc, str(client.base_url),
                                           key)
        return doc, seen

    doc, seen = run(go())
    validate(doc)
    assert sorted(seen) == ["DELETE /items/{id}", "GET /items/{id}", "PATCH /limited/{n}",
                            "POST /items", "PUT /items/{id}"]
    assert {200, 404} <= seen["GET /items/{id}"]
    assert {201, 401} <= seen["POST /items"]  # with the key and without
    assert {200, 401} <= seen["PUT /items/{id}"]
    assert {202, 401} <= seen["DELETE /items/{id}"]
    assert 200 in seen["PATCH /limited/{n}"]


def test_the_page_lists_the_endpoints_escaped_and_loads_nothing() -> None:
    async def go() -> Any:
        async with served(FLOW, env()) as (_, client):
            return await client.get("/openapi")

    page = run(go())
    assert page.status_code == 200 and page.headers["content-type"].startswith("text/html")
    assert "default-src 'none'" in page.headers["content-security-policy"]
    text = page.text
    assert "<script" not in text and "&lt;script&gt;alert(&quot;item&quot;)" in text
    assert "/limited/{n}" in text and "20/s, burst 5" in text
    assert "apiKey or apiKeyBearer (scopes: items:write)" in text
    # nothing loaded or linked elsewhere: one link, to the document beside the page
    assert re.findall(r"\b(?:src|href|action)\s*=\s*[^\s>]+", text) == ["href=openapi.json"]
    assert not re.search(r"<(link|img|iframe|object|embed|form)\b", text)


def test_a_flows_own_route_wins_and_other_methods_are_not_answered() -> None:
    flow = FLOW + """\
  own_doc:
    type: http-in
    url: /openapi.json
    to: missing
"""

    async def go() -> list[Any]:
        async with served(flow, env()) as (_, client):
            return [await client.get("/openapi.json"), await client.post("/openapi"),
                    await client.head("/openapi")]

    own, post, head = run(go())
    assert own.status_code == 404 and own.headers["content-type"].startswith("text/plain")
    assert post.status_code == 404
    assert head.status_code == 200


def test_turned_off_nothing_is_served() -> None:
    async def go() -> list[int]:
        async with served(FLOW, env()) as (_, client):
            return [(await client.get(p)).status_code for p in ("/openapi.json", "/openapi")]

    openapi_serve.configure(False)
    try:
        assert run(go()) == [404, 404]
    finally:
        openapi_serve.configure(True)


def test_no_http_in_route_no_document() -> None:
    routes = RouteTable()
    sent: list[MutableMapping[str, Any]] = []

    async def receive() -> MutableMapping[str, Any]:
        return {"type": "http.request", "body": b""}

    async def send(message: MutableMapping[str, Any]) -> None:
        sent.append(message)

    scope = {"type": "http", "method": "GET", "path": "/openapi.json", "headers": [],
             "query_string": b"", "root_path": ""}
    asyncio.run(routes(scope, receive, send))
    assert sent[0]["status"] == 404
    assert b"no http-in node serves" in sent[1]["body"]
