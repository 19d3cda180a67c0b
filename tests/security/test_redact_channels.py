"""Every way text leaves the process hides resolved secret values: diagnostics (check and
compile), error events and catch messages, node logs and status, and the server's API
responses and WebSocket events."""

from __future__ import annotations

import json
import secrets
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from flowrt.errors import CheckError
from flowrt.testing import run_flow

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

HEADERS = {"X-Flowrt-Request": "1"}


def value_of(prefix: str) -> str:
    return f"{prefix}-{secrets.token_urlsafe(16)}"


def secrets_file(tmp_path: Path, **values: str) -> dict[str, str]:
    """Write and read a secrets file holding ``values`` (as `--secrets` does)."""
    from flowrt.secrets.references import load_secrets

    file = tmp_path / "secrets.yaml"
    file.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in values.items()))
    file.chmod(0o600)
    return load_secrets(file)[0]


def test_a_check_diagnostic_does_not_echo_the_value(tmp_path: Path) -> None:
    """The attack of the report: `repeat: "${API_KEY}"` used to answer `got '<the key>'`."""
    key = value_of("key")
    env = secrets_file(tmp_path, API_KEY=key)
    flow = "flowrt: 1\nnodes:\n  t: {type: inject, repeat: '${API_KEY}'}\n"
    with pytest.raises(CheckError) as caught:
        run_flow(flow, env=env)
    text = "\n".join(str(d) for d in caught.value.diagnostics)
    assert "E026" in text and "${API_KEY}" in text
    assert key not in text


def test_a_value_in_a_secret_field_is_hidden_even_when_not_from_the_secrets_file() -> None:
    password = value_of("pw")
    flow = ("flowrt: 1\nconnections:\n  db: {type: postgres, dsn: 'postgresql://u@h/d', "
            "password: '${DB_PASS}', pool_size: '${DB_PASS}'}\nnodes: {}\n")
    with pytest.raises(CheckError) as caught:
        run_flow(flow, env={"DB_PASS": password})
    text = "\n".join(str(d) for d in caught.value.diagnostics)
    assert password not in text and "${DB_PASS}" in text


def test_a_short_value_is_hidden_where_it_is_shown_whole(tmp_path: Path) -> None:
    env = secrets_file(tmp_path, PIN="x9z")
    flow = "flowrt: 1\nnodes:\n  t: {type: inject, repeat: '${PIN}'}\n"
    with pytest.raises(CheckError) as caught:
        run_flow(flow, env=env)
    text = "\n".join(str(d) for d in caught.value.diagnostics)
    assert "'x9z'" not in text and "${PIN}" in text


FAILING = """\
flowrt: 1
nodes:
  go: {type: inject, once: true, payload: '${API_KEY}', to: get}
  get:
    type: http-request
    url: 'http://127.0.0.1:9/readings?key=${API_KEY}'
    headers: {Authorization: 'Bearer ${API_KEY}'}
    timeout: 5
  caught: {type: catch, to: show}
  show: {type: debug}
"""


def test_error_events_catch_messages_and_logs_hide_the_value(tmp_path: Path) -> None:
    key = value_of("key")
    env = secrets_file(tmp_path, API_KEY=key)
    result = run_flow(FAILING, env=env, virtual_time=False, timeout=30)
    assert result.errors, "the request was expected to fail"
    [caught] = result.sent("caught")
    assert caught["payload"] == key  # the flow's own data is the flow's business
    shown = json.dumps([caught["error"], [e.message for e in result.errors], result.logs])
    assert "${API_KEY}" in shown
    assert key not in shown


def test_status_text_hides_the_value(tmp_path: Path) -> None:
    key = value_of("key")
    env = secrets_file(tmp_path, API_KEY=key)
    flow = ("flowrt: 1\nnodes:\n  s: {type: debug, status: value}\n")
    result = run_flow(flow, inputs=[{"payload": f"with {key}"}], env=env)
    assert result.statuses and key not in json.dumps(result.statuses)


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[TestClient, str, Path]]:
    from flowrt.secrets.references import merged_env
    from flowrt.server.app import ServerSettings, create_app

    key = value_of("key")
    found = secrets_file(tmp_path, API_KEY=key)
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "feed.yaml").write_text(
        "flowrt: 1\nid: feed\nnodes:\n"
        "  tick: {type: inject, payload: 'value ${API_KEY}', to: show}\n"
        "  show: {type: debug, status: value}\n")
    settings = ServerSettings(flows=flows, env=merged_env({}, found, {}), close_timeout=5.0)
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        yield client, key, flows


def test_api_responses_hide_the_value(server: tuple[TestClient, str, Path]) -> None:
    client, key, flows = server
    broken = "flowrt: 1\nid: broken\nnodes:\n  t: {type: inject, repeat: '${API_KEY}'}\n"
    answers: list[Any] = []
    validated = client.post("/api/validate", json={"file": "broken.yaml", "text": broken},
                            headers=HEADERS)
    assert validated.status_code == 200
    answers.append(validated.text)
    client.post("/api/inject/tick", headers=HEADERS)
    answers.append(client.get("/api/state").text)
    (flows / "feed.yaml").write_text((flows / "feed.yaml").read_text() + f"# {key}\n")
    revisions = client.get("/api/revisions").json()
    answers.append(client.get(f"/api/revisions/{revisions[0]['id']}/diff").text)
    (flows / "broken.yaml").write_text(broken)
    deployed = client.post("/api/deploy", json={"mode": "full"}, headers=HEADERS)
    assert deployed.status_code == 422
    answers.append(deployed.text)
    text = "\n".join(answers)
    assert "E026" in text and "${API_KEY}" in text
    assert key not in text


def test_websocket_events_hide_the_value(server: tuple[TestClient, str, Path]) -> None:
    from tests.server.server_kit import receive

    client, key, _ = server
    with client.websocket_connect("/api/events", headers={"Origin": "http://testserver"}) as ws:
        client.post("/api/inject/tick", headers=HEADERS)
        debug = receive(ws, "debug")
        status = receive(ws, "status")
    assert debug["msg"]["payload"] == "value ${API_KEY}"
    assert key not in json.dumps([debug, status])


def test_flowrt_run_prints_no_value(tmp_path: Path) -> None:
    """A real `flowrt run`: its log lines, errors, warnings and summary hide the key."""
    from tests.security.secrets_kit import clean_env, run_cli, write_private

    key = value_of("key")
    store = write_private(tmp_path / "secrets.yaml", f"API_KEY: {json.dumps(key)}\n")
    flow = tmp_path / "flow.yaml"
    flow.write_text(FAILING.replace("  caught: {type: catch, to: show}\n", ""))
    done = run_cli(["run", "--until-idle", "--secrets", str(store), str(flow)], clean_env(),
                   tmp_path)
    assert done.returncode == 1, done.stderr  # the request failed and no catch node took it
    assert "${API_KEY}" in done.stderr and "cannot connect" in done.stderr
    assert key not in done.stdout + done.stderr
    broken = tmp_path / "broken.yaml"
    broken.write_text("flowrt: 1\nnodes:\n  t: {type: inject, repeat: '${API_KEY}'}\n")
    refused = run_cli(["run", "--secrets", str(store), str(broken)], clean_env(), tmp_path)
    assert refused.returncode == 1 and "E026" in refused.stderr
    assert key not in refused.stdout + refused.stderr
