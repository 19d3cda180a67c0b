"""Each role against each route, from the one declaration (flowrt.server.access.RULES): a role
below the route's is refused with 403 and changes nothing; the route's role and those above
get through (whatever the route then answers, never 401 or 403)."""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest
from starlette.websockets import WebSocketDisconnect

from flowrt.server.access import RULES, Rule
from flowrt.server.roles import Role
from tests.nodes.dashboard.boards import BOARD
from tests.security.http_kit import HEADERS, client_of
from tests.security.roles_kit import FILES, ROLES, auth_of, bearer

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

JUDGED = sorted((key for key, rule in RULES.items() if rule.role is not None),
                key=lambda k: (k[1], k[0]))
PARAMS = {"file": "a.yaml", "id": "1", "node_id": "a_tick", "scope": "flow:a", "name": "k",
          "trace_id": "0" * 32}
MOUNTED = {"/ui": "/ui/js/api.js", "/dashboard/files": "/dashboard/files/app.js"}
BODIES: dict[str, object] = {
    "/api/validate": {"file": "a.yaml", "text": FILES["a.yaml"]},
    "/api/layout": {"file": "a.yaml"},
    "/api/import/nodered": {"flows": []},
    "/api/deploy": {},
    "/api/flows/{file:path}": {"revision": None, "text": FILES["a.yaml"]},
    "/nodered/flows": [],
    "/nodered/flow": {"label": "added", "nodes": []},
    "/nodered/flow/{id}": {"label": "x", "nodes": []},
}


def concrete(path: str) -> str:
    if path in MOUNTED:
        return MOUNTED[path]
    return re.sub(r"\{(\w+)(:\w+)?\}", lambda m: PARAMS[m.group(1)], path)


def call(client: TestClient, method: str, path: str, role: str) -> int:
    url = concrete(path)
    headers = {**bearer(role), **HEADERS}
    if path.startswith("/nodered"):
        headers = {**bearer(role), "Content-Type": "application/json"}
    body = BODIES.get(path)
    response = client.request(method, url, headers=headers, follow_redirects=False,
                              json=body if method in ("POST", "PUT") else None)
    return int(response.status_code)


def opens(client: TestClient, path: str, role: str) -> bool:
    try:
        with client.websocket_connect(path, headers=bearer(role)) as ws:
            ws.send_text("{}")
            return True
    except WebSocketDisconnect:
        return False


@pytest.mark.parametrize(("method", "path"), JUDGED, ids=[f"{m} {p}" for m, p in JUDGED])
def test_each_role_on_each_route(tmp_path: Path, method: str, path: str) -> None:
    rule: Rule = RULES[(method, path)]
    assert rule.role is not None
    files = {**FILES, "board.yaml": BOARD}
    with client_of(tmp_path / "flows", files, auth=auth_of(tmp_path)) as client:
        for role in ROLES:  # lowest first: a refused call must leave everything as it was
            allowed = Role[role.upper()] >= rule.role
            if method == "WS":
                assert opens(client, path, role) == allowed, role
                continue
            status = call(client, method, path, role)
            if allowed:
                assert status not in (401, 403, 405), (role, status)
            else:
                assert status == 403, (role, status)
                assert (tmp_path / "flows" / "a.yaml").read_text() == FILES["a.yaml"]


def test_without_credentials_every_judged_route_is_a_401(tmp_path: Path) -> None:
    with client_of(tmp_path / "flows", FILES, auth=auth_of(tmp_path)) as client:
        for method, path in JUDGED:
            if method == "WS":
                continue
            headers = HEADERS if not path.startswith("/nodered") else \
                {"Content-Type": "application/json"}
            status = client.request(method, concrete(path), headers=headers).status_code
            assert status == 401, (method, path, status)


def test_a_token_names_its_role_and_an_old_one_stays_admin(tmp_path: Path) -> None:
    from flowrt.server.auth import Auth

    auth = Auth.load(None, "ci:0123456789abcdef0123:viewer,old:0123456789abcdefXXXX,"
                     "odd:0123:456789abcdef:deployer,0123456789abcdefYYYY")
    grants = {name: g.role.label for name, g in auth.token_grants.items()}
    assert grants == {"ci": "viewer", "old": "admin", "odd": "deployer", "token4": "admin"}
    assert auth.tokens["0123:456789abcdef"] == "odd"


def test_file_globs_match_within_a_folder_or_across_with_two_stars() -> None:
    from flowrt.server.roles import Grant

    grant = Grant(Role.VIEWER, ("a.yaml", "plant/*", "deep/**"))
    names = ["a.yaml", "b.yaml", "plant/x.yaml", "plant/sub/x.yaml", "deep/a/b.yaml", "aXyaml"]
    assert [grant.allows(n) for n in names] == [True, False, True, False, True, False]
    assert not grant.allows(None) and Grant(Role.VIEWER, None).allows("any/file.yaml")


def test_an_auth_file_with_a_wrong_role_or_files_names_the_user(tmp_path: Path) -> None:
    from flowrt.errors import ConfigError
    from flowrt.server.auth import Auth, hash_password

    hashed = hash_password("x", 1000)
    for entry, said in ((f"{{password: '{hashed}', role: owner}}", "role 'owner'"),
                        (f"{{password: '{hashed}', files: ['../x.yaml']}}", "'..'"),
                        (f"{{password: '{hashed}', files: 3}}", "list of flow file")):
        users = tmp_path / "users.yaml"
        users.write_text(f"users:\n  eve: {entry}\n", encoding="utf-8")
        with pytest.raises(ConfigError, match="user 'eve'") as caught:
            Auth.load(str(users), None)
        assert said in str(caught.value)
