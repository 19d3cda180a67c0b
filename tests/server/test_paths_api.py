"""GET /api/paths/{trace_id}: the path of a message a debug node showed (flowrt.run.paths),
behind the API's login, Host allowlist and roles; node ids and times only, never the message
or a secret (the attack: a payload and a secret a node sets, both looked for in the answer)."""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from flowrt.run import paths
from flowrt.server.app import ServerSettings, create_app
from flowrt.server.auth import Auth, hash_password
from tests.security.roles_kit import PASSWORD, TOKENS, bearer
from tests.server.server_kit import HEADERS, receive

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

PAYLOAD = "payload-mark-5a1c9e"
SECRET = "token-secret-77d2b0"
FLOW = f"""\
flowrt: 1
id: a
nodes:
  go: {{type: inject, payload: {PAYLOAD}, to: mark}}
  mark: {{type: change, rules: [{{set: password, to: "${{API_TOKEN}}"}}], to: check}}
  check: {{type: switch, property: payload, rules: [{{eq: {PAYLOAD}}}], to: {{0: show}}}}
  show: {{type: debug, complete: true}}
"""
CROSSING = """\
flowrt: 1
id: a
nodes:
  go: {type: inject, payload: x, to: [show, out]}
  show: {type: debug}
  out: {type: link-out, links: [b_in]}
"""
OTHER = """\
flowrt: 1
id: b
nodes:
  b_in: {type: link-in, to: b_show}
  b_show: {type: debug}
"""


@contextmanager
def served(tmp_path: Path, files: dict[str, str], sample: str = "1",
           **settings: Any) -> Iterator[TestClient]:
    flows = tmp_path / "flows"
    flows.mkdir(parents=True)
    for name, text in files.items():
        (flows / name).write_text(text, encoding="utf-8")
    app = create_app(ServerSettings(flows=flows, env={"API_TOKEN": SECRET}, close_timeout=5.0,
                                    path_sample=paths.parse_sample(sample), **settings))
    with TestClient(app, base_url="http://127.0.0.1") as client:
        yield client


def shown(client: TestClient, node: str, headers: dict[str, str]) -> dict[str, Any]:
    """Press inject ``node`` and return the debug event of its message."""
    with client.websocket_connect("/api/events", headers=headers) as ws:
        assert client.post(f"/api/inject/{node}", headers={**HEADERS, **headers}).status_code \
            == 200
        return receive(ws, "debug")


def test_a_debug_message_names_its_trace_and_its_path_has_the_nodes_and_times(
        tmp_path: Path) -> None:
    with served(tmp_path, {"a.yaml": FLOW}) as client:
        event = shown(client, "go", {})
        trace = event["trace"]
        assert "_traceparent" not in event["msg"]  # the event names it: the message is as it was
        answer = client.get(f"/api/paths/{trace}", headers=HEADERS)
        assert answer.status_code == 200
        text = answer.text
        body = answer.json()
    assert body["trace"] == trace
    visits = body["visits"]
    assert [v["node"] for v in visits] == ["go", "mark", "check", "show"]
    assert [v["from"] for v in visits] == [None, 0, 1, 2]
    assert [v["type"] for v in visits] == ["inject", "change", "switch", "debug"]
    assert {v["flow"] for v in visits} == {"a"}
    assert all(v["duration_us"] >= 0 for v in visits)
    # the attack: what the message carried, and the secret a node put in it
    assert PAYLOAD not in text and SECRET not in text and "password" not in text


def test_no_path_without_sampling_and_unknown_or_wrong_ids(tmp_path: Path) -> None:
    with served(tmp_path, {"a.yaml": FLOW}) as client:
        assert client.get("/api/paths/" + "0" * 32).status_code == 404
        assert client.get("/api/paths/not-a-trace").status_code == 400
        assert client.get("/api/paths/" + "a" * 33).status_code == 400
    with served(tmp_path / "off", {"a.yaml": FLOW}, sample="off") as client:
        event = shown(client, "go", {})
        assert "trace" not in event
        assert client.get("/api/paths/" + "0" * 32).status_code == 404


def test_login_host_and_roles_as_every_route(tmp_path: Path) -> None:
    users = tmp_path / "users.yaml"
    users.write_text(f"users:\n  carol: {{password: '{hash_password(PASSWORD, 1000)}', "
                     "role: viewer, files: [b.yaml]}\n", encoding="utf-8")
    auth = Auth.load(str(users), ",".join(f"{r}:{t}:{r}" for r, t in TOKENS.items()))
    with served(tmp_path, {"a.yaml": CROSSING, "b.yaml": OTHER}, auth=auth) as client:
        event = shown(client, "go", bearer("editor"))
        url = f"/api/paths/{event['trace']}"
        assert client.get(url).status_code == 401
        whole = client.get(url, headers=bearer("viewer"))  # viewers may read, as debug
        assert whole.status_code == 200
        assert [v["node"] for v in whole.json()["visits"]] == ["go", "show", "out", "b_show"]
        # (a link-in is only a wire: the message goes from the link-out to b_show)
        foreign = client.get(url, headers={**bearer("viewer"), "Host": "evil.example"})
        assert foreign.status_code == 400
        cross = client.get(url, headers={**bearer("viewer"), "Origin": "http://evil.example"})
        assert "access-control-allow-origin" not in cross.headers
        # a user limited to b.yaml sees b.yaml's nodes only: none of a.yaml's
        assert client.post("/api/login", headers=HEADERS,
                           json={"user": "carol", "password": PASSWORD}).status_code == 200
        mine = client.get(url).json()["visits"]
    assert [(v["node"], v["from"]) for v in mine] == [("b_show", None)]
