"""The OpenAPI 3.1 document of the admin API (``GET /api/openapi.json``), written by hand from
the contract the editor relies on."""

from __future__ import annotations

from typing import Any

_OBJ: dict[str, Any] = {"type": "object"}
_ERR = {"description": "error", "content": {"application/json": {"schema": {
    "type": "object", "properties": {"error": {"type": "string"}}}}}}
_CSRF = {"name": "X-Flowrt-Request", "in": "header", "required": True,
         "schema": {"type": "string", "enum": ["1"]}}
_FILE = {"name": "file", "in": "path", "required": True, "schema": {"type": "string"},
         "description": "Flow file path relative to the flows directory, e.g. alerts.yaml"}


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _op(summary: str, ok: dict[str, Any], *, body: dict[str, Any] | None = None,
        params: list[dict[str, Any]] | None = None, changes: bool = False,
        errors: tuple[int, ...] = ()) -> dict[str, Any]:
    op: dict[str, Any] = {"summary": summary, "responses": {"200": ok, "403": _ERR}}
    # 403: any route a role or a grant's flow files do not reach (flowrt.server.access)
    parameters = list(params or [])
    if changes:
        parameters.append(_CSRF)
        op["responses"]["413"] = _ERR
    if parameters:
        op["parameters"] = parameters
    if body is not None:
        op["requestBody"] = {"required": True, "content": {"application/json": {"schema": body}}}
    for code in errors:
        op["responses"][str(code)] = _ERR
    return op


_DIAGNOSTIC = {"type": "object", "properties": {
    k: {"type": "string"} for k in ("code", "severity", "message", "hint", "file", "node",
                                    "node_type")} | {"line": {"type": "integer"},
                                                     "column": {"type": "integer"},
                                                     "path": {"type": "array"}}}
_DIAGNOSTICS = {"type": "object", "properties": {"diagnostics": {"type": "array",
                                                                 "items": _DIAGNOSTIC}}}
_FLOW_BODY = {"type": "object", "properties": {
    "revision": {"type": ["string", "null"]}, "text": {"type": "string"},
    "document": {"type": "object"}}, "required": ["revision"]}
_CHANGED = {"type": "object", "properties": {"revision": {"type": "integer"}, "changed": {
    "type": "object", "properties": {"flows": {"type": "array", "items": {"type": "string"}},
                                     "nodes": {"type": "array", "items": {"type": "string"}},
                                     "mode": {"type": "string"}}}}}
def _created(op: dict[str, Any]) -> dict[str, Any]:
    op["responses"]["201"] = op["responses"].pop("200")
    return op


_REV_ID = {"name": "id", "in": "path", "required": True, "schema": {"type": "integer"}}

OPENAPI: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "flowrt admin API", "version": "1"},
    "paths": {
        "/api/flows": {"get": _op("List flow files", _json({"type": "array", "items": _OBJ}))},
        "/api/flows/{file}": {
            "get": _op("Get a flow file", _json(_OBJ), params=[_FILE], errors=(400, 404)),
            "put": _op("Save a flow file (text or document)", _json(_OBJ), params=[_FILE],
                       body=_FLOW_BODY, changes=True, errors=(400, 409)),
            "delete": _op("Delete a flow file", _json(_OBJ), changes=True, errors=(400, 404, 409),
                          params=[_FILE, {"name": "revision", "in": "query", "required": True,
                                          "schema": {"type": "string"}}]),
        },
        "/api/validate": {"post": _op(
            "Check a flow among the others", _json(_DIAGNOSTICS), changes=True, errors=(400,),
            body={"type": "object", "properties": {"file": {"type": "string"},
                                                   "text": {"type": "string"},
                                                   "document": _OBJ}})},
        "/api/deploy": {"post": _op(
            "Deploy the flows", _json(_CHANGED), changes=True, errors=(400, 422),
            body={"type": "object", "properties": {"mode": {"enum": [
                "nodes", "flows", "changed", "full"]}}})},
        "/api/revisions": {"get": _op("Deployed revisions", _json({"type": "array"}))},
        "/api/revisions/{id}/diff": {"get": _op(
            "Diff from a revision to the current files", _json(_OBJ), params=[_REV_ID],
            errors=(404,))},
        "/api/revisions/{id}/rollback": {"post": _op(
            "Restore a revision's files and deploy them", _json(_CHANGED), params=[_REV_ID],
            changes=True, errors=(404, 422))},
        "/api/nodes": {"get": _op("The node catalog", _json({"type": "array"}))},
        "/api/layout": {"post": _op(
            "Layered positions for a flow's nodes", _json(_OBJ), changes=True,
            errors=(400, 404, 422),
            body={"type": "object", "properties": {"file": {"type": "string"}}})},
        "/api/state": {"get": _op(
            "Per node status, message counts, errors and measurements; connections",
            _json(_OBJ))},
        "/api/group": {"get": _op(
            "The group of workers this server runs in: members, and who runs each singleton",
            _json({"type": "object", "required": ["group", "workers", "singletons"],
                   "properties": {"group": {"type": ["string", "null"]},
                                  "workers": {"type": "array"}, "singletons": _OBJ,
                                  "revision": {"type": ["object", "null"]}}}))},
        "/api/import/nodered": {"post": _op(
            "Convert a Node-RED export", _json(_OBJ), changes=True, errors=(400, 422),
            body={"type": "object", "properties": {"flows": {}, "credentials": _OBJ,
                                                   "secret": {"type": "string"}},
                  "required": ["flows"]})},
        "/api/export/nodered": {"get": _op("The flows as Node-RED JSON",
                                           _json({"type": "array"}), errors=(422,))},
        "/api/inject/{node_id}": {"post": _op(
            "Fire an inject node", _json(_OBJ), changes=True, errors=(400, 404, 422),
            params=[{"name": "node_id", "in": "path", "required": True,
                     "schema": {"type": "string"}}])},
        "/api/login": {"post": _op(
            "Log in (sets a session cookie)", _json(_OBJ), changes=True, errors=(400, 401),
            body={"type": "object", "properties": {"user": {"type": "string"},
                                                   "password": {"type": "string"}}})},
        "/api/logout": {"post": _op("Log out (ends the session)", _json(_OBJ), changes=True)},
        "/api/me": {"get": _op("Who is logged in: user, role and flow files (null: all)",
                               _json(_OBJ))},
        "/api/endpoints": {"get": _op(
            "The flows' endpoints with access settings, each key's, token's or user's use "
            "(never a key or its hash)", _json(_OBJ),
            params=[{"name": "node", "in": "query", "required": False,
                     "schema": {"type": "string"}}])},
        "/api/keys": {"get": _op("The API keys: name, scopes, state, endpoints and use "
                                 "(never a key or its hash)", _json(_OBJ)),
                      "post": _created(_op(
                          "Make an API key: the answer holds it, this once", _json(_OBJ),
                          changes=True, errors=(400, 409),
                          body={"type": "object", "required": ["name"], "properties": {
                              "name": {"type": "string"},
                              "scopes": {"type": ["array", "string"],
                                         "items": {"type": "string"}},
                              "expires": {"type": ["string", "null"]}}}))},
        "/api/keys/{name}/revoke": {"post": _op(
            "Revoke an API key", _json(_OBJ), changes=True, errors=(400, 404, 409),
            params=[{"name": "name", "in": "path", "required": True,
                     "schema": {"type": "string"}}])},
        "/health": {"get": _op("Alive", _json(_OBJ))},
        "/ready": {"get": _op("Flows deployed", _json(_OBJ), errors=(503,))},
        "/metrics": {"get": _op("Prometheus metrics", {"description": "text",
                                                       "content": {"text/plain": {}}})},
    },
    "components": {"securitySchemes": {"bearer": {"type": "http", "scheme": "bearer"}}},
}
