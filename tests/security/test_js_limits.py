"""Attacks on the sandbox's limits through configuration: a function node under `--scripts
sandboxed` whose `timeout` or `memory_limit` is unbounded, or over the operator's caps, once
its `${VAR}` references are substituted, is refused (E060, with file:line:col and node id) at
validate, at deploy and by `flowrt run`."""

from __future__ import annotations

import warnings
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from flowrt.check.policy import check_policy, sandbox_caps
from flowrt.cli.commands import main
from flowrt.load import Project, load_text
from flowrt.registry import default_registry

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from starlette.testclient import TestClient

from flowrt.server.app import ServerSettings, create_app
from tests.server.server_kit import HEADERS


@pytest.fixture(autouse=True)
def _in_a_worker(monkeypatch: pytest.MonkeyPatch) -> None:
    """JavaScript in a worker process, as under --scripts sandboxed (under allow it runs inside
    the server unless the operator asks otherwise)."""
    monkeypatch.setenv("FLOWRT_JS_ISOLATION", "worker")


FLOW = """\
flowrt: 1
id: limits
env:
  INF: .inf
nodes:
  tick: {type: inject, payload: 1, to: js}
  js: {type: function, func: 'return msg;', timeout: '${T}', memory_limit: '${M:-64}'}
"""


def e060(text: str, env: dict[str, str]) -> list[tuple[str, int, int, str]]:
    project = Project([load_text(text, "flows/l.yaml")])
    return [(d.node, d.line, d.column, d.message)
            for d in check_policy(project, default_registry(), "sandboxed", env=env)
            if d.code == "E060"]


@pytest.mark.parametrize("value", ["0", "1e9", "nan", "-1", "abc", "inf", "${INF}", "31"])
def test_a_timeout_that_is_no_limit_is_refused_after_substitution(value: str) -> None:
    text = FLOW.replace("'${T}'", f"'{value}'" if value == "${INF}" else "'${T}'")
    [(node, line, column, message)] = e060(text, {"T": value})
    assert (node, line, column) == ("js", 7, 3)
    assert "timeout" in message and "`--scripts sandboxed`" in message


@pytest.mark.parametrize("value", ["0", "100000", "-5", "lots", "257"])
def test_a_memory_limit_over_the_cap_is_refused(value: str) -> None:
    [(node, _, _, message)] = e060(FLOW, {"T": "5", "M": value})
    assert node == "js" and "memory_limit" in message


def test_limits_within_the_caps_pass() -> None:
    assert e060(FLOW, {"T": "30", "M": "256"}) == []
    assert e060(FLOW, {"T": "0.5"}) == []


def test_the_operator_sets_the_caps(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("FLOWRT_SANDBOX_TIMEOUT", "2")
    monkeypatch.setenv("FLOWRT_SANDBOX_MEMORY", "32")
    assert sandbox_caps() == (2.0, 32)
    [(_, _, _, message)] = e060(FLOW, {"T": "5"})
    assert "cap of 2 s" in message
    [(_, _, _, message)] = e060(FLOW, {"T": "1", "M": "64"})
    assert "cap of 32 MB" in message


def test_the_caps_come_from_the_server_not_from_the_flow() -> None:
    text = FLOW.replace("  INF: .inf\n", "  INF: .inf\n  FLOWRT_SANDBOX_TIMEOUT: 100000\n")
    assert [n for n, *_ in e060(text, {"T": "600"})] == ["js"]


def test_a_subflow_instance_cannot_lift_the_limit() -> None:
    text = """\
flowrt: 1
id: wrapped
nodes:
  calls: {type: 'subflow:wrap', env: {T: 1e9}}
subflows:
  wrap:
    params: {T: {default: 5}}
    input: inner
    nodes:
      inner: {type: function, func: 'return msg;', timeout: '${T}'}
"""
    [(node, line, column, _)] = e060(text, {})
    assert (node, line, column) == ("inner", 10, 7)


def test_flowrt_run_refuses_an_unbounded_timeout(tmp_path: Path) -> None:
    flow = tmp_path / "l.yaml"
    flow.write_text(FLOW)
    runner = CliRunner()
    refused = runner.invoke(main, ["run", "--until-idle", "--scripts", "sandboxed", str(flow)],
                            env={"T": "1e9"})
    assert refused.exit_code == 1, refused.output
    assert f"{flow}:7:3: error E060 node 'js' (function)" in refused.output
    ran = runner.invoke(main, ["run", "--until-idle", "--scripts", "sandboxed", str(flow)],
                        env={"T": "2"})
    assert ran.exit_code == 0, ran.output


@pytest.mark.parametrize("value", ["0", "1e9", "nan"])
def test_deploy_and_validate_refuse_an_unbounded_timeout(tmp_path: Path, value: str) -> None:
    flows = tmp_path / "flows"
    flows.mkdir()
    (flows / "l.yaml").write_text(FLOW)
    settings: Any = ServerSettings(flows=flows, env={"T": value}, close_timeout=5.0,
                                   scripts="sandboxed")
    with TestClient(create_app(settings), base_url="http://testserver") as client:
        deployed = client.post("/api/deploy", json={"mode": "full"}, headers=HEADERS)
        assert deployed.status_code == 422, deployed.text
        [problem] = [d for d in deployed.json()["diagnostics"] if d["code"] == "E060"]
        assert (problem["node"], problem["line"], problem["column"]) == ("js", 7, 3)
        checked = client.post("/api/validate", headers=HEADERS,
                              json={"file": "l.yaml", "text": FLOW})
        assert [d["node"] for d in checked.json()["diagnostics"] if d["code"] == "E060"] == [
            "js"]


def test_javascript_inside_the_server_is_refused_when_sandboxed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("FLOWRT_JS_ISOLATION", "inline")
    [(node, _, _, message)] = e060(FLOWRT_BOUNDED, {})
    assert node == "js" and "FLOWRT_JS_ISOLATION=inline" in message


FLOWRT_BOUNDED = FLOW.replace("'${T}'", "5")
