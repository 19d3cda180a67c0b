"""Credentials that are not ASCII: a bearer token, a session cookie or a login of any bytes is
a 401 (or 200 for the right one), never a 500; a token with non-ASCII characters configured in
FLOWRT_TOKENS is matched by its UTF-8 bytes."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from flowrt.server.auth import Auth, hash_password
from tests.security.http_kit import HEADERS, TOKEN, client_of

ODD = ["tökén-0123456789abcdef", "\u2603" * 20, "\udcff-0123456789abcdef", "tab\tinside-012345"]


@pytest.mark.parametrize("token", ODD)
def test_a_non_ascii_bearer_token_is_a_401(tmp_path: Path, token: str) -> None:
    raw = f"Bearer {token}".encode("utf-8", "surrogateescape")
    with client_of(tmp_path / "flows", auth=Auth.load(None, f"ci:{TOKEN}")) as client:
        response = client.get("/api/flows", headers={"Authorization": raw})
        assert response.status_code == 401, response.text
        latin = f"Bearer {token}".encode("latin-1", "replace")
        assert client.get("/api/flows", headers={"Authorization": latin}).status_code == 401


def test_a_non_ascii_session_cookie_is_a_401(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", auth=Auth.load(None, f"ci:{TOKEN}")) as client:
        for value in ("séssion", "\u2603" * 40):
            cookie = f"flowrt_session={value}".encode()
            response = client.get("/api/flows", headers={"Cookie": cookie})
            assert response.status_code == 401, response.text


def test_a_non_ascii_token_is_matched_by_its_utf8_bytes(tmp_path: Path) -> None:
    token = "clé-secrète-0123456789"
    with client_of(tmp_path / "flows", auth=Auth.load(None, f"ci:{token}")) as client:
        response = client.get("/api/flows",
                              headers={"Authorization": f"Bearer {token}".encode()})
        assert response.status_code == 200, response.text


def test_a_login_of_odd_characters_is_a_401(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(f"users:\n  zoë: '{hash_password('pässwörd', 1000)}'\n")
    with client_of(tmp_path / "flows", auth=Auth.load(str(users), None)) as client:
        for user, password in (("zoë", "\ud800"), ("\ud800", "x"), ("zoë", "PÄSSWÖRD")):
            body = json.dumps({"user": user, "password": password}).encode()  # \\ud800 escaped
            response = client.post("/api/login", content=body,
                                   headers={**HEADERS, "content-type": "application/json"})
            assert response.status_code == 401, (user, response.text)
        ok = client.post("/api/login", json={"user": "zoë", "password": "pässwörd"},
                         headers=HEADERS)
        assert ok.status_code == 200
