"""Deploy mode ``nodes`` against a real `flowrt serve`: two successive deploys replace one
changed node each, while the nodes around it keep running with their state (a script's node
context, a debug node's count), and the answer names only the changed node."""

from __future__ import annotations

import json
import urllib.request
from functools import partial
from pathlib import Path
from typing import Any

from starlette.testclient import TestClient

from tests.server.server_kit import HEADERS
from tests.support.serving import Process, serve_process
from tests.support.waiting import wait_until

COUNT = ("n = context.get('n', 0) + 1\\ncontext.set('n', n)\\n"
         "node.status(text=str(n))\\nmsg['count'] = n\\nreturn msg")


def pipeline(tag: str) -> str:
    return (
        "flowrt: 1\nid: p\nnodes:\n"
        "  tick: {type: inject, payload: 1, to: tag}\n"
        f"  tag: {{type: change, rules: [{{set: tag, to: {tag}}}], to: count}}\n"
        f'  count: {{type: script, code: "{COUNT}", to: show}}\n'
        "  show: {type: debug, status: count}\n"
    )


def call(served: Process, method: str, path: str, body: Any = None) -> Any:
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(f"{served.url}{path}", data=data, method=method,
                                     headers={**HEADERS, "Content-Type": "application/json"})
    with urllib.request.urlopen(request, timeout=60) as res:
        return json.load(res)


def status(served: Process, node: str) -> str:
    shown = call(served, "GET", "/api/state")["nodes"][node]["status"]
    return "" if shown is None else str(shown.get("text", ""))


def counted(served: Process, n: int) -> bool:
    """True once the debug node and the counting script both show ``n``."""
    return status(served, "show") == str(n) == status(served, "count")


def save(served: Process, name: str, text: str) -> None:
    revision = call(served, "GET", f"/api/flows/{name}")["revision"]
    call(served, "PUT", f"/api/flows/{name}", {"revision": revision, "text": text})


def test_two_node_deploys_keep_the_unchanged_nodes_state(tmp_path: Path) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "p.yaml").write_text(pipeline("v1"))
    (flows / "q.yaml").write_text(
        "flowrt: 1\nid: q\nnodes:\n"
        "  q_tick: {type: inject, to: q_show}\n  q_show: {type: debug, status: count}\n")
    with serve_process(flows, "--close-timeout", "5") as served:
        wait_until(lambda: call(served, "GET", "/ready")["status"] == "ready", "ready")
        for _ in range(2):
            call(served, "POST", "/api/inject/tick")
        wait_until(lambda: status(served, "show") == "2" and status(served, "count") == "2",
                   "two messages counted")

        for n, tag in enumerate(("v2", "v3"), 3):
            save(served, "p.yaml", pipeline(tag))
            answer = call(served, "POST", "/api/deploy", {"mode": "nodes"})["changed"]
            assert answer == {"mode": "nodes", "flows": [], "nodes": ["tag"],
                              "replaced": ["tag"], "started": [], "stopped": [],
                              "rewired": [], "restarted": [], "given_up": {}}
            # kept: the debug node's count and the script's node context go on
            assert status(served, "show") == str(n - 1)
            call(served, "POST", "/api/inject/tick")
            wait_until(partial(counted, served, n), f"message {n} counted")

        # a wire added: the node that gains it is rewired, not restarted
        save(served, "p.yaml", pipeline("v3").replace("to: count}", "to: [count, show]}"))
        answer = call(served, "POST", "/api/deploy", {"mode": "nodes"})["changed"]
        assert (answer["rewired"], answer["replaced"], answer["nodes"]) == (["tag"], [], [])
        call(served, "POST", "/api/inject/tick")
        wait_until(lambda: status(served, "show") == "6", "the message on both wires")

        # the flows mode restarts the flow: its debug count starts again
        save(served, "p.yaml", pipeline("v4"))
        answer = call(served, "POST", "/api/deploy", {"mode": "flows"})["changed"]
        assert answer == {"flows": ["p"], "nodes": ["tag"]}
        assert status(served, "show") == ""
    log = served.log_text()
    assert "Traceback" not in log, log


def test_a_change_to_a_flows_environment_restarts_it_and_the_answer_says_why(
    client: TestClient, flows_dir: Path,
) -> None:
    (flows_dir / "alerts.yaml").unlink()
    (flows_dir / "p.yaml").write_text(pipeline("v1"))
    assert client.post("/api/deploy", json={"mode": "full"}, headers=HEADERS).status_code == 200
    (flows_dir / "p.yaml").write_text(pipeline("v1").replace("id: p\n", "id: p\nenv: {A: 1}\n"))
    answer = client.post("/api/deploy", json={"mode": "nodes"}, headers=HEADERS).json()
    changed = answer["changed"]
    assert changed["restarted"] == [{"flows": ["p"], "reason": "the environment of flow p "
                                     "changed"}]
    assert (changed["flows"], changed["replaced"]) == (["p"], [])
    bad = client.post("/api/deploy", json={"mode": "some"}, headers=HEADERS)
    assert bad.status_code == 400 and "'nodes'" in bad.json()["error"]
