"""http-in with `auth`, attacked over real HTTP: the engine serves the flow on a free port of
127.0.0.1 and httpx calls it. Every refused request must never reach the flow, and no key,
token or password may appear in what the flow sees, in the log or in an answer."""

from __future__ import annotations

import base64
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowrt.run import usage
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
    auth: key
    scopes: [readings:write]
    to: [seen, reply]
  seen: {type: debug}
  reply:
    type: http-response
"""


@pytest.fixture
def keys(tmp_path: Path) -> Iterator[Path]:
    path = tmp_path / "keys.json"
    use_keys(path)
    yield path
    use_keys(None)


def post(flow: str, requests: list[dict[str, Any]], env: dict[str, str] | None = None
         ) -> tuple[list[Any], list[dict[str, Any]]]:
    """Each request (httpx keyword arguments) posted to /readings in turn; the answers and
    the messages that reached the flow."""
    async def go() -> tuple[list[Any], list[dict[str, Any]]]:
        answers = []
        async with served(flow, env) as (harness, client):
            for request in requests:
                answers.append(await client.request(request.pop("method", "POST"),
                                                    request.pop("url", "/readings"),
                                                    **request))
            seen = [dict(m) for m in harness.result.received("seen")]
        return answers, seen
    return run(go())


def test_a_valid_key_passes_and_the_message_names_the_client_not_the_key(
        keys: Path, caplog: pytest.LogCaptureFixture) -> None:
    key = add_key(keys, "sensor-7", ["readings:write"])
    caplog.set_level(logging.DEBUG)
    answers, seen = post(FLOW, [
        {"json": {"t": 21}, "headers": {"Authorization": f"Bearer {key}"}},
        {"json": {"t": 22}, "headers": {"X-API-Key": key}},
    ])
    assert [a.status_code for a in answers] == [200, 200]
    assert [m["payload"] for m in seen] == [{"t": 21}, {"t": 22}]
    assert seen[0]["client"] == {"name": "sensor-7", "kind": "key",
                                 "scopes": ["readings:write"]}
    assert seen[0]["req"]["headers"]["authorization"] == "[hidden]"
    assert seen[1]["req"]["headers"]["x-api-key"] == "[hidden]"
    assert key not in repr(seen)
    assert key not in caplog.text
    assert key not in keys.read_text()


@pytest.mark.parametrize("headers", [
    {},
    {"Authorization": "Bearer frk_" + "A" * 43},
    {"X-API-Key": "wrong"},
    {"Authorization": "Basic " + base64.b64encode(b"sensor-7:x").decode()},
    {"Authorization": "Bearer"},
], ids=["missing", "unknown", "wrong", "basic-instead", "empty-bearer"])
def test_missing_or_wrong_keys_get_401_and_never_reach_the_flow(
        keys: Path, headers: dict[str, str]) -> None:
    add_key(keys, "sensor-7", ["readings:write"])
    answers, seen = post(FLOW, [{"json": {"t": 1}, "headers": headers}])
    assert answers[0].status_code == 401
    assert answers[0].headers["www-authenticate"].startswith('Bearer realm="flowrt"')
    assert seen == []


def test_a_key_in_the_query_string_is_not_accepted(keys: Path) -> None:
    key = add_key(keys, "sensor-7", ["readings:write"])
    answers, seen = post(FLOW, [
        {"url": f"/readings?api_key={key}", "json": {}},
        {"url": f"/readings?access_token={key}", "json": {}},
    ])
    assert [a.status_code for a in answers] == [401, 401]
    assert seen == []


def test_expired_and_revoked_keys_are_refused(keys: Path, caplog: pytest.LogCaptureFixture
                                              ) -> None:
    from datetime import timedelta

    expired = add_key(keys, "old", ["readings:write"], timedelta(seconds=1))
    revoked = add_key(keys, "stolen", ["readings:write"])
    revoke_key(keys, "stolen")
    import json
    data = json.loads(keys.read_text())
    data["keys"]["old"]["expires"] = "2020-01-01T00:00:00Z"
    keys.write_text(json.dumps(data))
    caplog.set_level(logging.INFO)
    answers, seen = post(FLOW, [
        {"json": {}, "headers": {"X-API-Key": expired}},
        {"json": {}, "headers": {"Authorization": f"Bearer {revoked}"}},
    ])
    assert [a.status_code for a in answers] == [401, 401]
    assert all('error="invalid_token"' in a.headers["www-authenticate"] for a in answers)
    assert seen == []
    assert "key 'old' is expired" in caplog.text
    assert "key 'stolen' is revoked" in caplog.text
    assert expired not in caplog.text and revoked not in caplog.text


def test_a_key_revoked_while_serving_is_refused_from_the_next_request(keys: Path) -> None:
    key = add_key(keys, "sensor-7", ["readings:write"])

    async def go() -> list[int]:
        async with served(FLOW) as (_, client):
            first = await client.post("/readings", json={}, headers={"X-API-Key": key})
            revoke_key(keys, "sensor-7")
            second = await client.post("/readings", json={}, headers={"X-API-Key": key})
        return [first.status_code, second.status_code]

    assert run(go()) == [200, 401]


def test_a_valid_key_without_the_scope_gets_403(keys: Path) -> None:
    key = add_key(keys, "viewer", ["readings:read"])
    answers, seen = post(FLOW, [{"json": {}, "headers": {"X-API-Key": key}}])
    assert answers[0].status_code == 403
    assert 'error="insufficient_scope"' in answers[0].headers["www-authenticate"]
    assert 'scope="readings:write"' in answers[0].headers["www-authenticate"]
    assert seen == []


def test_no_keys_file_refuses_every_key(caplog: pytest.LogCaptureFixture) -> None:
    use_keys(None)
    caplog.set_level(logging.WARNING)
    answers, seen = post(FLOW, [{"json": {}, "headers": {"X-API-Key": "frk_x"}}])
    assert answers[0].status_code == 401 and seen == []
    assert "no keys file is given" in caplog.text


def test_keys_are_compared_as_hashes_the_client_cannot_choose(
        keys: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Timing safety, checked structurally: a presented key is hashed before anything is
    compared, and the one comparison with a stored hash is hmac.compare_digest over values of
    equal length; a key sharing a prefix with a real one is compared like any other."""
    import hmac

    from flowrt.secrets import keys as keys_module

    real = [add_key(keys, f"k{i}", ["readings:write"]) for i in range(5)]
    stored = {r.hash for r in keys_module.read_keys(keys).values()}
    calls: list[tuple[bytes, bytes]] = []
    original = hmac.compare_digest

    def counting(a: Any, b: Any) -> bool:
        calls.append((a, b))
        return original(a, b)

    monkeypatch.setattr(keys_module.hmac, "compare_digest", counting)
    ring = keys_module.KeyRing(keys)
    for presented in real:
        calls.clear()
        found = ring.find(presented)
        assert found is not None and found.hash in stored
        assert calls == [(found.hash.encode(), found.hash.encode())]
    for presented in [real[2][:-1] + "x", real[2][:20], "frk_nothing", ""]:
        calls.clear()
        assert ring.find(presented) is None
        assert calls == []  # a near miss is a different SHA-256: no stored hash is reached
        assert keys_module.hash_key(presented) not in stored


def test_bearer_tokens_from_secrets(keys: Path) -> None:
    flow = FLOW.replace("auth: key\n    scopes: [readings:write]",
                        "auth: bearer\n    tokens: {gateway: '${GATEWAY_TOKEN}'}")
    token = "tok-" + "z" * 40
    answers, seen = post(flow, [
        {"json": {"n": 1}, "headers": {"Authorization": f"Bearer {token}"}},
        {"json": {"n": 2}, "headers": {"Authorization": f"Bearer {token}x"}},
        {"json": {"n": 3}, "headers": {"X-API-Key": token}},
    ], env={"GATEWAY_TOKEN": token})
    assert [a.status_code for a in answers] == [200, 401, 401]
    assert [m["client"] for m in seen] == [{"name": "gateway", "kind": "token", "scopes": []}]
    assert token not in repr(seen)


def test_basic_users_with_password_hashes(keys: Path) -> None:
    flow = FLOW.replace("auth: key\n    scopes: [readings:write]",
                        "auth: basic\n    users: {ops: '${OPS_HASH}'}")
    env = {"OPS_HASH": hash_password("correct horse", iterations=1000)}

    def basic(user: str, password: str) -> dict[str, str]:
        raw = base64.b64encode(f"{user}:{password}".encode()).decode()
        return {"Authorization": f"Basic {raw}"}

    answers, seen = post(flow, [
        {"json": {}, "headers": basic("ops", "correct horse")},
        {"json": {}, "headers": basic("ops", "correct horse")},  # remembered
        {"json": {}, "headers": basic("ops", "wrong")},
        {"json": {}, "headers": basic("root", "correct horse")},
        {"json": {}, "headers": {"Authorization": "Basic !!!"}},
    ], env=env)
    assert [a.status_code for a in answers] == [200, 200, 401, 401, 401]
    assert answers[2].headers["www-authenticate"].startswith('Basic realm="flowrt"')
    assert [m["client"]["name"] for m in seen] == ["ops", "ops"]
    assert "correct horse" not in repr(seen)


def test_burst_then_429_with_retry_after_and_counted_per_key(keys: Path) -> None:
    key = add_key(keys, "burster", ["readings:write"])
    other = add_key(keys, "calm", ["readings:write"])
    flow = FLOW.replace("scopes: [readings:write]",
                        "scopes: [readings:write]\n    rate: 0.01\n    burst: 3")
    before = usage.counts()
    answers, seen = post(flow, [{"json": {"i": i}, "headers": {"X-API-Key": key}}
                                for i in range(5)]
                         + [{"json": {"i": 9}, "headers": {"X-API-Key": other}}])
    assert [a.status_code for a in answers] == [200, 200, 200, 429, 429, 200]
    assert int(answers[3].headers["retry-after"]) >= 1
    assert [m["payload"]["i"] for m in seen] == [0, 1, 2, 9]
    after = usage.counts()

    def delta(key_name: str, outcome: str) -> int:
        k = ("POST /readings", key_name, outcome)
        return after.get(k, 0) - before.get(k, 0)

    assert delta("burster", "ok") == 3
    assert delta("burster", "rate_limited") == 2
    assert delta("calm", "ok") == 1
    assert "frk_" not in usage.render()


def test_a_daily_quota_is_used_up(keys: Path) -> None:
    key = add_key(keys, "metered", ["readings:write"])
    flow = FLOW.replace("scopes: [readings:write]", "scopes: [readings:write]\n    quota: 2")
    answers, seen = post(flow, [{"json": {}, "headers": {"X-API-Key": key}}
                                for _ in range(4)])
    assert [a.status_code for a in answers] == [200, 200, 429, 429]
    assert "daily quota" in answers[2].text
    assert 1 <= int(answers[2].headers["retry-after"]) <= 86_400
    assert len(seen) == 2


def test_failed_guesses_are_rate_limited_by_address(keys: Path) -> None:
    add_key(keys, "sensor-7", ["readings:write"])
    flow = FLOW.replace("scopes: [readings:write]",
                        "scopes: [readings:write]\n    rate: 0.01\n    burst: 2")
    answers, _ = post(flow, [{"json": {}, "headers": {"X-API-Key": f"frk_guess{i}"}}
                             for i in range(4)])
    assert [a.status_code for a in answers] == [401, 401, 429, 429]


def test_password_guessing_is_limited_without_a_rate(keys: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    """Ten wrong passwords from an address, then 429 without hashing anything: a flood of
    guesses cannot buy PBKDF2 work, nor try the right password."""
    from flowrt.run import access

    flow = FLOW.replace("auth: key\n    scopes: [readings:write]",
                        "auth: basic\n    users: {ops: '${OPS_HASH}'}")
    env = {"OPS_HASH": hash_password("correct horse", iterations=1000)}
    checked: list[str] = []
    original = access.verify_password

    def counting(password: str, stored: str) -> bool:
        checked.append(password)
        return original(password, stored)

    monkeypatch.setattr(access, "verify_password", counting)

    def basic(password: str) -> dict[str, str]:
        raw = base64.b64encode(f"ops:{password}".encode()).decode()
        return {"Authorization": f"Basic {raw}"}

    answers, seen = post(flow, [{"json": {}, "headers": basic(f"guess{i}")} for i in range(12)]
                         + [{"json": {}, "headers": basic("correct horse")}], env=env)
    codes = [a.status_code for a in answers]
    assert codes == [401] * 10 + [429, 429, 429]
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert len(checked) == 11  # the eleventh guess was checked, found wrong and blocked
    assert "correct horse" not in checked and seen == []
