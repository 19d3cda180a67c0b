"""Every route the server answers has a rule in flowrt.server.access.RULES, and every rule a
route: a route added without saying who may use it fails here (and is refused at run time)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from starlette.routing import Mount, Route, WebSocketRoute

from flowrt.server.access import RULES, Access, rule_for
from flowrt.server.app import ServerSettings, create_app
from flowrt.server.nodered_guard import NodeRedGuard

SERVED_BY_FLOWS = {("WS", "/dashboard/ws")}
"""Declared, but served by a running flow (the dashboard connection), not by the app's table."""


def routes_of(routes: list[Any], prefix: str = "") -> set[tuple[str, str]]:
    found: set[tuple[str, str]] = set()
    for route in routes:
        if isinstance(route, WebSocketRoute):
            found.add(("WS", prefix + route.path))
        elif isinstance(route, Route):
            methods = route.methods or {"GET"}
            found |= {(m, prefix + route.path) for m in methods if m != "HEAD"}
        elif isinstance(route, Mount):
            app = route.app
            if route.path == "":
                continue  # the flows' own endpoints (http-in): they take their own keys
            if isinstance(app, NodeRedGuard):
                assert isinstance(app.app, Access), "the Node-RED admin API is not judged"
                found |= routes_of(app.app.app.routes, prefix + route.path)  # type: ignore
            else:
                found.add(("GET", prefix + route.path))
    return found


def test_every_route_has_a_rule_and_every_rule_a_route(tmp_path: Path) -> None:
    app = create_app(ServerSettings(flows=tmp_path, env={}))
    served = routes_of(app.routes)
    assert served, "no routes found"
    missing = served - set(RULES)
    assert not missing, f"routes without a rule in flowrt.server.access.RULES: {missing}"
    stale = set(RULES) - served - SERVED_BY_FLOWS
    assert not stale, f"rules for routes that do not exist: {stale}"


def test_an_undeclared_route_is_refused() -> None:
    assert rule_for("GET", "/api/not-declared") is None
    assert rule_for("PATCH", "/api/flows/a.yaml") == "405"
    found = rule_for("HEAD", "/api/flows/a.yaml")
    assert not isinstance(found, str) and found is not None and found[2] == {"file": "a.yaml"}


def test_the_docs_show_the_rules_as_they_are() -> None:
    from flowrt.server.access import table

    page = (Path(__file__).resolve().parents[2] / "docs" / "security.md").read_text("utf-8")
    assert table() in page, "docs/security.md's table of roles differs from RULES: paste " \
        "`python -c 'from flowrt.server.access import table; print(table())'` there"


def test_a_route_of_the_server_without_a_rule_is_refused_and_a_flows_endpoint_passes(
        tmp_path: Path) -> None:
    import warnings

    from starlette.applications import Starlette
    from starlette.responses import PlainTextResponse

    with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
        warnings.simplefilter("ignore")
        from starlette.testclient import TestClient

    async def answer(request: Any) -> PlainTextResponse:
        return PlainTextResponse("answered")

    own = [Route("/api/undeclared", answer)]
    app = Starlette(routes=[*own, Route("/api/readings", answer)])
    with TestClient(Access(app, own=own)) as client:  # type: ignore[arg-type]
        refused = client.get("/api/undeclared")
        assert refused.status_code == 403 and "no rule" in refused.text
        assert client.get("/api/readings").text == "answered"


def test_a_flow_may_serve_under_api(tmp_path: Path) -> None:
    from tests.security.http_kit import client_of

    served = "flowrt: 1\nid: web\nnodes:\n" \
        "  get: {type: http-in, method: get, url: /api/readings, to: reply}\n" \
        "  reply: {type: http-response}\n"
    with client_of(tmp_path / "flows", {"web.yaml": served}) as client:
        assert client.get("/api/readings").status_code == 200
