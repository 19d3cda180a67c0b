"""The OpenAPI document of a project's http-in endpoints (flowrt.run.openapi_doc): valid
OpenAPI 3.1 (openapi-spec-validator), and saying what the nodes do: paths and parameters,
bodies, the answers of the http-response nodes downstream, auth, limits and CORS."""

from __future__ import annotations

from typing import Any

import pytest
from openapi_spec_validator import validate

from flowrt.compile import build_plan
from flowrt.compile.plan import Plan
from flowrt.load import Project, load_text
from flowrt.run.openapi_doc import body_schema, document, openapi_path
from tests.nodes.http.serving import registry

FLOW = """\
flowrt: 1
nodes:
  get_item:
    type: http-in
    url: /items/:id/parts/:part/
    label: One part of an item
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
    headers: {content-type: application/json; charset=utf-8, cache-control: no-store}
  missing:
    type: http-response
    status_code: 404
    headers: {content-type: text/plain}
  add_item:
    type: http-in
    method: post
    url: /items
    upload: true
    auth: key
    scopes: [items:write, items:admin]
    rate: 2.5
    quota: 1000
    cors: {origins: ["https://app.example.com"], methods: [put]}
    to: out
  out:
    type: link-out
    links: [back]
  back:
    type: link-in
    to: created
  created:
    type: http-response
    status_code: 201
  nowhere:
    type: http-in
    method: delete
    url: /items/:id
    auth: basic
    users: {ops: "${OPS_HASH}"}
    to: log
  log: {type: debug}
  swap:
    type: http-in
    method: put
    url: /items/{id}
    auth: bearer
    tokens: {gw: "${TOKEN}"}
    to: ok
"""


@pytest.fixture(scope="module")
def plan() -> Plan:
    made, _ = build_plan(Project(documents=[load_text(FLOW, "api.yaml")]), registry(),
                         env={"OPS_HASH": "pbkdf2_sha256$1$AA$AA", "TOKEN": "t"})
    return made


@pytest.fixture(scope="module")
def doc(plan: Plan) -> dict[str, Any]:
    return document(plan, title="Items")


def test_the_document_is_valid_openapi_3_1(doc: dict[str, Any]) -> None:
    validate(doc)  # raises on an invalid document
    assert doc["openapi"] == "3.1.0" and doc["info"]["title"] == "Items"


def test_an_invalid_document_is_refused_by_the_validator(doc: dict[str, Any]) -> None:
    """The validator would see a mistake of the kind the generator could make."""
    broken = {**doc, "paths": {"/items/{id}": {"delete": {"responses": {"200": {}}}}}}
    with pytest.raises(Exception, match="description|parameter"):
        validate(broken)


def test_paths_and_their_parameters(doc: dict[str, Any]) -> None:
    assert sorted(doc["paths"]) == ["/items", "/items/{id}", "/items/{id}/parts/{part}"]
    item = doc["paths"]["/items/{id}/parts/{part}"]
    assert [p["name"] for p in item["parameters"]] == ["id", "part"]
    assert all(p["in"] == "path" and p["required"] for p in item["parameters"])
    assert item["parameters"][0]["schema"] == {"type": "string", "pattern": "^[^/]+$"}
    assert sorted(doc["paths"]["/items/{id}"]) == ["delete", "parameters", "put"]
    assert openapi_path("users/{n:int}") == ("/users/{n}", [
        {"name": "n", "in": "path", "required": True, "schema": {"type": "integer"}}])
    assert openapi_path("/") == ("/", [])


def test_bodies_for_the_methods_that_take_one(doc: dict[str, Any], plan: Plan) -> None:
    paths = doc["paths"]
    assert "requestBody" not in paths["/items/{id}/parts/{part}"]["get"]
    assert "requestBody" not in paths["/items/{id}"]["delete"]
    body = paths["/items"]["post"]["requestBody"]
    assert body == {"required": False, "content": {
        "application/json": {"schema": {}}, "multipart/form-data": {"schema": {
            "type": "object"}}}}
    assert list(paths["/items/{id}"]["put"]["requestBody"]["content"]) == ["application/json"]
    assert body_schema(plan.nodes["add_item"]) is None


def test_answers_of_the_http_response_nodes_downstream(doc: dict[str, Any]) -> None:
    get = doc["paths"]["/items/{id}/parts/{part}"]["get"]
    assert get["summary"] == "One part of an item" and get["operationId"] == "get_item"
    assert get["responses"]["200"]["content"] == {"application/json": {}}
    assert get["responses"]["200"]["headers"] == {"cache-control": {"schema": {
        "type": "string"}}}
    assert list(get["responses"]["404"]["content"]) == ["text/plain"]
    assert sorted(get["responses"]) == ["200", "404", "500", "503", "504"]
    post = doc["paths"]["/items"]["post"]["responses"]
    assert "201" in post and "200" not in post  # through link-out -> link-in
    assert sorted(post) == ["201", "400", "401", "403", "413", "429", "500", "503", "504"]
    delete = doc["paths"]["/items/{id}"]["delete"]["responses"]
    assert "no http-response node is reachable" in delete["200"]["description"]


def test_auth_as_security_schemes(doc: dict[str, Any]) -> None:
    paths = doc["paths"]
    assert "security" not in paths["/items/{id}/parts/{part}"]["get"]
    assert paths["/items"]["post"]["security"] == [
        {"apiKey": ["items:write", "items:admin"]}, {"apiKeyBearer": ["items:write",
                                                                      "items:admin"]}]
    assert paths["/items/{id}"]["put"]["security"] == [{"bearerToken": []}]
    assert paths["/items/{id}"]["delete"]["security"] == [{"basicAuth": []}]
    schemes = doc["components"]["securitySchemes"]
    assert schemes["apiKey"] == {"type": "apiKey", "in": "header", "name": "X-API-Key",
                                 "description": schemes["apiKey"]["description"]}
    assert schemes["basicAuth"]["scheme"] == "basic"
    assert paths["/items/{id}"]["delete"]["responses"]["401"]["headers"] == {
        "WWW-Authenticate": {"schema": {"type": "string"}}}


def test_rate_limits_and_cors(doc: dict[str, Any]) -> None:
    post = doc["paths"]["/items"]["post"]
    assert post["x-rate-limit"] == {"per": "key", "rate": 2.5, "burst": 3, "quota": 1000,
                                    "quotaPeriod": "UTC day"}
    retry = post["responses"]["429"]["headers"]["Retry-After"]
    assert retry["schema"] == {"type": "integer", "minimum": 1}
    assert post["x-cors"]["origins"] == ["https://app.example.com"]
    assert post["x-cors"]["methods"] == ["POST", "PUT"]
    get = doc["paths"]["/items/{id}/parts/{part}"]["get"]
    assert "x-rate-limit" not in get and "429" not in get["responses"]
    # basic and bearer: failed attempts are rate limited even without `rate`
    assert "429" in doc["paths"]["/items/{id}"]["put"]["responses"]


def test_only_the_nodes_serving_are_described(plan: Plan) -> None:
    doc = document(plan, only={"swap"})
    assert list(doc["paths"]) == ["/items/{id}"]
    assert list(doc["paths"]["/items/{id}"]) == ["parameters", "put"]
    assert list(doc["components"]["securitySchemes"]) == ["bearerToken"]
    assert document(plan)["info"]["version"] != doc["info"]["version"]


TYPED = """\
flowrt: 1
ontologies:
  Reading:
    type: object
    required: [sensor, celsius]
    properties:
      sensor: {$ref: "#/$defs/name"}
      celsius: {type: number}
    $defs:
      name: {type: string, minLength: 1}
  Stored:
    type: object
    required: [id]
    properties:
      id: {type: integer}
nodes:
  post_reading:
    type: http-in
    method: post
    url: /readings
    out: Reading
    to: store
  store:
    type: change
    rules: [{set: payload, to: {type: json, value: '{"id": 1}'}}]
    out: Stored
    to: created
  created:
    type: http-response
    status_code: 201
    in: Stored
  list:
    type: http-in
    url: /readings
    to: listed
  listed:
    type: http-response
    headers: {content-type: text/csv}
"""


@pytest.fixture(scope="module")
def typed() -> tuple[Plan, dict[str, Any]]:
    made, _ = build_plan(Project(documents=[load_text(TYPED, "typed.yaml")]), registry())
    return made, document(made)


def test_a_typed_body_is_a_component_referenced_by_the_operation(
        typed: tuple[Plan, dict[str, Any]]) -> None:
    plan, doc = typed
    validate(doc)
    reading = body_schema(plan.nodes["post_reading"])
    assert reading is not None and reading["required"] == ["sensor", "celsius"]
    schemas = doc["components"]["schemas"]
    assert sorted(schemas) == ["Reading", "Stored"]
    # a reference inside the ontology now points where the schema is in the document
    assert schemas["Reading"]["properties"]["sensor"] == {
        "$ref": "#/components/schemas/Reading/$defs/name"}
    assert schemas["Reading"]["$defs"] == reading["$defs"]
    post = doc["paths"]["/readings"]["post"]
    assert post["requestBody"] == {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Reading"}}}}
    assert "does not conform to Reading" in post["responses"]["400"]["description"]


def test_a_typed_http_response_input_is_the_response_schema(
        typed: tuple[Plan, dict[str, Any]]) -> None:
    _, doc = typed
    created = doc["paths"]["/readings"]["post"]["responses"]["201"]
    assert created["content"] == {"application/json": {
        "schema": {"$ref": "#/components/schemas/Stored"}}}
    listed = doc["paths"]["/readings"]["get"]["responses"]["200"]
    assert listed["content"] == {"text/csv": {}}


def test_a_typed_get_has_the_schemas_properties_as_query_parameters() -> None:
    flow = TYPED.replace("    url: /readings\n    to: listed", "    url: /readings\n"
                         "    out: Reading\n    to: listed")
    plan, _ = build_plan(Project(documents=[load_text(flow, "typed.yaml")]), registry())
    doc = document(plan)
    validate(doc)
    get = doc["paths"]["/readings"]["get"]
    assert "requestBody" not in get
    assert get["parameters"] == [
        {"name": "celsius", "in": "query", "required": True, "schema": {"type": "number"}},
        {"name": "sensor", "in": "query", "required": True,
         "schema": {"$ref": "#/components/schemas/Reading/$defs/name"}}]
    assert "Reading" in doc["components"]["schemas"]
    assert get["responses"]["400"]["description"] == "the query does not conform to Reading"


def test_an_answer_after_a_sink_wrote_through_a_complete_node() -> None:
    flow = """\
flowrt: 1
nodes:
  post:
    type: http-in
    method: post
    url: /jobs
    to: store
  store: {type: debug}
  stored: {type: complete, scope: [store], to: accepted}
  accepted: {type: http-response, status_code: 202}
  elsewhere: {type: complete, scope: [nothing], to: other}
  nothing: {type: debug}
  other: {type: http-response, status_code: 418}
"""
    plan, _ = build_plan(Project(documents=[load_text(flow, "jobs.yaml")]), registry())
    responses = document(plan)["paths"]["/jobs"]["post"]["responses"]
    assert "202" in responses and "418" not in responses and "200" not in responses
