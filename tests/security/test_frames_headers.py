"""Clickjacking and content sniffing: every response says it may not be framed and that its
type is not to be guessed; the editor's pages carry a CSP that allows only what ui/ uses, the
API's a CSP that allows nothing; a flow's endpoint gets the defaults but keeps the headers it
sets itself."""

from __future__ import annotations

from pathlib import Path

import pytest

from flowrt.server.auth import Auth
from flowrt.server.headers import API_CSP, EDITOR_CSP, FLOW_CSP
from tests.security.http_kit import HEADERS, TOKEN, client_of

EDITOR = ("/", "/ui/js/main.js", "/ui/css/editor.css")
API = ("/api/flows", "/api/openapi.json", "/api/nodes", "/metrics", "/health", "/ready")


def _directives(csp: str) -> dict[str, str]:
    return {part.split()[0]: " ".join(part.split()[1:])
            for part in (p.strip() for p in csp.split(";")) if part}


@pytest.mark.parametrize("path", [*EDITOR, *API, "/hello", "/no-such-page"])
def test_every_response_refuses_framing_and_sniffing(tmp_path: Path, path: str) -> None:
    with client_of(tmp_path / "flows") as client:
        response = client.get(path)
    assert response.headers["x-frame-options"] == "DENY"
    assert response.headers["x-content-type-options"] == "nosniff"
    assert response.headers["referrer-policy"] == "no-referrer"
    assert _directives(response.headers["content-security-policy"])["frame-ancestors"] \
        == "'none'"


def test_the_editor_csp_allows_only_its_own_files(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows") as client:
        for path in EDITOR:
            response = client.get(path)
            assert response.status_code == 200
            assert response.headers["content-security-policy"] == EDITOR_CSP
            assert response.headers["cross-origin-opener-policy"] == "same-origin"
    csp = _directives(EDITOR_CSP)
    assert csp["default-src"] == "'none'"
    for directive in ("script-src", "style-src", "connect-src"):
        assert csp[directive] == "'self'"  # nothing inline, no eval, no other origin
    assert csp["img-src"] == "'self' data:"  # the favicon is a data: URI
    assert csp["base-uri"] == csp["form-action"] == "'none'"


def test_the_api_csp_allows_nothing(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows") as client:
        for path in API:
            response = client.get(path)
            assert response.headers["content-security-policy"] == API_CSP, path
            assert response.headers["cross-origin-resource-policy"] == "same-origin"
    assert _directives(API_CSP)["default-src"] == "'none'"


def test_refusals_carry_the_headers_too(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", auth=Auth.load(None, f"ci:{TOKEN}")) as client:
        for response in (client.get("/api/flows"),  # 401
                         client.post("/api/deploy", json={}),  # 403: no X-Flowrt-Request
                         client.get("/api/flows", headers={"Host": "evil.example"})):  # 400
            assert 400 <= response.status_code < 500
            assert response.headers["x-frame-options"] == "DENY"
            assert response.headers["content-security-policy"] == API_CSP


def test_a_flow_endpoint_keeps_the_headers_it_sets(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows") as client:
        client.post("/api/deploy", json={}, headers=HEADERS)
        plain = client.get("/hello")
        framed = client.get("/framed")
    assert plain.status_code == framed.status_code == 200
    assert plain.headers["content-security-policy"] == FLOW_CSP
    assert plain.headers["x-frame-options"] == "DENY"
    assert framed.headers["x-frame-options"] == "SAMEORIGIN"
    assert framed.headers["content-security-policy"] == "frame-ancestors 'self'"
    assert framed.headers.get_list("x-frame-options") == ["SAMEORIGIN"]
    assert framed.headers["x-content-type-options"] == "nosniff"
