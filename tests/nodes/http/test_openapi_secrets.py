"""The flows' OpenAPI document and its page never hold a credential: not an endpoint's bearer
tokens, not its users' password hashes (nor the passwords), not an API key that was used, not
the names of token clients and users (who to guess for), not a secret sent as a response
header. Checked on the document `flowrt openapi` prints and on what the running flow serves at
/openapi.json and /openapi, after the credentials were used."""

from __future__ import annotations

import base64
import json
import secrets
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner

from flowrt.cli.commands import main
from flowrt.compile import build_plan
from flowrt.load import Project, load_text
from flowrt.run.access import hash_password
from flowrt.run.openapi_doc import document
from flowrt.secrets.keys import add_key, use_keys
from tests.nodes.http.serving import registry, run, served

FLOW = """\
flowrt: 1
nodes:
  keyed:
    type: http-in
    method: post
    url: /keyed
    auth: key
    scopes: [readings:write]
    to: reply
  tokened:
    type: http-in
    method: put
    url: /tokened/:id
    auth: bearer
    tokens: {gw-client-zq: "${GATEWAY_TOKEN}", backup-client-zq: "${BACKUP_TOKEN}"}
    to: reply
  basic:
    type: http-in
    url: /basic
    auth: basic
    users: {opsuser-zq: "${OPS_HASH}"}
    rate: 50
    to: signed
  signed:
    type: http-response
    headers: {x-signature: "${SIGNATURE}"}
  reply:
    type: http-response
"""
PASSWORD = "correct horse " + secrets.token_urlsafe(8)
NAMES = ["gw-client-zq", "backup-client-zq", "opsuser-zq"]


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keys.json"
    use_keys(path)
    yield path
    use_keys(None)


@pytest.fixture(scope="module")
def env() -> dict[str, str]:
    return {"GATEWAY_TOKEN": "gw-" + secrets.token_urlsafe(24),
            "BACKUP_TOKEN": "bk-" + secrets.token_urlsafe(24),
            "OPS_HASH": hash_password(PASSWORD, iterations=1000),
            "SIGNATURE": "sig-" + secrets.token_urlsafe(24)}


def secret_strings(env: dict[str, str]) -> list[str]:
    """Every credential, and the parts of the password hash (salt, digest)."""
    return [*env.values(), PASSWORD, *env["OPS_HASH"].split("$")[2:]]


def leaks(text: str, env: dict[str, str], extra: tuple[str, ...] = ()) -> list[str]:
    return [s for s in [*secret_strings(env), *NAMES, *extra] if s in text]


def test_the_plan_holds_the_credentials_the_document_leaves_out(env: dict[str, str]) -> None:
    plan, _ = build_plan(Project(documents=[load_text(FLOW, "api.yaml")]), registry(), env=env)
    assert env["GATEWAY_TOKEN"] in repr(plan.nodes["tokened"].config)  # there to be leaked
    assert env["OPS_HASH"] in repr(plan.nodes["basic"].config)
    assert env["SIGNATURE"] in repr(plan.nodes["signed"].config)
    text = json.dumps(document(plan))
    assert leaks(text, env) == []
    assert {"apiKey", "apiKeyBearer", "bearerToken", "basicAuth"} <= set(
        json.loads(text)["components"]["securitySchemes"])


def test_flowrt_openapi_prints_no_credential(tmp_path: Path, env: dict[str, str]) -> None:
    (tmp_path / "api.yaml").write_text(FLOW)
    result = CliRunner().invoke(main, ["openapi", str(tmp_path / "api.yaml")], env=env)
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["paths"]["/tokened/{id}"]["put"]["security"] == [
        {"bearerToken": []}]
    assert leaks(result.output, env) == []


def test_the_served_document_and_page_hold_no_credential_after_they_were_used(
        keys: Path, env: dict[str, str]) -> None:
    key = add_key(keys, "sensor-7", ["readings:write"])
    basic = base64.b64encode(f"opsuser-zq:{PASSWORD}".encode()).decode()

    async def go() -> list[tuple[int, str]]:
        async with served(FLOW, env) as (_, client):
            used = [
                await client.post("/keyed", json={}, headers={"X-API-Key": key}),
                await client.put("/tokened/7", headers={
                    "Authorization": f"Bearer {env['GATEWAY_TOKEN']}"}),
                await client.get("/basic", headers={"Authorization": f"Basic {basic}"}),
            ]
            assert [r.status_code for r in used] == [200, 200, 200]
            assert used[2].headers["x-signature"] == env["SIGNATURE"]
            answers = [await client.get("/openapi.json"), await client.get("/openapi")]
        return [(a.status_code, a.text) for a in answers]

    (doc_status, doc), (page_status, page) = run(go())
    assert (doc_status, page_status) == (200, 200)
    assert "/tokened/{id}" in doc and "/tokened/{id}" in page
    assert leaks(doc, env, (key,)) == []
    assert leaks(page, env, (key,)) == []
