"""The OpenAPI 3.1 document of a project's HTTP endpoints: its ``http-in`` nodes.

This is the flows' API, served by the flows' HTTP server at ``/openapi.json``
(:mod:`flowrt.run.openapi_serve`) and printed by ``flowrt openapi``. It is not the admin API's
document (``/api/openapi.json`` of ``flowrt serve``, :mod:`flowrt.server.openapi`).

:func:`document` describes each http-in node of a plan as one operation:

- the method, and the path with its parameters (``/users/:id`` is ``/users/{id}``, a required
  path parameter);
- a request body for the methods that take one (``post``, ``put``, ``patch``): JSON, with the
  schema :func:`body_schema` finds (the ontology of the node's ``out:``, as a component under
  ``components/schemas/NAME``, referenced with ``$ref``), and ``multipart/form-data`` with
  ``upload``; for a ``get``, the properties of that schema as query parameters;
- the answers of the ``http-response`` nodes the request's message can reach (following
  wires, link-out and link-call nodes, and the ``complete`` nodes watching a node it
  reaches): each one's ``status_code`` (200 when the flow decides, through
  ``msg.statusCode``), its ``content-type`` header as the media type (JSON when not set), with
  the ontology of its ``in:`` as the schema, and its other headers by name; and the answers
  the engine gives itself (400, 413, 500, 503, 504, and with the access settings 401, 403 and
  429 with ``Retry-After``);
- ``auth`` as a security scheme (``key``: ``X-API-Key`` or ``Authorization: Bearer``, with the
  endpoint's scopes; ``bearer``; ``basic``), ``rate``/``burst``/``quota`` as ``x-rate-limit``,
  ``cors`` as ``x-cors``.

The document never holds a credential: of the access settings it reads ``auth``, ``scopes``,
the limits and ``cors``, never ``tokens`` or ``users`` (neither their values nor the names of
their clients), and of the http-response nodes only header names and the content type.
"""

from __future__ import annotations

import hashlib
import json
import math
import re
from collections.abc import Collection, Iterable
from typing import Any

from flowrt.compile.plan import Plan, PlannedNode
from flowrt.protocols import DeclaredType

HTTP_IN, HTTP_RESPONSE = "http-in", "http-response"
BODY_METHODS = frozenset({"post", "put", "patch"})
JSON = "application/json"
_PARAMETER = re.compile(r"^(?::([^/]+)|\{([^}:/]+)(?::([a-z]+))?\})$")
_TYPES = {"int": "integer", "float": "number"}
_TEXT = {"text/plain": {"schema": {"type": "string"}}}

SCHEMES: dict[str, dict[str, dict[str, Any]]] = {
    "key": {
        "apiKey": {"type": "apiKey", "in": "header", "name": "X-API-Key",
                   "description": "An API key of `flowrt keys add` (docs/keys.md)."},
        "apiKeyBearer": {"type": "http", "scheme": "bearer",
                         "description": "An API key of `flowrt keys add`, as "
                                        "`Authorization: Bearer KEY`."},
    },
    "bearer": {"bearerToken": {"type": "http", "scheme": "bearer",
                               "description": "One of the endpoint's tokens."}},
    "basic": {"basicAuth": {"type": "http", "scheme": "basic",
                            "description": "A user of the endpoint, HTTP basic."}},
}
"""The security schemes of each ``auth`` of http-in, by the names the document gives them."""
CLIENT_KIND = {"none": "address", "key": "key", "bearer": "token", "basic": "user"}


def body_schema(node: PlannedNode) -> Any:
    """The JSON Schema of the request body an http-in node accepts, or None when the node
    declares none (any JSON is described then).

    A body's schema is the type of the node's output port 0: the ontology (a named JSON Schema
    of the project, :mod:`flowrt.load.ontologies`) its ``out:`` key names, since a port type
    describes ``msg.payload`` and an http-in's payload is the request's body. The node refuses
    a body that does not conform with 400 (nodes/http/http_in.py).
    """
    declared = node.out_types.get(0)
    return declared.schema if declared is not None else None


def _component(schemas: dict[str, Any], declared: DeclaredType) -> dict[str, Any]:
    """A ``$ref`` to the ontology's schema, added under ``components/schemas`` (the first
    schema of a name wins: names are unique in a project). References inside the schema
    (``#/$defs/...``) are moved to where the schema now is."""
    schemas.setdefault(declared.name, _rebased(declared.schema,
                                               f"#/components/schemas/{declared.name}"))
    return {"$ref": f"#/components/schemas/{declared.name}"}


def _rebased(schema: Any, base: str) -> Any:
    if isinstance(schema, dict):
        return {k: (base + v[1:] if k == "$ref" and isinstance(v, str) and v.startswith("#")
                    else _rebased(v, base)) for k, v in schema.items()}
    if isinstance(schema, list):
        return [_rebased(item, base) for item in schema]
    return schema


def document(plans: Plan | Iterable[Plan], *, only: Collection[str] | None = None,
             title: str = "flowrt flows") -> dict[str, Any]:
    """The OpenAPI 3.1 document of the http-in nodes of ``plans`` (see the module); ``only``:
    the ids of the nodes to describe (the ones serving now), else all of them. A node id in
    two plans (a runtime and the one replacing it) is described from the first."""
    plans = [plans] if isinstance(plans, Plan) else list(plans)
    paths: dict[str, dict[str, Any]] = {}
    schemes: dict[str, Any] = {}
    schemas: dict[str, Any] = {}
    described: set[str] = set()
    for plan in plans:
        for node in plan.nodes.values():
            if (node.type != HTTP_IN or node.id in described
                    or (only is not None and node.id not in only)):
                continue
            described.add(node.id)
            path, parameters = openapi_path(node.config.url)
            item = paths.setdefault(path, {})
            if parameters:
                item["parameters"] = parameters
            item[node.config.method] = _operation(plan, node, schemas)
            schemes.update(SCHEMES.get(node.config.auth, {}))
    ordered = {p: dict(sorted(paths[p].items())) for p in sorted(paths)}
    digest = hashlib.sha256(json.dumps(ordered, sort_keys=True).encode()).hexdigest()[:12]
    doc: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": {"title": title, "version": digest,
                 "description": "The HTTP endpoints of the flows (their http-in nodes), "
                                "generated by flowrt."},
        "paths": ordered,
    }
    if schemas:
        doc.setdefault("components", {})["schemas"] = dict(sorted(schemas.items()))
    if schemes:
        doc.setdefault("components", {})["securitySchemes"] = dict(sorted(schemes.items()))
    return doc


def has_endpoints(plan: Plan) -> bool:
    return any(node.type == HTTP_IN for node in plan.nodes.values())


def openapi_path(url: str) -> tuple[str, list[dict[str, Any]]]:
    """The OpenAPI path of an http-in ``url`` and its path parameters: ``/users/:id`` (or
    Starlette's ``/users/{id}``, ``{id:int}``) is ``/users/{id}``; a trailing slash is not
    significant, as the route table serves it. A parameter is one or more characters other
    than ``/``, as the route matches it."""
    url = url if url.startswith("/") else "/" + url
    parts, parameters = [], []
    for part in url.split("/"):
        match = _PARAMETER.match(part)
        if match is None:
            parts.append(part)
            continue
        name = match.group(1) or match.group(2)
        parts.append("{" + name + "}")
        convertor = match.group(3) or "str"
        schema: dict[str, Any] = {"type": _TYPES.get(convertor, "string")}
        if convertor == "str":
            schema["pattern"] = "^[^/]+$"
        parameters.append({"name": name, "in": "path", "required": True, "schema": schema})
    return "/".join(parts).rstrip("/") or "/", parameters


def _operation(plan: Plan, node: PlannedNode, schemas: dict[str, Any]) -> dict[str, Any]:
    config = node.config
    operation: dict[str, Any] = {
        "operationId": node.id,
        "summary": node.label or f"http-in node '{node.id}'",
        "x-flowrt-node": node.id,
    }
    if config.method in BODY_METHODS:
        operation["requestBody"] = _request_body(node, schemas)
    elif query := _query_parameters(node, schemas):
        operation["parameters"] = query
    operation["responses"] = _responses(plan, node, schemas)
    security = [{name: list(config.scopes)} for name in SCHEMES.get(config.auth, {})]
    if security:
        operation["security"] = security
    if config.rate is not None or config.quota is not None:
        operation["x-rate-limit"] = _rate_limit(config)
    if config.cors is not None:
        cors = config.cors
        operation["x-cors"] = {
            "origins": list(cors.origins),
            "methods": sorted({m.upper() for m in cors.methods} | {config.method.upper()}),
            "headers": list(cors.headers), "expose": list(cors.expose),
            "credentials": cors.credentials, "maxAge": cors.max_age,
        }
    return operation


def _request_body(node: PlannedNode, schemas: dict[str, Any]) -> dict[str, Any]:
    schema = body_schema(node)
    declared = node.out_types.get(0)
    content: dict[str, Any] = {JSON: {"schema": _component(schemas, declared)
                                      if declared is not None else {}}}
    if node.config.upload:
        content["multipart/form-data"] = {"schema": {"type": "object"}}
    return {"required": schema is not None, "content": content}


def _query_parameters(node: PlannedNode, schemas: dict[str, Any]) -> list[dict[str, Any]]:
    """The query parameters of a ``get`` whose ``out:`` names an ontology: the properties of
    its schema (the payload of a ``get`` is the query), required as the schema says; the
    schema itself is a component too (a property may refer into it)."""
    declared = node.out_types.get(0)
    if declared is None or not isinstance(declared.schema, dict):
        return []
    properties = declared.schema.get("properties")
    if not isinstance(properties, dict):
        return []
    _component(schemas, declared)
    required = declared.schema.get("required", [])
    base = f"#/components/schemas/{declared.name}"
    return [{"name": name, "in": "query", "required": name in required,
             "schema": _rebased(properties[name], base)} for name in sorted(properties)]


def _rate_limit(config: Any) -> dict[str, Any]:
    limit: dict[str, Any] = {"per": CLIENT_KIND[config.auth]}
    if config.rate is not None:
        limit["rate"] = config.rate
        limit["burst"] = config.burst if config.burst is not None else max(
            1, math.ceil(config.rate))  # as flowrt.run.limits.Limits takes it
    if config.quota is not None:
        limit["quota"] = config.quota
        limit["quotaPeriod"] = "UTC day"
    return limit


def _responses(plan: Plan, node: PlannedNode, schemas: dict[str, Any]) -> dict[str, Any]:
    config = node.config
    responses: dict[str, Any] = {}
    for answer in answering(plan, node.id):
        status = answer.config.status_code
        entry = responses.setdefault(str(status or 200), {
            "description": f"answered by http-response '{answer.id}'" if status else
            f"answered by http-response '{answer.id}' (200, or the status in "
            "msg.statusCode)"})
        headers = {name.lower(): value for name, value in answer.config.headers.items()}
        media = headers.pop("content-type", None)
        if answer.in_type is not None:
            media = media or JSON  # an object payload is sent as JSON
            entry.setdefault("content", {})[media.split(";")[0].strip().lower()] = {
                "schema": _component(schemas, answer.in_type)}
        elif media:
            entry.setdefault("content", {}).setdefault(media.split(";")[0].strip().lower(), {})
        for name in sorted(headers):
            entry.setdefault("headers", {})[name] = {"schema": {"type": "string"}}
    if not responses:
        responses["200"] = {"description": "no http-response node is reachable from this "
                                           "endpoint's wires: the flow answers another way"}
    engine = [("500", "the flow failed on the request before an http-response answered"),
              ("503", f"over {config.max_pending} requests waiting, or the flow is stopping"),
              ("504", f"no http-response answered within {config.timeout:g} s")]
    declared = node.out_types.get(0)
    if config.method not in BODY_METHODS and declared is not None:
        engine.append(("400", f"the query does not conform to {declared.name}"))
    if config.method in BODY_METHODS:
        engine += [("400", "the body is not what its content type says (invalid JSON)"
                    + (f", or does not conform to {declared.name}" if declared else "")),
                   ("413", f"the body is over {config.max_body_size} bytes")]
    if config.auth != "none":
        engine.append(("401", "no valid credentials"))
    if config.scopes or config.cors is not None:
        engine.append(("403", " or ".join(
            ([f"the key lacks a scope of {', '.join(config.scopes)}"] if config.scopes else [])
            + (["a page of an origin that cors does not allow"] if config.cors else []))))
    for status, text in engine:
        responses.setdefault(status, {"description": text, "content": _TEXT})
    if "401" in responses and config.auth != "none":
        responses["401"]["headers"] = {"WWW-Authenticate": {"schema": {"type": "string"}}}
    if config.rate is not None or config.quota is not None or config.auth in ("basic",
                                                                             "bearer"):
        responses.setdefault("429", {
            "description": "over the rate limit or the daily quota (or, for a client whose "
                           "credentials failed, the budget of attempts)",
            "content": _TEXT,
            "headers": {"Retry-After": {"description": "seconds to wait",
                                        "schema": {"type": "integer", "minimum": 1}}}})
    return dict(sorted(responses.items()))


def answering(plan: Plan, start: str) -> list[PlannedNode]:
    """The http-response nodes a message from node ``start`` can reach: along wires, from a
    link-out to its link-in nodes, from a link-call to its target (not a dynamic one), and
    from a node to the ``complete`` nodes watching it (an answer once a sink wrote)."""
    watching: dict[str, list[str]] = {}
    for node in plan.nodes.values():
        if node.type == "complete":
            for watched in node.config.scope:
                inner = f"{node.scope[-1]}/{watched}" if node.scope else watched
                watching.setdefault(inner, []).append(node.id)
    seen, todo, found = {start}, [start], []
    while todo:
        node = plan.nodes[todo.pop()]
        if node.type == HTTP_RESPONSE:
            found.append(node)
            continue
        following = [t for port in node.wires for t in port] + watching.get(node.id, [])
        if node.type == "link-out" and node.config.mode == "link":
            following += [_link_in(plan, node, t) for t in node.config.links]
        elif node.type == "link-call" and node.config.target:
            following.append(_link_in(plan, node, node.config.target))
        for target in following:
            if target in plan.nodes and target not in seen:
                seen.add(target)
                todo.append(target)
    return sorted(found, key=lambda n: n.id)


def _link_in(plan: Plan, node: PlannedNode, target: str) -> str:
    """The planned id of the link-in ``target`` names (a subflow instance's own first, as
    nodes/core/link_in.py resolves it)."""
    if node.scope and f"{node.scope[-1]}/{target}" in plan.nodes:
        return f"{node.scope[-1]}/{target}"
    return target
