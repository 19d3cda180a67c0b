"""An http-in whose ``out:`` names an ontology: bodies that do not conform are refused with
400 (saying where and which rule, never the values sent) before they reach the flow, and the
served OpenAPI document describes the body with the ontology, so schemathesis generates
bodies that conform and the flow answers them."""

from __future__ import annotations

import asyncio
import warnings
from typing import Any

import httpx
import requests
from hypothesis import HealthCheck, given, settings
from openapi_spec_validator import validate

from tests.nodes.http.serving import run, served

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    import schemathesis
    from schemathesis.core.result import Ok

FLOW = """\
flowrt: 1
ontologies:
  Reading:
    type: object
    required: [sensor, celsius]
    additionalProperties: false
    properties:
      sensor: {type: string, pattern: "^[a-z][a-z0-9-]{0,31}$"}
      celsius: {type: number, minimum: -273.15, maximum: 1000}
  Search:
    type: object
    required: [sensor]
    properties:
      sensor: {type: string}
nodes:
  post_reading:
    type: http-in
    method: post
    url: /readings
    out: Reading
    to: created
  created:
    type: http-response
    status_code: 201
    headers: {content-type: application/json}
    in: Reading
  find:
    type: http-in
    url: /readings
    out: Search
    to: found
  found:
    type: http-response
    headers: {content-type: application/json}
"""


def test_a_body_that_does_not_conform_is_refused_with_where_not_what() -> None:
    async def go() -> tuple[list[httpx.Response], Any]:
        async with served(FLOW) as (harness, client):
            answers = [
                await client.post("/readings", json={"sensor": "boiler",
                                                     "celsius": "secret-cold"}),
                await client.post("/readings", json={"celsius": 20}),
                await client.post("/readings", json=["boiler", 20]),
                await client.get("/readings"),
                await client.post("/readings", json={"sensor": "boiler", "celsius": 82.5}),
                await client.get("/readings?sensor=boiler"),
            ]
            return answers, harness.result

    answers, result = run(go())
    wrong_type, missing, not_object, no_query, good, query = answers
    assert wrong_type.status_code == 400
    assert wrong_type.headers["content-type"].startswith("text/plain")
    assert wrong_type.text == ("node 'post_reading' (http-in): the body does not conform to "
                               'Reading: at /celsius: type "number"')
    assert "secret-cold" not in wrong_type.text
    assert missing.status_code == 400
    assert missing.text.endswith('Reading: at /: required ["sensor", "celsius"]')
    assert not_object.status_code == 400 and not_object.text.endswith('at /: type "object"')
    assert no_query.status_code == 400
    assert no_query.text.endswith("the query does not conform to Search: at /: required "
                                  '["sensor"]')
    assert good.status_code == 201 and good.json() == {"sensor": "boiler", "celsius": 82.5}
    assert query.status_code == 200 and query.json() == {"sensor": "boiler"}
    # only the two conforming requests reached the flow
    assert [m["payload"] for m in result.sent("post_reading")] == [
        {"sensor": "boiler", "celsius": 82.5}]
    assert [m["payload"] for m in result.sent("find")] == [{"sensor": "boiler"}]



def test_schemathesis_generates_conforming_bodies_and_queries_from_the_document() -> None:
    async def go() -> tuple[dict[str, Any], dict[str, list[int]], Any]:
        async with served(FLOW) as (harness, client):
            doc = (await client.get("/openapi.json")).json()
            statuses = await asyncio.to_thread(call_typed, doc, str(client.base_url))
            return doc, statuses, harness.result

    doc, statuses, result = run(go())
    validate(doc)
    assert doc["components"]["schemas"]["Reading"]["required"] == ["sensor", "celsius"]
    # every generated request conformed: the flow took each one and answered it
    assert set(statuses["post"]) == {201} and set(statuses["get"]) == {200}
    bodies = [m["payload"] for m in result.sent("post_reading")]
    assert len(bodies) == len(statuses["post"]) >= 5
    assert all(set(b) == {"sensor", "celsius"} for b in bodies)
    assert len({b["sensor"] for b in bodies}) > 1  # generated, not one canned example
    queries = [m["payload"] for m in result.sent("find")]
    assert len(queries) == len(statuses["get"]) >= 5
    assert all(isinstance(q.get("sensor"), str) for q in queries)


def call_typed(doc: dict[str, Any], base_url: str) -> dict[str, list[int]]:
    """Each operation called with requests schemathesis generates from the document, each
    answer validated against it (status, content type, response body schema)."""
    schema = schemathesis.openapi.from_dict(doc)
    session = requests.Session()
    session.trust_env = False
    statuses: dict[str, list[int]] = {}
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result
        operation = result.ok()
        call_generated(operation, base_url, session,
                       statuses.setdefault(operation.method, []))
    return statuses


def call_generated(operation: Any, base_url: str, session: requests.Session,
                   seen: list[int]) -> None:
    @given(case=operation.as_strategy())
    @settings(max_examples=12, suppress_health_check=list(HealthCheck), deadline=None,
              database=None, derandomize=True)
    def check(case: Any) -> None:
        response = case.call_and_validate(base_url=base_url, session=session)
        seen.append(response.status_code)

    check()


BACKTRACKING = """\
flowrt: 1
ontologies:
  Tag:
    type: object
    required: [tag]
    properties:
      tag: {type: string, pattern: "^(a|aa)+$"}
nodes:
  tag:
    type: http-in
    method: post
    url: /tags
    out: Tag
    to: done
  done: {type: http-response, status_code: 204}
"""


def test_a_body_made_to_backtrack_a_pattern_is_refused_and_the_endpoint_still_serves() -> None:
    """The attack: a caller sends the text that makes the flow author's pattern backtrack for
    ever. The match is stopped at its time limit, the body refused, and nothing of it shown."""

    async def go() -> list[httpx.Response]:
        async with served(BACKTRACKING) as (_, client):
            return [await client.post("/tags", json={"tag": "a" * 60 + "b"}),
                    await client.post("/tags", json={"tag": "aaa"})]

    attack, good = run(go())
    assert attack.status_code == 400
    assert attack.text == ("node 'tag' (http-in): the body does not conform to Tag: at /: "
                           'pattern "not decided within the time limit"')
    assert good.status_code == 204
