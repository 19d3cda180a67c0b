"""http-in with `auth`, attacked with two credentials in one request: a bearer and an
`X-API-Key`, a header given twice, HTTP basic beside a key. Such a request is refused (401,
`invalid_request`, saying why) whatever the credentials are, never admitted on one while the
other is ignored: a proxy or a log that looks at the other one (a revoked key, another
client's) would be misled."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowrt.run.access import hash_password
from flowrt.secrets.keys import add_key, revoke_key, use_keys
from tests.nodes.http.serving import run, served

FLOW = """\
flowrt: 1
nodes:
  readings:
    type: http-in
    method: post
    url: /readings
    {auth}
    to: [seen, reply]
  seen: {{type: debug}}
  reply:
    type: http-response
"""
KEY_AUTH = "auth: key\n    scopes: [readings:write]"
TOKEN = "tok-" + "t" * 40


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keys.json"
    use_keys(path)
    yield path
    use_keys(None)


def post(auth: str, requests: list[list[tuple[str, str]]], env: dict[str, str] | None = None
         ) -> tuple[list[Any], int]:
    """Each request posted with these headers (in order, repeats kept); the answers and how
    many messages reached the flow."""
    async def go() -> tuple[list[Any], int]:
        answers = []
        async with served(FLOW.format(auth=auth), env) as (harness, client):
            for headers in requests:
                answers.append(await client.post("/readings", json={"t": 1}, headers=headers))
            seen = len(harness.result.received("seen"))
        return answers, seen
    return run(go())


def ambiguous(answers: list[Any]) -> list[bool]:
    """Which answers refused the request for carrying two credentials."""
    return [a.status_code == 401 and ("two credentials" in a.text or "more than once" in a.text)
            for a in answers]


def basic(user: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{user}:{password}".encode()).decode()


def test_a_bearer_key_with_another_x_api_key_is_refused(keys: Path) -> None:
    mine = add_key(keys, "sensor-7", ["readings:write"])
    other = add_key(keys, "sensor-8", ["readings:write"])
    revoked = add_key(keys, "old", ["readings:write"])
    viewer = add_key(keys, "viewer", ["readings:read"])
    revoke_key(keys, "old")
    answers, seen = post(KEY_AUTH, [
        [("Authorization", f"Bearer {mine}"), ("X-API-Key", revoked)],
        [("Authorization", f"Bearer {mine}"), ("X-API-Key", other)],
        [("Authorization", f"Bearer {viewer}"), ("X-API-Key", mine)],
        [("Authorization", f"Bearer {mine}"), ("X-API-Key", "frk_not-a-key")],
        [("Authorization", f"Bearer {mine}"), ("X-API-Key", mine)],  # the same key twice
    ])
    assert [a.status_code for a in answers] == [401, 401, 401, 401, 200]
    assert ambiguous(answers) == [True, True, True, True, False]
    assert seen == 1
    assert "two credentials" in answers[0].text
    assert answers[0].headers["www-authenticate"] == \
        'Bearer realm="flowrt", error="invalid_request"'
    assert all(k not in a.text for a in answers for k in (mine, other, revoked, viewer))


def test_a_header_given_twice_with_different_values_is_refused(keys: Path) -> None:
    mine = add_key(keys, "sensor-7", ["readings:write"])
    revoked = add_key(keys, "old", ["readings:write"])
    revoke_key(keys, "old")
    answers, seen = post(KEY_AUTH, [
        [("X-API-Key", mine), ("X-API-Key", revoked)],
        [("X-API-Key", revoked), ("X-API-Key", mine)],
        [("Authorization", f"Bearer {mine}"), ("Authorization", f"Bearer {revoked}")],
        [("X-API-Key", mine), ("X-API-Key", mine)],  # a repeated header, the same key
    ])
    assert [a.status_code for a in answers] == [401, 401, 401, 200]
    assert ambiguous(answers) == [True, True, True, False]
    assert seen == 1
    assert "X-API-Key more than once" in answers[0].text


def test_basic_or_another_scheme_beside_a_key_is_refused(keys: Path) -> None:
    mine = add_key(keys, "sensor-7", ["readings:write"])
    answers, seen = post(KEY_AUTH, [
        [("Authorization", basic("ops", "pw")), ("X-API-Key", mine)],
        [("Authorization", "Token abc"), ("X-API-Key", mine)],
        [("Authorization", ""), ("X-API-Key", mine)],  # an empty header is no credential
    ])
    assert [a.status_code for a in answers] == [401, 401, 200]
    assert ambiguous(answers) == [True, True, False]
    assert seen == 1


def test_a_bearer_endpoint_refuses_a_key_beside_its_token(keys: Path) -> None:
    key = add_key(keys, "sensor-7", ["readings:write"])
    answers, seen = post("auth: bearer\n    tokens: {gateway: '${GATEWAY_TOKEN}'}", [
        [("Authorization", f"Bearer {TOKEN}"), ("X-API-Key", key)],
        [("Authorization", f"Bearer {TOKEN}"), ("X-API-Key", TOKEN)],
        [("Authorization", f"Bearer {TOKEN}")],
    ], env={"GATEWAY_TOKEN": TOKEN})
    assert [a.status_code for a in answers] == [401, 200, 200]
    assert ambiguous(answers) == [True, False, False]
    assert seen == 2


def test_a_basic_endpoint_refuses_a_key_or_a_second_authorization(keys: Path) -> None:
    key = add_key(keys, "sensor-7", ["readings:write"])
    env = {"OPS_HASH": hash_password("correct horse", iterations=1000)}
    good = basic("ops", "correct horse")
    answers, seen = post("auth: basic\n    users: {ops: '${OPS_HASH}'}", [
        [("Authorization", good), ("X-API-Key", key)],
        [("Authorization", good), ("Authorization", f"Bearer {key}")],
        [("Authorization", good), ("Authorization", basic("root", "x"))],
        [("Authorization", good)],
    ], env=env)
    assert [a.status_code for a in answers] == [401, 401, 401, 200]
    assert ambiguous(answers) == [True, True, True, False]
    assert seen == 1
    assert answers[0].headers["www-authenticate"].startswith('Basic realm="flowrt"')
    assert "two credentials" in answers[0].text
