"""Node-RED's admin API under /nodered, against a real `flowrt serve`, with httpx.

First the attacks: without a token nothing answers when auth is on (and the editor's session
cookie is no token here), a foreign Host is refused, a cross-origin or form-typed state change
is refused, and a deployed credential never comes back. Then what Node-RED's clients rely on:
v1 and v2 formats, ``rev`` checked, a GET -> POST round trip that writes nothing, a flow that
does not validate refused with its diagnostics and nothing written, the deployment types, one
flow at a time, the node sets, the inject button; last, real node-red-admin from npm logging in
and listing the nodes while curl deploys a flows.json with the token it got.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from flowrt.server.auth import hash_password
from tests.support.serving import Process, serve_process
from tests.support.waiting import wait_until

TOKEN = "ci-token-0123456789abcdef"
PASSWORD = "correct horse battery staple"
SECRET = "hunter2-the-broker-password"
V2 = {"Node-RED-API-Version": "v2"}
ADMIN_DIR = Path.home() / ".cache" / "flowrt" / "node-red-admin"
ADMIN_VERSION = "4.1.7"


def tab(tab_id: str, label: str) -> dict[str, Any]:
    return {"id": tab_id, "type": "tab", "label": label}


def inject(nr_id: str, z: str, name: str, to: str) -> dict[str, Any]:
    return {"id": nr_id, "type": "inject", "z": z, "name": name, "props": [{"p": "payload"}],
            "payload": "hi", "payloadType": "str", "repeat": "", "once": False, "x": 100,
            "y": 80, "wires": [[to]]}


def debug(nr_id: str, z: str, name: str) -> dict[str, Any]:
    return {"id": nr_id, "type": "debug", "z": z, "name": name, "active": True,
            "complete": "payload", "x": 300, "y": 80, "wires": []}


FLOWS = [tab("a1a1a1a1a1a1a1a1", "Kitchen"), tab("b2b2b2b2b2b2b2b2", "Garage"),
         inject("1111111111111111", "a1a1a1a1a1a1a1a1", "tick a", "2222222222222222"),
         debug("2222222222222222", "a1a1a1a1a1a1a1a1", "show a"),
         inject("3333333333333333", "b2b2b2b2b2b2b2b2", "tick b", "4444444444444444"),
         debug("4444444444444444", "b2b2b2b2b2b2b2b2", "show b")]
WITH_SECRET = [tab("t1", "Main"),
               {"id": "c0c0c0c0c0c0c0c0", "type": "mqtt-broker", "name": "plant",
                "broker": "127.0.0.1", "port": "1", "credentials":
                    {"user": "bob", "password": SECRET}},
               {"id": "5555555555555555", "type": "mqtt out", "z": "t1", "name": "publish",
                "topic": "x", "broker": "c0c0c0c0c0c0c0c0", "x": 100, "y": 80, "wires": []},
               {"id": "7777777777777777", "type": "http in", "z": "t1", "url": "/check",
                "method": "get", "x": 100, "y": 160, "wires": [["8888888888888888"]]},
               {"id": "8888888888888888", "type": "change", "z": "t1", "rules": [
                   {"t": "set", "p": "payload", "pt": "msg", "to": "PLANT_PASSWORD",
                    "tot": "env"}], "x": 300, "y": 160, "wires": [["9999999999999999"]]},
               {"id": "9999999999999999", "type": "http response", "z": "t1", "x": 500,
                "y": 160, "wires": []}]
"""The broker's password is a credential; the flow's own endpoint /check answers the value the
flows were given for it (what the flow's nodes see, not what the API shows)."""


@pytest.fixture(scope="module")
def guarded(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """`flowrt serve` with an auth file (alice) and a bearer token."""
    root = tmp_path_factory.mktemp("guarded")
    (root / "flows").mkdir()
    users = root / "users.yaml"
    users.write_text(f"users:\n  alice: '{hash_password(PASSWORD, 1000)}'\n")
    env = {**os.environ, "FLOWRT_TOKENS": f"ci:{TOKEN}"}
    with serve_process(root / "flows", "--auth-file", str(users), env=env) as served:
        yield served


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Process]:
    """`flowrt serve` without auth, refusing nodes that run a flow author's code, with the
    broker password of WITH_SECRET in its environment."""
    root = tmp_path_factory.mktemp("open")
    (root / "flows").mkdir()
    env = {k: v for k, v in os.environ.items() if not k.startswith("FLOWRT_")}
    env["PLANT_PASSWORD"] = "from-the-environment"
    with serve_process(root / "flows", "--scripts", "deny", env=env) as served:
        yield served


def client(served: Process, token: str | None = None) -> httpx.Client:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=f"{served.url}/nodered", headers=headers, timeout=60)


def files(served: Process) -> dict[str, str]:
    return {p.name: p.read_text() for p in sorted(served.flows.glob("*.yaml"))}


def stamps(served: Process) -> dict[str, tuple[str, int]]:
    """Each file's text and modification time: what a write changes, even of the same text."""
    return {p.name: (p.read_text(), p.stat().st_mtime_ns) for p in served.flows.iterdir()}


def deploy(http: httpx.Client, flows: list[dict[str, Any]], kind: str = "full") -> None:
    response = http.post("/flows", json=flows, headers={"Node-RED-Deployment-Type": kind})
    assert response.status_code == 204, response.text


def received(served: Process, flowrt_id: str) -> int:
    state = httpx.get(f"{served.url}/api/state", timeout=30).json()
    return int(state["nodes"][flowrt_id]["in"]) if flowrt_id in state["nodes"] else -1


# the attacks


def test_without_a_token_nothing_answers_when_auth_is_on(guarded: Process) -> None:
    routes = [("GET", "/flows"), ("POST", "/flows"), ("GET", "/flow/global"),
              ("POST", "/flow"), ("PUT", "/flow/t1"), ("DELETE", "/flow/t1"),
              ("GET", "/nodes"), ("POST", "/inject/5555555555555555"),
              ("POST", "/auth/revoke")]
    login = httpx.post(f"{guarded.url}/api/login", json={"user": "alice", "password": PASSWORD},
                       headers={"X-Flowrt-Request": "1"}, timeout=60)
    assert login.status_code == 200, login.text
    cookie = login.headers["set-cookie"].split(";")[0]
    wrong = {"Authorization": "Bearer not-the-token-at-all"}  # (a few: they are locked out)
    for headers, tried in (({}, routes), ({"Cookie": cookie}, routes), (wrong, routes[:2])):
        for method, path in tried:
            body: list[Any] | None = [] if method in ("POST", "PUT") else None
            answer = httpx.request(method, f"{guarded.url}/nodered{path}", json=body,
                                   headers=headers, timeout=60)
            assert answer.status_code == 401, (method, path, headers, answer.text)
            assert answer.json()["code"] == "unauthorized"
    assert files(guarded) == {}
    with client(guarded, TOKEN) as http:
        assert http.get("/flows").status_code == 200


def test_a_foreign_host_is_refused(guarded: Process) -> None:
    with client(guarded, TOKEN) as http:
        for method in ("GET", "POST"):
            answer = http.request(method, "/flows", headers={"Host": "evil.example:1880"},
                                  json=FLOWS if method == "POST" else None)
            assert answer.status_code == 400, answer.text
            assert "evil.example" in answer.json()["error"]
    assert files(guarded) == {}


def test_cross_origin_and_form_state_changes_are_refused(guarded: Process) -> None:
    with client(guarded, TOKEN) as http:
        before = files(guarded)
        for origin in ("http://evil.example", "null", f"http://localhost:{guarded.port + 1}"):
            answer = http.post("/flows", json=FLOWS, headers={"Origin": origin})
            assert answer.status_code == 403, answer.text
            assert answer.json()["code"] == "forbidden"
        for kind in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data"):
            answer = http.post("/flows", content=json.dumps(FLOWS),
                               headers={"Content-Type": kind})
            assert answer.status_code == 403, answer.text
        assert files(guarded) == before
        same = http.post("/flows", json=FLOWS, headers={"Origin": guarded.url})
        assert same.status_code == 204, same.text
        assert files(guarded) != before


def test_a_deployed_credential_never_comes_back(guarded: Process) -> None:
    with client(guarded, TOKEN) as http:
        deploy(http, WITH_SECRET)
        answers = [http.get("/flows"), http.get("/flows", headers=V2),
                   http.get("/flow/global"), http.get("/flow/t1")]
        assert all(a.status_code == 200 for a in answers), [a.text for a in answers]
        assert [c["type"] for c in answers[2].json()["configs"]] == ["mqtt-broker"]  # global
        broker = next(n for n in answers[0].json() if n["type"] == "mqtt-broker")
        assert broker["credentials"]["password"].startswith("${")  # a reference, not the value
        reference = broker["credentials"]["password"][2:-1]
        more = [*answers[1].json()["flows"], debug("6666666666666666", "t1", "more")]
        again = http.post("/flows", json={"flows": more}, headers=V2)
        assert again.status_code == 200, again.text  # the reference GET gave stays one
        assert f"password: ${{{reference}}}" in files(guarded)["t1.yaml"]
        assert "more" in files(guarded)["t1.yaml"]
        assert httpx.get(f"{guarded.url}/check", timeout=60).text == SECRET  # still the value
        renewed = [{**n, "credentials": {"user": "bob", "password": SECRET[::-1]}}
                   if n["type"] == "mqtt-broker" else n for n in WITH_SECRET]
        deploy(http, renewed)  # a new password replaces the one held
        assert httpx.get(f"{guarded.url}/check", timeout=60).text == SECRET[::-1]
        assert SECRET[::-1] not in http.get("/flows").text
        api = httpx.get(f"{guarded.url}/api/flows/t1.yaml", timeout=60,
                        headers={"Authorization": f"Bearer {TOKEN}"})
    for text in [*(a.text for a in answers), again.text, api.text, *files(guarded).values(),
                 guarded.log_text()]:
        assert SECRET not in text


def test_the_environment_wins_over_a_deployed_credential(server: Process) -> None:
    with client(server) as http:
        deploy(http, WITH_SECRET)
        assert httpx.get(f"{server.url}/check", timeout=60).text == "from-the-environment"
        assert SECRET not in http.get("/flows").text


def test_auth_token_login_and_revoke(guarded: Process) -> None:
    with client(guarded) as http:
        prompts = http.get("/auth/login").json()
        assert prompts["type"] == "credentials"
        assert [p["id"] for p in prompts["prompts"]] == ["username", "password"]
        form = {"client_id": "node-red-admin", "grant_type": "password", "scope": "*",
                "username": "alice", "password": PASSWORD}
        wrong = http.post("/auth/token", data={**form, "password": "guess"})
        assert wrong.status_code == 403 and wrong.json()["error"] == "invalid_grant"
        granted = http.post("/auth/token", data=form)
        assert granted.status_code == 200, granted.text
        token = granted.json()
        assert token["token_type"] == "Bearer" and token["expires_in"] > 0
    with client(guarded, token["access_token"]) as http:
        assert http.get("/flows").status_code == 200
        assert http.post("/auth/revoke", json={"token": token["access_token"]}).status_code == 200
        assert http.get("/flows").status_code == 401


# what Node-RED's clients rely on


def test_a_flows_json_deploys_runs_and_reads_back(server: Process) -> None:
    with client(server) as http:
        deploy(http, FLOWS)
        assert sorted(files(server)) == ["garage.yaml", "kitchen.yaml"]
        v1 = http.get("/flows").json()
        nodes = {n["id"] for n in FLOWS if n["type"] != "tab"}
        assert {n["id"] for n in v1 if n["type"] != "tab"} == nodes  # node ids are kept
        assert {(n["id"], n["label"]) for n in v1 if n["type"] == "tab"} == \
            {("kitchen", "Kitchen"), ("garage", "Garage")}  # tabs get readable ids
        v2 = http.get("/flows", headers=V2).json()
        assert v2["flows"] == v1 and len(v2["rev"]) == 32
        flow = http.get("/flow/kitchen").json()
        assert flow["label"] == "Kitchen"
        assert [n["id"] for n in flow["nodes"]] == ["1111111111111111", "2222222222222222"]
        assert http.get("/flow/nope").json() == {"code": "not_found", "message": "no flow 'nope'"}
        assert http.get("/flows", headers={"Node-RED-API-Version": "v3"}).json()["code"] == \
            "invalid_api_version"
        pressed = http.post("/inject/1111111111111111")
        assert (pressed.status_code, pressed.text) == (200, "OK")
        wait_until(lambda: received(server, "show-a") == 1, "the debug node got the message")
        assert http.post("/inject/2222222222222222").status_code == 400  # a debug node
        assert http.post("/inject/9999999999999999").status_code == 404


def test_a_get_post_round_trip_writes_nothing(server: Process) -> None:
    with client(server) as http:
        deploy(http, FLOWS)
        got = http.get("/flows", headers=V2).json()
        before = stamps(server)
        again = http.post("/flows", json=got, headers=V2)
        assert again.status_code == 200, again.text
        assert again.json()["rev"] == got["rev"]
        assert stamps(server) == before
        assert http.get("/flows", headers=V2).json() == got
        garage = [{**n, "name": "show b!"} if n["id"] == "4444444444444444" else n
                  for n in got["flows"]]
        changed = http.post("/flows", json={"flows": garage, "rev": got["rev"]}, headers=V2)
        assert changed.status_code == 200, changed.text
        assert changed.json()["rev"] != got["rev"]
        after = stamps(server)
        assert after["kitchen.yaml"] == before["kitchen.yaml"]  # an unchanged tab: not written
        assert "show b!" in after["garage.yaml"][0]


HAND = """# written by hand, comments and all
flowrt: 1
id: hand
nodes:
  ping:
    type: inject
    to: pong
  pong: {type: debug}   # the end
"""


def test_a_hand_written_flow_stays_as_written_while_another_changes(server: Process) -> None:
    with client(server) as http:
        deploy(http, FLOWS)
        (server.flows / "hand.yaml").write_text(HAND)
        done = httpx.post(f"{server.url}/api/deploy", json={"mode": "full"}, timeout=60,
                          headers={"X-Flowrt-Request": "1"})
        assert done.status_code == 200, done.text
        got = http.get("/flows", headers=V2).json()
        assert {"ping", "pong"} <= {n["id"] for n in got["flows"]}
        before = stamps(server)
        garage = [{**n, "name": "show b?"} if n["id"] == "4444444444444444" else n
                  for n in got["flows"]]
        changed = http.post("/flows", json={"flows": garage}, headers=V2)
        assert changed.status_code == 200, changed.text
        after = stamps(server)
        assert after["hand.yaml"] == before["hand.yaml"]  # not rewritten as the import would
        assert after["garage.yaml"] != before["garage.yaml"]


def test_what_is_posted_is_what_runs(server: Process) -> None:
    """A flow file saved but not deployed since, or added beside, is replaced by the
    configuration posted, as Node-RED replaces its whole configuration."""
    with client(server) as http:
        deploy(http, FLOWS)
        got = http.get("/flows", headers=V2).json()
        deployed = files(server)
        kitchen = server.flows / "kitchen.yaml"
        kitchen.write_text(kitchen.read_text().replace("show a", "edited"))
        (server.flows / "extra.yaml").write_text(deployed["garage.yaml"].replace(
            "id: garage", "id: extra"))
        again = http.post("/flows", json=got, headers=V2)
        assert again.status_code == 200, again.text
        assert files(server) == deployed
        assert again.json()["rev"] == got["rev"]


def test_a_stale_rev_is_a_409_and_changes_nothing(server: Process) -> None:
    with client(server) as http:
        deploy(http, FLOWS)
        got = http.get("/flows", headers=V2).json()
        before = files(server)
        stale = http.post("/flows", json={"rev": "0" * 32, "flows": got["flows"][:3]},
                          headers=V2)
        assert stale.status_code == 409
        assert stale.json()["code"] == "version_mismatch"
        assert files(server) == before


def test_a_flow_that_does_not_validate_is_a_400_and_writes_nothing(server: Process) -> None:
    with client(server) as http:
        deploy(http, FLOWS)
        before, rev = stamps(server), http.get("/flows", headers=V2).json()["rev"]
        code = [tab("f1", "Code"), {"id": "6666666666666666", "type": "function", "z": "f1",
                                    "name": "run", "func": "return msg;", "outputs": 1,
                                    "x": 1, "y": 1, "wires": [[]]}]
        renamed = [{**n, "name": "show a!"} if n["id"] == "2222222222222222" else n
                   for n in FLOWS]
        refused = http.post("/flows", json=renamed + code)
        assert refused.status_code == 400, refused.text
        body = refused.json()
        assert body["code"] == "invalid_flows"
        assert [d["code"] for d in body["diagnostics"]] == ["E060"]  # --scripts deny
        assert body["diagnostics"][0]["file"] == "f1.yaml"  # a readable tab id is kept
        assert stamps(server) == before  # not even written and put back
        assert http.get("/flows", headers=V2).json()["rev"] == rev


def test_a_type_flowrt_lacks_is_deployed_as_a_stand_in_and_named(server: Process) -> None:
    button = {"id": "abababababababab", "type": "ui_button", "z": "a1a1a1a1a1a1a1a1",
              "name": "press", "x": 1, "y": 1, "wires": [["2222222222222222"]]}
    with client(server) as http:
        answer = http.post("/flows", json={"flows": [*FLOWS, button]}, headers=V2)
        assert answer.status_code == 200, answer.text
        assert [(u["id"], u["type"]) for u in answer.json()["flowrt"]["unsupported"]] == \
            [("abababababababab", "ui_button")]
        back = {n["id"]: n for n in http.get("/flows").json()}
        assert back["abababababababab"]["type"] == "ui_button"  # what it stands in for


def test_deployment_types(server: Process) -> None:
    with client(server) as http:
        deploy(http, FLOWS)
        http.post("/inject/1111111111111111")
        wait_until(lambda: received(server, "show-a") == 1)
        garage = [n for n in FLOWS if n["id"] != "3333333333333333"]
        garage[-1] = {**garage[-1], "name": "show b"}
        changed = [*garage, inject("7777777777777777", "b2b2b2b2b2b2b2b2", "tock",
                                   "4444444444444444")]
        deploy(http, changed, "flows")  # only the garage flow restarts
        assert received(server, "show-a") == 1
        deploy(http, changed, "nodes")  # nothing changed: nothing restarts
        assert received(server, "show-a") == 1
        deploy(http, changed, "full")  # everything restarts
        assert received(server, "show-a") == 0
        http.post("/inject/1111111111111111")
        wait_until(lambda: received(server, "show-a") == 1)
        reload = http.post("/flows", headers={"Node-RED-Deployment-Type": "reload"})
        assert reload.status_code == 204, reload.text  # the files again, body ignored
        assert received(server, "show-a") == 0
        odd = http.post("/flows", json=FLOWS, headers={"Node-RED-Deployment-Type": "some"})
        assert odd.status_code == 400 and odd.json()["code"] == "invalid_deployment_type"


def test_one_flow_at_a_time(server: Process) -> None:
    with client(server) as http:
        deploy(http, FLOWS)
        added = http.post("/flow", json={"label": "Porch", "nodes": [
            inject("8888888888888888", "", "tick p", "9999999999999999"),
            debug("9999999999999999", "", "show p")]})
        assert added.status_code == 200, added.text
        flow_id = added.json()["id"]
        assert "porch.yaml" in files(server)
        assert [n["id"] for n in http.get(f"/flow/{flow_id}").json()["nodes"]] == \
            ["8888888888888888", "9999999999999999"]
        put = http.put(f"/flow/{flow_id}", json={"label": "Porch", "nodes": [
            debug("9999999999999999", "", "show p")]})
        assert put.json() == {"id": flow_id}
        assert [n["id"] for n in http.get(f"/flow/{flow_id}").json()["nodes"]] == \
            ["9999999999999999"]
        duplicate = http.post("/flow", json={"label": "x", "nodes": [FLOWS[2]]})
        assert duplicate.status_code == 400
        assert http.delete(f"/flow/{flow_id}").status_code == 204
        assert "porch.yaml" not in files(server)
        assert http.get(f"/flow/{flow_id}").status_code == 404
        assert http.delete(f"/flow/{flow_id}").status_code == 404


def test_nodes_lists_node_sets(server: Process) -> None:
    with client(server) as http:
        sets = http.get("/nodes", headers={"Accept": "application/json"}).json()
    by_id = {s["id"]: s for s in sets}
    assert {"inject", "debug", "change", "function"} <= set(by_id["flowrt/core"]["types"]) | \
        set(by_id["flowrt/function"]["types"])
    assert {"mqtt in", "mqtt out", "mqtt-broker"} <= set(by_id["flowrt/mqtt"]["types"])
    for node_set in sets:
        assert set(node_set) >= {"id", "name", "types", "enabled", "module", "version"}


# real node-red-admin, and curl


def node_red_admin() -> Path:
    """node-red-admin from npm, installed on first use (a missing npm fails the test)."""
    script = ADMIN_DIR / "node_modules" / ".bin" / "node-red-admin"
    if not script.exists():
        npm = shutil.which("npm")
        if npm is None:
            pytest.fail("npm is needed to install node-red-admin")
        ADMIN_DIR.mkdir(parents=True, exist_ok=True)
        done = subprocess.run([npm, "install", "--prefix", str(ADMIN_DIR), "--no-audit",
                               "--no-fund", f"node-red-admin@{ADMIN_VERSION}"],
                              capture_output=True, text=True, timeout=600)
        if done.returncode != 0:
            pytest.fail(f"npm install node-red-admin failed:\n{done.stderr[-2000:]}")
    return script


def login(admin: Path, home: Path) -> None:
    """`node-red-admin login`, answering its prompts as they come."""
    with subprocess.Popen([str(admin), "login", "--userDir", str(home)],
                          stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                          stderr=subprocess.STDOUT) as proc:
        assert proc.stdin is not None and proc.stdout is not None
        for prompt, answer in ((b"Username:", "alice"), (b"Password:", PASSWORD)):
            seen = b""
            while prompt not in seen:
                char = proc.stdout.read(1)
                assert char, f"node-red-admin login ended before {prompt!r}: {seen!r}"
                seen += char
            proc.stdin.write(f"{answer}\n".encode())
            proc.stdin.flush()
        proc.stdin.close()
        rest = proc.stdout.read().decode()
        assert proc.wait(timeout=120) == 0 and "Logged in" in rest, rest


def test_node_red_admin_logs_in_and_lists_and_curl_deploys(guarded: Process,
                                                           tmp_path: Path) -> None:
    admin = node_red_admin()
    curl = shutil.which("curl")
    assert curl is not None, "curl is needed"
    home = tmp_path / "admin"
    home.mkdir()
    run = [str(admin), "--userDir", str(home)]
    target = subprocess.run([*run[:1], "target", f"{guarded.url}/nodered", *run[1:]],
                            capture_output=True, text=True, timeout=120)
    assert target.returncode == 0, target.stdout + target.stderr
    login(admin, home)
    token = json.loads((home / ".cli-config.json").read_text())["tokens"]["access_token"]
    (tmp_path / "flows.json").write_text(json.dumps(FLOWS))
    deployed = subprocess.run(
        [curl, "-s", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
         f"{guarded.url}/nodered/flows", "-H", f"Authorization: Bearer {token}",
         "-H", "Content-Type: application/json", "-H", "Node-RED-Deployment-Type: full",
         "--data-binary", f"@{tmp_path / 'flows.json'}"],
        capture_output=True, text=True, timeout=120)
    assert deployed.stdout == "204", deployed.stdout + deployed.stderr
    assert {"kitchen.yaml", "garage.yaml"} <= set(files(guarded))
    listed = subprocess.run([*run[:1], "list", *run[1:]], capture_output=True, text=True,
                            timeout=120)
    assert listed.returncode == 0, listed.stdout + listed.stderr
    assert "flowrt/core" in listed.stdout and "inject" in listed.stdout, listed.stdout
    as_json = subprocess.run([*run[:1], "list", "--json", *run[1:]], capture_output=True,
                             text=True, timeout=120)
    types = {t for s in json.loads(as_json.stdout) for t in s["types"]}
    assert {"inject", "debug", "mqtt in"} <= types
