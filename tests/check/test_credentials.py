"""W108: credentials written as literals in flow files, and what must not be mistaken for one."""

from __future__ import annotations

from typing import Any

import pytest

from flowrt.check import check
from flowrt.check.credentials import find_shape, key_words, names_credential
from flowrt.diagnostics import Diagnostic
from flowrt.load import Project, load_text
from flowrt.registry import default_registry

JWT = ("eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0."
       "dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U")
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"


def warnings_of(text: str, env: dict[str, str] | None = None) -> list[Diagnostic]:
    doc = load_text(text, "flows/f.yaml")
    found = check(Project([doc]), default_registry(), env=env or {})
    return [d for d in found if d.code == "W108"]


def flow(nodes: str, extra: str = "") -> str:
    return f"flowrt: 1\nid: f\n{extra}nodes:\n{nodes}"


def test_a_header_with_a_literal_token_names_its_place_and_the_fix() -> None:
    text = flow(
        "  get:\n"
        "    type: http-request\n"
        "    url: https://api.example.com/items\n"
        "    headers:\n"
        "      Authorization: Bearer abcdefghijklmnopqrstuvwxyz012345\n"
        "      X-Api-Key: k-123456\n"
        "      Accept: application/json\n"
    )
    found = warnings_of(text)
    assert [(d.node, d.line, d.column, d.path[-1]) for d in found] == [
        ("get", 8, 22, "Authorization"),
        ("get", 9, 18, "X-Api-Key"),
    ]
    first = found[0]
    assert first.severity == "warning" and first.node_type == "http-request"
    assert "headers.Authorization" in first.message
    assert "${GET_AUTHORIZATION}" in first.hint
    assert "flowrt secrets set SECRETS_FILE GET_AUTHORIZATION" in first.hint
    assert "abcdefghij" not in first.message + first.hint  # the value is never repeated


def test_inject_properties_with_a_password_are_flagged_at_any_depth() -> None:
    text = flow(
        "  tick:\n"
        "    type: inject\n"
        "    properties:\n"
        "      site: plant-1\n"
        "      auth.password: {type: str, value: hunter2}\n"
        "      db: {type: json, value: '{\"user\": \"app\"}'}\n"
        "      apiToken: {type: env, value: API_TOKEN}\n"
        "    to: out\n"
        "  out: {type: debug}\n"
    )
    found = warnings_of(text)
    assert [(d.node, d.line, d.path[-2:]) for d in found] == [
        ("tick", 8, ("auth.password", "value")),
    ]


@pytest.mark.parametrize(
    ("code", "shape"),
    [
        (f"const t = '{JWT}';\nreturn msg;", "JSON web token"),
        ("msg.headers = {a: 'AKIAIOSFODNN7EXAMPLE'};\nreturn msg;", "AWS access key id"),
        (f"msg.token = '{GITHUB}';\nreturn msg;", "GitHub token"),
        ("const hook = 'xoxb-1234567890-abcdefghij';\nreturn msg;", "Slack token"),
        ("msg.headers = {authorization: 'Basic dXNlcjpodW50ZXIy'};\nreturn msg;",
         "basic authorization"),
        ("const k = `-----BEGIN RSA PRIVATE KEY-----\nMIIE...`;\nreturn msg;", "private key"),
    ],
)
def test_token_shapes_inside_code(code: str, shape: str) -> None:
    text = flow("  js:\n    type: function\n    func: |\n"
                + "".join(f"      {line}\n" for line in code.splitlines()))
    (d,) = warnings_of(text)
    assert (d.node, d.node_type, d.path[-1], d.line) == ("js", "function", "func", 6)
    assert shape in d.message and "line 1 of the value" in d.message
    assert 'env.get("JS_FUNC")' in d.hint


def test_script_code_and_connection_config_are_scanned() -> None:
    text = flow(
        "  py:\n    type: script\n"
        "    code: \"token = 'Bearer abcdefghijklmnopqrst'\\nreturn msg\"\n",
    )
    (d,) = warnings_of(text)
    assert d.node == "py" and "bearer token" in d.message
    pg = ("connections:\n  db:\n    type: postgres\n    url: postgresql://127.0.0.1/app\n"
          "    options: {sslpassword: abc}\n")
    # an unknown field is an error of the schema; the literal is still named
    found = warnings_of(flow("  q: {type: debug}\n", extra=pg))
    assert [d.node for d in found] == ["db"]


def test_flow_env_and_subflow_instance_env_are_scanned() -> None:
    text = flow(
        "  s: {type: inject, to: d}\n  d: {type: debug}\n",
        extra="env:\n  DB_PASSWORD: hunter2\n  DB_HOST: 127.0.0.1\n",
    )
    (d,) = warnings_of(text)
    assert (d.node, d.line, d.path) == ("", 4, ("env", "DB_PASSWORD"))
    assert "env.DB_PASSWORD" in d.message and "${DB_PASSWORD}" in d.hint


@pytest.mark.parametrize(
    "nodes",
    [
        # a topic named "token", and words that only look like credentials
        "  t: {type: inject, topic: token, payload: password, to: d}\n  d: {type: debug}\n",
        # references: whole, inside a scheme, and an empty value
        "  r:\n    type: http-request\n    url: https://x\n    headers:\n"
        "      Authorization: Bearer ${API_TOKEN}\n      X-Api-Key: '${API_KEY}'\n"
        "      X-Token: ''\n",
        # keys that end in other words
        "  r:\n    type: http-request\n    url: https://x\n    headers:\n"
        "      X-Token-Url: https://auth.example.com\n      Password-File: /run/pw\n",
        # prose, and code that reads the secret from the environment
        "  js:\n    type: function\n    func: |\n"
        "      // Basic authentication with a Bearer token\n"
        "      msg.headers = {Authorization: 'Bearer ' + env.get('TOKEN')};\n      return msg;\n",
        "  tick:\n    type: inject\n    properties: {password: {type: env, value: PG_PASSWORD}}\n",
    ],
)
def test_what_must_not_fire(nodes: str) -> None:
    assert warnings_of(flow(nodes), env={"API_TOKEN": "x", "API_KEY": "y"}) == []


def test_a_reference_with_a_literal_default_is_the_default_written_inline() -> None:
    text = flow("  r:\n    type: http-request\n    url: https://x\n    headers:\n"
                "      Authorization: 'Bearer ${API_TOKEN:-abc123}'\n")
    (d,) = warnings_of(text)
    assert d.path[-1] == "Authorization"


def test_fields_e039_reports_are_not_reported_twice() -> None:
    text = flow(
        "  s: {type: inject, to: o}\n  o: {type: mqtt-out, connection: mq, topic: x}\n",
        extra="connections:\n  mq:\n    type: mqtt-broker\n"
              "    url: mqtt://app:hunter2@127.0.0.1:1883\n    password: hunter2\n",
    )
    doc = load_text(text, "flows/f.yaml")
    found = check(Project([doc]), default_registry(), env={})
    codes = sorted(d.code for d in found if d.node == "mq")
    assert codes == ["E020", "E039", "E039"]  # E020: the url's own rule


def test_key_words_and_shapes() -> None:
    assert key_words("X-Api-Key") == "x_api_key" and key_words("accessKey") == "access_key"
    assert key_words("headers.authorization") == "authorization"
    assert names_credential("client_secret") and names_credential("refreshToken")
    assert names_credential("sslpassword") and names_credential("pwd")
    assert not names_credential("token_url") and not names_credential("topic")
    assert not names_credential("cwd") and not names_credential("password_file")
    assert find_shape("Basic authentication") is None
    assert find_shape("Bearer ${TOKEN}") is None
    assert find_shape("a\nb Basic dXNlcjpwdw==") == ("basic authorization", 2)


def test_the_example_flows_have_no_literal_credentials() -> None:
    from pathlib import Path

    from flowrt.load import load_project

    root = Path(__file__).resolve().parents[2] / "flows"
    found: list[Any] = check(load_project([root]), default_registry(), env={})
    assert [d for d in found if d.code == "W108"] == []
