"""The exec node runs system commands with the rights of the flowrt process, so the script
policy refuses it under `sandboxed` and `deny` (at validate, run and deploy time, naming the
node), and without `shell` no text of a message can become a shell command."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

with warnings.catch_warnings():  # starlette asks for httpx2, which is not installed here
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.check.policy import ScriptPolicy, check_policy
from flowrt.load import Project, load_text
from flowrt.registry import default_registry
from flowrt.server.app import ServerSettings, create_app
from flowrt.testing import run_flow

HEADERS = {"X-Flowrt-Request": "1"}


def _flow(marker: Path) -> str:
    return f"""\
flowrt: 1
id: commands
nodes:
  tick: {{type: inject, once: true, payload: go, to: runner}}
  runner: {{type: exec, command: "touch {marker}", property: null, to: show}}
  show: {{type: debug}}
"""


@pytest.mark.parametrize("policy", ["sandboxed", "deny"])
def test_check_refuses_an_exec_node_naming_it(policy: ScriptPolicy, tmp_path: Path) -> None:
    project = Project([load_text(_flow(tmp_path / "ran"), "flows/commands.yaml")])
    (problem,) = check_policy(project, default_registry(), policy)
    assert (problem.code, problem.node, problem.line) == ("E060", "runner", 5)
    assert "runs system commands" in problem.message and f"--scripts {policy}" in problem.message
    assert "--scripts allow" in problem.hint
    assert str(problem).startswith("flows/commands.yaml:5:3: error E060 node 'runner' (exec)")
    assert check_policy(project, default_registry(), "allow") == []


@pytest.mark.parametrize("policy", ["sandboxed", "deny"])
def test_flowrt_run_refuses_the_flow_and_runs_nothing(policy: str, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    flow = tmp_path / "commands.yaml"
    flow.write_text(_flow(marker))
    done = subprocess.run([sys.executable, "-m", "flowrt", "run", str(flow), "--scripts", policy],
                          capture_output=True, text=True, timeout=120,
                          env={k: v for k, v in os.environ.items() if k != "FLOWRT_SCRIPTS"})
    assert done.returncode != 0
    output = done.stdout + done.stderr
    assert "E060" in output and "'runner' (exec)" in output, output
    assert not marker.exists()


@pytest.mark.parametrize("policy", ["sandboxed", "deny"])
def test_a_deploy_is_refused_and_validate_says_why(policy: ScriptPolicy, tmp_path: Path) -> None:
    marker = tmp_path / "ran"
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "commands.yaml").write_text(_flow(marker))
    app = create_app(ServerSettings(flows=flows, env={}, close_timeout=5.0, scripts=policy))
    with TestClient(app, base_url="http://testserver") as client:
        deployed = client.post("/api/deploy", json={"mode": "full"}, headers=HEADERS)
        checked = client.post("/api/validate", headers=HEADERS,
                              json={"file": "commands.yaml", "text": _flow(marker)})
    assert deployed.status_code == 422
    (problem,) = deployed.json()["diagnostics"]
    assert (problem["code"], problem["node"], problem["line"]) == ("E060", "runner", 5)
    found = [d for d in checked.json()["diagnostics"] if d["code"] == "E060"]
    assert [d["node"] for d in found] == ["runner"]
    assert not marker.exists()


INJECTIONS = ["x; touch {m}1", "x && touch {m}2", "x | touch {m}3", "$(touch {m}4)",
              "`touch {m}5`", "x\ntouch {m}6", "x > {m}7", "'; touch {m}8; '"]


def test_message_text_is_never_read_by_a_shell(tmp_path: Path) -> None:
    mark = tmp_path / "m"
    payloads = [text.format(m=mark) for text in INJECTIONS]
    result = run_flow("""\
flowrt: 1
nodes:
  echo: {type: exec, command: echo}
""", inputs=[{"payload": p} for p in payloads], virtual_time=False)
    assert sorted(os.listdir(tmp_path)) == []
    printed = [m["payload"] for m in result.sent("echo", 0)]
    assert sorted(printed) == sorted(" ".join(p.split()) + "\n" for p in payloads)
    assert [m["payload"] for m in result.sent("echo", 2)] == [{"code": 0}] * len(payloads)


def test_with_shell_the_same_text_is_read_by_the_shell(tmp_path: Path) -> None:
    mark = tmp_path / "m"
    run_flow("""\
flowrt: 1
nodes:
  echo: {type: exec, command: echo, shell: true}
""", inputs=[{"payload": f"x; touch {mark}1"}], virtual_time=False)
    assert os.listdir(tmp_path) == ["m1"]  # what `shell: true` means, as its help warns
